// Backward trace of one unit through three companies (DESIGN 7): a maker, a
// distributor and a hospital as in-process nodes served over real HTTP on one
// local chain, each with its own throwaway database; the unit is commissioned,
// released and shipped by the maker, received (evidence checked), released and
// shipped on by the distributor, received, released and dispensed at the
// hospital, everything anchored. Then GET /api/v1/trace/unit at the hospital,
// warm (chain facts and own bundles cached after the first call): p50 and p95
// of `runs` calls over HTTP, each verifying every hop against the chain.
import { performance } from 'node:perf_hooks';
import { GTIN, inspectAndRelease, LOT, ok, scanOf, shipAndNotify, startSupplyChain } from '../../test/network/supplyChain';
import { type BenchResult, log } from './measure';

export const TRACE_TARGET_MS = 50;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export async function benchTrace(runs: number): Promise<BenchResult[]> {
  log('trace: three nodes on one chain, a unit through maker → distributor → hospital…');
  const sc = await startSupplyChain({ serials: ['B-001', 'B-002', 'B-003', 'B-004'], hospital: true });
  try {
    const { dist, hospital } = sc;
    const first = await shipAndNotify(sc.maker, dist, sc.customers.distAtMaker, 3);
    await ok(
      await dist.app.call('POST', `/api/v1/notices/${first.noticeId}/receipts`, { as: 'warehouse', body: { scans: first.shipment.lines.map((l) => scanOf(l.serial!)), close: true } }),
      201,
      'distributor receipt',
    );
    await inspectAndRelease(dist.app, GTIN, LOT);
    const onward = await shipAndNotify(dist, hospital!, sc.customers.hospitalAtDist!, 2);
    const unit = onward.shipment.lines[0].serial!;
    await ok(await hospital!.app.call('POST', `/api/v1/notices/${onward.noticeId}/receipts`, { as: 'warehouse', body: { scans: [scanOf(unit)], close: true } }), 201, 'hospital receipt');
    await inspectAndRelease(hospital!.app, GTIN, LOT);
    await ok(await hospital!.app.call('POST', '/api/v1/dispensations', { as: 'warehouse', body: { scan: scanOf(unit) } }), 201, 'dispense');
    await hospital!.app.anchorAll();

    const url = `${hospital!.app.url}/api/v1/trace/unit?udi=${encodeURIComponent(scanOf(unit))}`;
    const headers = { authorization: `Bearer ${hospital!.app.tokens.viewer}` };
    const once = async () => {
      const res = await fetch(url, { headers });
      if (res.status !== 200) throw new Error(`trace: ${res.status} ${await res.text()}`);
      return (await res.json()) as { verified: boolean; hops: unknown[] };
    };
    const coldStart = performance.now();
    const cold = await once();
    const coldMs = performance.now() - coldStart;
    if (!cold.verified) throw new Error('trace: not verified');
    for (let i = 0; i < 5; i++) await once();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await once();
      samples.push(performance.now() - start);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    const note = `${cold.hops.length} hops, each verified; ${runs} warm calls over HTTP (first call ${coldMs.toFixed(1)} ms); embedded PGlite per node`;
    log(`trace: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (${note})`);
    const detail = { hops: cold.hops.length, runs, coldMs: Math.round(coldMs * 10) / 10, samplesMs: samples.map((ms) => Math.round(ms * 10) / 10) };
    return [
      { group: 'trace', name: 'backward trace of a unit through 3 companies, warm, p50', value: p50, unit: 'ms', target: `< ${TRACE_TARGET_MS}`, meets: p50 < TRACE_TARGET_MS, note, detail },
      { group: 'trace', name: 'backward trace of a unit through 3 companies, warm, p95', value: p95, unit: 'ms', target: `< ${TRACE_TARGET_MS}`, meets: p95 < TRACE_TARGET_MS, note },
    ];
  } finally {
    await sc.close();
  }
}

if (process.argv[1]?.endsWith('trace.ts') && process.argv.includes('--standalone')) {
  benchTrace(Number(process.env.TRACE_RUNS ?? 200))
    .then((results) => process.stdout.write(`${JSON.stringify(results.map(({ detail: _detail, ...r }) => r), null, 2)}\n`))
    .catch((error) => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exitCode = 1;
    });
}
