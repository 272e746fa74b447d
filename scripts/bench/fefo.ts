// (e) FEFO allocation (node/inventory allocateFefo) of an order of 1,000 lines
// against 1,000,000 serialised units in 10,000 lots, on the Postgres server of
// BENCH_DATABASE_URL / TEST_DATABASE_URL (a fresh database, dropped afterwards;
// without one, an embedded PGlite). The stock is seeded with set-based SQL:
// 100 products × 100 lots × 100 units; lot expiries spread over three years,
// one lot in ten not allocatable (quarantined, blocked, expired or in the
// quarantine bin). Each run allocates a fresh random order (lines of 1-10 units
// of a random product, one line in ten naming a lot) and commits; timed from the
// call to the commit. The allocations stay, as orders do in a warehouse: each
// run allocates against the stock the earlier runs left (20 runs take ~110,000
// of the 1,000,000 units), and every unit is allocated at most once.
// BENCH_FEFO_UNDO=1 measures the earlier way instead: each allocation undone
// between runs (not timed), so every run re-allocates the same earliest-expiry
// units, each getting ~2 new row versions per run (dead index entries and heap
// versions a warehouse never piles up on one unit); both ways are labelled.
import { performance } from 'node:perf_hooks';
import { gtinCheckDigit } from '../../sdk';
import { migrate, openDatabase, type Database } from '../../node/db';
import { createThrowawayDatabase } from '../../node/db/throwaway';
import { allocateFefo, type AllocationLine } from '../../node/inventory';
import { type BenchResult, fmt, log } from './measure';

export const FEFO_TARGET_MS = 200;
const PRODUCTS = 100;
const LOTS_PER_PRODUCT = 100;
const UNITS_PER_LOT = 100;
const TODAY = '2027-01-01';

function gtinOf(i: number): string {
  const first13 = `0614141${String(i).padStart(6, '0')}`;
  return `${first13}${gtinCheckDigit(first13)}`;
}

/** A deterministic pseudo-random sequence (mulberry32), so runs are comparable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function seed(db: Database): Promise<void> {
  const sql = db.sql;
  const gtins = Array.from({ length: PRODUCTS }, (_, i) => gtinOf(i + 1));
  await sql`
    insert into products (gtin, name, model, device_class, created_by, tracking, registration_number, registration_expiry)
    select g, 'Bench device ' || g, 'B-1', 'IIb', 'bench', 'serial', 'REG-' || g, '2030-12-31'
    from unnest(${sql.array(gtins)}::text[]) as g`;
  // Lot n of product g: expiry spread over 2027-2029 (pseudo-random by n); every tenth lot not allocatable.
  await sql`
    insert into lots (gtin, lot, production_date, expiry, unit_count, created_by, status, origin)
    select g, 'L' || lpad(n::text, 4, '0'), '2026-01-01',
           date '2027-01-15' + ((n * 7919 + ascii(right(g, 1)) * 31) % 1080),
           ${UNITS_PER_LOT}, 'bench',
           case n % 40 when 3 then 'quarantined' when 13 then 'blocked' when 23 then 'expired' else 'released' end, 'commissioned'
    from unnest(${sql.array(gtins)}::text[]) as g, generate_series(1, ${LOTS_PER_PRODUCT}) as n`;
  const [bins] = await sql<{ stock: number; quarantine: number }[]>`
    select (select id from bins where code = 'STOCK') as stock, (select id from bins where code = 'QUARANTINE') as quarantine`;
  log(`fefo: seeding ${fmt(PRODUCTS * LOTS_PER_PRODUCT * UNITS_PER_LOT)} units…`);
  await sql`
    insert into units (gtin, serial, lot, bin_id, state)
    select l.gtin, l.lot || '-' || lpad(i::text, 4, '0'), l.lot,
           case when right(l.lot, 2) = '33' then ${bins.quarantine}::bigint else ${bins.stock}::bigint end, 'on_hand'
    from lots l, generate_series(1, ${UNITS_PER_LOT}) as i`;
  await sql`vacuum analyze products`;
  await sql`vacuum analyze lots`;
  await sql`vacuum analyze units`;
}

function order(run: number, firstLineId: number, lines: number): AllocationLine[] {
  const next = random(run + 1);
  return Array.from({ length: lines }, (_, i) => {
    const product = 1 + Math.floor(next() * PRODUCTS);
    const line: AllocationLine = { lineId: firstLineId + i, gtin: gtinOf(product), quantity: 1 + Math.floor(next() * 10) };
    if (next() < 0.1) line.lot = `L${String(1 + Math.floor(next() * LOTS_PER_PRODUCT)).padStart(4, '0')}`;
    return line;
  });
}

export async function benchFefo(lines: number, runs: number): Promise<BenchResult[]> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
  const undo = process.env.BENCH_FEFO_UNDO === '1';
  const databaseKind = serverUrl ? 'PostgreSQL server' : 'embedded PGlite';
  const throwaway = serverUrl ? await createThrowawayDatabase(serverUrl, 'medtrace_bench_') : undefined;
  const db = await openDatabase({ url: throwaway?.url, max: 4 });
  try {
    await migrate(db.sql);
    const seedStart = performance.now();
    await seed(db);
    log(`fefo: seeded in ${fmt(performance.now() - seedStart)} ms; ${runs} runs of ${fmt(lines)} lines…`);

    const samples: number[] = [];
    let allocatedUnits = 0;
    let shortLines = 0;
    for (let run = 0; run <= runs; run++) {
      const firstLineId = 1 + run * lines;
      const lineSet = order(run, firstLineId, lines);
      const start = performance.now();
      const result = await db.sql.begin((tx) => allocateFefo(tx, lineSet, { today: TODAY, actor: 'bench' }));
      const ms = performance.now() - start;
      if (run > 0) samples.push(ms); // run 0 warms up
      allocatedUnits = result.reduce((sum, line) => sum + line.allocated.length, 0);
      shortLines = result.filter((line) => line.shortfall > 0).length;
      if (undo) {
        // Undo (not timed): the next order finds the same stock.
        await db.sql`update units set state = 'on_hand', order_line_id = null where order_line_id between ${firstLineId} and ${firstLineId + lines - 1}`;
        await db.sql`delete from stock_moves where kind = 'allocate'`;
      }
      log(`fefo: run ${run}${run === 0 ? ' (warm-up)' : ''}: ${fmt(ms)} ms, ${fmt(allocatedUnits)} units, ${shortLines} lines short`);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const pick = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    const p50 = pick(50);
    const p95 = pick(95);
    const method = undo ? 'each allocation undone between runs (the same units re-allocated every run)' : 'allocations kept (each run against the stock left)';
    const detail = { lines, runs, units: PRODUCTS * LOTS_PER_PRODUCT * UNITS_PER_LOT, lots: PRODUCTS * LOTS_PER_PRODUCT, database: databaseKind, method, samplesMs: samples.map((ms) => Math.round(ms * 10) / 10) };
    const how = `allocateFefo + commit, ${fmt(lines)} lines (~${fmt(allocatedUnits)} units) vs ${fmt(detail.units)} units in ${fmt(detail.lots)} lots, ${databaseKind}; ${runs} runs, ${method}`;
    return [
      { group: 'fefo', name: `FEFO allocation p50, ${fmt(lines)} lines`, value: p50, unit: 'ms', note: how, detail },
      { group: 'fefo', name: `FEFO allocation p95, ${fmt(lines)} lines`, value: p95, unit: 'ms', target: `< ${FEFO_TARGET_MS}`, meets: p95 < FEFO_TARGET_MS, note: how, detail },
    ];
  } finally {
    await db.close();
    await throwaway?.drop();
  }
}

/** For ad-hoc plan inspection. */
export { seed as seedForExplain, order as orderForExplain };
