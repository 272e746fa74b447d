// Mixed API writes with 50 concurrent clients: a real node process (on the
// Postgres server of BENCH_DATABASE_URL / TEST_DATABASE_URL in a fresh
// database, else on its embedded PGlite) and a local Hardhat chain with the
// anchoring worker running. Each client sends its requests one after the other
// (keep-alive); the mix is products (master data, audit only), partners,
// small lots commissioned (5 serials, a ledger event) and inspections (a ledger
// event). Any non-2xx is an error. Two load shapes, reported side by side and
// never one for the other:
// - closed loop: each of the 50 clients sends its next request as soon as the
//   previous answer is in (no think time). The offered load is whatever the node
//   sustains, so latency ≈ clients ÷ throughput (Little's law): it measures the
//   write throughput ceiling more than the latency a user sees. Timed from
//   sending to the full answer.
// - open loop: each of the 50 clients sends at a fixed rate (default 4 requests/s,
//   200 requests/s in all, each client's schedule offset so the sends spread
//   evenly) whether or not its earlier requests have been answered. Latency is
//   timed from the SCHEDULED send time to the full answer, so any queueing (in
//   the load generator, the sockets, the node or the database) counts.
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

export interface OpenLoopOptions {
  /** Requests per second each client sends (default 4: 200/s for 50 clients). */
  ratePerClient?: number;
  /** How long the open-loop phase sends, in seconds (default 10). */
  seconds?: number;
}

export async function benchWrites(clients = 50, requestsPerClient = 40, open: OpenLoopOptions = {}): Promise<BenchResult[]> {
  const ratePerClient = open.ratePerClient ?? 4;
  const openSeconds = open.seconds ?? 10;
  const node = await startBenchNode('writes');
  const { databaseKind } = node;
  const password = node.adminPassword;
  // Plain node:http with one keep-alive connection per client: the load generator shares the CPUs with the node.
  // (Open loop: a client's requests may overlap, so its connections are not limited.)
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const openAgent = new http.Agent({ keepAlive: true });
  try {
    const base = new URL(node.baseUrl);
    const send = (method: string, pathname: string, body: unknown, token?: string, via: http.Agent = agent) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const payload = Buffer.from(JSON.stringify(body));
        const req = http.request(
          {
            agent: via,
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

    type Errors = Array<{ kind: Kind; status: number; text: string }>;
    const emptySamples = (): Record<Kind, number[]> => ({ product: [], partner: [], lot: [], inspection: [] });
    const timed = async (kind: Kind, since: number, samples: Record<Kind, number[]>, errors: Errors, via?: http.Agent) => {
      const [method, pathname, body] = request(kind);
      let res: { status: number; text: string };
      try {
        res = await send(method, pathname, body, token, via);
      } catch (error) {
        res = { status: 0, text: (error as Error).message };
      }
      samples[kind].push(performance.now() - since);
      if (res.status < 200 || res.status >= 300) errors.push({ kind, status: res.status, text: res.text.slice(0, 200) });
    };

    // Closed loop: every client back to back.
    const closedLoop = async (perClient: number, samples: Record<Kind, number[]>, errors: Errors) => {
      await Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          for (let i = 0; i < perClient; i++) await timed(deck[(client * 7 + i) % deck.length], performance.now(), samples, errors);
        }),
      );
    };
    // Open loop: client c sends request i at t0 + (c / clients + i) / rate, answered or not;
    // latency from that scheduled instant.
    const openLoop = async (rate: number, seconds: number, samples: Record<Kind, number[]>, errors: Errors) => {
      const perClient = Math.max(1, Math.round(rate * seconds));
      const t0 = performance.now() + 50;
      const inFlight: Promise<void>[] = [];
      await Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          for (let i = 0; i < perClient; i++) {
            const scheduled = t0 + ((client / clients + i) / rate) * 1000;
            const wait = scheduled - performance.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            inFlight.push(timed(deck[(client * 7 + i) % deck.length], scheduled, samples, errors, openAgent));
          }
        }),
      );
      await Promise.all(inFlight);
    };

    const summary = (samples: Record<Kind, number[]>, seconds: number) => {
      const all = Object.values(samples).flat().sort((a, b) => a - b);
      const p = (q: number) => Math.round(percentile(all, q) * 10) / 10;
      const byKind = Object.fromEntries(
        KINDS.map((kind) => {
          const sorted = [...samples[kind]].sort((a, b) => a - b);
          return [kind, { count: sorted.length, p50: Math.round(percentile(sorted, 50) * 10) / 10, p95: Math.round(percentile(sorted, 95) * 10) / 10 }];
        }),
      );
      return { count: all.length, p50: p(50), p95: p(95), p99: p(99), requestsPerSecond: Math.round(all.length / seconds), byKind };
    };

    log(`writes: warm-up, ${clients} clients × 4 requests…`);
    await closedLoop(4, emptySamples(), []);

    log(`writes: closed loop, ${clients} clients × ${requestsPerClient} requests back to back…`);
    const closedSamples = emptySamples();
    const closedErrors: Errors = [];
    let started = performance.now();
    await closedLoop(requestsPerClient, closedSamples, closedErrors);
    const closed = { ...summary(closedSamples, (performance.now() - started) / 1000), errors: closedErrors.length };
    if (closedErrors.length > 0) log(`writes: closed loop: ${closedErrors.length} errors, first: ${JSON.stringify(closedErrors[0])}`);

    const offered = clients * ratePerClient;
    log(`writes: open loop, ${clients} clients × ${ratePerClient} requests/s (${offered}/s) for ${openSeconds} s…`);
    const openSamples = emptySamples();
    const openErrors: Errors = [];
    started = performance.now();
    await openLoop(ratePerClient, openSeconds, openSamples, openErrors);
    const opened = { ...summary(openSamples, (performance.now() - started) / 1000), errors: openErrors.length };
    if (openErrors.length > 0) log(`writes: open loop: ${openErrors.length} errors, first: ${JSON.stringify(openErrors[0])}`);

    const mix = `mix product ${MIX.product}: partner ${MIX.partner}: lot(5 serials) ${MIX.lot}: inspection ${MIX.inspection}`;
    const closedNote = `CLOSED loop: ${clients} clients × ${requestsPerClient} back to back (no think time), ${databaseKind}; ${mix}; ${fmt(closed.requestsPerSecond)} requests/s achieved`;
    const openNote = `OPEN loop: ${clients} clients × ${ratePerClient}/s = ${offered} requests/s offered for ${openSeconds} s, latency from the scheduled send, ${databaseKind}; ${mix}; ${fmt(opened.requestsPerSecond)} requests/s completed`;
    const detail = {
      clients,
      database: databaseKind,
      closedLoop: { requestsPerClient, ...closed, errorSamples: closedErrors.slice(0, 20) },
      openLoop: { ratePerClient, offeredPerSecond: offered, seconds: openSeconds, latencyFrom: 'scheduled send time', ...opened, errorSamples: openErrors.slice(0, 20) },
    };
    const target = `< ${WRITES_P95_TARGET_MS}`;
    return [
      { group: 'writes', name: `mixed API writes, closed loop ${clients} clients, p50`, value: closed.p50, unit: 'ms', note: closedNote, detail },
      { group: 'writes', name: `mixed API writes, closed loop ${clients} clients, p95`, value: closed.p95, unit: 'ms', target, meets: closed.p95 < WRITES_P95_TARGET_MS, note: closedNote },
      { group: 'writes', name: `mixed API writes, closed loop ${clients} clients, p99`, value: closed.p99, unit: 'ms', note: closedNote },
      { group: 'writes', name: `mixed API writes, closed loop ${clients} clients, errors`, value: closed.errors, unit: 'errors', target: '= 0', meets: closed.errors === 0, note: `of ${closed.count} requests; ${fmt(closed.requestsPerSecond)} requests/s` },
      { group: 'writes', name: `mixed API writes, open loop ${offered}/s (${clients} × ${ratePerClient}/s), p50`, value: opened.p50, unit: 'ms', note: openNote },
      { group: 'writes', name: `mixed API writes, open loop ${offered}/s (${clients} × ${ratePerClient}/s), p95`, value: opened.p95, unit: 'ms', target, meets: opened.p95 < WRITES_P95_TARGET_MS, note: openNote },
      { group: 'writes', name: `mixed API writes, open loop ${offered}/s (${clients} × ${ratePerClient}/s), p99`, value: opened.p99, unit: 'ms', note: openNote },
      { group: 'writes', name: `mixed API writes, open loop ${offered}/s (${clients} × ${ratePerClient}/s), errors`, value: opened.errors, unit: 'errors', target: '= 0', meets: opened.errors === 0, note: `of ${opened.count} requests; ${fmt(opened.requestsPerSecond)} requests/s completed` },
    ];
  } finally {
    agent.destroy();
    openAgent.destroy();
    await node.stop();
  }
}
