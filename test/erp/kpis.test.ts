// KPIs through HTTP: the figures follow from what was recorded — stock by lot
// status and state valued at standard cost, stock expiring within 30/60/90
// days of the day asked, inspection pass rate, on-time shipments, open
// nonconformances and CAPAs, supplier scores. Products, lots and inspections
// go in through the API; purchase orders, receipts and shipments as rows (their
// flows are tested by their own suites and the whole-path test).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

const GTIN = '09506000134352';
const UNCOSTED = '09506000134369';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
  expect((await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'Stent', model: 'S', deviceClass: 'III', standardCost: '12.50' } })).status).toBe(201);
  expect((await api.call('POST', '/api/v1/products', { body: { gtin: UNCOSTED, name: 'Catheter', model: 'C', deviceClass: 'IIa' } })).status).toBe(201);
  // Three lots of the costed product expiring at different times, one of the other.
  for (const [gtin, lot, expiry, count] of [
    [GTIN, 'SOON', '2027-01-10', 4],
    [GTIN, 'LATER', '2027-02-20', 3],
    [GTIN, 'FAR', '2029-01-01', 2],
    [UNCOSTED, 'C1', '2029-01-01', 5],
  ] as const) {
    const res = await api.call('POST', '/api/v1/lots', { body: { gtin, lot, productionDate: '2026-01-01', expiry, serialCount: count, serialPrefix: `${lot}-` } });
    expect(res.status).toBe(201);
  }
  for (const [lot, result] of [
    ['SOON', 'pass'],
    ['LATER', 'fail'],
    ['FAR', 'pass'],
  ] as const) {
    const res = await api.call('POST', `/api/v1/lots/${GTIN}/${lot}/inspections`, { as: 'qa', body: { kind: 'final', result, method: 'visual' } });
    expect(res.status).toBe(201);
  }
}, 120_000);
afterAll(async () => {
  await api?.close();
});

async function kpis(query = '') {
  const res = await api.call('GET', `/api/v1/kpis${query}`, { as: 'viewer' });
  expect(res.status).toBe(200);
  return res.json();
}

describe('KPIs', () => {
  test('stock by lot status and state, valued at standard cost; stock without a cost is counted apart', async () => {
    const figures = await kpis('?asOf=2026-12-20');
    expect(figures.stock.total).toEqual({ quantity: 14, value: '112.50', unvaluedQuantity: 5 });
    expect(figures.stock.byState).toEqual([{ state: 'on_hand', quantity: 14, value: '112.50', unvaluedQuantity: 5 }]);
    expect(figures.stock.byLotStatus).toEqual([{ status: 'quarantined', quantity: 14, value: '112.50', unvaluedQuantity: 5 }]);
  });

  test('stock expiring within 30, 60 and 90 days of the day asked, and stock already expired', async () => {
    const before = await kpis('?asOf=2026-12-20');
    expect(before.expiring).toEqual([
      { withinDays: 30, lots: 1, quantity: 4, value: '50.00', unvaluedQuantity: 0 },
      { withinDays: 60, lots: 1, quantity: 4, value: '50.00', unvaluedQuantity: 0 },
      { withinDays: 90, lots: 2, quantity: 7, value: '87.50', unvaluedQuantity: 0 },
    ]);
    expect(before.expired).toEqual({ lots: 0, quantity: 0, value: '0.00', unvaluedQuantity: 0 });
    const after = await kpis('?asOf=2027-01-10');
    expect(after.expired).toEqual({ lots: 1, quantity: 4, value: '50.00', unvaluedQuantity: 0 });
    expect(after.expiring[0]).toMatchObject({ withinDays: 30, lots: 0, quantity: 0 });
  });

  test('inspection pass rate, overall and by kind; open nonconformances as recorded', async () => {
    const figures = await kpis();
    expect(figures.inspections).toEqual({
      total: 3,
      passed: 2,
      passRate: 0.6667,
      byKind: [{ kind: 'final', total: 3, passed: 2, passRate: 0.6667 }],
    });
    const [nc] = await api.db.sql`select count(*) filter (where status = 'open')::int as open, count(*) filter (where status = 'dispositioned')::int as dispositioned from nonconformances`;
    expect(figures.quality).toMatchObject({ openNonconformances: nc.open, dispositionedNonconformances: nc.dispositioned });
  });

  test('on-time shipment rate from order to first shipment, and supplier scores from receipts and incoming inspections', async () => {
    const sql = api.db.sql;
    const [customer] = await sql`insert into partners (code, name, is_customer, is_supplier) values ('CUST', 'Hospital', true, false) returning id`;
    const [supplier] = await sql`insert into partners (code, name, is_supplier) values ('SUPP', 'Supplier', true) returning id`;
    // Two shipped orders: one shipped the next day, one after five days; one open order three days old.
    for (const [created, shipped] of [
      ['2026-11-01T08:00:00Z', '2026-11-02T08:00:00Z'],
      ['2026-11-01T08:00:00Z', '2026-11-06T08:00:00Z'],
      ['2026-11-17T08:00:00Z', null],
    ] as const) {
      const [order] = await sql`
        insert into sales_orders (customer_id, source, status, currency, total, created_at, created_by)
        values (${customer.id}, 'api', ${shipped ? 'shipped' : 'open'}, 'EUR', 0, ${created}, 'sales') returning id`;
      if (shipped) await sql`insert into shipments (order_id, customer_id, shipped_at, shipped_by) values (${order.id}, ${customer.id}, ${shipped}, 'warehouse')`;
    }
    // Two receipts from the supplier against POs expected on 2026-11-10: one on time, one late.
    for (const received of ['2026-11-09T10:00:00Z', '2026-11-12T10:00:00Z']) {
      const [po] = await sql`insert into purchase_orders (supplier_id, status, expected_on, created_by) values (${supplier.id}, 'received', '2026-11-10', 'sales') returning id`;
      await sql`insert into receipts (po_id, received_at, received_by) values (${po.id}, ${received}, 'warehouse')`;
    }
    await sql`update lots set supplier_id = ${supplier.id}, origin = 'received' where gtin = ${GTIN} and lot in ('SOON', 'LATER')`;
    for (const [lot, result] of [
      ['SOON', 'pass'],
      ['LATER', 'fail'],
    ] as const) {
      const res = await api.call('POST', `/api/v1/lots/${GTIN}/${lot}/inspections`, { as: 'qa', body: { kind: 'incoming', result, method: 'sampling' } });
      expect(res.status).toBe(201);
    }

    const figures = await kpis('?asOf=2026-11-23&shipWithinDays=2');
    expect(figures.shipments).toMatchObject({ shipWithinDays: 2, shippedOrders: 2, onTime: 1, onTimeRate: 0.5, openOverdue: 1 });
    const score = figures.suppliers.find((s: { code: string }) => s.code === 'SUPP');
    expect(score).toMatchObject({ receipts: 2, onTimeReceipts: 1, onTimeRate: 0.5, incomingInspections: 2, passedInspections: 1, qualityRate: 0.5, score: 0.5 });
    expect(figures.suppliers.map((s: { code: string }) => s.code)).toEqual(['SUPP']);
    // A week's margin makes both shipments on time.
    expect((await kpis('?asOf=2026-11-23&shipWithinDays=7')).shipments).toMatchObject({ onTime: 2, onTimeRate: 1, openOverdue: 0 });
  });

  test('is for admin, qa and viewer; a bad day is 422 naming asOf', async () => {
    for (const role of ['warehouse', 'sales'] as const) expect((await api.call('GET', '/api/v1/kpis', { as: role })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/kpis', { as: 'qa' })).status).toBe(200);
    const bad = await api.call('GET', '/api/v1/kpis?asOf=2026-02-30');
    expect(bad.status).toBe(422);
    expect((await bad.json()).field).toMatch(/asOf/);
  });
});
