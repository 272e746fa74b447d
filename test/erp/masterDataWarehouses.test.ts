// Warehouses and bins through HTTP: zones, lot mixing, one default bin per zone
// (new stock lands there), and the rules that guard a bin holding stock. Every
// refusal names its rule and writes nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readProblem, startTestApp, type TestApp } from '../support/app';

const P = 'https://medtrace.dev/problems/';
const GTIN = '09506000134352';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
  const res = await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'Stent', model: 'S', deviceClass: 'III' } });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await api?.close();
});

const counts = () => Promise.all(['warehouses', 'bins', 'audit_trail'].map((t) => api.count(t)));

describe('warehouses', () => {
  test('the MAIN warehouse comes with a default bin per zone', async () => {
    const bins = await (await api.call('GET', '/api/v1/warehouses/MAIN/bins', { as: 'viewer' })).json();
    expect(bins.items.map((b: any) => [b.code, b.zone, b.isDefault])).toEqual([
      ['NONCONFORMING', 'nonconforming', true],
      ['QUARANTINE', 'quarantine', true],
      ['RETURNS', 'returns', true],
      ['STOCK', 'qualified', true],
    ]);
  });

  test('creates, lists, reads and corrects a warehouse; a correction needs a reason', async () => {
    const res = await api.call('POST', '/api/v1/warehouses', { body: { code: 'WEST', name: 'West DC', gln: '9506000000015' } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ code: 'WEST', name: 'West DC', gln: '9506000000015' });
    const list = await (await api.call('GET', '/api/v1/warehouses?limit=1')).json();
    expect(list.items.map((w: any) => w.code)).toEqual(['MAIN']);
    const next = await (await api.call('GET', `/api/v1/warehouses?limit=1&cursor=${list.nextCursor}`)).json();
    expect(next.items.map((w: any) => w.code)).toEqual(['WEST']);

    const before = await counts();
    expect(await readProblem(await api.call('PATCH', '/api/v1/warehouses/WEST', { body: { name: 'West' } }))).toMatchObject({ status: 422, field: 'reason' });
    expect(await readProblem(await api.call('POST', '/api/v1/warehouses', { body: { code: 'WEST', name: 'again' } }))).toMatchObject({
      status: 409,
      type: P + 'warehouse-exists',
      field: 'code',
    });
    expect(await readProblem(await api.call('POST', '/api/v1/warehouses', { body: { code: 'x y', name: 'bad' } }))).toMatchObject({ status: 422, field: 'code' });
    expect((await api.call('POST', '/api/v1/warehouses', { as: 'warehouse', body: { code: 'NOPE', name: 'x' } })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/warehouses/NOPE')).status).toBe(404);
    expect(await counts()).toEqual(before);

    const fixed = await api.call('PATCH', '/api/v1/warehouses/WEST', { body: { name: 'West distribution centre', reason: 'official name' } });
    expect((await fixed.json()).name).toBe('West distribution centre');
    const [audit] = await api.db.sql`select action, reason, before, after from audit_trail where entity = 'warehouse' order by id desc limit 1`;
    expect(audit).toMatchObject({ action: 'warehouse.update', reason: 'official name', before: { name: 'West DC' }, after: { name: 'West distribution centre' } });
  });
});

describe('bins', () => {
  test('creates bins with a zone and lot mixing; refuses duplicates and bad zones', async () => {
    const res = await api.call('POST', '/api/v1/warehouses/WEST/bins', { body: { code: 'A-01', zone: 'qualified' } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ warehouse: 'WEST', code: 'A-01', zone: 'qualified', allowMixedLots: false, isDefault: false });
    const before = await counts();
    expect(await readProblem(await api.call('POST', '/api/v1/warehouses/WEST/bins', { body: { code: 'A-01', zone: 'qualified' } }))).toMatchObject({
      status: 409,
      type: P + 'bin-exists',
    });
    expect(await readProblem(await api.call('POST', '/api/v1/warehouses/WEST/bins', { body: { code: 'A-02', zone: 'sellable' } }))).toMatchObject({
      status: 422,
      field: 'zone',
    });
    expect((await api.call('POST', '/api/v1/warehouses/EAST/bins', { body: { code: 'A-02', zone: 'qualified' } })).status).toBe(404);
    expect(await counts()).toEqual(before);
    const qualified = await (await api.call('GET', '/api/v1/warehouses/WEST/bins?zone=qualified')).json();
    expect(qualified.items.map((b: any) => b.code)).toEqual(['A-01']);
  });

  test('a new default bin of a zone takes over from the old one, and new stock lands in it', async () => {
    const res = await api.call('POST', '/api/v1/warehouses/MAIN/bins', { body: { code: 'Q-2', zone: 'quarantine', allowMixedLots: true, isDefault: true } });
    expect(res.status).toBe(201);
    const old = await (await api.call('GET', '/api/v1/warehouses/MAIN/bins/QUARANTINE')).json();
    expect(old.isDefault).toBe(false);
    for (const lot of ['L1', 'L2']) {
      const made = await api.call('POST', '/api/v1/lots', {
        as: 'warehouse',
        body: { gtin: GTIN, lot, productionDate: '2026-01-10', expiry: '2029-01-10', serials: [`${lot}-S1`] },
      });
      expect(made.status).toBe(201);
    }
    const bin = await res.json();
    const units = await api.db.sql`select serial from units where bin_id = ${bin.id} order by serial`;
    expect(units.map((u) => u.serial)).toEqual(['L1-S1', 'L2-S1']);
  });

  test('a bin holding stock keeps its zone, a bin holding several lots stays mixed, a default stays default', async () => {
    const before = await counts();
    const url = '/api/v1/warehouses/MAIN/bins/Q-2';
    expect(await readProblem(await api.call('PATCH', url, { body: { allowMixedLots: false } }))).toMatchObject({ status: 422, field: 'reason' });
    const zone = await readProblem(await api.call('PATCH', url, { body: { zone: 'qualified', reason: 'x' } }));
    expect(zone).toMatchObject({ status: 409, type: P + 'default-bin', field: 'zone' });
    const mixed = await readProblem(await api.call('PATCH', url, { body: { allowMixedLots: false, reason: 'x' } }));
    expect(mixed).toMatchObject({ status: 409, type: P + 'bin-lot-mixing', field: 'allowMixedLots' });
    expect(mixed.detail).toContain(`${GTIN}/L1, ${GTIN}/L2`);
    const undefault = await readProblem(await api.call('PATCH', url, { body: { isDefault: false, reason: 'x' } }));
    expect(undefault).toMatchObject({ status: 422, field: 'isDefault' });
    expect((await api.call('PATCH', url, { as: 'qa', body: { allowMixedLots: false, reason: 'x' } })).status).toBe(403);

    // the old default back as default; Q-2 then still holds stock, so its zone cannot change
    const back = await api.call('PATCH', '/api/v1/warehouses/MAIN/bins/QUARANTINE', { body: { isDefault: true, reason: 'Q-2 was a trial' } });
    expect((await back.json()).isDefault).toBe(true);
    const after = await counts();
    expect(after[2]).toBe(before[2] + 2);
    const full = await readProblem(await api.call('PATCH', url, { body: { zone: 'qualified', reason: 'x' } }));
    expect(full).toMatchObject({ status: 409, type: P + 'bin-not-empty', field: 'zone' });
    expect(full.detail).toContain(`lot L1 of GTIN ${GTIN}`);
    expect(await counts()).toEqual(after);
  });

  test('an empty bin changes zone and lot mixing, audited with the reason', async () => {
    const res = await api.call('PATCH', '/api/v1/warehouses/WEST/bins/A-01', {
      headers: { 'x-reason': 'rack converted to returns' },
      body: { zone: 'returns', allowMixedLots: true },
    });
    expect(res.status).toBe(200);
    const bin = await res.json();
    expect(bin).toMatchObject({ zone: 'returns', allowMixedLots: true });
    const [audit] = await api.db.sql`select action, reason, before, after from audit_trail where entity = 'bin' and entity_id = ${String(bin.id)} order by id desc limit 1`;
    expect(audit).toMatchObject({ action: 'bin.update', reason: 'rack converted to returns', before: { zone: 'qualified' }, after: { zone: 'returns' } });
    expect((await api.call('GET', '/api/v1/warehouses/WEST/bins/NOPE')).status).toBe(404);
  });
});
