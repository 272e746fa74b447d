// A throwaway local chain and one participant node process for the benchmarks
// that go through the API: on the PostgreSQL server of BENCH_DATABASE_URL /
// TEST_DATABASE_URL (a fresh database) when set, else on embedded PGlite.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalChain } from '../../node/chain/localChain';
import { createThrowawayDatabase } from '../../node/db/throwaway';
import { compileContracts } from '../cli/contracts';
import { spawnNode, waitUntilReady } from '../cli/nodeProcess';
import { pickPort } from '../cli/ports';
import { log } from './measure';

export const BENCH_COMPANY_PREFIX = '0614141';

export interface BenchNode {
  baseUrl: string;
  adminPassword: string;
  databaseKind: 'PostgreSQL server' | 'embedded PGlite';
  /** Stops the node and the chain, drops the database, removes the folder. */
  stop(): Promise<void>;
}

export async function startBenchNode(label: string): Promise<BenchNode> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
  const databaseKind = serverUrl ? 'PostgreSQL server' : 'embedded PGlite';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-bench-'));
  const cleanups: (() => Promise<void>)[] = [async () => fs.rmSync(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups) await cleanup().catch((err: Error) => log(`cleanup: ${err.message}`));
  };
  try {
    compileContracts(log);
    log(`${label}: starting a local chain and a node on ${databaseKind}…`);
    const chain = await startLocalChain({ port: await pickPort(0), dir: path.join(dir, 'chain') });
    cleanups.unshift(() => chain.stop());
    let databaseUrl: string | undefined;
    if (serverUrl) {
      const database = await createThrowawayDatabase(serverUrl, 'medtrace_bench_');
      databaseUrl = database.url;
      cleanups.unshift(() => database.drop());
    }
    const adminPassword = `bench-${randomBytes(8).toString('hex')}`;
    const node = spawnNode({
      output: path.join(dir, 'node.log'),
      env: {
        PORT: String(await pickPort(0)),
        HOST: '127.0.0.1',
        DATA_DIR: path.join(dir, 'node'),
        DATABASE_URL: databaseUrl,
        CHAIN_RPC_URL: chain.rpcUrl,
        CHAIN_DEPLOYMENT: chain.deploymentPath,
        PARTICIPANT_NAME: 'Bench Medical',
        GS1_COMPANY_PREFIX: BENCH_COMPANY_PREFIX,
        MEDTRACE_ADMIN_PASSWORD: adminPassword,
        LOG_LEVEL: 'warn',
      },
    });
    cleanups.unshift(() => node.stop());
    await waitUntilReady(node, 180_000);
    return { baseUrl: node.baseUrl, adminPassword, databaseKind, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
