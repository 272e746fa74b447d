// Mixed API writes with 50 concurrent clients: a real node process (on the
// Postgres server of BENCH_DATABASE_URL / TEST_DATABASE_URL in a fresh
// database, else on its embedded PGlite) and a local Hardhat chain with the
// anchoring worker running. Each client sends its requests one after the other
// (keep-alive); the mix is products (master data, audit only), partners,
// small lots commissioned (5 serials, a ledger event) and inspections (a ledger
// event). Latency is timed from sending to the full answer; any non-2xx is an error.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { gtinCheckDigit } from '../../sdk';
import { startBenchNode, BENCH_COMPANY_PREFIX } from './benchNode';
import { type BenchResult, fmt, log } from './measure';

export const WRITES_P95_TARGET_MS = 20;
const PREFIX = BENCH_COMPANY_PREFIX;
const KINDS = ['product', 'partner', 'lot', 'inspection'] as const;
type Kind = (typeof KINDS)[number];
/** Share of each kind in the mix, out of 20. */
const MIX: Record<Kind, number> = { product: 5, partner: 3, lot: 6, inspection: 6 };

function gtinOf(itemRef: number): string {
  const first13 = `0${PREFIX}${String(itemRef).padStart(5, '0')}`;
  return `${first13}${gtinCheckDigit(first13)}`;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function benchWrites(clients = 50, requestsPerClient = 40): Promise<BenchResult[]> {
  const node = await startBenchNode('writes');
  const { databaseKind } = node;
  const password = node.adminPassword;
  // Plain node:http with one keep-alive connection per client: the load generator shares the CPUs with the node.
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  try {
    const base = new URL(node.baseUrl);
    const send = (method: string, pathname: string, body: unknown, token?: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const payload = Buffer.from(JSON.stringify(body));
        const req = http.request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            method,
            path: pathname,
            headers: { 'content-type': 'application/json', 'content-length': payload.length, ...(token ? { authorization: `Bearer ${token}` } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    const login = await send('POST', '/api/v1/auth/token', { username: 'admin', password });
    if (login.status !== 200) throw new Error(`admin token: ${login.status} ${login.text}`);
    const token = (JSON.parse(login.text) as { accessToken: string }).accessToken;

    // Setup: the product the lots and inspections are for, and 20 lots to inspect.
    const baseGtin = gtinOf(1);
    const must = async (method: string, pathname: string, body: unknown) => {
      const res = await send(method, pathname, body, token);
      if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${res.text}`);
    };
    await must('POST', '/api/v1/products', { gtin: baseGtin, name: 'Bench device', model: 'B-1', deviceClass: 'I' });
    for (let i = 0; i < 20; i++) {
      await must('POST', '/api/v1/lots', { gtin: baseGtin, lot: `INSP${i}`, productionDate: '2026-01-15', expiry: '2029-01-31', serialCount: 5, serialPrefix: `I${i}-` });
    }

    let counter = 0;
    const request = (kind: Kind): [string, string, unknown] => {
      const n = ++counter;
      switch (kind) {
        case 'product':
          return ['POST', '/api/v1/products', { gtin: gtinOf(1000 + n), name: `Bench device ${n}`, model: `B-${n}`, deviceClass: 'IIa' }];
        case 'partner':
          return ['POST', '/api/v1/partners', { code: `P${n}`, name: `Partner ${n}`, isCustomer: true }];
        case 'lot':
          return ['POST', '/api/v1/lots', { gtin: baseGtin, lot: `W${n}`, productionDate: '2026-01-15', expiry: '2029-01-31', serialCount: 5, serialPrefix: `W${n}-` }];
        case 'inspection':
          return ['POST', `/api/v1/lots/${baseGtin}/INSP${n % 20}/inspections`, { kind: 'final', result: 'pass', method: 'bench' }];
      }
    };
    const deck: Kind[] = KINDS.flatMap((kind) => Array.from({ length: MIX[kind] }, () => kind));

    const samples: Record<Kind, number[]> = { product: [], partner: [], lot: [], inspection: [] };
    const errors: Array<{ kind: Kind; status: number; text: string }> = [];
    const run = async (perClient: number, record: boolean) => {
      await Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          for (let i = 0; i < perClient; i++) {
            const kind = deck[(client * 7 + i) % deck.length];
            const [method, pathname, body] = request(kind);
            const start = performance.now();
            let res: { status: number; text: string };
            try {
              res = await send(method, pathname, body, token);
            } catch (error) {
              res = { status: 0, text: (error as Error).message };
            }
            const ms = performance.now() - start;
            if (!record) continue;
            samples[kind].push(ms);
            if (res.status < 200 || res.status >= 300) errors.push({ kind, status: res.status, text: res.text.slice(0, 200) });
          }
        }),
      );
    };
    log(`writes: warm-up, ${clients} clients × 4 requests…`);
    await run(4, false);
    log(`writes: ${clients} clients × ${requestsPerClient} requests…`);
    const started = performance.now();
    await run(requestsPerClient, true);
    const seconds = (performance.now() - started) / 1000;

    const all = Object.values(samples).flat().sort((a, b) => a - b);
    const p = (q: number) => Math.round(percentile(all, q) * 10) / 10;
    const byKind = Object.fromEntries(
      KINDS.map((kind) => {
        const sorted = [...samples[kind]].sort((a, b) => a - b);
        return [kind, { count: sorted.length, p50: Math.round(percentile(sorted, 50) * 10) / 10, p95: Math.round(percentile(sorted, 95) * 10) / 10 }];
      }),
    );
    if (errors.length > 0) log(`writes: ${errors.length} errors, first: ${JSON.stringify(errors[0])}`);
    const note = `${clients} clients × ${requestsPerClient}, ${databaseKind}; mix product ${MIX.product}: partner ${MIX.partner}: lot(5 serials) ${MIX.lot}: inspection ${MIX.inspection}`;
    const detail = { clients, requestsPerClient, database: databaseKind, requestsPerSecond: Math.round(all.length / seconds), byKind, errors: errors.slice(0, 20) };
    return [
      { group: 'writes', name: 'mixed API writes, p50', value: p(50), unit: 'ms', note, detail },
      { group: 'writes', name: 'mixed API writes, p95', value: p(95), unit: 'ms', target: `< ${WRITES_P95_TARGET_MS}`, meets: p(95) < WRITES_P95_TARGET_MS, note },
      { group: 'writes', name: 'mixed API writes, p99', value: p(99), unit: 'ms', note },
      { group: 'writes', name: 'mixed API writes, errors', value: errors.length, unit: 'errors', target: '= 0', meets: errors.length === 0, note: `of ${all.length} requests; ${fmt(all.length / seconds)} requests/s` },
    ];
  } finally {
    agent.destroy();
    await node.stop();
  }
}
