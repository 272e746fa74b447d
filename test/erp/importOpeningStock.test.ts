// CSV import of opening stock through HTTP: new lots arrive quarantined, their
// units or quantities in a quarantine bin (H4's receiveIntoStock: bin rules and
// the journal), one receiving event per lot in the ledger; every refusal names
// row, field and rule and writes nothing unless ?validRowsOnly=true.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri } from '../../sdk';
import { readProblem, startTestApp, type TestApp } from '../support/app';

const P = 'https://medtrace.dev/problems/';
const SERIAL_GTIN = '09506000134352';
const LOT_GTIN = '09506000134369';
const HEADER = 'gtin,lot,productionDate,expiry,serial,quantity,warehouse,bin,supplierLot';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
  for (const body of [
    { gtin: SERIAL_GTIN, name: 'Stent', model: 'S', deviceClass: 'III' },
    { gtin: LOT_GTIN, name: 'Gauze', model: 'G', deviceClass: 'I', tracking: 'lot' },
  ]) {
    expect((await api.call('POST', '/api/v1/products', { body })).status).toBe(201);
  }
  const bin = await api.call('POST', '/api/v1/warehouses/MAIN/bins', { body: { code: 'Q-SINGLE', zone: 'quarantine' } });
  expect(bin.status).toBe(201);
});
afterAll(async () => {
  await api?.close();
});

const TABLES = ['lots', 'units', 'lot_stock', 'stock_moves', 'ledger_events', 'audit_trail'];
const counts = () => Promise.all(TABLES.map((t) => api.count(t)));
const upload = (csv: string, query = '', as: 'admin' | 'warehouse' | 'qa' = 'warehouse') =>
  api.call('POST', `/api/v1/imports/opening-stock${query}`, { as, body: csv, headers: { 'content-type': 'text/csv', 'x-reason': 'go-live stock take' } });

describe('opening stock import', () => {
  test('creates quarantined lots with their stock in the quarantine bin and one receiving event per lot', async () => {
    const csv = [
      HEADER,
      `${SERIAL_GTIN},LA1,2026-01-10,2029-01-10,S1,,,,SUP-77`,
      `${SERIAL_GTIN},LA1,2026-01-10,2029-01-10,S2,,,,SUP-77`,
      `${SERIAL_GTIN},LA1,2026-01-10,2029-01-10,S3,,,,SUP-77`,
      `${LOT_GTIN},LB1,2026-02-01,2028-02-01,,40,MAIN,,`,
      `${LOT_GTIN},LB1,2026-02-01,2028-02-01,,10,MAIN,,`,
    ].join('\n');
    const res = await upload(csv);
    expect(res.status).toBe(201);
    const report = await res.json();
    expect(report).toMatchObject({ kind: 'opening-stock', rows: 5, imported: 2, skipped: 0, errors: [], created: [`${SERIAL_GTIN}/LA1`, `${LOT_GTIN}/LB1`] });

    const lots = await api.db.sql`select gtin, lot, status, origin, supplier_lot, unit_count from lots order by gtin, lot`;
    expect(lots).toEqual([
      { gtin: SERIAL_GTIN, lot: 'LA1', status: 'quarantined', origin: 'received', supplier_lot: 'SUP-77', unit_count: 3 },
      { gtin: LOT_GTIN, lot: 'LB1', status: 'quarantined', origin: 'received', supplier_lot: null, unit_count: 50 },
    ]);
    const units = await api.db.sql`
      select u.serial, u.state, b.code as bin from units u join bins b on b.id = u.bin_id where u.gtin = ${SERIAL_GTIN} order by serial`;
    expect(units).toEqual(['S1', 'S2', 'S3'].map((serial) => ({ serial, state: 'on_hand', bin: 'QUARANTINE' })));
    const [stock] = await api.db.sql`select l.quantity, l.state, b.code as bin from lot_stock l join bins b on b.id = l.bin_id where l.gtin = ${LOT_GTIN}`;
    expect(stock).toEqual({ quantity: 50, state: 'on_hand', bin: 'QUARANTINE' });
    const moves = await api.db.sql`select kind, gtin, quantity, reason, ref_type, ref_id, ledger_seq from stock_moves order by id`;
    expect(moves).toHaveLength(4);
    expect(moves.every((m) => m.kind === 'opening' && m.ref_type === 'import' && m.ref_id === report.fileSha256 && m.ledger_seq >= 1)).toBe(true);
    expect(moves[0].reason).toBe('go-live stock take');

    const events = await api.db.sql<{ seq: number; envelope: any }[]>`select seq, envelope from ledger_events order by seq`;
    expect(events).toHaveLength(2);
    const [serialEvent, lotEvent] = events.map((e) => e.envelope.event);
    expect(serialEvent).toMatchObject({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'sellable_not_accessible',
      epcList: { count: 3 },
      'medtrace:lot': { gtin: SERIAL_GTIN, lot: 'LA1', productionDate: '2026-01-10', expiry: '2029-01-10', supplierLot: 'SUP-77' },
      'medtrace:openingStock': { importSha256: report.fileSha256 },
    });
    expect(lotEvent).toMatchObject({ quantityList: [{ epcClass: lotUri(LOT_GTIN, 'LB1'), quantity: 50, uom: 'EA' }] });
    expect(lotEvent.epcList).toBeUndefined();
    const audit = await api.db.sql`select action, entity_id, ledger_seq from audit_trail where action in ('lot.opening_stock', 'import.opening-stock', 'import.opening_stock') order by id`;
    expect(audit.map((a) => [a.action, a.entity_id])).toEqual([
      ['lot.opening_stock', `${SERIAL_GTIN}/LA1`],
      ['lot.opening_stock', `${LOT_GTIN}/LB1`],
      ['import.opening_stock', report.fileSha256],
    ]);
  });

  test('refuses bad rows naming row, field and rule, and writes nothing', async () => {
    const before = await counts();
    const csv = [
      HEADER,
      `09506000134376,LX,2026-01-10,2029-01-10,S1,,,,`,
      `${SERIAL_GTIN},LA1,2026-01-10,2029-01-10,S9,,,,`,
      `${SERIAL_GTIN},LC,2026-01-10,2029-01-10,,5,,,`,
      `${LOT_GTIN},LD,2026-01-10,2029-01-10,,5,MAIN,STOCK,`,
      `${SERIAL_GTIN},LE,2026-01-10,2029-01-10,E1,,,,`,
      `${SERIAL_GTIN},LE,2026-01-10,2030-01-10,E2,,,,`,
      `${SERIAL_GTIN},LF,2026-01-10,2029-01-10,S1,,,,`,
      `${SERIAL_GTIN},LG,2026-01-10,2025-01-10,G1,,,,`,
      `${SERIAL_GTIN},LH,2026-01-10,2029-01-10,H1,,,,`,
      `${SERIAL_GTIN},LH,2026-01-10,2029-01-10,H1,,,,`,
    ].join('\n');
    const problem = (await readProblem(await upload(csv))) as any;
    expect(problem).toMatchObject({ status: 422, type: P + 'import-invalid' });
    expect(problem.errors.map((e: any) => [e.row, e.field, e.rule])).toEqual([
      [2, 'gtin', 'unknown-product'],
      [3, 'lot', 'exists'],
      [4, 'quantity', 'tracking'],
      [5, 'bin', 'bin-not-quarantine'],
      [7, 'expiry', 'conflicting-lot-fields'],
      [8, 'serial', 'exists'],
      [9, 'expiry', 'invalid'],
      [11, 'serial', 'duplicate-in-file'],
    ]);
    expect(await counts()).toEqual(before);
  });

  test("a shared stock rule refusing one lot (a bin that does not mix lots) is reported and rolls back only that lot with validRowsOnly", async () => {
    const csv = [HEADER, `${LOT_GTIN},M1,2026-01-10,2029-01-10,,5,MAIN,Q-SINGLE,`, `${LOT_GTIN},M2,2026-01-10,2029-01-10,,7,MAIN,Q-SINGLE,`].join('\n');
    const before = await counts();
    const refused = (await readProblem(await upload(csv))) as any;
    expect(refused.errors).toEqual([expect.objectContaining({ row: 3, field: 'bin', rule: 'bin-lot-mixing' })]);
    expect(await counts()).toEqual(before);

    const res = await upload(csv, '?validRowsOnly=true');
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ imported: 1, skipped: 1, created: [`${LOT_GTIN}/M1`], errors: [{ row: 3, rule: 'bin-lot-mixing' }] });
    expect(await api.db.sql`select lot from lots where lot in ('M1', 'M2')`).toEqual([{ lot: 'M1' }]);
  });

  test('needs the role to write stock', async () => {
    expect((await upload(HEADER, '', 'qa')).status).toBe(403);
  });
});
