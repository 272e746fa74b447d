// Sales orders through HTTP on a real database and chain: the checks that
// refuse an order, the HMAC-signed idempotent webhook, FEFO allocation,
// scan-verified picking with every refusal's reason, the shipment with its
// shipping event and invoice, and cancelling.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri, toDigitalLink, unitUri } from '../../sdk';
import { signWebhookBody } from '../../node/orders/webhook';
import { readProblem, startTestApp, type TestApp } from '../support/app';
import { commission, GTIN, ledgerEvent, LOT_GTIN, release, seedCustomer, seedLotStock, seedProduct, unitSet } from './ordersSeed';

const SECRET = 'test-webhook-secret-0123456789';
const P = 'https://medtrace.dev/problems/';

let api: TestApp;
let customer: number;
beforeAll(async () => {
  api = await startTestApp({ register: false, env: { ECOMMERCE_WEBHOOK_SECRET: SECRET } });
  await seedProduct(api, GTIN);
  await seedProduct(api, LOT_GTIN, { tracking: 'lot' });
  customer = await seedCustomer(api, 'CITYHOSP', { creditLimit: '10000.00' });
  // Two released lots (the earlier expiry goes first), one quarantined, one expired.
  await commission(api, GTIN, 'LATE', '2031-01-31', ['L1', 'L2', 'L3']);
  await commission(api, GTIN, 'EARLY', '2030-06-30', ['E1', 'E2']);
  await commission(api, GTIN, 'QUAR', '2030-01-31', ['Q1']);
  await commission(api, GTIN, 'OLD', '2024-06-30', ['O1']);
  await release(api, GTIN, 'LATE');
  await release(api, GTIN, 'EARLY');
  await release(api, GTIN, 'OLD');
  await seedLotStock(api, LOT_GTIN, 'B1', '2030-03-31', 100);
});
afterAll(async () => {
  await api?.close();
});

const order = (lines: unknown[], extra: Record<string, unknown> = {}) =>
  api.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId: customer, currency: 'EUR', lines, ...extra } });

describe('placing an order', () => {
  test('places an order with its lines and a numeric total, audited', async () => {
    const res = await order([{ gtin: GTIN, quantity: 2, unitPrice: '12.50' }, { gtin: LOT_GTIN, quantity: 3, unitPrice: '0.3333' }]);
    expect(res.status).toBe(201);
    const placed = await res.json();
    expect(placed).toMatchObject({ customerId: customer, source: 'api', status: 'open', currency: 'EUR', total: '26.00', createdBy: 'sales' });
    expect(placed.lines).toMatchObject([
      { lineNo: 1, gtin: GTIN, quantity: 2, unitPrice: '12.5000', allocated: 0 },
      { lineNo: 2, gtin: LOT_GTIN, quantity: 3, unitPrice: '0.3333' },
    ]);
    const read = await api.call('GET', `/api/v1/orders/${placed.id}`, { as: 'viewer' });
    expect(await read.json()).toEqual(placed);
    const [audit] = await api.db.sql`select action, actor from audit_trail where entity = 'sales_order' and entity_id = ${String(placed.id)}`;
    expect(audit).toMatchObject({ action: 'sales_order.create', actor: 'sales' });
    await api.call('POST', `/api/v1/orders/${placed.id}/cancel`, { as: 'sales', body: { reason: 'test order' } });
  });

  test('refuses a customer whose certificate expired, naming the certificate', async () => {
    const expired = await seedCustomer(api, 'LAPSED', { validUntil: '2020-01-31' });
    const res = await api.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId: expired, lines: [{ gtin: GTIN, quantity: 1, unitPrice: '1' }] } });
    expect(res.status).toBe(422);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ type: `${P}certificate-expired`, field: 'customerId' });
    expect(problem.detail).toContain('DL-LAPSED');
  });

  test('refuses a product whose registration expired, naming the line', async () => {
    const gtin = '09506000134376';
    await seedProduct(api, gtin, { registrationExpiry: '2021-05-31' });
    const res = await order([{ gtin: GTIN, quantity: 1, unitPrice: '1' }, { gtin, quantity: 1, unitPrice: '1' }]);
    expect(res.status).toBe(422);
    expect(await readProblem(res)).toMatchObject({ type: `${P}product-registration-expired`, field: 'lines.1.gtin' });
  });

  test('refuses an order that takes open orders past the credit limit, and writes nothing', async () => {
    const small = await seedCustomer(api, 'SMALL', { creditLimit: '100.00' });
    const first = await api.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId: small, lines: [{ gtin: GTIN, quantity: 1, unitPrice: '60.00' }] } });
    expect(first.status).toBe(201);
    const before = await api.count('sales_orders');
    const second = await api.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId: small, lines: [{ gtin: GTIN, quantity: 2, unitPrice: '20.01' }] } });
    expect(second.status).toBe(422);
    const problem = await readProblem(second);
    expect(problem).toMatchObject({ type: `${P}credit-limit-exceeded`, field: 'customerId', creditLimit: '100.00', openOrders: '60.00', thisOrder: '40.02' });
    expect(await api.count('sales_orders')).toBe(before);
    const fits = await api.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId: small, lines: [{ gtin: GTIN, quantity: 2, unitPrice: '20.00' }] } });
    expect(fits.status).toBe(201);
  });

  test('needs the sales or admin role', async () => {
    const res = await api.call('POST', '/api/v1/orders', { as: 'warehouse', body: { customerId: customer, lines: [{ gtin: GTIN, quantity: 1, unitPrice: '1' }] } });
    expect(res.status).toBe(403);
  });
});

describe('the e-commerce webhook', () => {
  const body = JSON.stringify({ orderId: 'SHOP-1001', customerCode: 'CITYHOSP', currency: 'EUR', lines: [{ gtin: GTIN, quantity: 1, unitPrice: '99.90' }] });
  const post = (raw: string, signature?: string) =>
    api.call('POST', '/webhooks/v1/orders', { as: null, body: raw, headers: signature === undefined ? {} : { 'x-medtrace-signature': signature } });

  test('places a signed order once; a repeat delivery gets the same order back', async () => {
    const first = await post(body, signWebhookBody(SECRET, body));
    expect(first.status).toBe(201);
    const placed = await first.json();
    expect(placed).toMatchObject({ source: 'webhook', externalId: 'SHOP-1001', total: '99.90', createdBy: 'ecommerce-webhook' });
    const count = await api.count('sales_orders');
    const again = await post(body, signWebhookBody(SECRET, body));
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.json()).id).toBe(placed.id);
    expect(await api.count('sales_orders')).toBe(count);
    await api.call('POST', `/api/v1/orders/${placed.id}/cancel`, { body: { reason: 'test order' } });
  });

  test('refuses a bad or missing signature with 401 before reading the body', async () => {
    const wrong = await post(body, signWebhookBody('another-secret-0123456789', body));
    expect(wrong.status).toBe(401);
    expect(await readProblem(wrong)).toMatchObject({ type: `${P}webhook-signature-invalid`, field: 'x-medtrace-signature' });
    expect((await post('{not json', undefined)).status).toBe(401);
  });

  test('refuses the same platform order id with a different body', async () => {
    const changed = body.replace('99.90', '1.00');
    const res = await post(changed, signWebhookBody(SECRET, changed));
    expect(res.status).toBe(409);
    expect(await readProblem(res)).toMatchObject({ type: `${P}webhook-order-conflict`, field: 'orderId' });
  });

  test('runs the same order checks as the API', async () => {
    const raw = JSON.stringify({ orderId: 'SHOP-1002', customerCode: 'LAPSED', lines: [{ gtin: GTIN, quantity: 1, unitPrice: '1.00' }] });
    const res = await post(raw, signWebhookBody(SECRET, raw));
    expect(res.status).toBe(422);
    expect(await readProblem(res)).toMatchObject({ type: `${P}certificate-expired` });
  });

  test('answers 503 while no secret is configured', async () => {
    const saved = api.ctx.config.ecommerceWebhookSecret;
    api.ctx.config.ecommerceWebhookSecret = undefined;
    try {
      const res = await post(body, signWebhookBody(SECRET, body));
      expect(res.status).toBe(503);
      expect(await readProblem(res)).toMatchObject({ type: `${P}webhook-not-configured` });
    } finally {
      api.ctx.config.ecommerceWebhookSecret = saved;
    }
  });
});

describe('allocation, picking, shipping', () => {
  let id: number;

  test('allocates FEFO: the earliest-expiring released lot first, never quarantined or expired stock', async () => {
    const placed = await (await order([{ gtin: GTIN, quantity: 3, unitPrice: '50.00' }, { gtin: LOT_GTIN, quantity: 10, unitPrice: '2.25' }])).json();
    id = placed.id;
    const res = await api.call('POST', `/api/v1/orders/${id}/allocations`, { as: 'warehouse' });
    expect(res.status).toBe(200);
    const allocation = await res.json();
    expect(allocation.order.status).toBe('allocated');
    expect(allocation.lines[0].allocated.map((a: { lot: string; serial: string }) => `${a.lot}/${a.serial}`)).toEqual(['EARLY/E1', 'EARLY/E2', 'LATE/L1']);
    expect(allocation.lines[1]).toMatchObject({ shortfall: 0, allocated: [{ lot: 'B1', quantity: 10 }] });
  });

  const refused = async (scan: string, slug: string, extra: Record<string, unknown> = {}) => {
    const res = await api.call('POST', `/api/v1/orders/${id}/picks`, { as: 'warehouse', body: { scan } });
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ type: `${P}${slug}`, field: 'scan', ...extra });
    return problem;
  };

  test('refuses every wrong scan with its reason and writes nothing', async () => {
    const picks = await api.count('picks');
    await refused(`(01)09506000134383(21)X1`, 'scan-wrong-product');
    await refused(`(01)${GTIN}(10)EARLY(21)L2`, 'scan-wrong-lot');
    expect((await refused(`(01)${GTIN}(10)LATE(21)L2`, 'scan-not-allocated')).detail).toContain('not allocated to order');
    expect((await refused(`(01)${GTIN}(10)OLD(21)O1`, 'scan-expired')).detail).toContain('expired on 2024-06-30');
    expect(await refused(`(01)${GTIN}(10)QUAR(21)Q1`, 'scan-lot-not-released')).toMatchObject({ lotStatus: 'quarantined' });
    await refused(`(01)${GTIN}(21)NOPE`, 'scan-unknown-unit');
    const malformed = await api.call('POST', `/api/v1/orders/${id}/picks`, { as: 'warehouse', body: { scan: '(01)09506000134353(21)E1' } });
    expect(malformed.status).toBe(422);
    expect(await readProblem(malformed)).toMatchObject({ type: `${P}invalid-identifier`, field: expect.any(String) });
    expect(await api.count('picks')).toBe(picks);
  });

  test('accepts the allocated units in any GS1 form and refuses a second scan of one', async () => {
    const forms = [toDigitalLink({ gtin: GTIN, lot: 'EARLY', serial: 'E1' }), `(01)${GTIN}(21)E2`, `01${GTIN}21L1`];
    for (const scan of forms) {
      const res = await api.call('POST', `/api/v1/orders/${id}/picks`, { as: 'warehouse', body: { scan } });
      expect(res.status).toBe(201);
    }
    await refused(`(01)${GTIN}(21)E1`, 'scan-already-picked');
    const lots = await api.call('POST', `/api/v1/orders/${id}/picks`, { as: 'warehouse', body: { scan: `(01)${LOT_GTIN}(10)B1`, quantity: 10 } });
    expect(lots.status).toBe(201);
    expect((await lots.json()).order.status).toBe('picked');
  });

  test('ships every picked item: units shipped, one shipping event with units, lots and the order, and an invoice', async () => {
    const res = await api.call('POST', `/api/v1/orders/${id}/shipments`, { as: 'warehouse' });
    expect(res.status).toBe(201);
    const { shipment, order: shipped } = await res.json();
    expect(shipped.status).toBe('shipped');
    expect(shipped.lines.map((l: { shipped: number }) => l.shipped)).toEqual([3, 10]);
    const states = await api.db.sql`select serial, state, bin_id from units where serial in ('E1', 'E2', 'L1') order by serial`;
    expect(states.map((u) => `${u.serial}:${u.state}:${u.bin_id}`)).toEqual(['E1:shipped:null', 'E2:shipped:null', 'L1:shipped:null']);

    const event = await ledgerEvent(api, shipment.ledgerSeq);
    expect(event).toMatchObject({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      epcList: { count: 3 },
      quantityList: [{ epcClass: lotUri(LOT_GTIN, 'B1'), quantity: 10, uom: 'EA' }],
      bizTransactionList: expect.arrayContaining([{ type: 'po', bizTransaction: `urn:medtrace:order:${id}` }]),
    });
    expect(JSON.stringify(event)).not.toContain('50.00');
    expect(await unitSet(api, shipment.ledgerSeq)).toEqual(['E1', 'E2', 'L1'].map((s) => unitUri(GTIN, s)).sort());

    const invoice = await (await api.call('GET', `/api/v1/invoices/${shipment.invoiceId}`, { as: 'viewer' })).json();
    expect(invoice).toMatchObject({ orderId: id, shipmentId: shipment.id, currency: 'EUR', total: '172.50' });
    expect(invoice.lines.map((l: { quantity: number; amount: string }) => `${l.quantity}:${l.amount}`)).toEqual(['3:150.00', '10:22.50']);
  });

  test('a shipped order cannot be shipped, picked or cancelled again', async () => {
    expect((await api.call('POST', `/api/v1/orders/${id}/shipments`, { as: 'warehouse' })).status).toBe(409);
    expect((await api.call('POST', `/api/v1/orders/${id}/cancel`, { body: { reason: 'late' } })).status).toBe(409);
  });

  test('cancelling needs a reason and puts allocated and picked stock back on hand', async () => {
    const placed = await (await order([{ gtin: GTIN, quantity: 2, unitPrice: '1.00' }])).json();
    await api.call('POST', `/api/v1/orders/${placed.id}/allocations`, { as: 'warehouse' });
    expect((await api.call('POST', `/api/v1/orders/${placed.id}/picks`, { as: 'warehouse', body: { scan: `(01)${GTIN}(21)L2` } })).status).toBe(201);
    const noReason = await api.call('POST', `/api/v1/orders/${placed.id}/cancel`, { as: 'sales' });
    expect(await readProblem(noReason)).toMatchObject({ field: 'reason' });
    const res = await api.call('POST', `/api/v1/orders/${placed.id}/cancel`, { as: 'sales', headers: { 'x-reason': 'customer withdrew' } });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('cancelled');
    const units = await api.db.sql`select serial, state, order_line_id from units where serial in ('L2', 'L3') order by serial`;
    expect(units.map((u) => `${u.serial}:${u.state}:${u.order_line_id}`)).toEqual(['L2:on_hand:null', 'L3:on_hand:null']);
  });
});
