// A supply chain of in-process nodes on one shared chain, over real HTTP, for
// the receiving, reconciliation and trace tests: a maker (prefix 9506000) with
// a released serialised lot, a distributor and a hospital, each linked to the
// next as customer and to the previous as supplier (partners.participant), and
// helpers to ship through the API, deliver the peer outbox and receive.
import { toDigitalLink } from '../../sdk';
import { startOutbox, type Outbox } from '../../node/network/outbox';
import { STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { seedCustomer, seedProduct } from '../erp/ordersSeed';

export const GTIN = '09506000134352';
export const LOT = 'M1';
export const EXPIRY = '2031-06-30';

export interface Node {
  app: TestApp;
  outbox: Outbox;
}

export interface SupplyChain {
  chain: TestChain;
  maker: Node;
  dist: Node;
  hospital?: Node;
  /** Customer ids: the distributor at the maker, the hospital at the distributor. */
  customers: { distAtMaker: number; hospitalAtDist?: number };
  close(): Promise<void>;
}

export async function ok(res: Response, status: number, what: string): Promise<any> {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${await res.text()}`);
  return res.json();
}

async function linkPartner(app: TestApp, code: string, other: TestApp, as: 'customer' | 'supplier'): Promise<number> {
  if (as === 'customer') {
    const id = await seedCustomer(app, code);
    await app.db.sql`update partners set participant = ${other.ctx.participant}, name = ${`Customer ${code}`} where id = ${id}`;
    return id;
  }
  const [row] = await app.db.sql<{ id: string }[]>`
    insert into partners (code, name, is_supplier, participant) values (${code}, ${`Supplier ${code}`}, true, ${other.ctx.participant}) returning id`;
  await app.db.sql`insert into partner_certificates (partner_id, kind, number, valid_until) values (${row.id}, 'iso_13485', ${`ISO-${code}`}, '2099-12-31')`;
  return Number(row.id);
}

/** Commissions, finally inspects and releases (QA signature) a lot at `app`. */
export async function makeReleasedLot(app: TestApp, gtin: string, lot: string, expiry: string, serials: string[]): Promise<void> {
  await ok(await app.call('POST', '/api/v1/lots', { as: 'warehouse', body: { gtin, lot, productionDate: '2026-01-05', expiry, serials } }), 201, 'commission');
  await ok(await app.call('POST', `/api/v1/lots/${gtin}/${lot}/inspections`, { as: 'qa', body: { kind: 'final', result: 'pass', method: 'final release test' } }), 201, 'inspection');
  await release(app, gtin, lot);
}

export async function release(app: TestApp, gtin: string, lot: string): Promise<void> {
  await ok(
    await app.call('POST', `/api/v1/lots/${gtin}/${lot}/release`, { as: 'qa', body: { signature: { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' } } }),
    200,
    'release',
  );
}

/** An incoming inspection and release of a received lot. */
export async function inspectAndRelease(app: TestApp, gtin: string, lot: string): Promise<void> {
  await ok(await app.call('POST', `/api/v1/lots/${gtin}/${lot}/inspections`, { as: 'qa', body: { kind: 'incoming', result: 'pass', method: 'incoming check' } }), 201, 'incoming inspection');
  await release(app, gtin, lot);
}

export async function startSupplyChain(options: { hospital?: boolean; serials: string[] }): Promise<SupplyChain> {
  const chain = await startTestChain();
  const apps: TestApp[] = [];
  const outboxes: Outbox[] = [];
  const node = async (prefix: string, name: string, role: string): Promise<Node> => {
    const app = await startTestApp({ chain, listen: true, gs1CompanyPrefix: prefix, env: { PARTICIPANT_NAME: name, PARTICIPANT_ROLE: role } });
    apps.push(app);
    const outbox = startOutbox(app.ctx, { autoStart: false, baseBackoffMs: 60_000 });
    outboxes.push(outbox);
    return { app, outbox };
  };
  const close = async () => {
    for (const outbox of outboxes) await outbox.stop();
    for (const app of apps.reverse()) await app.close();
    await chain.stop();
  };
  try {
    const maker = await node('9506000', 'Maker', 'manufacturer');
    const dist = await node('9507000', 'Distributor', 'distributor');
    const hospital = options.hospital ? await node('9508000', 'Hospital', 'hospital') : undefined;
    await seedProduct(maker.app, GTIN);
    await makeReleasedLot(maker.app, GTIN, LOT, EXPIRY, options.serials);
    const distAtMaker = await linkPartner(maker.app, 'DIST', dist.app, 'customer');
    await linkPartner(dist.app, 'MAKER', maker.app, 'supplier');
    await seedProduct(dist.app, GTIN);
    let hospitalAtDist: number | undefined;
    if (hospital) {
      hospitalAtDist = await linkPartner(dist.app, 'HOSP', hospital.app, 'customer');
      await linkPartner(hospital.app, 'DIST', dist.app, 'supplier');
      await seedProduct(hospital.app, GTIN);
    }
    return { chain, maker, dist, hospital, customers: { distAtMaker, hospitalAtDist }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Order → FEFO allocation → scan-verified picks → shipment, through the API. */
export async function ship(app: TestApp, customerId: number, quantity: number, gtin = GTIN): Promise<{ id: number; ledgerSeq: number; lines: { lot: string; serial: string | null }[] }> {
  const order = await ok(await app.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId, currency: 'EUR', lines: [{ gtin, quantity, unitPrice: '10.00' }] } }), 201, 'order');
  const allocation = await ok(await app.call('POST', `/api/v1/orders/${order.id}/allocations`, { as: 'warehouse' }), 200, 'allocation');
  for (const unit of allocation.lines[0].allocated as { lot: string; serial: string }[]) {
    await ok(await app.call('POST', `/api/v1/orders/${order.id}/picks`, { as: 'warehouse', body: { scan: toDigitalLink({ gtin, lot: unit.lot, serial: unit.serial }) } }), 201, `pick ${unit.serial}`);
  }
  const { shipment } = await ok(await app.call('POST', `/api/v1/orders/${order.id}/shipments`, { as: 'warehouse' }), 201, 'shipment');
  return shipment;
}

/** Anchors the sender's ledger and runs its outbox until nothing is due; returns the delivery results. */
export async function deliver(from: Node) {
  await from.app.anchorAll();
  await from.app.db.sql`update peer_outbox set next_attempt_at = now() where delivered_at is null`;
  const round = await from.outbox.runOnce();
  return round.results;
}

/** The receiver's notice id for the sender's shipment. */
export async function noticeIdOf(receiver: TestApp, sender: TestApp, shipmentId: number): Promise<number> {
  const [row] = await receiver.db.sql<{ id: string }[]>`
    select id from inbound_notices where sender = ${sender.ctx.participant} and sender_shipment_id = ${shipmentId}`;
  if (!row) throw new Error(`no notice of shipment ${shipmentId}`);
  return Number(row.id);
}

/** Ships `quantity` units from `from` to its customer and delivers the notice; returns the shipment and the receiver's notice id. */
export async function shipAndNotify(from: Node, to: Node, customerId: number, quantity: number) {
  const shipment = await ship(from.app, customerId, quantity);
  const results = await deliver(from);
  const delivered = results.find((r) => r.kind === 'notice' && r.ref === String(shipment.id));
  if (delivered?.outcome !== 'delivered') throw new Error(`notice of shipment ${shipment.id}: ${JSON.stringify(results)}`);
  return { shipment, noticeId: await noticeIdOf(to.app, from.app, shipment.id) };
}

export const scanOf = (serial: string, lot = LOT, gtin = GTIN) => toDigitalLink({ gtin, lot, serial });
