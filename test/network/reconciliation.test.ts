// Reconciliation between two nodes over real HTTP: the distributor's receipt
// opens items (a scan the notice does not name, a line never received); they
// reach the maker as mirrors; resolving on either side reaches the other; the
// lists filter by company, shipment and status with totals shipped vs received.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { peerFetch } from '../../node/peers';
import { readProblem } from '../support/app';
import { deliver, ok, scanOf, shipAndNotify, startSupplyChain, type SupplyChain } from './supplyChain';

const SERIALS = ['M1-001', 'M1-002', 'M1-003', 'M1-004', 'M1-005', 'M1-006'];

let sc: SupplyChain;
let shipmentId: number;
let shipmentRef: string;

beforeAll(async () => {
  sc = await startSupplyChain({ serials: SERIALS });
  const sent = await shipAndNotify(sc.maker, sc.dist, sc.customers.distAtMaker, 3);
  shipmentId = sent.shipment.id;
  shipmentRef = `urn:medtrace:shipment:${sc.maker.app.ctx.participant}:${shipmentId}`;
  const shipped = sent.shipment.lines.map((l) => l.serial!).sort();
  const stranger = SERIALS.find((s) => !shipped.includes(s))!;
  // One unit received, one the notice does not name; closed: two units never received.
  await ok(
    await sc.dist.app.call('POST', `/api/v1/notices/${sent.noticeId}/receipts`, { as: 'warehouse', body: { scans: [scanOf(shipped[0]), scanOf(stranger)], close: true } }),
    201,
    'receipt',
  );
}, 240_000);

afterAll(async () => {
  await sc?.close();
});

const list = async (app: typeof sc.maker.app, query = '') => ok(await app.call('GET', `/api/v1/reconciliation${query}`, { as: 'viewer' }), 200, 'list');

describe('reconciliation between receiver and sender', () => {
  test('the receiver lists its items with totals by company and by shipment', async () => {
    const { maker, dist } = sc;
    const page = await list(dist.app);
    expect(page.items).toHaveLength(3);
    expect(page.items.map((i: any) => i.reason).sort()).toEqual(['not-received', 'not-received', 'unit-not-in-notice']);
    expect(page.items.every((i: any) => i.role === 'receiver' && i.counterpart === maker.app.ctx.participant && i.counterpartName === 'Supplier MAKER' && i.shipmentRef === shipmentRef && i.status === 'open')).toBe(true);
    expect(page.totals.byCompany).toEqual([{ counterpart: maker.app.ctx.participant, name: 'Supplier MAKER', open: 3, resolved: 0, expected: 2, received: 1 }]);
    expect(page.totals.byShipment).toEqual([{ shipmentRef, counterpart: maker.app.ctx.participant, role: 'receiver', shipped: 3, received: 1, open: 3, resolved: 0 }]);
    // Filters: company by partner code or address, shipment, status; pagination.
    expect((await list(dist.app, '?company=MAKER')).items).toHaveLength(3);
    expect((await list(dist.app, `?company=${maker.app.ctx.participant}&status=resolved`)).items).toHaveLength(0);
    expect((await list(dist.app, '?company=NOBODY')).items).toHaveLength(0);
    expect((await list(dist.app, `?shipment=${encodeURIComponent(shipmentRef)}`)).items).toHaveLength(3);
    const first = await list(dist.app, '?limit=2');
    expect(first.items).toHaveLength(2);
    const second = await list(dist.app, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i: any) => i.id)).not.toContain(first.items[0].id);
    expect(second.items).toHaveLength(1);
  });

  test('the items reach the sender as mirrors (once, whatever the retries)', async () => {
    const { maker, dist } = sc;
    expect(await list(maker.app)).toMatchObject({ items: [] });
    const results = await deliver(dist);
    expect(results).toMatchObject([{ kind: 'reconciliation', outcome: 'delivered', status: 200 }]);
    // A resend stores nothing twice.
    await dist.app.db.sql`update peer_outbox set delivered_at = null, next_attempt_at = now() where kind = 'reconciliation'`;
    expect(await dist.outbox.runOnce()).toMatchObject({ delivered: 1 });
    const page = await list(maker.app);
    expect(page.items).toHaveLength(3);
    const receiverItems = (await list(dist.app)).items;
    for (const item of page.items) {
      const original = receiverItems.find((r: any) => r.id === item.remoteId);
      expect(item).toMatchObject({ role: 'sender', counterpart: dist.app.ctx.participant, counterpartName: 'Customer DIST', shipmentId, shipmentRef, status: 'open' });
      expect(original).toMatchObject({ serial: item.serial, reason: item.reason, expected: item.expected, received: item.received });
    }
    expect(page.totals.byShipment).toEqual([{ shipmentRef, counterpart: dist.app.ctx.participant, role: 'sender', shipped: 3, received: 1, open: 3, resolved: 0 }]);
    expect((await list(maker.app, `?shipment=${shipmentId}`)).items).toHaveLength(3);
  });

  test('resolving at the sender reaches the receiver; resolving at the receiver reaches the sender', async () => {
    const { maker, dist } = sc;
    const atMaker = (await list(maker.app, '?status=open')).items;
    const first = atMaker.find((i: any) => i.reason === 'not-received');
    const resolved = await ok(
      await maker.app.call('POST', `/api/v1/reconciliation/${first.id}/resolve`, { as: 'sales', body: { resolution: 'credit-note', note: 'lost in transit' } }),
      200,
      'resolve',
    );
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'credit-note', note: 'lost in transit', resolvedBy: 'sales' });
    expect(await deliver(maker)).toMatchObject([{ kind: 'reconciliation-resolution', outcome: 'delivered', status: 200 }]);
    const mirrored = (await list(dist.app)).items.find((i: any) => i.id === first.remoteId);
    expect(mirrored).toMatchObject({ status: 'resolved', resolution: 'credit-note', note: 'lost in transit', resolvedBy: `sales@${maker.app.ctx.participant}`, remoteId: first.id });

    // The other way.
    const stranger = (await list(dist.app, '?status=open')).items.find((i: any) => i.reason === 'unit-not-in-notice');
    await ok(await dist.app.call('POST', `/api/v1/reconciliation/${stranger.id}/resolve`, { as: 'warehouse', body: { resolution: 'returned-to-sender' } }), 200, 'resolve');
    expect(await deliver(dist)).toMatchObject([{ kind: 'reconciliation-resolution', outcome: 'delivered' }]);
    const back = (await list(maker.app)).items.find((i: any) => i.remoteId === stranger.id);
    expect(back).toMatchObject({ status: 'resolved', resolution: 'returned-to-sender', resolvedBy: `warehouse@${dist.app.ctx.participant}` });

    const totals = (await list(maker.app)).totals;
    expect(totals.byCompany).toEqual([{ counterpart: dist.app.ctx.participant, name: 'Customer DIST', open: 1, resolved: 2, expected: 2, received: 1 }]);
    const [audit] = await dist.app.db.sql`select actor from audit_trail where action = 'reconciliation.resolve' and actor like 'peer:%'`;
    expect(audit.actor).toBe(`peer:${maker.app.ctx.participant}`);
  });

  test('refusals: resolving twice 409, unknown 404, a viewer 403; a peer that is not the customer 403', async () => {
    const { maker, dist } = sc;
    const resolvedItem = (await list(maker.app, '?status=resolved')).items[0];
    const twice = await maker.app.call('POST', `/api/v1/reconciliation/${resolvedItem.id}/resolve`, { as: 'sales', body: { resolution: 'again' } });
    expect(twice.status).toBe(409);
    expect(await readProblem(twice)).toMatchObject({ type: 'https://medtrace.dev/problems/item-resolved', field: 'id' });
    expect((await maker.app.call('POST', '/api/v1/reconciliation/999999/resolve', { as: 'sales', body: { resolution: 'x' } })).status).toBe(404);
    expect((await maker.app.call('POST', `/api/v1/reconciliation/${resolvedItem.id}/resolve`, { as: 'viewer', body: { resolution: 'x' } })).status).toBe(403);
    expect((await maker.app.call('POST', `/api/v1/reconciliation/${resolvedItem.id}/resolve`, { as: 'qa', body: { resolution: 'x' } })).status).toBe(403);

    // The maker claiming items about a shipment of the distributor's that was never shipped to it.
    const forged = await peerFetch(maker.app.ctx, dist.app.ctx.participant, '/peer/v1/reconciliation', {
      method: 'POST',
      body: { type: 'items', shipmentId: 1, shipmentRef: 'urn:medtrace:shipment:x:1', items: [{ id: 1, gtin: '09506000134352', lot: 'M1', serial: 'X', expected: 1, received: 0, reason: 'not-received' }] },
    });
    expect(forged.status).toBe(403);
    expect(await readProblem(forged)).toMatchObject({ type: 'https://medtrace.dev/problems/not-your-shipment' });
    // A resolution naming an item that is not there: 409, so the sender retries later.
    const unknown = await peerFetch(maker.app.ctx, dist.app.ctx.participant, '/peer/v1/reconciliation', {
      method: 'POST',
      body: { type: 'resolution', id: 424242, remoteId: null, resolution: 'x', note: null, resolvedBy: 'sales', resolvedAt: new Date().toISOString() },
    });
    expect(unknown.status).toBe(409);
    // A staff token is not a peer token.
    expect((await dist.app.call('POST', '/peer/v1/reconciliation', { body: { type: 'items' } })).status).toBe(401);
  });
});
