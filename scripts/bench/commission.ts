// (d) Commissioning a lot through the API into the ledger: a real node process
// (on the Postgres server of BENCH_DATABASE_URL / TEST_DATABASE_URL in a fresh
// database, else on its embedded PGlite) and a local Hardhat chain; timed from
// sending POST /api/v1/lots to the 201 carrying the commissioning event's seq.
import { performance } from 'node:perf_hooks';
import { type NodeClient, createNodeClient, gtinCheckDigit } from '../../sdk';
import { startBenchNode, BENCH_COMPANY_PREFIX } from './benchNode';
import { type BenchResult, fmt, log } from './measure';

export const COMMISSION_TARGET_MS = 3000;
const PREFIX = BENCH_COMPANY_PREFIX;

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
  const node = await startBenchNode('commission');
  const { databaseKind } = node;
  const password = node.adminPassword;
  try {
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
    await node.stop();
  }
}
