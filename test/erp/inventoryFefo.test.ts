// FEFO allocation (node/inventory allocateFefo / releaseAllocation) on a real
// database: earliest expiry first, only stock the availability rule admits,
// partial allocation, lot-controlled splits, and concurrent allocations that
// never hand one unit to two lines.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrate } from '../../node/db';
import { allocateFefo, releaseAllocation } from '../../node/inventory';
import { freshDatabase, type TestDatabase } from '../support';

const SERIAL_GTIN = '09506000134352';
const LOT_GTIN = '09506000134369';
const TODAY = '2027-01-10';

let db: TestDatabase;
let stockBin: number;
let quarantineBin: number;

async function bin(code: string): Promise<number> {
  const [row] = await db.sql<{ id: number }[]>`select id from bins where warehouse = 'MAIN' and code = ${code}`;
  return Number(row.id);
}

/** A lot with `count` units `${lot}-1…` in `binId`, lot status and expiry as given. */
async function serialLot(lot: string, expiry: string, count: number, opts: { status?: string; binId?: number; gtin?: string } = {}) {
  const gtin = opts.gtin ?? SERIAL_GTIN;
  await db.sql`insert into lots (gtin, lot, production_date, expiry, unit_count, created_by, status)
               values (${gtin}, ${lot}, '2026-01-01', ${expiry}, ${count}, 'test', ${opts.status ?? 'released'})`;
  await db.sql`insert into units (gtin, serial, lot, bin_id)
               select ${gtin}, ${lot} || '-' || i, ${lot}, ${opts.binId ?? stockBin} from generate_series(1, ${count}) as i`;
}

async function allocate(lines: Parameters<typeof allocateFefo>[1]) {
  return db.sql.begin((tx) => allocateFefo(tx, lines, { today: TODAY, actor: 'test' }));
}

beforeAll(async () => {
  db = await freshDatabase();
  await migrate(db.sql);
  await db.sql`insert into products (gtin, name, model, device_class, created_by, tracking)
               values (${SERIAL_GTIN}, 'Stent', 'S-1', 'III', 'test', 'serial'), (${LOT_GTIN}, 'Gauze', 'G-1', 'I', 'test', 'lot')`;
  stockBin = await bin('STOCK');
  quarantineBin = await bin('QUARANTINE');
});
afterAll(async () => {
  await db?.close();
});

describe('allocateFefo', () => {
  test('takes the earliest expiry first and reports a shortfall when stock runs out', async () => {
    await serialLot('LATE', '2029-01-01', 3);
    await serialLot('EARLY', '2028-01-01', 2);
    const [line] = await allocate([{ lineId: 1, gtin: SERIAL_GTIN, quantity: 4 }]);
    expect(line.lineId).toBe(1);
    expect(line.allocated.map((a) => a.lot)).toEqual(['EARLY', 'EARLY', 'LATE', 'LATE']);
    expect(line.allocated[0]).toMatchObject({ gtin: SERIAL_GTIN, quantity: 1, binId: stockBin, expiry: '2028-01-01' });
    expect(line.shortfall).toBe(0);
    const [units] = await db.sql`select count(*)::int as n from units where order_line_id = 1 and state = 'allocated'`;
    expect(units.n).toBe(4);

    const [second] = await allocate([{ lineId: 2, gtin: SERIAL_GTIN, quantity: 5 }]);
    expect(second.allocated.map((a) => a.serial)).toEqual(['LATE-3']);
    expect(second.shortfall).toBe(4);

    expect(await db.sql.begin((tx) => releaseAllocation(tx, 1))).toEqual({ units: 4, quantity: 0 });
    expect(await db.sql.begin((tx) => releaseAllocation(tx, 2))).toEqual({ units: 1, quantity: 0 });
  });
});
