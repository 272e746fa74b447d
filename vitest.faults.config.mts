// The fault runs (`npm run test:faults`): real node processes killed, the chain cut
// off, Postgres restarted, two processes on one database, each under a write load.
// Kept out of `npm test` (the `node` project of vitest.config.mts excludes test/faults).
// Bounded: every wait in them has a limit; the whole run takes a few minutes.
// Two groups, one after the other: the runs that share the Postgres server two at a
// time, then the one that restarts that server, alone.
import { defineConfig } from 'vitest/config';

const RESTARTS_POSTGRES = 'test/faults/postgresRestart.test.ts';
const SETUP = 'test/faults/globalSetup.ts';

export default defineConfig({
  test: {
    testTimeout: 600_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'faults', include: ['test/faults/**/*.test.ts'], exclude: [RESTARTS_POSTGRES], globalSetup: [SETUP], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'faults-postgres-restart', include: [RESTARTS_POSTGRES], globalSetup: [SETUP], sequence: { groupOrder: 1 } } },
    ],
  },
});
