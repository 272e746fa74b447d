// The stock API on a real database and chain: stock with totals, a unit's
// availability, moves between bins (zone and lot-mixing rules, a ledger event
// when the zone changes), cycle counts whose variances need a reason, and
// near-expiry stock.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readProblem, startTestApp, type TestApp } from '../support/app';

const GTIN = '09506000134352';
let api: TestApp;
let stockBin: number;
let quarantineBin: number;
let singleLotBin: number;

async function serialLot(lot: string, expiry: string, serials: string[], status = 'released', binId = stockBin) {
  await api.db.sql`insert into lots (gtin, lot, production_date, expiry, unit_count, created_by, status)
                   values (${GTIN}, ${lot}, '2025-01-01', ${expiry}, ${serials.length}, 'test', ${status})`;
  await api.db.sql`insert into units (gtin, serial, lot, bin_id) select ${GTIN}, s, ${lot}, ${binId} from unnest(${serials}::text[]) as s`;
}

function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  api = await startTestApp({ register: false });
  await api.db.sql`insert into products (gtin, name, model, device_class, created_by) values (${GTIN}, 'Stent', 'S-1', 'III', 'test')`;
  const bins = await api.db.sql<{ id: number; code: string }[]>`select id, code from bins`;
  stockBin = Number(bins.find((b) => b.code === 'STOCK')!.id);
  quarantineBin = Number(bins.find((b) => b.code === 'QUARANTINE')!.id);
  const [single] = await api.db.sql<{ id: number }[]>`
    insert into bins (warehouse, code, zone, allow_mixed_lots) values ('MAIN', 'A-01', 'qualified', false) returning id`;
  singleLotBin = Number(single.id);
  await serialLot('SOON', daysFromNow(20), ['S1', 'S2', 'S3']);
  await serialLot('LATER', daysFromNow(400), ['L1', 'L2']);
  await serialLot('NEW', daysFromNow(500), ['Q1', 'Q2'], 'quarantined', quarantineBin);
});
afterAll(async () => {
  await api?.close();
});

describe('stock queries', () => {
  test('stock by lot and bin with totals by state, zone and lot status', async () => {
    const res = await api.call('GET', `/api/v1/stock?gtin=${GTIN}`, { as: 'viewer' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items).toContainEqual(
      expect.objectContaining({ gtin: GTIN, lot: 'SOON', binId: stockBin, bin: 'MAIN/STOCK', zone: 'qualified', state: 'on_hand', lotStatus: 'released', quantity: 3 }),
    );
    expect(body.totals).toMatchObject({ quantity: 7, byState: { on_hand: 7 }, byZone: { qualified: 5, quarantine: 2 }, byLotStatus: { released: 5, quarantined: 2 } });
    const quarantined = await (await api.call('GET', '/api/v1/stock?zone=quarantine')).json();
    expect(quarantined.items.map((row: { lot: string }) => row.lot)).toEqual(['NEW']);
  });

  test("a unit's availability names the rule that stops it", async () => {
    const ok = await (await api.call('GET', `/api/v1/stock/units/${GTIN}/S1`)).json();
    expect(ok).toMatchObject({ lot: 'SOON', state: 'on_hand', binZone: 'qualified', allocatable: true });
    const held = await (await api.call('GET', `/api/v1/stock/units/${GTIN}/Q1`)).json();
    expect(held).toMatchObject({ allocatable: false, rule: 'lot-not-released' });
    expect((await api.call('GET', `/api/v1/stock/units/${GTIN}/NOPE`)).status).toBe(404);
  });

  test('near-expiry stock at a horizon', async () => {
    const in30 = await (await api.call('GET', '/api/v1/stock/expiring?days=30')).json();
    expect(in30.items.map((lot: { lot: string }) => lot.lot)).toEqual(['SOON']);
    expect(in30.items[0]).toMatchObject({ quantity: 3, daysLeft: 20, byState: { on_hand: 3 } });
    const in450 = await (await api.call('GET', '/api/v1/stock/expiring?days=450')).json();
    expect(in450.items.map((lot: { lot: string }) => lot.lot)).toEqual(['SOON', 'LATER']);
    expect((await api.call('GET', '/api/v1/stock/expiring?days=-1')).status).toBe(422);
  });
});

describe('moves', () => {
  test('a move within the qualified zone is journaled without a ledger event', async () => {
    const before = await api.count('ledger_events');
    const res = await api.call('POST', '/api/v1/stock/moves', { as: 'warehouse', body: { gtin: GTIN, lot: 'LATER', serials: ['L1', 'L2'], toBinId: singleLotBin } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ quantity: 2, toZone: 'qualified', fromZones: ['qualified'], ledgerSeq: null });
    expect(await api.count('ledger_events')).toBe(before);
    const moves = await (await api.call('GET', `/api/v1/stock/moves?gtin=${GTIN}&lot=LATER`)).json();
    expect(moves.items).toHaveLength(2);
    expect(moves.items[0]).toMatchObject({ kind: 'move', fromBinId: stockBin, toBinId: singleLotBin, actor: 'warehouse' });
  });

  test('a bin that does not allow mixed lots refuses a second lot', async () => {
    const res = await api.call('POST', '/api/v1/stock/moves', { body: { gtin: GTIN, lot: 'SOON', serials: ['S1'], toBinId: singleLotBin } });
    expect(res.status).toBe(409);
    expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/bin-lot-mixing', field: 'toBinId' });
  });

  test('unreleased stock cannot be moved into a qualified bin', async () => {
    const res = await api.call('POST', '/api/v1/stock/moves', { body: { gtin: GTIN, lot: 'NEW', serials: ['Q1'], toBinId: stockBin } });
    expect(res.status).toBe(409);
    expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/lot-not-released' });
  });

  test('a move that changes the zone writes a holding event', async () => {
    const res = await api.call('POST', '/api/v1/stock/moves', { body: { gtin: GTIN, lot: 'SOON', serials: ['S3'], toBinId: quarantineBin, reason: 'damaged box' } });
    expect(res.status).toBe(201);
    const moved = await res.json();
    expect(moved).toMatchObject({ toZone: 'quarantine', fromZones: ['qualified'], ledgerSeq: expect.any(Number) });
    const [row] = await api.db.sql<{ envelope: any }[]>`select envelope from ledger_events where seq = ${moved.ledgerSeq}`;
    expect(row.envelope.event).toMatchObject({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'holding', disposition: 'non_sellable_other', 'medtrace:reason': 'damaged box' });
    const [audit] = await api.db.sql`select action, reason, ledger_seq from audit_trail where action = 'stock.move' order by id desc limit 1`;
    expect(audit).toMatchObject({ action: 'stock.move', reason: 'damaged box' });
  });

  test('viewers cannot move stock', async () => {
    const res = await api.call('POST', '/api/v1/stock/moves', { as: 'viewer', body: { gtin: GTIN, lot: 'SOON', serials: ['S1'], toBinId: quarantineBin } });
    expect(res.status).toBe(403);
  });
});

describe('cycle counts', () => {
  test('a variance needs a reason; posting scraps the missing unit and journals it', async () => {
    const opened = await api.call('POST', '/api/v1/cycle-counts', { as: 'warehouse', body: { binId: stockBin } });
    expect(opened.status).toBe(201);
    const count = await opened.json();
    expect(count.lines.map((line: { serial: string }) => line.serial).sort()).toEqual(['S1', 'S2']);

    const again = await api.call('POST', '/api/v1/cycle-counts', { body: { binId: stockBin } });
    expect(await readProblem(again)).toMatchObject({ type: 'https://medtrace.dev/problems/count-open' });

    const counted = await (await api.call('POST', `/api/v1/cycle-counts/${count.id}/count`, { body: { serials: [{ gtin: GTIN, serial: 'S1' }] } })).json();
    const missing = counted.lines.find((line: { serial: string }) => line.serial === 'S2');
    expect(missing).toMatchObject({ expected: 1, counted: 0, variance: -1 });

    const refused = await api.call('POST', `/api/v1/cycle-counts/${count.id}/post`, { body: {} });
    expect(refused.status).toBe(422);
    expect(await readProblem(refused)).toMatchObject({ type: 'https://medtrace.dev/problems/variance-reason-required', field: 'reasons', lineIds: [missing.id] });

    const posted = await api.call('POST', `/api/v1/cycle-counts/${count.id}/post`, { body: { reasons: [{ lineId: missing.id, reason: 'not found after search' }] } });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toMatchObject({ status: 'posted' });
    const [unit] = await api.db.sql`select state from units where gtin = ${GTIN} and serial = 'S2'`;
    expect(unit.state).toBe('scrapped');
    const journal = await (await api.call('GET', `/api/v1/stock/moves?refType=cycle_count&refId=${count.id}`)).json();
    expect(journal.items).toEqual([expect.objectContaining({ kind: 'count_loss', serial: 'S2', reason: 'not found after search' })]);
  });
});
