// Receiving against evidence, over real HTTP on one shared chain: the maker
// ships to the distributor, the notice arrives, and the distributor scans the
// goods in. The evidence is checked again at receipt time; ok lines are booked
// into quarantine with a receiving event naming the maker's shipping event;
// a scan the notice does not name, a line whose evidence no longer verifies and
// on close a line never received become reconciliation items for the maker.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventLeaf, lotUri, toElementString, toHex, unitUri } from '../../sdk';
import { readProblem } from '../support/app';
import { EXPIRY, GTIN, LOT, ok, scanOf, shipAndNotify, startSupplyChain, type SupplyChain } from './supplyChain';

const SERIALS = ['M1-001', 'M1-002', 'M1-003', 'M1-004', 'M1-005', 'M1-006', 'M1-007', 'M1-008', 'M1-009', 'M1-010'];

let sc: SupplyChain;

beforeAll(async () => {
  sc = await startSupplyChain({ serials: SERIALS });
}, 240_000);

afterAll(async () => {
  await sc?.close();
});

describe('receiving a shipment against its notice', () => {
  let noticeId: number;
  let shipped: string[];
  let shipmentId: number;
  let shippingSeq: number;

  test('ok lines are booked into quarantine with one receiving event naming the sender\'s shipping event', async () => {
    const { maker, dist } = sc;
    const sent = await shipAndNotify(maker, dist, sc.customers.distAtMaker, 3);
    noticeId = sent.noticeId;
    shipmentId = sent.shipment.id;
    shippingSeq = sent.shipment.ledgerSeq;
    shipped = sent.shipment.lines.map((l) => l.serial!).sort();
    const notShipped = SERIALS.find((s) => !shipped.includes(s))!;

    const res = await dist.app.call('POST', `/api/v1/notices/${noticeId}/receipts`, {
      as: 'warehouse',
      // Two of the three shipped units (one as a bracketed element string), one the notice does not name, one twice.
      body: { scans: [scanOf(shipped[0]), toElementString({ gtin: GTIN, lot: LOT, serial: shipped[1] }), scanOf(shipped[0]), scanOf(notShipped)] },
    });
    const receipt = await ok(res, 201, 'receipt');
    expect(receipt).toMatchObject({ noticeId, sender: maker.app.ctx.participant, shipmentRef: `urn:medtrace:shipment:${maker.app.ctx.participant}:${shipmentId}`, closed: false });
    expect(receipt.lines.map((l: any) => [l.serial, l.outcome])).toEqual([
      [shipped[0], 'booked'],
      [shipped[1], 'booked'],
    ]);
    expect(receipt.unmatched).toMatchObject([{ gtin: GTIN, serial: notShipped, reason: 'unit-not-in-notice' }]);
    expect(receipt.reconciliation).toMatchObject([{ role: 'receiver', counterpart: maker.app.ctx.participant, serial: notShipped, expected: 0, received: 1, reason: 'unit-not-in-notice', status: 'open' }]);

    // Stock: the lot is new here, quarantined, received from the maker's supplier record; the units in quarantine.
    const [lot] = await dist.app.db.sql`
      select l.status, l.origin, l.expiry::text as expiry, l.production_date::text as production_date, p.code
      from lots l join partners p on p.id = l.supplier_id where l.gtin = ${GTIN} and l.lot = ${LOT}`;
    expect(lot).toMatchObject({ status: 'quarantined', origin: 'received', expiry: EXPIRY, production_date: '2026-01-05', code: 'MAKER' });
    const units = await dist.app.db.sql`
      select u.serial, u.state, b.zone from units u join bins b on b.id = u.bin_id where u.gtin = ${GTIN} order by u.serial`;
    expect(units.map((u) => [u.serial, u.state, u.zone])).toEqual([
      [shipped[0], 'on_hand', 'quarantine'],
      [shipped[1], 'on_hand', 'quarantine'],
    ]);

    // The receiving event.
    const [row] = await dist.app.db.sql`select envelope from ledger_events where participant = ${dist.app.ctx.participant} and seq = ${receipt.ledgerSeq}`;
    const event = row.envelope.event;
    const [sender] = await maker.app.db.sql`select envelope, salt from ledger_events where participant = ${maker.app.ctx.participant} and seq = ${shippingSeq}`;
    expect(event).toMatchObject({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'sellable_not_accessible',
      epcList: { count: 2 },
      bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:medtrace:shipment:${maker.app.ctx.participant}:${shipmentId}` }],
      'medtrace:lots': [{ epcClass: lotUri(GTIN, LOT), quantity: 2, uom: 'EA' }],
      'medtrace:senderEvent': { participant: maker.app.ctx.participant, seq: shippingSeq, leaf: toHex(eventLeaf(sender.envelope, sender.salt)) },
    });
    const [set] = await dist.app.db.sql`select uris from ledger_unit_sets where participant = ${dist.app.ctx.participant} and seq = ${receipt.ledgerSeq}`;
    expect([...set.uris].sort()).toEqual([unitUri(GTIN, shipped[0]), unitUri(GTIN, shipped[1])].sort());
    const [moves] = await dist.app.db.sql`select count(*)::int as n from stock_moves where ref_type = 'inbound_receipt' and ledger_seq = ${receipt.ledgerSeq}`;
    expect(moves.n).toBe(2);

    // The notice lines record it; the unmatched scan is queued for the maker.
    const notice = await ok(await dist.app.call('GET', `/api/v1/notices/${noticeId}`, { as: 'viewer' }), 200, 'notice');
    expect(notice.lines.map((l: any) => [l.serial, l.state, l.receivedQuantity])).toEqual(
      shipped.map((s) => [s, s === shipped[2] ? 'expected' : 'received', s === shipped[2] ? 0 : 1]),
    );
    const [queued] = await dist.app.db.sql`select target, path, payload from peer_outbox where kind = 'reconciliation'`;
    expect(queued).toMatchObject({ target: maker.app.ctx.participant, path: '/peer/v1/reconciliation', payload: { type: 'items', shipmentId, items: [{ serial: notShipped, reason: 'unit-not-in-notice' }] } });
    const [audit] = await dist.app.db.sql`select actor, action, ledger_seq from audit_trail where entity = 'inbound_receipt'`;
    expect(audit).toMatchObject({ actor: 'warehouse', action: 'inbound_receipt.create' });
  });

  test('scanning a received unit again books nothing twice', async () => {
    const receipt = await ok(await sc.dist.app.call('POST', `/api/v1/notices/${noticeId}/receipts`, { as: 'warehouse', body: { scans: [scanOf(shipped[0])] } }), 201, 'again');
    expect(receipt.lines).toMatchObject([{ serial: shipped[0], outcome: 'already-received' }]);
    expect(receipt.ledgerSeq).toBeNull();
    expect(await sc.dist.app.count('units')).toBe(2);
  });

  test('closing: the line never scanned becomes a not-received item; nothing more is received against the notice', async () => {
    const { dist, maker } = sc;
    const receipt = await ok(await dist.app.call('POST', `/api/v1/notices/${noticeId}/receipts`, { as: 'warehouse', body: { scans: [], close: true } }), 201, 'close');
    expect(receipt).toMatchObject({ closed: true, ledgerSeq: null, lines: [{ serial: shipped[2], outcome: 'not-received', reason: 'not-received' }] });
    expect(receipt.reconciliation).toMatchObject([{ serial: shipped[2], expected: 1, received: 0, reason: 'not-received', counterpart: maker.app.ctx.participant }]);
    const refused = await dist.app.call('POST', `/api/v1/notices/${noticeId}/receipts`, { as: 'warehouse', body: { scans: [scanOf(shipped[2])] } });
    expect(refused.status).toBe(409);
    expect(await readProblem(refused)).toMatchObject({ type: 'https://medtrace.dev/problems/notice-closed', field: 'id' });
  });

  test('a line whose evidence no longer verifies at receipt time is blocked with the reason and listed', async () => {
    const { maker, dist } = sc;
    const sent = await shipAndNotify(maker, dist, sc.customers.distAtMaker, 2);
    const before = await ok(await dist.app.call('GET', `/api/v1/notices/${sent.noticeId}`, { as: 'viewer' }), 200, 'notice');
    expect(before.lines.every((l: any) => l.verdict === 'ok')).toBe(true);
    // The stored shipping bundle altered after arrival (one hex digit of the salt): the re-check catches it.
    await dist.app.db.sql`
      update inbound_notices set notice = jsonb_set(notice, '{shipping,salt}', to_jsonb(overlay(notice #>> '{shipping,salt}' placing (case when substr(notice #>> '{shipping,salt}', 3, 1) = 'a' then 'b' else 'a' end) from 3 for 1)))
      where id = ${sent.noticeId}`;
    const serials = sent.shipment.lines.map((l) => l.serial!);
    const receipt = await ok(await dist.app.call('POST', `/api/v1/notices/${sent.noticeId}/receipts`, { as: 'warehouse', body: { scans: serials.map((s) => scanOf(s)) } }), 201, 'receipt');
    expect(receipt.ledgerSeq).toBeNull();
    for (const line of receipt.lines) expect(line).toMatchObject({ outcome: 'blocked', reason: expect.stringMatching(/^proof-failed:/) });
    expect(receipt.reconciliation).toHaveLength(2);
    expect(receipt.reconciliation[0]).toMatchObject({ expected: 1, received: 1, reason: expect.stringMatching(/^proof-failed:/) });
    const [units] = await dist.app.db.sql`select count(*)::int as n from units where serial = any(${serials})`;
    expect(units.n).toBe(0);
    const after = await ok(await dist.app.call('GET', `/api/v1/notices/${sent.noticeId}`, { as: 'viewer' }), 200, 'notice');
    expect(after.lines.every((l: any) => l.state === 'blocked' && l.verdict === 'blocked')).toBe(true);
  });

  test('no supplier partner linked to the sender: 409 supplier-unknown naming the sender, nothing written', async () => {
    const { maker, dist } = sc;
    const sent = await shipAndNotify(maker, dist, sc.customers.distAtMaker, 1);
    await dist.app.db.sql`update partners set participant = null where code = 'MAKER'`;
    try {
      const receipts = await dist.app.count('inbound_receipts');
      const res = await dist.app.call('POST', `/api/v1/notices/${sent.noticeId}/receipts`, { as: 'warehouse', body: { scans: [scanOf(sent.shipment.lines[0].serial!)] } });
      expect(res.status).toBe(409);
      expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/supplier-unknown', sender: maker.app.ctx.participant });
      expect(await dist.app.count('inbound_receipts')).toBe(receipts);
    } finally {
      await dist.app.db.sql`update partners set participant = ${maker.app.ctx.participant} where code = 'MAKER'`;
    }
    // Linked again: received.
    const receipt = await ok(await dist.app.call('POST', `/api/v1/notices/${sent.noticeId}/receipts`, { as: 'warehouse', body: { scans: [scanOf(sent.shipment.lines[0].serial!)], close: true } }), 201, 'receipt');
    expect(receipt.lines).toMatchObject([{ outcome: 'booked' }]);
    expect(receipt.reconciliation).toEqual([]);
  });

  test('refusals: unknown notice 404, malformed scan 422 naming it, a viewer 403', async () => {
    const { dist } = sc;
    expect((await dist.app.call('POST', '/api/v1/notices/999999/receipts', { as: 'warehouse', body: { scans: [] } })).status).toBe(404);
    const [any] = await dist.app.db.sql`select id from inbound_notices order by id desc limit 1`;
    const bad = await dist.app.call('POST', `/api/v1/notices/${any.id}/receipts`, { as: 'warehouse', body: { scans: ['(01)09506000134353(21)X'] } });
    expect(bad.status).toBe(422);
    expect(await readProblem(bad)).toMatchObject({ field: 'scans.0' });
    expect((await dist.app.call('POST', `/api/v1/notices/${any.id}/receipts`, { as: 'viewer', body: { scans: [] } })).status).toBe(403);
  });
});
