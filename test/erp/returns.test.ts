// Customer returns through HTTP on a real database and chain: an RMA only for
// units shipped to that customer; receiving into the RETURNS bin with a
// receiving/returned event; restock (qualified, on hand, stocking event) or
// scrap (destroying/destroyed event) after inspection.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { unitUri } from '../../sdk';
import { readProblem, startTestApp, type TestApp } from '../support/app';
import { commission, GTIN, ledgerEvent, release, seedCustomer, seedProduct, unitSet } from './ordersSeed';

const P = 'https://medtrace.dev/problems/';

let api: TestApp;
let customer: number;
let other: number;
let rmaId: number;

async function ship(customerId: number, quantity: number) {
  const placed = await (await api.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId, lines: [{ gtin: GTIN, quantity, unitPrice: '10.00' }] } })).json();
  const allocation = await (await api.call('POST', `/api/v1/orders/${placed.id}/allocations`, { as: 'warehouse' })).json();
  for (const unit of allocation.lines[0].allocated) {
    const res = await api.call('POST', `/api/v1/orders/${placed.id}/picks`, { as: 'warehouse', body: { scan: `(01)${GTIN}(21)${unit.serial}` } });
    if (res.status !== 201) throw new Error(`pick: ${await res.text()}`);
  }
  const res = await api.call('POST', `/api/v1/orders/${placed.id}/shipments`, { as: 'warehouse' });
  if (res.status !== 201) throw new Error(`ship: ${await res.text()}`);
  return allocation.lines[0].allocated.map((unit: { serial: string }) => unit.serial) as string[];
}

beforeAll(async () => {
  api = await startTestApp({ register: false });
  await seedProduct(api, GTIN);
  customer = await seedCustomer(api, 'CITYHOSP');
  other = await seedCustomer(api, 'OTHERHOSP');
  await commission(api, GTIN, 'R1', '2031-01-31', ['S1', 'S2', 'S3', 'S4']);
  await release(api, GTIN, 'R1');
  await ship(customer, 3); // S1, S2, S3
});
afterAll(async () => {
  await api?.close();
});

describe('returns', () => {
  test('refuses an RMA for a unit never shipped to that customer, or never shipped at all', async () => {
    const elsewhere = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: other, reason: 'damaged', units: [{ gtin: GTIN, serial: 'S1' }] } });
    expect(elsewhere.status).toBe(422);
    expect(await readProblem(elsewhere)).toMatchObject({ type: `${P}unit-not-shipped-to-customer`, field: 'units.0' });
    const inStock = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: customer, reason: 'damaged', units: [{ gtin: GTIN, serial: 'S4' }] } });
    expect(await readProblem(inStock)).toMatchObject({ type: `${P}unit-not-shipped-to-customer` });
  });

  test('authorises a return of shipped units, then receives them into RETURNS with a receiving/returned event', async () => {
    const res = await api.call('POST', '/api/v1/rmas', {
      as: 'sales',
      body: { customerId: customer, reason: 'packaging damaged', units: [{ gtin: GTIN, serial: 'S1' }, { gtin: GTIN, serial: 'S2' }] },
    });
    expect(res.status).toBe(201);
    const rma = await res.json();
    rmaId = rma.id;
    expect(rma).toMatchObject({ status: 'authorized', lines: [{ serial: 'S1', lot: 'R1', status: 'authorized' }, { serial: 'S2' }] });
    const twice = await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: customer, reason: 'again', units: [{ gtin: GTIN, serial: 'S1' }] } });
    expect(twice.status).toBe(409);

    const received = await api.call('POST', `/api/v1/rmas/${rmaId}/receipts`, { as: 'warehouse' });
    expect(received.status).toBe(201);
    const after = await received.json();
    expect(after.status).toBe('received');
    const units = await api.db.sql`
      select u.serial, u.state, b.code from units u join bins b on b.id = u.bin_id where u.serial in ('S1', 'S2') order by u.serial`;
    expect(units.map((u) => `${u.serial}:${u.state}:${u.code}`)).toEqual(['S1:returned:RETURNS', 'S2:returned:RETURNS']);
    const seq = after.lines[0].receivedLedgerSeq;
    expect(await ledgerEvent(api, seq)).toMatchObject({
      bizStep: 'receiving',
      disposition: 'returned',
      bizTransactionList: [{ type: 'rma', bizTransaction: `urn:medtrace:rma:${rmaId}` }],
    });
    expect(await unitSet(api, seq)).toEqual([unitUri(GTIN, 'S1'), unitUri(GTIN, 'S2')].sort());
  });

  test('refuses to restock a unit that failed inspection', async () => {
    const res = await api.call('POST', `/api/v1/rmas/${rmaId}/dispositions`, {
      as: 'qa',
      body: { units: [{ gtin: GTIN, serial: 'S2', result: 'fail', disposition: 'restock' }] },
    });
    expect(res.status).toBe(422);
    expect(await readProblem(res)).toMatchObject({ type: `${P}restock-needs-pass`, field: 'units.0.disposition' });
  });

  test('restocks a passed unit (qualified, on hand, stocking event) and scraps a failed one (destroying event)', async () => {
    const res = await api.call('POST', `/api/v1/rmas/${rmaId}/dispositions`, {
      as: 'qa',
      body: {
        units: [
          { gtin: GTIN, serial: 'S1', result: 'pass', disposition: 'restock' },
          { gtin: GTIN, serial: 'S2', result: 'fail', notes: 'crushed sterile barrier', disposition: 'scrap' },
        ],
        reason: 'return inspection',
      },
    });
    expect(res.status).toBe(201);
    const rma = await res.json();
    expect(rma.status).toBe('closed');
    expect(rma.lines.map((l: { serial: string; status: string; inspectionResult: string }) => `${l.serial}:${l.status}:${l.inspectionResult}`)).toEqual([
      'S1:restocked:pass',
      'S2:scrapped:fail',
    ]);
    const units = await api.db.sql`
      select u.serial, u.state, b.zone from units u left join bins b on b.id = u.bin_id where u.serial in ('S1', 'S2') order by u.serial`;
    expect(units.map((u) => `${u.serial}:${u.state}:${u.zone}`)).toEqual(['S1:on_hand:qualified', 'S2:scrapped:null']);
    expect(await ledgerEvent(api, rma.lines[0].dispositionLedgerSeq)).toMatchObject({ bizStep: 'stocking', disposition: 'sellable_accessible' });
    expect(await unitSet(api, rma.lines[0].dispositionLedgerSeq)).toEqual([unitUri(GTIN, 'S1')]);
    expect(await ledgerEvent(api, rma.lines[1].dispositionLedgerSeq)).toMatchObject({
      bizStep: 'destroying',
      disposition: 'destroyed',
      'medtrace:reason': 'return inspection',
    });
  });

  test('a restocked unit can be allocated again', async () => {
    const serials = await ship(customer, 2);
    expect(serials.sort()).toEqual(['S1', 'S4']);
  });

  test('receiving needs the warehouse or admin role and dispositions need qa or admin', async () => {
    expect((await api.call('POST', `/api/v1/rmas/${rmaId}/receipts`, { as: 'sales' })).status).toBe(403);
    expect((await api.call('POST', `/api/v1/rmas/${rmaId}/dispositions`, { as: 'warehouse', body: { units: [] } })).status).toBe(403);
  });
});
