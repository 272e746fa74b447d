// Lot-controlled goods from order to return, through HTTP: one scan whose
// quantity spans two order lines of the same lot records each line's part; the
// shipment, invoice and RMA lists filter by customer, order and day; an RMA
// names a lot quantity shipped to that customer (never more than shipped less
// what earlier returns took), is received into the RETURNS bin and split
// between restock and scrap, each step with its ledger event. A case label
// scan picks the case's count.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri, toCaseDigitalLink, toCaseElementString } from '../../sdk';
import { readProblem, startTestApp, type TestApp } from '../support/app';
import { GTIN, ledgerEvent, LOT_GTIN, seedCustomer, seedLotStock, seedProduct } from './ordersSeed';

const P = 'https://medtrace.dev/problems/';
const today = new Date().toISOString().slice(0, 10);
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

let api: TestApp;
let alpha: number;
let beta: number;
let gamma: number;
beforeAll(async () => {
  api = await startTestApp({ register: false });
  await seedProduct(api, GTIN);
  await seedProduct(api, LOT_GTIN, { tracking: 'lot' });
  alpha = await seedCustomer(api, 'ALPHA');
  beta = await seedCustomer(api, 'BETA');
  gamma = await seedCustomer(api, 'GAMMA');
  await seedLotStock(api, LOT_GTIN, 'B1', '2030-03-31', 100);
}, 120_000);
afterAll(async () => {
  await api?.close();
});

async function lotStock(bin: string): Promise<number> {
  const [row] = await api.db.sql<{ n: number }[]>`
    select coalesce(sum(s.quantity), 0)::int as n from lot_stock s join bins b on b.id = s.bin_id
    where s.gtin = ${LOT_GTIN} and s.lot = 'B1' and b.code = ${bin} and s.state = 'on_hand'`;
  return row.n;
}

/** Places, allocates and picks an order of lot B1 with the given line quantities in one scan; returns the order id and the pick answer. */
async function orderAndPick(customerId: number, quantities: number[]) {
  const placed = await api.call('POST', '/api/v1/orders', {
    as: 'sales',
    body: { customerId, currency: 'EUR', lines: quantities.map((quantity, i) => ({ gtin: LOT_GTIN, quantity, unitPrice: `${i + 1}.50` })) },
  });
  expect(placed.status).toBe(201);
  const id = (await placed.json()).id as number;
  expect((await api.call('POST', `/api/v1/orders/${id}/allocations`, { as: 'warehouse' })).status).toBe(200);
  const total = quantities.reduce((a, b) => a + b, 0);
  const pick = await api.call('POST', `/api/v1/orders/${id}/picks`, { as: 'warehouse', body: { scan: `(01)${LOT_GTIN}(10)B1`, quantity: total } });
  expect(pick.status).toBe(201);
  return { id, pick: await pick.json() };
}

async function ship(id: number) {
  const res = await api.call('POST', `/api/v1/orders/${id}/shipments`, { as: 'warehouse' });
  expect(res.status).toBe(201);
  return (await res.json()).shipment;
}

let alphaOrder: number;
let betaOrder: number;

describe('a lot quantity picked across two order lines', () => {
  test('one scan of 10 for lines of 6 and 4 records a pick against each line', async () => {
    const { id, pick } = await orderAndPick(alpha, [6, 4]);
    alphaOrder = id;
    const lineIds = pick.order.lines.map((l: { id: number }) => l.id);
    expect(pick.picks.map((p: { orderLineId: number; quantity: number }) => [p.orderLineId, p.quantity])).toEqual([
      [lineIds[0], 6],
      [lineIds[1], 4],
    ]);
    expect(pick.pick).toEqual(pick.picks[0]);
    expect(pick.order.lines.map((l: { picked: number }) => l.picked)).toEqual([6, 4]);
    expect(pick.order.status).toBe('picked');
    const rows = await api.db.sql<{ order_line_id: string; quantity: number }[]>`select order_line_id, quantity from picks where order_id = ${id} order by id`;
    expect(rows.map((r) => [Number(r.order_line_id), r.quantity])).toEqual([
      [lineIds[0], 6],
      [lineIds[1], 4],
    ]);
  });

  test('the shipment and the invoice carry each line its own quantity', async () => {
    const shipment = await ship(alphaOrder);
    expect(shipment.lines.map((l: { quantity: number }) => l.quantity)).toEqual([6, 4]);
    const invoice = await (await api.call('GET', `/api/v1/invoices/${shipment.invoiceId}`)).json();
    expect(invoice.lines.map((l: { quantity: number; amount: string }) => `${l.quantity}:${l.amount}`)).toEqual(['6:9.00', '4:10.00']);
    expect(invoice.total).toBe('19.00');
  });
});

describe('shipment, invoice and RMA lists', () => {
  test('filter by customer and order, page by id, and refuse a range that ends before it starts', async () => {
    betaOrder = (await orderAndPick(beta, [2])).id;
    await ship(betaOrder);

    const all = await (await api.call('GET', '/api/v1/shipments', { as: 'viewer' })).json();
    expect(all.items.map((s: { orderId: number }) => s.orderId)).toEqual([alphaOrder, betaOrder]);
    expect(all.items[0]).toMatchObject({ customerId: alpha, lines: 2, quantity: 10, invoiceId: expect.any(Number), ledgerSeq: expect.any(Number) });
    expect(all.nextCursor).toBeNull();

    const first = await (await api.call('GET', '/api/v1/shipments?limit=1')).json();
    expect(first.items).toHaveLength(1);
    const second = await (await api.call('GET', `/api/v1/shipments?limit=1&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((s: { customerId: number }) => s.customerId)).toEqual([beta]);
    expect(second.nextCursor).toBeNull();

    const forBeta = await (await api.call('GET', `/api/v1/shipments?customerId=${beta}`)).json();
    expect(forBeta.items.map((s: { orderId: number }) => s.orderId)).toEqual([betaOrder]);
    const byOrder = await (await api.call('GET', `/api/v1/invoices?orderId=${alphaOrder}`, { as: 'sales' })).json();
    expect(byOrder.items).toHaveLength(1);
    expect(byOrder.items[0]).toMatchObject({ orderId: alphaOrder, customerId: alpha, total: '19.00', currency: 'EUR', number: expect.stringMatching(/^INV-/) });
    expect((await (await api.call('GET', `/api/v1/invoices?customerId=${gamma}`)).json()).items).toEqual([]);

    expect((await (await api.call('GET', `/api/v1/shipments?from=${today}&to=${today}`)).json()).items).toHaveLength(2);
    expect((await (await api.call('GET', `/api/v1/invoices?from=${tomorrow}`)).json()).items).toHaveLength(0);
    const backwards = await api.call('GET', `/api/v1/shipments?from=${tomorrow}&to=${today}`);
    expect(backwards.status).toBe(422);
    expect((await readProblem(backwards)).field).toBe('to');
    const badCursor = await api.call('GET', '/api/v1/rmas?cursor=nope');
    expect(badCursor.status).toBe(422);
    expect((await readProblem(badCursor)).field).toBe('cursor');
  });
});

describe('returns of lot-controlled goods', () => {
  let rmaId: number;

  test('an RMA names a lot quantity shipped to that customer', async () => {
    const res = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: alpha, reason: 'overstock', lots: [{ gtin: LOT_GTIN, lot: 'B1', quantity: 7 }] } });
    expect(res.status).toBe(201);
    const rma = await res.json();
    rmaId = rma.id;
    expect(rma).toMatchObject({ customerId: alpha, status: 'authorized', lines: [{ gtin: LOT_GTIN, lot: 'B1', serial: null, quantity: 7, status: 'authorized' }] });
  });

  test('never more than was shipped to the customer less what earlier RMAs took; never a lot it did not get', async () => {
    const rmas = await api.count('rmas');
    const more = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: alpha, reason: 'more', lots: [{ gtin: LOT_GTIN, lot: 'B1', quantity: 4 }] } });
    expect(more.status).toBe(422);
    expect(await readProblem(more)).toMatchObject({ type: `${P}return-exceeds-shipped`, field: 'lots.0.quantity', shipped: 10, alreadyReturned: 7, returnable: 3 });
    const never = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: gamma, reason: 'x', lots: [{ gtin: LOT_GTIN, lot: 'B1', quantity: 1 }] } });
    expect(await readProblem(never)).toMatchObject({ type: `${P}lot-not-shipped-to-customer`, field: 'lots.0' });
    const beyond = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: beta, reason: 'x', lots: [{ gtin: LOT_GTIN, lot: 'B1', quantity: 3 }] } });
    expect(await readProblem(beyond)).toMatchObject({ type: `${P}return-exceeds-shipped`, shipped: 2, returnable: 2 });
    const serialised = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: alpha, reason: 'x', lots: [{ gtin: GTIN, lot: 'B1', quantity: 1 }] } });
    expect(await readProblem(serialised)).toMatchObject({ status: 422, field: 'lots.0.gtin' });
    const empty = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: alpha, reason: 'x' } });
    expect(empty.status).toBe(422);
    expect(await api.count('rmas')).toBe(rmas);
  });

  test('receiving puts the quantity on hand in the RETURNS bin, never allocatable, with a receiving/returned event', async () => {
    const stockBefore = await lotStock('STOCK');
    const res = await api.call('POST', `/api/v1/rmas/${rmaId}/receipts`, { as: 'warehouse' });
    expect(res.status).toBe(201);
    const rma = await res.json();
    expect(rma.status).toBe('received');
    expect(await lotStock('RETURNS')).toBe(7);
    expect(await lotStock('STOCK')).toBe(stockBefore);
    const event = await ledgerEvent(api, rma.lines[0].receivedLedgerSeq);
    expect(event).toMatchObject({
      bizStep: 'receiving',
      disposition: 'returned',
      quantityList: [{ epcClass: lotUri(LOT_GTIN, 'B1'), quantity: 7, uom: 'EA' }],
      bizTransactionList: [{ type: 'rma', bizTransaction: `urn:medtrace:rma:${rmaId}` }],
    });
    expect(event.epcList).toBeUndefined();
  });

  test('decisions must cover the received quantity exactly; restock needs a pass', async () => {
    const short = await api.call('POST', `/api/v1/rmas/${rmaId}/dispositions`, {
      as: 'qa',
      body: { lots: [{ gtin: LOT_GTIN, lot: 'B1', quantity: 5, result: 'pass', disposition: 'restock' }] },
    });
    expect(short.status).toBe(422);
    expect((await readProblem(short)).field).toBe('lots.0.quantity');
    const failed = await api.call('POST', `/api/v1/rmas/${rmaId}/dispositions`, {
      as: 'qa',
      body: { lots: [{ gtin: LOT_GTIN, lot: 'B1', quantity: 7, result: 'fail', disposition: 'restock' }] },
    });
    expect(await readProblem(failed)).toMatchObject({ type: `${P}restock-needs-pass`, field: 'lots.0.disposition' });
  });

  test('5 restocked and 2 scrapped: the line is split, stock moves, a stocking and a destroying event, the RMA closes', async () => {
    const stockBefore = await lotStock('STOCK');
    const res = await api.call('POST', `/api/v1/rmas/${rmaId}/dispositions`, {
      as: 'qa',
      body: {
        lots: [
          { gtin: LOT_GTIN, lot: 'B1', quantity: 5, result: 'pass', disposition: 'restock' },
          { gtin: LOT_GTIN, lot: 'B1', quantity: 2, result: 'fail', notes: 'crushed cartons', disposition: 'scrap' },
        ],
        reason: 'return inspected',
      },
    });
    expect(res.status).toBe(201);
    const rma = await res.json();
    expect(rma.status).toBe('closed');
    expect(rma.lines.map((l: { quantity: number; status: string }) => `${l.quantity}:${l.status}`)).toEqual(['5:restocked', '2:scrapped']);
    expect(await lotStock('RETURNS')).toBe(0);
    expect(await lotStock('STOCK')).toBe(stockBefore + 5);
    const stocking = await ledgerEvent(api, rma.lines[0].dispositionLedgerSeq);
    expect(stocking).toMatchObject({ bizStep: 'stocking', disposition: 'sellable_accessible', quantityList: [{ epcClass: lotUri(LOT_GTIN, 'B1'), quantity: 5, uom: 'EA' }] });
    const destroying = await ledgerEvent(api, rma.lines[1].dispositionLedgerSeq);
    expect(destroying).toMatchObject({ bizStep: 'destroying', disposition: 'destroyed', quantityList: [{ quantity: 2 }], 'medtrace:reason': 'return inspected' });
    const [scrapMove] = await api.db.sql`select quantity, to_state from stock_moves where kind = 'scrap' and ref_type = 'rma' and ref_id = ${String(rmaId)}`;
    expect(scrapMove).toMatchObject({ quantity: 2, to_state: 'scrapped' });
  });

  test('the returned quantity still counts against what the customer may return', async () => {
    const res = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: alpha, reason: 'rest', lots: [{ gtin: LOT_GTIN, lot: 'B1', quantity: 3 }] } });
    expect(res.status).toBe(201);
    const over = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: alpha, reason: 'again', lots: [{ gtin: LOT_GTIN, lot: 'B1', quantity: 1 }] } });
    expect((await readProblem(over)).returnable).toBe(0);
  });

  test('the RMA list filters by customer and by the order the goods left with', async () => {
    const byOrder = await (await api.call('GET', `/api/v1/rmas?orderId=${alphaOrder}`, { as: 'viewer' })).json();
    expect(byOrder.items.map((r: { id: number }) => r.id)).toEqual([rmaId, rmaId + 1]);
    expect(byOrder.items[0]).toMatchObject({ customerId: alpha, orderIds: [alphaOrder], status: 'closed', lines: 2, quantity: 7 });
    expect((await (await api.call('GET', `/api/v1/rmas?orderId=${betaOrder}`)).json()).items).toEqual([]);
    expect((await (await api.call('GET', `/api/v1/rmas?customerId=${beta}`)).json()).items).toEqual([]);
  });
});

describe('picking a whole case by its label', () => {
  test('a case label (00)(02)(37)(10) picks its count in any form; a different quantity is refused', async () => {
    const placed = await api.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId: gamma, currency: 'EUR', lines: [{ gtin: LOT_GTIN, quantity: 20, unitPrice: '1.00' }] } });
    const id = (await placed.json()).id as number;
    expect((await api.call('POST', `/api/v1/orders/${id}/allocations`, { as: 'warehouse' })).status).toBe(200);
    const twelve = toCaseElementString({ sscc: '095060001000000012', content: LOT_GTIN, count: 12, lot: 'B1' });

    const mismatch = await api.call('POST', `/api/v1/orders/${id}/picks`, { as: 'warehouse', body: { scan: twelve, quantity: 5 } });
    expect(mismatch.status).toBe(422);
    expect(await readProblem(mismatch)).toMatchObject({ type: `${P}scan-quantity-mismatch`, field: 'quantity', caseCount: 12 });

    const first = await api.call('POST', `/api/v1/orders/${id}/picks`, { as: 'warehouse', body: { scan: twelve } });
    expect(first.status).toBe(201);
    expect((await first.json()).picks.map((p: { quantity: number }) => p.quantity)).toEqual([12]);
    const eight = toCaseDigitalLink({ sscc: '095060001000000029', content: LOT_GTIN, count: 8, lot: 'B1' });
    const second = await api.call('POST', `/api/v1/orders/${id}/picks`, { as: 'warehouse', body: { scan: eight } });
    expect(second.status).toBe(201);
    const body = await second.json();
    expect(body.order.status).toBe('picked');
    expect(body.order.lines[0].picked).toBe(20);
  });
});
