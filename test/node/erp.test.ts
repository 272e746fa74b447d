// Products, lots and inspections through HTTP: the rows, the ledger events they
// write (shaped as in DESIGN 4 and vectors/bundle-v1.json), the audit trail,
// duplicates and Idempotency-Key.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri, unitUri } from '../../sdk';
import { readProblem, startApiFixture, type ApiFixture } from './fixture';

const GTIN = '09506000134352';
const OTHER_GTIN = '09506000134369';

let api: ApiFixture;
beforeAll(async () => {
  api = await startApiFixture();
});
afterAll(async () => {
  await api?.close();
});

async function ledgerEvent(seq: number) {
  const [row] = await api.db.sql<{ envelope: any }[]>`
    select envelope from ledger_events where participant = ${api.ctx.participant} and seq = ${seq}`;
  return row.envelope;
}

describe('products', () => {
  test('creates a product, normalising a GTIN-13 to 14 digits, and reads it back', async () => {
    const res = await api.call('POST', '/api/v1/products', {
      body: { gtin: GTIN.slice(1), name: 'Coronary stent', model: 'CS-2', deviceClass: 'III', shelfLifeDays: 1095, reason: 'new model' },
    });
    expect(res.status).toBe(201);
    const product = await res.json();
    expect(product).toMatchObject({ gtin: GTIN, name: 'Coronary stent', model: 'CS-2', deviceClass: 'III', shelfLifeDays: 1095, createdBy: 'admin' });

    const read = await api.call('GET', `/api/v1/products/${GTIN}`, { as: 'viewer' });
    expect(await read.json()).toEqual(product);
    const [audit] = await api.db.sql`select actor, action, reason, after from audit_trail where entity = 'product'`;
    expect(audit).toMatchObject({ actor: 'admin', action: 'product.create', reason: 'new model', after: product });
  });

  test('lists products a page at a time', async () => {
    await api.call('POST', '/api/v1/products', { as: 'qa', body: { gtin: OTHER_GTIN, name: 'Catheter', model: 'C-1', deviceClass: 'IIa' } });
    const first = await (await api.call('GET', '/api/v1/products?limit=1')).json();
    expect(first.items.map((p: { gtin: string }) => p.gtin)).toEqual([GTIN]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await (await api.call('GET', `/api/v1/products?limit=1&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((p: { gtin: string }) => p.gtin)).toEqual([OTHER_GTIN]);
    expect(second.nextCursor).toBeNull();
  });

  test('an unknown product is 404 and a duplicate GTIN is 409', async () => {
    const missing = await api.call('GET', '/api/v1/products/00000000000000');
    expect(missing.status).toBe(404);
    const duplicate = await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'x', model: 'y', deviceClass: 'I' } });
    expect(duplicate.status).toBe(409);
    expect(await readProblem(duplicate)).toMatchObject({ type: 'https://medtrace.dev/problems/product-exists', field: 'gtin' });
  });
});

describe('lots', () => {
  test('commissions a lot from listed serials: lot, units and ONE commissioning event in the ledger', async () => {
    const serials = ['SN-0001', 'SN-0002', 'SN/0003'];
    const before = await api.count('ledger_events');
    const res = await api.call('POST', '/api/v1/lots', {
      as: 'warehouse',
      body: { gtin: GTIN, lot: 'L2611A', productionDate: '2026-11-20', expiry: '2029-11-30', serials },
    });
    expect(res.status).toBe(201);
    const lot = await res.json();
    expect(lot).toMatchObject({ gtin: GTIN, lot: 'L2611A', productionDate: '2026-11-20', expiry: '2029-11-30', unitCount: 3, createdBy: 'warehouse' });
    expect(lot.ledgerSeq).toBe(lot.commissioningSeq);
    expect(await api.count('ledger_events')).toBe(before + 1);

    const envelope = await ledgerEvent(lot.ledgerSeq);
    expect(envelope).toMatchObject({ participant: api.ctx.participant, chainId: 31337, seq: lot.ledgerSeq });
    const { eventTime, epcList, ...rest } = envelope.event;
    expect(rest).toEqual({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      eventTimeZoneOffset: '+08:00',
      'medtrace:lot': { gtin: GTIN, lot: 'L2611A', productionDate: '2026-11-20', expiry: '2029-11-30' },
    });
    expect(eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(epcList).toEqual({ count: 3, root: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    const [set] = await api.db.sql<{ uris: string[] }[]>`
      select uris from ledger_unit_sets where participant = ${api.ctx.participant} and seq = ${lot.ledgerSeq} and field = 'epcList'`;
    expect(set.uris).toEqual(serials.map((serial) => unitUri(GTIN, serial)).sort());

    const units = await api.db.sql`select serial from units where gtin = ${GTIN} and lot = 'L2611A' order by serial`;
    expect(units.map((u) => u.serial)).toEqual(['SN-0001', 'SN-0002', 'SN/0003']);
  });

  test('commissions a big lot from serialCount + serialPrefix as PREFIX000001…', async () => {
    const res = await api.call('POST', '/api/v1/lots', {
      body: { gtin: GTIN, lot: 'BIG-1', productionDate: '2026-11-21', expiry: '2027-11-21', serialCount: 10_000, serialPrefix: 'B' },
    });
    expect(res.status).toBe(201);
    const lot = await res.json();
    expect(lot.unitCount).toBe(10_000);
    const envelope = await ledgerEvent(lot.ledgerSeq);
    expect(envelope.event.epcList.count).toBe(10_000);
    const page = await (await api.call('GET', `/api/v1/lots/${GTIN}/BIG-1/serials?limit=2`)).json();
    expect(page.items).toEqual(['B000001', 'B000002']);
    const next = await (await api.call('GET', `/api/v1/lots/${GTIN}/BIG-1/serials?limit=2&cursor=${page.nextCursor}`)).json();
    expect(next.items).toEqual(['B000003', 'B000004']);
  });

  test('reads a lot with its unit count and lists lots by GTIN', async () => {
    const one = await api.call('GET', `/api/v1/lots/${GTIN}/L2611A`, { as: 'sales' });
    expect(await one.json()).toMatchObject({ gtin: GTIN, lot: 'L2611A', unitCount: 3 });
    const list = await (await api.call('GET', `/api/v1/lots?gtin=${GTIN}`)).json();
    expect(list.items.map((l: { lot: string; unitCount: number }) => [l.lot, l.unitCount])).toEqual([
      ['BIG-1', 10_000],
      ['L2611A', 3],
    ]);
    const page = await (await api.call('GET', '/api/v1/lots?limit=1')).json();
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
    const missing = await api.call('GET', `/api/v1/lots/${GTIN}/NOPE`);
    expect(missing.status).toBe(404);
    expect(await readProblem(missing)).toMatchObject({ field: 'lot' });
  });

  test('a duplicate lot is 409 and writes nothing', async () => {
    const counts = await Promise.all((['lots', 'units', 'ledger_events', 'audit_trail'] as const).map((t) => api.count(t)));
    const res = await api.call('POST', '/api/v1/lots', {
      body: { gtin: GTIN, lot: 'L2611A', productionDate: '2026-11-20', expiry: '2029-11-30', serials: ['OTHER-1'] },
    });
    expect(res.status).toBe(409);
    expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/lot-exists', field: 'lot' });
    expect(await Promise.all((['lots', 'units', 'ledger_events', 'audit_trail'] as const).map((t) => api.count(t)))).toEqual(counts);
  });

  test('a serial already commissioned for the GTIN in another lot is 409 and rolls the whole lot back', async () => {
    const counts = await Promise.all((['lots', 'units', 'ledger_events'] as const).map((t) => api.count(t)));
    const res = await api.call('POST', '/api/v1/lots', {
      body: { gtin: GTIN, lot: 'L2611B', productionDate: '2026-11-20', expiry: '2029-11-30', serials: ['NEW-1', 'SN-0001'] },
    });
    expect(res.status).toBe(409);
    expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/serial-exists' });
    expect(await Promise.all((['lots', 'units', 'ledger_events'] as const).map((t) => api.count(t)))).toEqual(counts);
  });

  test('a lot whose name holds URL characters (/ and %) is addressed percent-encoded', async () => {
    const res = await api.call('POST', '/api/v1/lots', {
      body: { gtin: GTIN, lot: 'A/B%1', productionDate: '2026-11-20', expiry: '2029-11-30', serials: ['P%1', 'P/2'] },
    });
    expect(res.status).toBe(201);
    const read = await api.call('GET', `/api/v1/lots/${GTIN}/${encodeURIComponent('A/B%1')}`);
    expect(await read.json()).toMatchObject({ lot: 'A/B%1', unitCount: 2 });
    const envelope = await ledgerEvent((await res.json()).ledgerSeq);
    const [set] = await api.db.sql<{ uris: string[] }[]>`
      select uris from ledger_unit_sets where participant = ${api.ctx.participant} and seq = ${envelope.seq}`;
    expect(set.uris).toEqual([unitUri(GTIN, 'P%1'), unitUri(GTIN, 'P/2')].sort());
    expect(set.uris).toContain(`https://id.gs1.org/01/${GTIN}/21/P%2F2`);
  });

  test('commissioning needs the warehouse or admin role', async () => {
    const res = await api.call('POST', '/api/v1/lots', {
      as: 'qa',
      body: { gtin: GTIN, lot: 'QA-1', productionDate: '2026-11-20', expiry: '2029-11-30', serials: ['Q1'] },
    });
    expect(res.status).toBe(403);
  });
});

describe('inspections', () => {
  test('a passed inspection writes its row and a conformant inspecting event over the lot', async () => {
    const report = '0x' + 'AB'.repeat(32);
    const res = await api.call('POST', `/api/v1/lots/${GTIN}/L2611A/inspections`, {
      as: 'qa',
      body: { kind: 'final', result: 'pass', method: 'visual+dimensional', reportSha256: report },
    });
    expect(res.status).toBe(201);
    const inspection = await res.json();
    expect(inspection).toMatchObject({ gtin: GTIN, lot: 'L2611A', kind: 'final', result: 'pass', reportSha256: report.toLowerCase(), inspectedBy: 'qa' });
    const envelope = await ledgerEvent(inspection.ledgerSeq);
    const { eventTime, ...rest } = envelope.event;
    expect(rest).toEqual({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      disposition: 'conformant',
      eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: lotUri(GTIN, 'L2611A'), quantity: 3, uom: 'EA' }],
      'medtrace:inspection': { result: 'pass', method: 'visual+dimensional', reportSha256: report.toLowerCase() },
    });
    expect(eventTime).toBe(inspection.inspectedAt);
  });

  test('a failed inspection is non_conformant; without a report the extension omits reportSha256', async () => {
    const res = await api.call('POST', `/api/v1/lots/${GTIN}/L2611A/inspections`, {
      as: 'qa',
      body: { kind: 'incoming', result: 'fail', method: 'leak test' },
    });
    expect(res.status).toBe(201);
    const inspection = await res.json();
    expect(inspection.reportSha256).toBeNull();
    const envelope = await ledgerEvent(inspection.ledgerSeq);
    expect(envelope.event.disposition).toBe('non_conformant');
    expect(envelope.event['medtrace:inspection']).toEqual({ result: 'fail', method: 'leak test' });

    const list = await (await api.call('GET', `/api/v1/lots/${GTIN}/L2611A/inspections`, { as: 'viewer' })).json();
    expect(list.items.map((i: { kind: string; result: string }) => `${i.kind}:${i.result}`)).toEqual(['final:pass', 'incoming:fail']);
  });

  test('an inspection of an unknown lot is 404 and writes nothing', async () => {
    const events = await api.count('ledger_events');
    const res = await api.call('POST', `/api/v1/lots/${GTIN}/NOPE/inspections`, { body: { kind: 'final', result: 'pass', method: 'visual' } });
    expect(res.status).toBe(404);
    expect(await api.count('ledger_events')).toBe(events);
  });
});

describe('Idempotency-Key', () => {
  const body = { gtin: OTHER_GTIN, lot: 'IDEM-1', productionDate: '2026-11-20', expiry: '2028-11-30', serials: ['I1', 'I2'] };

  test('a repeat with the same key and body gets the stored response and writes nothing more', async () => {
    const headers = { 'idempotency-key': 'lot-idem-1' };
    const first = await api.call('POST', '/api/v1/lots', { body, headers });
    expect(first.status).toBe(201);
    const stored = await first.json();
    const events = await api.count('ledger_events');

    const again = await api.call('POST', '/api/v1/lots', { body, headers });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(stored);
    expect(await api.count('ledger_events')).toBe(events);
    const [row] = await api.db.sql<{ n: number }[]>`select count(*)::int as n from lots where lot = 'IDEM-1'`;
    expect(row.n).toBe(1);
  });

  test('concurrent repeats of one keyed request write once and all get the same answer', async () => {
    const request = { ...body, lot: 'IDEM-RACE', serials: ['R1', 'R2', 'R3'] };
    const events = await api.count('ledger_events');
    const answers = await Promise.all(
      [1, 2, 3].map(() => api.call('POST', '/api/v1/lots', { body: request, headers: { 'idempotency-key': 'race-1' } })),
    );
    expect(answers.map((res) => res.status)).toEqual([201, 201, 201]);
    const bodies = await Promise.all(answers.map((res) => res.json()));
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(await api.count('ledger_events')).toBe(events + 1);
  });

  test('the same key with a different body is 422 and writes nothing', async () => {
    const events = await api.count('ledger_events');
    const res = await api.call('POST', '/api/v1/lots', { body: { ...body, lot: 'IDEM-2' }, headers: { 'idempotency-key': 'lot-idem-1' } });
    expect(res.status).toBe(422);
    expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/idempotency-key-reused', field: 'Idempotency-Key' });
    expect(await api.count('ledger_events')).toBe(events);
  });

  test('keys belong to their user: another user may use the same key for its own request', async () => {
    const res = await api.call('POST', `/api/v1/lots/${OTHER_GTIN}/IDEM-1/inspections`, {
      as: 'qa',
      body: { kind: 'final', result: 'pass', method: 'visual' },
      headers: { 'idempotency-key': 'lot-idem-1' },
    });
    expect(res.status).toBe(201);
  });

  test('a failed write leaves its key unused, so a corrected retry may use it', async () => {
    const headers = { 'idempotency-key': 'retry-after-error' };
    const failed = await api.call('POST', `/api/v1/lots/${OTHER_GTIN}/NOT-YET/inspections`, { body: { kind: 'final', result: 'pass', method: 'v' }, headers });
    expect(failed.status).toBe(404);
    expect(await api.count('idempotency_keys')).toBeGreaterThan(0);
    const [row] = await api.db.sql<{ n: number }[]>`select count(*)::int as n from idempotency_keys where key = 'retry-after-error'`;
    expect(row.n).toBe(0);
  });
});
