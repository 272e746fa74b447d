// (f) Ledger ingest over HTTP: 32 concurrent clients, each sending its requests
// back to back (closed loop, keep-alive) to a real node process (on the Postgres
// server of BENCH_DATABASE_URL / TEST_DATABASE_URL in a fresh database, else on
// its embedded PGlite) with its anchoring worker on, against a local Hardhat
// chain. Every request is one passed final inspection of a lot
// (POST /api/v1/lots/{gtin}/{lot}/inspections): the cheapest API write that
// appends exactly one ledger event (the inspecting event, beside an inspection
// row and an audit-trail row). Latency is timed from sending to the full answer;
// events/s is the answered events over the wall time. Afterwards: the time the
// worker takes to anchor the last of them.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { gtinCheckDigit } from '../../sdk';
import { BENCH_COMPANY_PREFIX, startBenchNode } from './benchNode';
import { type BenchResult, fmt, log, percentile } from './measure';

const DRAIN_TIMEOUT_MS = 180_000;

type Send = (method: string, pathname: string, body?: unknown) => Promise<{ status: number; text: string }>;

/** JSON over one keep-alive agent (node:http: the load generator shares the CPUs with the node). */
function jsonSender(baseUrl: string, agent: http.Agent, token?: () => string | undefined): Send {
  const base = new URL(baseUrl);
  return (method, pathname, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const bearer = token?.();
      const req = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path: pathname,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
            ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          },
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
}

/** The last seq the node's anchors cover (read through the audit API, every page). */
async function lastAnchoredSeq(send: Send): Promise<{ to: number; batches: { batch: number; from: number; to: number }[] }> {
  const batches: { batch: number; from: number; to: number }[] = [];
  let cursor: string | null = null;
  do {
    const res = await send('GET', `/audit/v1/anchors?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw new Error(`GET /audit/v1/anchors: ${res.status} ${res.text}`);
    const page = JSON.parse(res.text) as { items: { batch: number; from: number; to: number; rootMatches: boolean }[]; nextCursor: string | null };
    for (const item of page.items) {
      if (!item.rootMatches) throw new Error(`anchor batch ${item.batch} does not match the local ledger`);
      batches.push({ batch: item.batch, from: item.from, to: item.to });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { to: batches.reduce((max, b) => Math.max(max, b.to), 0), batches };
}

export async function benchIngest(clients = 32, requestsPerClient = 100): Promise<BenchResult[]> {
  const node = await startBenchNode('ingest');
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  try {
    let token: string | undefined;
    const send = jsonSender(node.baseUrl, agent, () => token);
    const login = await send('POST', '/api/v1/auth/token', { username: 'admin', password: node.adminPassword });
    if (login.status !== 200) throw new Error(`admin token: ${login.status} ${login.text}`);
    token = (JSON.parse(login.text) as { accessToken: string }).accessToken;
    const must = async (method: string, pathname: string, body: unknown) => {
      const res = await send(method, pathname, body);
      if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${res.text}`);
    };

    // Setup: one product and one single-serial lot per client (a client inspects its own lot).
    const first13 = `0${BENCH_COMPANY_PREFIX}00001`;
    const gtin = `${first13}${gtinCheckDigit(first13)}`;
    await must('POST', '/api/v1/products', { gtin, name: 'Bench device', model: 'B-1', deviceClass: 'I' });
    for (let c = 0; c < clients; c++) {
      await must('POST', '/api/v1/lots', { gtin, lot: `ING${c}`, productionDate: '2026-01-15', expiry: '2029-01-31', serialCount: 1, serialPrefix: `ING${c}-` });
    }

    const latencies: number[] = [];
    const seqs: number[] = [];
    const errors: { status: number; text: string }[] = [];
    const run = async (perClient: number, record: boolean) => {
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          for (let i = 0; i < perClient; i++) {
            const start = performance.now();
            let res: { status: number; text: string };
            try {
              res = await send('POST', `/api/v1/lots/${gtin}/ING${c}/inspections`, { kind: 'final', result: 'pass', method: 'bench' });
            } catch (error) {
              res = { status: 0, text: (error as Error).message };
            }
            const ms = performance.now() - start;
            if (!record) continue;
            if (res.status !== 201) {
              errors.push({ status: res.status, text: res.text.slice(0, 200) });
              continue;
            }
            latencies.push(ms);
            seqs.push((JSON.parse(res.text) as { ledgerSeq: number }).ledgerSeq);
          }
        }),
      );
    };

    log(`ingest: warm-up, ${clients} clients × 3 inspections…`);
    await run(3, false);
    log(`ingest: ${clients} clients × ${requestsPerClient} inspections back to back (${node.databaseKind}, anchoring worker on)…`);
    const started = performance.now();
    await run(requestsPerClient, true);
    const finished = performance.now();
    const seconds = (finished - started) / 1000;
    if (errors.length > 0) log(`ingest: ${errors.length} errors, first: ${JSON.stringify(errors[0])}`);
    if (new Set(seqs).size !== seqs.length) throw new Error('ingest: two answers carry the same ledger seq');

    // The anchoring worker closes a batch at 1,000 events or 5 s: wait until the last event is anchored.
    const lastSeq = Math.max(...seqs);
    log(`ingest: waiting for the anchoring worker to anchor seq ${lastSeq}…`);
    let anchored = await lastAnchoredSeq(send);
    while (anchored.to < lastSeq) {
      if (performance.now() - finished > DRAIN_TIMEOUT_MS) throw new Error(`ingest: seq ${lastSeq} not anchored ${DRAIN_TIMEOUT_MS / 1000} s after the last write`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      anchored = await lastAnchoredSeq(send);
    }
    const drainMs = performance.now() - finished;
    const firstSeq = Math.min(...seqs);
    const seqNote = `seq ${firstSeq}–${lastSeq}: ${fmt(lastSeq - firstSeq + 1)} ledger events for ${fmt(seqs.length)} answered requests`;
    const batches = anchored.batches.filter((b) => b.to >= firstSeq && b.from <= lastSeq);

    const sorted = [...latencies].sort((a, b) => a - b);
    const p = (q: number) => Math.round(percentile(sorted, q) * 10) / 10;
    const eventsPerS = latencies.length / seconds;
    const how = `${clients} clients back to back (closed loop), 1 passed final inspection = 1 ledger event per request, ${node.databaseKind}, anchoring worker on (defaults: batches of 1,000 or 5 s)`;
    const detail = {
      clients,
      requestsPerClient,
      database: node.databaseKind,
      write: 'POST /api/v1/lots/{gtin}/{lot}/inspections (final, pass): one inspecting ledger event',
      events: latencies.length,
      errors: errors.length,
      errorSamples: errors.slice(0, 20),
      seconds,
      eventsPerSecond: eventsPerS,
      latencyMs: { p50: p(50), p95: p(95), p99: p(99), max: Math.round(sorted[sorted.length - 1] * 10) / 10 },
      // One event per request: the answered seqs are distinct; when nothing else wrote meanwhile they fill first…last.
      ledgerSeqs: { first: firstSeq, last: lastSeq, distinct: seqs.length, span: lastSeq - firstSeq + 1 },
      anchoring: { drainMs: Math.round(drainMs), batches: batches.length, sizes: batches.map((b) => b.to - b.from + 1) },
    };
    const row = (name: string, value: number, unit: string, note: string, extra: Partial<BenchResult> = {}): BenchResult => ({ group: 'ingest', name, value, unit, note, ...extra });
    return [
      row(`ledger ingest over HTTP, ${clients} clients`, eventsPerS, 'events/s', `${how}; ${fmt(latencies.length)} events in ${seconds.toFixed(1)} s`, { detail }),
      row(`ledger ingest, ${clients} clients, p50`, p(50), 'ms', 'from sending to the full 201 answer'),
      row(`ledger ingest, ${clients} clients, p95`, p(95), 'ms', 'from sending to the full 201 answer'),
      row(`ledger ingest, ${clients} clients, p99`, p(99), 'ms', 'from sending to the full 201 answer'),
      row(`ledger ingest, ${clients} clients, errors`, errors.length, 'errors', `of ${fmt(clients * requestsPerClient)} requests; ${seqNote}`, { target: '= 0', meets: errors.length === 0 }),
      row(
        'ledger ingest, last event anchored after the last write',
        drainMs,
        'ms',
        `seq ${firstSeq}–${lastSeq} anchored in ${batches.length} batch${batches.length === 1 ? '' : 'es'} (read back through /audit/v1/anchors, roots matching)`,
      ),
    ];
  } finally {
    agent.destroy();
    await node.stop();
  }
}
