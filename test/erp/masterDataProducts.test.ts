// Products as regulated master data through HTTP: registration number and
// expiry, shelf life, storage, tracking, standard cost; corrections with a
// reason and before/after in the audit trail; the registration gate
// (assertProductRegistered) names the expired registration. Refusals write nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readProblem, startTestApp, type TestApp } from '../support/app';

const P = 'https://medtrace.dev/problems/';
const GTIN = '09506000134352';
const BARE_GTIN = '09506000134369';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
});
afterAll(async () => {
  await api?.close();
});

const counts = () => Promise.all(['products', 'audit_trail'].map((t) => api.count(t)));

describe('products', () => {
  test('creates a product with its registration, storage, tracking and standard cost', async () => {
    const res = await api.call('POST', '/api/v1/products', {
      as: 'qa',
      body: {
        gtin: GTIN,
        name: 'Coronary stent',
        model: 'CS-2',
        deviceClass: 'III',
        shelfLifeDays: 1095,
        tracking: 'serial',
        registrationNumber: 'REG-2024-3130001',
        registrationExpiry: '2029-06-30',
        storageConditions: 'store at 10-25 °C, dry',
        standardCost: '812.5',
      },
    });
    expect(res.status).toBe(201);
    const product = await res.json();
    expect(product).toMatchObject({
      gtin: GTIN,
      tracking: 'serial',
      registrationNumber: 'REG-2024-3130001',
      registrationExpiry: '2029-06-30',
      storageConditions: 'store at 10-25 °C, dry',
      standardCost: '812.5000',
      createdBy: 'qa',
    });
    expect(await (await api.call('GET', `/api/v1/products/${GTIN}`, { as: 'viewer' })).json()).toEqual(product);
  });

  test('a product without the optional facts defaults to serial tracking', async () => {
    const res = await api.call('POST', '/api/v1/products', { body: { gtin: BARE_GTIN, name: 'Gauze', model: 'G-1', deviceClass: 'I' } });
    expect(await res.json()).toMatchObject({ tracking: 'serial', registrationNumber: null, registrationExpiry: null, standardCost: null });
  });

  test('refuses bad product facts with the field and rule, writing nothing', async () => {
    const before = await counts();
    const base = { gtin: '09506000134376', name: 'x', model: 'y', deviceClass: 'I' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, registrationNumber: 'R-1' }, 'registrationExpiry'],
      [{ ...base, registrationExpiry: '2030-01-01' }, 'registrationNumber'],
      [{ ...base, registrationNumber: 'R-1', registrationExpiry: '2030-02-30' }, 'registrationExpiry'],
      [{ ...base, standardCost: '-1.00' }, 'standardCost'],
      [{ ...base, standardCost: 12.5 }, 'standardCost'],
      [{ ...base, standardCost: '1.12345' }, 'standardCost'],
      [{ ...base, tracking: 'batch' }, 'tracking'],
      [{ ...base, storageConditions: '' }, 'storageConditions'],
    ];
    for (const [body, field] of cases) {
      const res = await api.call('POST', '/api/v1/products', { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(await readProblem(res)).toMatchObject({ type: P + 'invalid-input', field });
    }
    expect((await api.call('POST', '/api/v1/products', { as: 'warehouse', body: base })).status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  test('a correction needs a reason and lands in the audit trail with before and after', async () => {
    const before = await counts();
    const noReason = await api.call('PATCH', `/api/v1/products/${GTIN}`, { body: { registrationExpiry: '2031-06-30' } });
    expect(await readProblem(noReason)).toMatchObject({ status: 422, type: P + 'invalid-input', field: 'reason' });
    const empty = await api.call('PATCH', `/api/v1/products/${GTIN}`, { body: { reason: 'nothing' } });
    expect(await readProblem(empty)).toMatchObject({ status: 422, field: 'body' });
    const unpaired = await api.call('PATCH', `/api/v1/products/${GTIN}`, { body: { registrationNumber: null, reason: 'x' } });
    expect(await readProblem(unpaired)).toMatchObject({ status: 422, field: 'registrationNumber' });
    const gtinChange = await api.call('PATCH', `/api/v1/products/${GTIN}`, { body: { gtin: BARE_GTIN, reason: 'x' } });
    expect(await readProblem(gtinChange)).toMatchObject({ status: 422, field: 'gtin' });
    expect((await api.call('PATCH', '/api/v1/products/09506000134376', { body: { name: 'x', reason: 'x' } })).status).toBe(404);
    expect((await api.call('PATCH', `/api/v1/products/${GTIN}`, { as: 'sales', body: { name: 'x', reason: 'x' } })).status).toBe(403);
    expect(await counts()).toEqual(before);

    const res = await api.call('PATCH', `/api/v1/products/${GTIN}`, {
      headers: { 'x-reason': 'registration renewed, certificate scan attached' },
      body: { registrationNumber: 'REG-2029-3130001', registrationExpiry: '2034-06-29', standardCost: '799.00' },
    });
    expect(res.status).toBe(200);
    const after = await res.json();
    expect(after).toMatchObject({ registrationNumber: 'REG-2029-3130001', registrationExpiry: '2034-06-29', standardCost: '799.0000', name: 'Coronary stent' });
    const [audit] = await api.db.sql`
      select actor, action, reason, before, after from audit_trail where entity = 'product' and entity_id = ${GTIN} order by id desc limit 1`;
    expect(audit).toMatchObject({
      actor: 'admin',
      action: 'product.update',
      reason: 'registration renewed, certificate scan attached',
      before: { registrationNumber: 'REG-2024-3130001', registrationExpiry: '2029-06-30', standardCost: '812.5000' },
      after,
    });
  });

  test('tracking is fixed once the product has lots', async () => {
    const lot = await api.call('POST', '/api/v1/lots', {
      body: { gtin: GTIN, lot: 'L1', productionDate: '2026-01-10', expiry: '2029-01-10', serials: ['S1'] },
    });
    expect(lot.status).toBe(201);
    const before = await counts();
    const res = await api.call('PATCH', `/api/v1/products/${GTIN}`, { body: { tracking: 'lot', reason: 'mistake' } });
    expect(res.status).toBe(409);
    expect(await readProblem(res)).toMatchObject({ type: P + 'product-in-use', field: 'tracking' });
    expect(await counts()).toEqual(before);
    const fine = await api.call('PATCH', `/api/v1/products/${BARE_GTIN}`, { body: { tracking: 'lot', reason: 'gauze is counted per lot' } });
    expect((await fine.json()).tracking).toBe('lot');
  });
});

describe('registration gate', () => {
  const check = (gtin: string, date: string) => api.call('GET', `/api/v1/products/${gtin}/registration?date=${date}`, { as: 'sales' });

  test('a product is registered up to and including its registration expiry', async () => {
    const res = await check(GTIN, '2034-06-29');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      gtin: GTIN,
      date: '2034-06-29',
      registered: true,
      registrationNumber: 'REG-2029-3130001',
      registrationExpiry: '2034-06-29',
    });
  });

  test('after the expiry the product cannot be traded, and the problem names the registration', async () => {
    const problem = await readProblem(await check(GTIN, '2034-06-30'));
    expect(problem).toMatchObject({
      status: 422,
      type: P + 'product-registration-expired',
      field: 'gtin',
      registration: { number: 'REG-2029-3130001', expiry: '2034-06-29' },
    });
    expect(problem.detail).toContain('registration certificate REG-2029-3130001 expired on 2034-06-29');
  });

  test('a product without a registration on file, or an unknown one, is not registered', async () => {
    const bare = await readProblem(await check(BARE_GTIN, '2026-01-01'));
    expect(bare).toMatchObject({ status: 422, type: P + 'product-not-registered', field: 'gtin' });
    expect(bare.detail).toContain('no registration certificate on file');
    const unknown = await readProblem(await check('09506000134376', '2026-01-01'));
    expect(unknown).toMatchObject({ status: 422, type: P + 'product-not-registered', field: 'gtin' });
  });
});

describe('registrations expiring', () => {
  test('lists products whose registration expired or expires within the horizon, earliest first', async () => {
    const res = await api.call('GET', '/api/v1/product-registrations/expiring?date=2034-06-01&days=60', { as: 'viewer' });
    expect(res.status).toBe(200);
    expect((await res.json()).items).toEqual([
      { gtin: GTIN, name: 'Coronary stent', registrationNumber: 'REG-2029-3130001', registrationExpiry: '2034-06-29', daysLeft: 28, status: 'expiring' },
    ]);
    const later = await (await api.call('GET', '/api/v1/product-registrations/expiring?date=2034-07-01&days=0')).json();
    expect(later.items.map((p: any) => [p.gtin, p.daysLeft, p.status])).toEqual([[GTIN, -2, 'expired']]);
    const none = await (await api.call('GET', '/api/v1/product-registrations/expiring?date=2026-01-01')).json();
    expect(none.items).toEqual([]);
  });
});
