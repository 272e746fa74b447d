// Shipment notices (ASN) with pedigree between nodes, over real HTTP on one
// shared chain: the maker ships to a distributor; the notice is queued in the
// shipping transaction, built once the shipping event is anchored, delivered
// by the outbox (once, whatever the retries) and verified line by line by the
// receiver. The distributor ships on to a hospital with the pedigree it got.
// Refused: a tampered bundle (proof-failed), a unit the sender never received,
// an expired lot, a recalled lot.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri, unitUri, verifyBundle } from '../../sdk';
import type { ProofBundle } from '../../sdk';
import { sendAndWait } from '../../node/chain/transactions';
import { appendEvent } from '../../node/ledger/append';
import { buildBundle } from '../../node/ledger/bundles';
import { checkNotice } from '../../node/network/checkNotice';
import { pedigreeOf } from '../../node/network/evidence';
import { buildNotice, type ShipmentNotice } from '../../node/network/notice';
import { enqueuePeerMessage, startOutbox, type Outbox } from '../../node/network/outbox';
import { peerFetch } from '../../node/peers';
import { readProblem, STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { ok, ship } from './supplyChain';
import { LOT_GTIN, seedCustomer, seedLotStock, seedProduct } from '../erp/ordersSeed';

const GTIN = '09506000134352';
const LOT = 'M1';
const EXPIRY = '2031-06-30';
const SERIALS = ['M1-001', 'M1-002', 'M1-003', 'M1-004', 'M1-005', 'M1-006'];

let chain: TestChain;
let maker: TestApp;
let dist: TestApp;
let hospital: TestApp;
let makerOutbox: Outbox;
let distOutbox: Outbox;
/** The maker's customer records of the distributor and the distributor's of the hospital. */
let distAtMaker: number;
let hospitalAtDist: number;

/** A customer partner of `app` linked to the node of `customer`. */
async function linkedCustomer(app: TestApp, code: string, customer: TestApp): Promise<number> {
  const id = await seedCustomer(app, code);
  await app.db.sql`update partners set participant = ${customer.ctx.participant} where id = ${id}`;
  return id;
}

async function outboxRow(app: TestApp, kind: string, ref: string) {
  const [row] = await app.db.sql<{ id: string; target: string; payload: ShipmentNotice | null; attempts: number; delivered_at: Date | null; last_error: string | null; next_attempt_at: Date; response: any }[]>`
    select id, target, payload, attempts, delivered_at, last_error, next_attempt_at, response from peer_outbox where kind = ${kind} and ref = ${ref}`;
  return row;
}

beforeAll(async () => {
  chain = await startTestChain();
  maker = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9506000', env: { PARTICIPANT_NAME: 'Maker', PARTICIPANT_ROLE: 'manufacturer' } });
  dist = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9507000', env: { PARTICIPANT_NAME: 'Distributor', PARTICIPANT_ROLE: 'distributor' } });
  hospital = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9508000', env: { PARTICIPANT_NAME: 'Hospital', PARTICIPANT_ROLE: 'hospital' } });
  makerOutbox = startOutbox(maker.ctx, { autoStart: false, baseBackoffMs: 60_000 });
  distOutbox = startOutbox(dist.ctx, { autoStart: false, baseBackoffMs: 60_000 });

  // The maker: a registered product, a lot commissioned, finally inspected and released with QA's signature.
  await seedProduct(maker, GTIN);
  await ok(await maker.call('POST', '/api/v1/lots', { as: 'warehouse', body: { gtin: GTIN, lot: LOT, productionDate: '2026-01-05', expiry: EXPIRY, serials: SERIALS } }), 201, 'commission');
  await ok(await maker.call('POST', `/api/v1/lots/${GTIN}/${LOT}/inspections`, { as: 'qa', body: { kind: 'final', result: 'pass', method: 'final release test' } }), 201, 'inspection');
  await ok(
    await maker.call('POST', `/api/v1/lots/${GTIN}/${LOT}/release`, { as: 'qa', body: { signature: { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' } } }),
    200,
    'release',
  );
  distAtMaker = await linkedCustomer(maker, 'DIST', dist);
  hospitalAtDist = await linkedCustomer(dist, 'HOSP', hospital);
  await seedProduct(dist, GTIN);
}, 240_000);

afterAll(async () => {
  await makerOutbox?.stop();
  await distOutbox?.stop();
  await hospital?.close();
  await dist?.close();
  await maker?.close();
  await chain?.stop();
});

describe('the maker ships to the distributor', () => {
  let shipmentId: number;
  let noticeId: number;

  test('shipping queues the notice in the shipping transaction; it waits for the anchor, then is delivered once', async () => {
    const shipment = await ship(maker, distAtMaker, 2);
    shipmentId = shipment.id;
    const queued = await outboxRow(maker, 'notice', String(shipmentId));
    expect(queued).toMatchObject({ target: dist.ctx.participant, payload: null, attempts: 0, delivered_at: null });

    // Not anchored yet: no bundle can exist, the notice waits (no failed attempt).
    const waiting = await makerOutbox.runOnce();
    expect(waiting.results).toMatchObject([{ kind: 'notice', ref: String(shipmentId), outcome: 'waiting' }]);
    expect((await outboxRow(maker, 'notice', String(shipmentId))).attempts).toBe(0);

    await maker.anchorAll();
    await maker.db.sql`update peer_outbox set next_attempt_at = now() where kind = 'notice'`;
    const round = await makerOutbox.runOnce();
    expect(round.results).toMatchObject([{ kind: 'notice', outcome: 'delivered', status: 201 }]);
    noticeId = (round.results[0].response as { id: number }).id;
    expect(round.results[0].response).toMatchObject({ duplicate: false, status: 'verified', lines: [{ verdict: 'ok', reason: null }, { verdict: 'ok', reason: null }], problems: [] });

    const delivered = await outboxRow(maker, 'notice', String(shipmentId));
    expect(delivered.delivered_at).not.toBeNull();
    expect(delivered.attempts).toBe(1);
    // Delivered: never sent again.
    expect((await makerOutbox.runOnce()).results).toEqual([]);
  });

  test('a resend (the sender crashed before recording the delivery) gets the same notice back, stored once', async () => {
    await maker.db.sql`update peer_outbox set delivered_at = null, next_attempt_at = now() where kind = 'notice' and ref = ${String(shipmentId)}`;
    const round = await makerOutbox.runOnce();
    expect(round.results).toMatchObject([{ outcome: 'delivered', status: 200, response: { id: noticeId, duplicate: true } }]);
    expect(await dist.count('inbound_notices')).toBe(1);
    expect(await dist.count('inbound_notice_lines')).toBe(2);
    const [audit] = await dist.db.sql`select actor, action from audit_trail where entity = 'inbound_notice'`;
    expect(audit).toMatchObject({ actor: `peer:${maker.ctx.participant}`, action: 'notice.receive' });
  });

  test('the notice: the shipping bundle discloses exactly the shipped units; the pedigree the commissioning (those units only) and the release', async () => {
    const notice = (await outboxRow(maker, 'notice', String(shipmentId))).payload!;
    const shipped = notice.lines.map((line) => unitUri(line.gtin, line.serial!));
    expect(notice).toMatchObject({ version: 1, sender: maker.ctx.participant, receiver: dist.ctx.participant, shipmentId });
    expect(notice.lines).toHaveLength(2);
    expect(notice.lines.every((line) => line.gtin === GTIN && line.lot === LOT && line.quantity === 1 && line.expiry === EXPIRY)).toBe(true);
    expect(notice.shipping.units.map((u) => u.uri).sort()).toEqual(shipped.sort());
    expect(notice.pedigree.map((b) => b.envelope.event.bizStep)).toEqual(['commissioning', 'urn:medtrace:bizstep:releasing']);
    expect(notice.pedigree[0].units.map((u) => u.uri).sort()).toEqual(shipped.sort());
    for (const bundle of [notice.shipping, ...notice.pedigree]) {
      await verifyBundle(bundle, { provider: chain.provider });
    }
  });

  test('the distributor lists and reads its notices (readNetwork)', async () => {
    const list = await ok(await dist.call('GET', '/api/v1/notices?status=verified', { as: 'viewer' }), 200, 'list');
    expect(list).toMatchObject({ items: [{ id: noticeId, sender: maker.ctx.participant, senderName: null, senderShipmentId: shipmentId, status: 'verified', lineCount: 2, blockedLines: 0, quantity: 2 }], nextCursor: null });
    expect((await ok(await dist.call('GET', '/api/v1/notices?status=failed', { as: 'viewer' }), 200, 'failed')).items).toEqual([]);
    const read = await ok(await dist.call('GET', `/api/v1/notices/${noticeId}`, { as: 'warehouse' }), 200, 'read');
    expect(read.lines).toHaveLength(2);
    expect(read.lines[0]).toMatchObject({ lineNo: 1, gtin: GTIN, lot: LOT, quantity: 1, expiry: EXPIRY, verdict: 'ok', reason: null, state: 'expected', receivedQuantity: 0 });
    expect(read.bundleCount).toBe(3);
    const missing = await dist.call('GET', '/api/v1/notices/999999', { as: 'viewer' });
    expect(missing.status).toBe(404);
  });

  test('a staff token cannot post a notice; a peer cannot post a notice in another sender\'s name', async () => {
    const staff = await dist.call('POST', '/peer/v1/notices', { body: {} });
    expect(staff.status).toBe(401);
    const notice = (await outboxRow(maker, 'notice', String(shipmentId))).payload!;
    const forged = await peerFetch(hospital.ctx, dist.ctx.participant, '/peer/v1/notices', { method: 'POST', body: notice });
    expect(forged.status).toBe(403);
    expect(await readProblem(forged)).toMatchObject({ type: 'https://medtrace.dev/problems/wrong-sender', field: 'sender' });
  });

  test('failed deliveries are retried with backoff: an unknown participant, an HTTP error', async () => {
    const nobody = '0x000000000000000000000000000000000000dead';
    await maker.db.sql.begin((tx) => enqueuePeerMessage(tx, { target: nobody, kind: 'test-message', ref: 'to-nobody', path: '/peer/v1/whoami', body: { hello: 1 } }));
    await maker.db.sql.begin((tx) => enqueuePeerMessage(tx, { target: dist.ctx.participant, kind: 'test-message', ref: 'no-route', path: '/peer/v1/no-such-route', body: { hello: 2 } }));
    // Enqueueing the same (kind, ref) again is a no-op.
    const again = await maker.db.sql.begin((tx) => enqueuePeerMessage(tx, { target: nobody, kind: 'test-message', ref: 'to-nobody', path: '/peer/v1/whoami', body: { hello: 3 } }));
    expect(again.created).toBe(false);

    const round = await makerOutbox.runOnce();
    expect(round.failed).toBe(2);
    const unknown = await outboxRow(maker, 'test-message', 'to-nobody');
    expect(unknown).toMatchObject({ attempts: 1, delivered_at: null, payload: { hello: 1 } });
    expect(unknown.last_error).toContain('unknown-participant');
    expect(unknown.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 30_000);
    const notFound = await outboxRow(maker, 'test-message', 'no-route');
    expect(notFound.last_error).toMatch(/^HTTP 404/);
    // Not due yet: the next round leaves them alone.
    expect((await makerOutbox.runOnce()).results).toEqual([]);
    // Due again: a second failed attempt doubles the delay.
    await maker.db.sql`update peer_outbox set next_attempt_at = now() where ref = 'to-nobody'`;
    await makerOutbox.runOnce();
    const second = await outboxRow(maker, 'test-message', 'to-nobody');
    expect(second.attempts).toBe(2);
    expect(second.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 90_000);
    await maker.db.sql`delete from peer_outbox where kind = 'test-message'`;
  });
});

describe('evidence that does not hold is blocked with the reason', () => {
  let notice: ShipmentNotice;
  let shipmentId: number;

  beforeAll(async () => {
    const shipment = await ship(maker, distAtMaker, 1);
    shipmentId = shipment.id;
    await maker.anchorAll();
    notice = (await buildNotice(maker.ctx, shipmentId))!;
    // This notice is sent by hand below.
    await maker.db.sql`update peer_outbox set delivered_at = now() where kind = 'notice' and ref = ${String(shipmentId)}`;
  }, 120_000);

  test('the untouched notice checks ok', async () => {
    const check = await checkNotice(dist.ctx, notice);
    expect(check).toEqual({ lines: [{ verdict: 'ok', reason: null }], problems: [] });
  });

  test('a tampered shipping bundle blocks every line with proof-failed; the notice is stored as failed', async () => {
    const tampered: ShipmentNotice = structuredClone(notice);
    tampered.shipping.envelope.event.eventTime = '2026-01-01T00:00:00.000Z';
    const res = await peerFetch(maker.ctx, dist.ctx.participant, '/peer/v1/notices', { method: 'POST', body: tampered });
    const stored = await ok(res, 201, 'tampered notice');
    expect(stored).toMatchObject({ status: 'failed', lines: [{ verdict: 'blocked', reason: 'proof-failed:INCLUSION_FAILED' }] });
    expect(stored.problems).toContainEqual(expect.objectContaining({ bundle: 'shipping', reason: 'proof-failed:INCLUSION_FAILED' }));
    const read = await ok(await dist.call('GET', `/api/v1/notices/${stored.id}`, { as: 'viewer' }), 200, 'read');
    expect(read).toMatchObject({ status: 'failed', blockedLines: 1 });
  });

  test('a tampered pedigree bundle blocks the lines it is evidence for', async () => {
    const tampered: ShipmentNotice = structuredClone(notice);
    const release = tampered.pedigree.find((b) => b.envelope.event.bizStep === 'urn:medtrace:bizstep:releasing')!;
    release.envelope.event['medtrace:lotStatus'] = { from: 'quarantined', to: 'recalled' };
    const check = await checkNotice(dist.ctx, tampered);
    expect(check.lines).toEqual([{ verdict: 'blocked', reason: 'proof-failed:INCLUSION_FAILED' }]);
  });

  test('a unit the shipping event does not name, another lot, another quantity', async () => {
    const other = structuredClone(notice);
    other.lines[0].serial = SERIALS.find((s) => s !== notice.lines[0].serial)!;
    expect((await checkNotice(dist.ctx, other)).lines).toEqual([{ verdict: 'blocked', reason: 'unit-not-shipped' }]);
    const lot = structuredClone(notice);
    lot.lines[0].lot = 'M9';
    expect((await checkNotice(dist.ctx, lot)).lines).toEqual([{ verdict: 'blocked', reason: 'wrong-lot' }]);
    const quantity = structuredClone(notice);
    quantity.lines[0].quantity = 5;
    expect((await checkNotice(dist.ctx, quantity)).lines).toEqual([{ verdict: 'blocked', reason: 'quantity-mismatch' }]);
    const noRelease = structuredClone(notice);
    noRelease.pedigree = noRelease.pedigree.filter((b) => b.envelope.event.bizStep !== 'urn:medtrace:bizstep:releasing');
    expect((await checkNotice(dist.ctx, noRelease)).lines).toEqual([{ verdict: 'blocked', reason: 'no-release-evidence' }]);
    const noOrigin = structuredClone(notice);
    noOrigin.pedigree = noOrigin.pedigree.filter((b) => b.envelope.event.bizStep !== 'commissioning');
    expect((await checkNotice(dist.ctx, noOrigin)).lines).toEqual([{ verdict: 'blocked', reason: 'no-commissioning-evidence' }]);
    const renamed = structuredClone(notice);
    renamed.shipmentId = shipmentId + 1000;
    expect((await checkNotice(dist.ctx, renamed)).lines).toEqual([{ verdict: 'blocked', reason: 'unit-not-shipped' }]);
  });

  test('an expired lot is blocked', async () => {
    const check = await checkNotice(dist.ctx, notice, { today: '2031-06-30' });
    expect(check.lines).toEqual([{ verdict: 'blocked', reason: 'lot-expired' }]);
    expect(check.problems[0].detail).toContain('2031-06-30');
  });
});

describe('the distributor ships on to the hospital', () => {
  let received: { serial: string }[];

  test('booked goods (what receiving will do) ship on with their pedigree; the hospital verifies every hand-over', async () => {
    // Book the first notice as receiving will: the lot and units in stock, a receiving event naming the maker's shipping event.
    const [first] = await dist.db.sql<{ id: string; notice: ShipmentNotice }[]>`select id, notice from inbound_notices where status = 'verified' order by id limit 1`;
    received = first.notice.lines.map((line) => ({ serial: line.serial! }));
    const shippingLeaf = (await verifyBundle(first.notice.shipping, { provider: chain.provider })).leaf;
    await dist.db.sql.begin(async (tx) => {
      await tx`
        insert into lots (gtin, lot, production_date, expiry, unit_count, created_by, status, origin)
        values (${GTIN}, ${LOT}, '2026-01-05', ${EXPIRY}, ${received.length}, 'test', 'released', 'received')`;
      for (const unit of received) {
        await tx`
          insert into units (gtin, serial, lot, bin_id, state)
          values (${GTIN}, ${unit.serial}, ${LOT}, (select id from bins where warehouse = 'MAIN' and code = 'STOCK'), 'on_hand')`;
      }
      await appendEvent(tx, { participant: dist.ctx.participant, chainId: dist.ctx.chainId }, {
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'receiving',
        disposition: 'sellable_not_accessible',
        eventTime: new Date().toISOString(),
        eventTimeZoneOffset: '+08:00',
        epcList: received.map((unit) => unitUri(GTIN, unit.serial)),
        'medtrace:senderEvent': { participant: maker.ctx.participant, seq: first.notice.shipping.envelope.seq, leaf: shippingLeaf },
      });
      await tx`update inbound_notice_lines set state = 'received', received_quantity = quantity where notice_id = ${first.id}`;
    });
    const pedigree = await pedigreeOf(dist.db.sql, { gtin: GTIN, lot: LOT, serial: received[0].serial });
    expect(pedigree.map((b) => b.envelope.event.bizStep)).toEqual(['shipping', 'commissioning', 'urn:medtrace:bizstep:releasing']);
    expect(pedigree[0].units.map((u) => u.uri)).toEqual([unitUri(GTIN, received[0].serial)]);

    const shipment = await ship(dist, hospitalAtDist, 1);
    await dist.anchorAll();
    const round = await distOutbox.runOnce();
    expect(round.results).toMatchObject([{ kind: 'notice', ref: String(shipment.id), outcome: 'delivered', status: 201 }]);
    expect(round.results[0].response).toMatchObject({ status: 'verified', lines: [{ verdict: 'ok', reason: null }] });

    const sent = (await outboxRow(dist, 'notice', String(shipment.id))).payload!;
    const shippedUri = unitUri(GTIN, sent.lines[0].serial!);
    // Upstream shipping, commissioning and release as received (only this unit disclosed), then the distributor's receiving.
    expect(sent.pedigree.map((b) => `${b.envelope.participant === maker.ctx.participant ? 'maker' : 'dist'} ${b.envelope.event.bizStep}`)).toEqual([
      'maker shipping',
      'maker commissioning',
      'maker urn:medtrace:bizstep:releasing',
      'dist receiving',
    ]);
    for (const bundle of sent.pedigree) expect(bundle.units.map((u) => u.uri).every((uri) => uri === shippedUri)).toBe(true);
  });

  test('a unit the distributor never received, named in a notice to the hospital, is blocked: unit-not-received-by-sender', async () => {
    // The distributor records a shipping event of a maker's unit it never received and sends a notice with the maker's public evidence.
    const stranger = SERIALS.find((serial) => !received.some((unit) => unit.serial === serial))!;
    const uri = unitUri(GTIN, stranger);
    const fakeShipmentId = 777_001;
    const { seq } = await dist.db.sql.begin((tx) =>
      appendEvent(tx, { participant: dist.ctx.participant, chainId: dist.ctx.chainId }, {
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        eventTime: new Date().toISOString(),
        eventTimeZoneOffset: '+08:00',
        epcList: [uri],
        bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:medtrace:shipment:${fakeShipmentId}` }],
        'medtrace:lots': [{ epcClass: `https://id.gs1.org/01/${GTIN}/10/${LOT}`, quantity: 1, uom: 'EA' }],
      }),
    );
    await dist.anchorAll();
    const [commissioningSeq] = await maker.db.sql<{ commissioning_seq: string }[]>`select commissioning_seq from lots where gtin = ${GTIN} and lot = ${LOT}`;
    const [releaseSeq] = await maker.db.sql<{ ledger_seq: string }[]>`select ledger_seq from lot_status_changes where gtin = ${GTIN} and lot = ${LOT} and to_status = 'released'`;
    const notice: ShipmentNotice = {
      version: 1,
      sender: dist.ctx.participant,
      receiver: hospital.ctx.participant,
      shipmentId: fakeShipmentId,
      shippedAt: new Date().toISOString(),
      lines: [{ gtin: GTIN, lot: LOT, serial: stranger, quantity: 1, expiry: EXPIRY }],
      shipping: (await buildBundle(dist.db.sql, dist.ctx.chain, seq, [uri]))!,
      pedigree: [
        (await buildBundle(maker.db.sql, maker.ctx.chain, Number(commissioningSeq.commissioning_seq), [uri]))!,
        (await buildBundle(maker.db.sql, maker.ctx.chain, Number(releaseSeq.ledger_seq)))! as ProofBundle,
      ],
    };
    const res = await peerFetch(dist.ctx, hospital.ctx.participant, '/peer/v1/notices', { method: 'POST', body: notice });
    const stored = await ok(res, 201, 'notice');
    expect(stored).toMatchObject({ status: 'failed', lines: [{ verdict: 'blocked', reason: 'unit-not-received-by-sender' }] });
  });
});

describe('lot-controlled goods', () => {
  test('one line per lot with its quantity, checked against the quantityList; without a commissioning of the lot by its owner the line is blocked', async () => {
    await seedProduct(maker, LOT_GTIN, { tracking: 'lot' });
    await seedLotStock(maker, LOT_GTIN, 'B1', '2030-03-31', 100);
    const order = await ok(
      await maker.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId: distAtMaker, currency: 'EUR', lines: [{ gtin: LOT_GTIN, quantity: 7, unitPrice: '1.00' }] } }),
      201,
      'order',
    );
    await ok(await maker.call('POST', `/api/v1/orders/${order.id}/allocations`, { as: 'warehouse' }), 200, 'allocation');
    await ok(await maker.call('POST', `/api/v1/orders/${order.id}/picks`, { as: 'warehouse', body: { scan: `(01)${LOT_GTIN}(10)B1`, quantity: 7 } }), 201, 'pick');
    const { shipment } = await ok(await maker.call('POST', `/api/v1/orders/${order.id}/shipments`, { as: 'warehouse' }), 201, 'shipment');
    await maker.anchorAll();
    const notice = (await buildNotice(maker.ctx, shipment.id))!;
    await maker.db.sql`update peer_outbox set delivered_at = now() where kind = 'notice' and ref = ${String(shipment.id)}`;
    expect(notice.lines).toEqual([{ gtin: LOT_GTIN, lot: 'B1', quantity: 7, expiry: '2030-03-31' }]);
    expect(notice.shipping.units).toEqual([]);
    expect(notice.shipping.envelope.event.quantityList).toEqual([{ epcClass: lotUri(LOT_GTIN, 'B1'), quantity: 7, uom: 'EA' }]);
    // The lot was seeded without events: no commissioning, no release to show.
    expect(notice.pedigree).toEqual([]);
    expect((await checkNotice(dist.ctx, notice)).lines).toEqual([{ verdict: 'blocked', reason: 'no-commissioning-evidence' }]);
    const more = structuredClone(notice);
    more.lines[0].quantity = 8;
    expect((await checkNotice(dist.ctx, more)).lines).toEqual([{ verdict: 'blocked', reason: 'quantity-mismatch' }]);
    const otherLot = structuredClone(notice);
    otherLot.lines[0].lot = 'B2';
    expect((await checkNotice(dist.ctx, otherLot)).lines).toEqual([{ verdict: 'blocked', reason: 'wrong-lot' }]);
  });
});

describe('a recalled lot', () => {
  test('is blocked once the maker publishes the recall on RecallBoard', async () => {
    const [stored] = await dist.db.sql<{ notice: ShipmentNotice }[]>`select notice from inbound_notices where status = 'verified' order by id limit 1`;
    expect((await checkNotice(dist.ctx, stored.notice)).lines.every((line) => line.verdict === 'ok')).toBe(true);
    const board = maker.ctx.chain.contracts.recallBoard;
    await sendAndWait(maker.ctx.chain.wallet, {
      to: await board.getAddress(),
      data: board.interface.encodeFunctionData('publishRecall', [GTIN, [LOT], 2, 1, `0x${'ab'.repeat(32)}`, 'https://maker.example/recalls/1/notice']),
    });
    const check = await checkNotice(dist.ctx, stored.notice);
    expect(check.lines.map((line) => line.reason)).toEqual(stored.notice.lines.map(() => 'lot-recalled'));
  });
});
