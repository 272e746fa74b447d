// Lot-controlled goods (products.tracking = 'lot', e.g. sterile sutures sold by
// lot, not serial) through the HTTP API, on one shared chain over real HTTP:
// the maker commissions lots by quantity (the lot, on-hand lot_stock in the
// quarantine bin, one commissioning event naming the lot's class and quantity),
// the refusals when the request does not match the product's tracking, final
// inspection and release with QA's e-signature (the quantity moves to the
// qualified bin), FEFO allocation, scan-verified picks, shipment, and the
// shipment notice to the distributor's node whose lines verify ok on the
// maker's lot-level commissioning and release evidence.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri, verifyBundle } from '../../sdk';
import { appendEvent } from '../../node/ledger/append';
import { buildBundle } from '../../node/ledger/bundles';
import { checkNotice } from '../../node/network/checkNotice';
import type { ShipmentNotice } from '../../node/network/notice';
import { startOutbox, type Outbox } from '../../node/network/outbox';
import { readProblem, STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { seedCustomer } from '../erp/ordersSeed';

/** Sutures, lot-controlled (company prefix 9506000, the maker's). */
const SUTURES = '09506000134369';
/** A serialised device of the same maker. */
const CATHETER = '09506000134352';
const P = 'https://medtrace.dev/problems/';

let chain: TestChain;
let maker: TestApp;
let dist: TestApp;
let makerOutbox: Outbox;
let distAtMaker: number;

async function ok(res: Response, status: number, what: string): Promise<any> {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${await res.text()}`);
  return res.json();
}

async function createProduct(app: TestApp, gtin: string, tracking: 'serial' | 'lot') {
  await ok(
    await app.call('POST', '/api/v1/products', {
      body: { gtin, name: `Device ${gtin}`, model: 'M-1', deviceClass: 'IIb', tracking, registrationNumber: `REG-${gtin.slice(-4)}`, registrationExpiry: '2035-12-31' },
    }),
    201,
    `product ${gtin}`,
  );
}

const commission = (body: Record<string, unknown>) => maker.call('POST', '/api/v1/lots', { as: 'warehouse', body });

async function ledgerEvent(app: TestApp, seq: number) {
  const [row] = await app.db.sql<{ envelope: any }[]>`select envelope from ledger_events where participant = ${app.ctx.participant} and seq = ${seq}`;
  return row.envelope.event;
}

/** The lot's stock rows (bin code, zone, state, quantity) as GET /api/v1/stock reports them. */
async function stockOf(lot: string) {
  const page = await ok(await maker.call('GET', `/api/v1/stock?gtin=${SUTURES}&lot=${lot}`, { as: 'viewer' }), 200, 'stock');
  return (page.items as { bin: string; zone: string; state: string; quantity: number }[]).map(({ bin, zone, state, quantity }) => ({ bin, zone, state, quantity }));
}

async function inspectAndRelease(lot: string) {
  await ok(await maker.call('POST', `/api/v1/lots/${SUTURES}/${lot}/inspections`, { as: 'qa', body: { kind: 'final', result: 'pass', method: 'sterility and tensile strength' } }), 201, `inspect ${lot}`);
  return ok(
    await maker.call('POST', `/api/v1/lots/${SUTURES}/${lot}/release`, { as: 'qa', body: { signature: { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' } } }),
    200,
    `release ${lot}`,
  );
}

beforeAll(async () => {
  chain = await startTestChain();
  maker = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9506000', env: { PARTICIPANT_NAME: 'Maker', PARTICIPANT_ROLE: 'manufacturer' } });
  dist = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9507000', env: { PARTICIPANT_NAME: 'Distributor', PARTICIPANT_ROLE: 'distributor' } });
  makerOutbox = startOutbox(maker.ctx, { autoStart: false, baseBackoffMs: 60_000 });
  await createProduct(maker, SUTURES, 'lot');
  await createProduct(maker, CATHETER, 'serial');
  await createProduct(dist, SUTURES, 'lot');
  distAtMaker = await seedCustomer(maker, 'DIST');
  await maker.db.sql`update partners set participant = ${dist.ctx.participant} where id = ${distAtMaker}`;
}, 240_000);

afterAll(async () => {
  await makerOutbox?.stop();
  await dist?.close();
  await maker?.close();
  await chain?.stop();
});

describe('commissioning a lot-controlled lot', () => {
  test('by quantity: the lot, its quantity on hand in quarantine, one commissioning event naming the lot class and quantity', async () => {
    const lot = await ok(await commission({ gtin: SUTURES, lot: 'SUT-A', productionDate: '2026-10-01', expiry: '2031-09-30', quantity: 500 }), 201, 'commission');
    expect(lot).toMatchObject({ gtin: SUTURES, lot: 'SUT-A', unitCount: 500, status: 'quarantined', origin: 'commissioned', createdBy: 'warehouse' });
    expect(lot.commissioningSeq).toBe(lot.ledgerSeq);

    expect(await ledgerEvent(maker, lot.ledgerSeq)).toEqual({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      eventTime: expect.any(String),
      eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: lotUri(SUTURES, 'SUT-A'), quantity: 500, uom: 'EA' }],
      'medtrace:lot': { gtin: SUTURES, lot: 'SUT-A', productionDate: '2026-10-01', expiry: '2031-09-30' },
    });
    expect(await stockOf('SUT-A')).toEqual([{ bin: 'MAIN/QUARANTINE', zone: 'quarantine', state: 'on_hand', quantity: 500 }]);
    // The journal holds one bulk row bound to the commissioning event; no serialised unit exists.
    const moves = await ok(await maker.call('GET', `/api/v1/stock/moves?gtin=${SUTURES}&lot=SUT-A`, { as: 'viewer' }), 200, 'moves');
    expect(moves.items).toMatchObject([{ kind: 'commission', quantity: 500, ledgerSeq: lot.ledgerSeq }]);
    expect((await ok(await maker.call('GET', `/api/v1/lots/${SUTURES}/SUT-A/serials`, { as: 'viewer' }), 200, 'serials')).items).toEqual([]);
    const [audit] = await maker.db.sql`select action, ledger_seq from audit_trail where action = 'lot.commission' and entity_id = ${`${SUTURES}/SUT-A`}`;
    expect(Number(audit.ledger_seq)).toBe(lot.ledgerSeq);
  });

  test('a request that does not match the product tracking is refused naming the field and the rule; nothing is written', async () => {
    const events = await maker.count('ledger_events');
    const lots = await maker.count('lots');
    const base = { gtin: SUTURES, lot: 'SUT-X', productionDate: '2026-10-01', expiry: '2031-09-30' };

    const serials = await commission({ ...base, serials: ['S1', 'S2'] });
    expect(serials.status).toBe(422);
    expect(await readProblem(serials)).toMatchObject({ field: 'serials', tracking: 'lot', detail: expect.stringMatching(/lot-controlled \(tracking lot\).*quantity, not serials/) });

    const counted = await commission({ ...base, serialCount: 5, serialPrefix: 'S' });
    expect(counted.status).toBe(422);
    expect(await readProblem(counted)).toMatchObject({ field: 'serialCount', detail: expect.stringMatching(/lot-controlled/) });

    const quantityOfSerialised = await commission({ ...base, gtin: CATHETER, quantity: 10 });
    expect(quantityOfSerialised.status).toBe(422);
    expect(await readProblem(quantityOfSerialised)).toMatchObject({
      type: P + 'invalid-input',
      field: 'quantity',
      tracking: 'serial',
      detail: expect.stringMatching(/serialised \(tracking serial\).*not a quantity/),
    });

    const both = await commission({ ...base, quantity: 10, serials: ['S1'] });
    expect(both.status).toBe(422);
    expect(await readProblem(both)).toMatchObject({ field: 'quantity', detail: expect.stringMatching(/by serials .* or by quantity .*, not both/) });

    const withPrefix = await commission({ ...base, quantity: 10, serialPrefix: 'S' });
    expect(withPrefix.status).toBe(422);
    expect(await readProblem(withPrefix)).toMatchObject({ field: 'serialPrefix' });

    for (const quantity of [0, -3, 2.5, 1_000_000_001]) {
      const bad = await commission({ ...base, quantity });
      expect(bad.status, `quantity ${quantity}`).toBe(422);
      expect((await readProblem(bad)).field).toBe('quantity');
    }

    const neither = await commission(base);
    expect(neither.status).toBe(422);
    expect(await readProblem(neither)).toMatchObject({ field: 'serials', detail: expect.stringMatching(/quantity for a lot-controlled one/) });

    const again = await commission({ ...base, lot: 'SUT-A', quantity: 5 });
    expect(again.status).toBe(409);
    expect(await readProblem(again)).toMatchObject({ type: P + 'lot-exists', field: 'lot' });

    expect(await maker.count('ledger_events')).toBe(events);
    expect(await maker.count('lots')).toBe(lots);
  });
});

describe('the quality gate, FEFO and shipping of lot-controlled lots', () => {
  let noticeId: number;
  let shipmentId: number;

  test('release needs the passed final inspection; then the e-signed release moves the quantity to the qualified bin', async () => {
    const early = await maker.call('POST', `/api/v1/lots/${SUTURES}/SUT-A/release`, { as: 'qa', body: { signature: { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' } } });
    expect(early.status).toBe(409);
    expect(await readProblem(early)).toMatchObject({ type: P + 'lot-not-inspected', requiredInspection: 'final' });

    const inspection = await ok(
      await maker.call('POST', `/api/v1/lots/${SUTURES}/SUT-A/inspections`, { as: 'qa', body: { kind: 'final', result: 'pass', method: 'sterility and tensile strength' } }),
      201,
      'inspection',
    );
    // The inspection names the lot's size: its commissioned quantity.
    expect((await ledgerEvent(maker, inspection.ledgerSeq)).quantityList).toEqual([{ epcClass: lotUri(SUTURES, 'SUT-A'), quantity: 500, uom: 'EA' }]);

    const released = await ok(
      await maker.call('POST', `/api/v1/lots/${SUTURES}/SUT-A/release`, { as: 'qa', body: { signature: { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' } } }),
      200,
      'release',
    );
    expect(released).toMatchObject({ from: 'quarantined', status: 'released', moved: { quantity: 500, toBin: 'MAIN/STOCK' } });
    expect(await ledgerEvent(maker, released.ledgerSeq)).toMatchObject({
      bizStep: 'urn:medtrace:bizstep:releasing',
      disposition: 'sellable_accessible',
      quantityList: [{ epcClass: lotUri(SUTURES, 'SUT-A'), quantity: 500, uom: 'EA' }],
    });
    expect(await stockOf('SUT-A')).toEqual([{ bin: 'MAIN/STOCK', zone: 'qualified', state: 'on_hand', quantity: 500 }]);
  });

  test('FEFO allocates the earliest-expiring released lot first and never a quarantined one; picks by scan and quantity; ships', async () => {
    // SUT-B expires before SUT-A and is released; SUT-C expires first of all but stays in quarantine.
    await ok(await commission({ gtin: SUTURES, lot: 'SUT-B', productionDate: '2026-06-01', expiry: '2030-05-31', quantity: 20 }), 201, 'commission B');
    await inspectAndRelease('SUT-B');
    await ok(await commission({ gtin: SUTURES, lot: 'SUT-C', productionDate: '2026-01-01', expiry: '2029-12-31', quantity: 50 }), 201, 'commission C');

    const order = await ok(
      await maker.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId: distAtMaker, currency: 'EUR', lines: [{ gtin: SUTURES, quantity: 30, unitPrice: '4.20' }] } }),
      201,
      'order',
    );
    const allocation = await ok(await maker.call('POST', `/api/v1/orders/${order.id}/allocations`, { as: 'warehouse' }), 200, 'allocation');
    expect(allocation.lines[0].shortfall).toBe(0);
    expect(allocation.lines[0].allocated.map((a: { lot: string; quantity: number }) => [a.lot, a.quantity])).toEqual([
      ['SUT-B', 20],
      ['SUT-A', 10],
    ]);

    const quarantined = await maker.call('POST', `/api/v1/orders/${order.id}/picks`, { as: 'warehouse', body: { scan: `(01)${SUTURES}(10)SUT-C`, quantity: 5 } });
    expect(quarantined.status).toBe(409);
    expect(await readProblem(quarantined)).toMatchObject({ type: P + 'scan-lot-not-released', field: 'scan' });

    await ok(await maker.call('POST', `/api/v1/orders/${order.id}/picks`, { as: 'warehouse', body: { scan: `(01)${SUTURES}(10)SUT-B`, quantity: 20 } }), 201, 'pick B');
    await ok(await maker.call('POST', `/api/v1/orders/${order.id}/picks`, { as: 'warehouse', body: { scan: `(01)${SUTURES}(10)SUT-A`, quantity: 10 } }), 201, 'pick A');
    const { shipment } = await ok(await maker.call('POST', `/api/v1/orders/${order.id}/shipments`, { as: 'warehouse' }), 201, 'shipment');
    shipmentId = shipment.id;

    const shipping = await ledgerEvent(maker, shipment.ledgerSeq);
    expect(shipping).toMatchObject({ bizStep: 'shipping', disposition: 'in_transit' });
    expect(shipping.epcList).toBeUndefined();
    expect([...shipping.quantityList].sort((a: { epcClass: string }, b: { epcClass: string }) => a.epcClass.localeCompare(b.epcClass))).toEqual([
      { epcClass: lotUri(SUTURES, 'SUT-A'), quantity: 10, uom: 'EA' },
      { epcClass: lotUri(SUTURES, 'SUT-B'), quantity: 20, uom: 'EA' },
    ]);
    expect(await stockOf('SUT-A')).toEqual([{ bin: 'MAIN/STOCK', zone: 'qualified', state: 'on_hand', quantity: 490 }]);
    expect(await stockOf('SUT-B')).toEqual([]);
    expect(await stockOf('SUT-C')).toEqual([{ bin: 'MAIN/QUARANTINE', zone: 'quarantine', state: 'on_hand', quantity: 50 }]);
  });

  test("the notice reaches the distributor's node and its lines verify ok on the maker's lot-level commissioning and release", async () => {
    await maker.anchorAll();
    await maker.db.sql`update peer_outbox set next_attempt_at = now() where kind = 'notice'`;
    const round = await makerOutbox.runOnce();
    expect(round.results).toMatchObject([{ kind: 'notice', ref: String(shipmentId), outcome: 'delivered', status: 201 }]);
    expect(round.results[0].response).toMatchObject({ status: 'verified', lines: [{ verdict: 'ok', reason: null }, { verdict: 'ok', reason: null }], problems: [] });
    noticeId = (round.results[0].response as { id: number }).id;

    const stored = await ok(await dist.call('GET', `/api/v1/notices/${noticeId}`, { as: 'viewer' }), 200, 'notice');
    expect(stored.status).toBe('verified');
    expect(stored.lines).toMatchObject([
      { gtin: SUTURES, lot: 'SUT-A', serial: null, quantity: 10, expiry: '2031-09-30', verdict: 'ok', reason: null, state: 'expected' },
      { gtin: SUTURES, lot: 'SUT-B', serial: null, quantity: 20, expiry: '2030-05-31', verdict: 'ok', reason: null, state: 'expected' },
    ]);

    // The pedigree carries the maker's commissioning and release of each lot, each anchored and verifiable.
    const [row] = await dist.db.sql<{ notice: ShipmentNotice }[]>`select notice from inbound_notices where id = ${noticeId}`;
    const pedigree = row.notice.pedigree;
    const steps = pedigree.map((b) => [b.envelope.event.bizStep, (b.envelope.event.quantityList as { epcClass: string; quantity?: number }[])[0]]);
    expect(steps).toEqual(
      expect.arrayContaining([
        ['commissioning', { epcClass: lotUri(SUTURES, 'SUT-A'), quantity: 500, uom: 'EA' }],
        ['commissioning', { epcClass: lotUri(SUTURES, 'SUT-B'), quantity: 20, uom: 'EA' }],
        ['urn:medtrace:bizstep:releasing', { epcClass: lotUri(SUTURES, 'SUT-A'), quantity: 500, uom: 'EA' }],
        ['urn:medtrace:bizstep:releasing', { epcClass: lotUri(SUTURES, 'SUT-B'), quantity: 20, uom: 'EA' }],
      ]),
    );
    expect(pedigree).toHaveLength(4);
    for (const bundle of pedigree) {
      expect(bundle.units).toEqual([]);
      expect(bundle.envelope.participant).toBe(maker.ctx.participant.toLowerCase());
      await verifyBundle(bundle, { provider: maker.ctx.chain.provider });
    }
  });

  test("a line is blocked without the maker's lot-level commissioning of its lot, or without its release", async () => {
    const [row] = await dist.db.sql<{ notice: ShipmentNotice }[]>`select notice from inbound_notices where id = ${noticeId}`;
    const notice = row.notice;
    const isCommissioningOf = (lot: string) => (b: (typeof notice.pedigree)[number]) =>
      b.envelope.event.bizStep === 'commissioning' && (b.envelope.event.quantityList ?? []).some((q) => q.epcClass === lotUri(SUTURES, lot));

    // SUT-A's commissioning still names only SUT-A: it is no evidence for SUT-B.
    const noCommissioning = structuredClone(notice);
    noCommissioning.pedigree = notice.pedigree.filter((b) => !isCommissioningOf('SUT-B')(b));
    expect(noCommissioning.pedigree).toHaveLength(3);
    expect((await checkNotice(dist.ctx, noCommissioning)).lines).toEqual([
      { verdict: 'ok', reason: null },
      { verdict: 'blocked', reason: 'no-commissioning-evidence' },
    ]);

    const noRelease = structuredClone(notice);
    noRelease.pedigree = notice.pedigree.filter((b) => b.envelope.event.bizStep !== 'urn:medtrace:bizstep:releasing');
    expect((await checkNotice(dist.ctx, noRelease)).lines).toEqual([
      { verdict: 'blocked', reason: 'no-release-evidence' },
      { verdict: 'blocked', reason: 'no-release-evidence' },
    ]);
  });

  test('a notice of more than the owner commissioned of a lot is refused, even when a shipping event of the sender says so', async () => {
    // The maker's own ledger claims a shipment of 25 of SUT-B, of which it commissioned 20.
    const ghostShipment = 9_999;
    const seq = await maker.db.sql.begin(async (tx) => {
      const appended = await appendEvent(tx, { participant: maker.ctx.participant, chainId: maker.ctx.chainId }, {
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        eventTime: new Date().toISOString(),
        eventTimeZoneOffset: '+08:00',
        quantityList: [{ epcClass: lotUri(SUTURES, 'SUT-B'), quantity: 25, uom: 'EA' }],
        bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:medtrace:shipment:${ghostShipment}` }],
      });
      return appended.seq;
    });
    await maker.anchorAll();
    const [row] = await dist.db.sql<{ notice: ShipmentNotice }[]>`select notice from inbound_notices where id = ${noticeId}`;
    const notice: ShipmentNotice = {
      ...row.notice,
      shipmentId: ghostShipment,
      lines: [{ gtin: SUTURES, lot: 'SUT-B', quantity: 25, expiry: '2030-05-31' }],
      shipping: (await buildBundle(maker.db.sql, maker.ctx.chain, seq))!,
    };
    const check = await checkNotice(dist.ctx, notice);
    expect(check.lines).toEqual([{ verdict: 'blocked', reason: 'quantity-mismatch' }]);
    expect(check.problems[0].detail).toMatch(/lists 25 of lot SUT-B .* its owner commissioned 20/);
  });
});
