// (d) Commissioning a lot through the API into the ledger: a real node process
// (on the Postgres server of BENCH_DATABASE_URL / TEST_DATABASE_URL in a fresh
// database, else on its embedded PGlite) and a local Hardhat chain; timed from
// sending POST /api/v1/lots to the 201 carrying the commissioning event's seq.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type NodeClient, createNodeClient, gtinCheckDigit } from '../../sdk';
import { startLocalChain } from '../../node/chain/localChain';
import { createThrowawayDatabase } from '../../node/db/throwaway';
import { compileContracts } from '../cli/contracts';
import { spawnNode, waitUntilReady } from '../cli/nodeProcess';
import { pickPort } from '../cli/ports';
import { type BenchResult, fmt, log } from './measure';

export const COMMISSION_TARGET_MS = 3000;
const PREFIX = '0614141';

/** Commissions `lot` with serials `${lot}-000001…` (a unit is GTIN + serial: serials never repeat across lots). */
async function commission(client: NodeClient, gtin: string, lot: string, serialCount: number): Promise<{ ms: number; seq: number }> {
  const start = performance.now();
  const body = { gtin, lot, productionDate: '2026-01-15', expiry: '2029-01-31', serialCount, serialPrefix: `${lot}-` };
  const created = await client.request<{ ledgerSeq: number; unitCount: number }>('POST', '/api/v1/lots', body);
  const ms = performance.now() - start;
  if (created.unitCount !== serialCount || !Number.isInteger(created.ledgerSeq)) {
    throw new Error(`unexpected answer to POST /api/v1/lots: ${JSON.stringify(created)}`);
  }
  return { ms, seq: created.ledgerSeq };
}

export async function benchCommission(serialCount: number, runs: number): Promise<BenchResult[]> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
  const databaseKind = serverUrl ? 'PostgreSQL server' : 'embedded PGlite';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-bench-'));
  const cleanups: (() => Promise<void>)[] = [async () => fs.rmSync(dir, { recursive: true, force: true })];
  try {
    compileContracts(log);
    log(`commission: starting a local chain and a node on ${databaseKind}…`);
    const chain = await startLocalChain({ port: await pickPort(0), dir: path.join(dir, 'chain') });
    cleanups.unshift(() => chain.stop());
    let databaseUrl: string | undefined;
    if (serverUrl) {
      const database = await createThrowawayDatabase(serverUrl, 'medtrace_bench_');
      databaseUrl = database.url;
      cleanups.unshift(() => database.drop());
    }
    const password = `bench-${randomBytes(8).toString('hex')}`;
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
        GS1_COMPANY_PREFIX: PREFIX,
        MEDTRACE_ADMIN_PASSWORD: password,
        LOG_LEVEL: 'warn',
      },
    });
    cleanups.unshift(() => node.stop());
    await waitUntilReady(node, 180_000);

    const anonymous = createNodeClient({ baseUrl: node.baseUrl });
    const { accessToken } = await anonymous.request<{ accessToken: string }>('POST', '/api/v1/auth/token', { username: 'admin', password });
    const client = createNodeClient({ baseUrl: node.baseUrl, token: accessToken });
    const first13 = `0${PREFIX}00001`;
    const gtin = `${first13}${gtinCheckDigit(first13)}`;
    await client.request('POST', '/api/v1/products', { gtin, name: 'Bench device', model: 'B-1', deviceClass: 'I' });

    log('commission: warm-up lot of 1,000 serials…');
    await commission(client, gtin, 'W0', 1000);
    const samples: number[] = [];
    for (let i = 1; i <= runs; i++) {
      log(`commission: lot ${i}/${runs} of ${fmt(serialCount)} serials…`);
      samples.push((await commission(client, gtin, `B${i}`, serialCount)).ms);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    return [
      {
        group: 'commission',
        name: `POST /api/v1/lots, ${fmt(serialCount)} serials, ${databaseKind}`,
        value: median,
        unit: 'ms',
        target: `< ${fmt(COMMISSION_TARGET_MS)}`,
        meets: median < COMMISSION_TARGET_MS,
        note: `POST to the 201 with the event's seq (serialCount + serialPrefix); median of ${runs}`,
        detail: { serialCount, database: databaseKind, samplesMs: samples.map((ms) => Math.round(ms)) },
      },
    ];
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((err: Error) => log(`cleanup: ${err.message}`));
  }
}
