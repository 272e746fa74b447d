// One runner for every suite: contracts (in-process Hardhat), SDK, node, ledger and CLI,
// and the browser tests of the web pages. Integration suites start real processes (a
// Hardhat node, node servers, Postgres databases), so they get generous timeouts and at
// most two files run at once. The browser tests (test/web) share one running demo
// (`medtrace demo`, what `npm start` runs), started by their project's global setup.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/web/**', 'test/faults/**', '**/node_modules/**'] } },
      { extends: true, test: { name: 'web', include: ['test/web/**/*.test.ts'], globalSetup: ['test/web/globalSetup.ts'] } },
    ],
  },
});
