// One runner for every suite: contracts (in-process Hardhat), SDK, node, ledger and CLI.
// Integration suites start real processes (a Hardhat node, node servers, Postgres
// databases), so they get generous timeouts and at most two files run at once.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
