// The whole path of a device through the participant's ERP, through HTTP on a
// real database and a real chain, as the users touch it: a purchase order to a
// qualified supplier, two lots received against it with their certificates,
// each inspected and released with QA's e-signature, an order from the
// e-commerce webhook, FEFO allocation, scan-verified picking, the shipment and
// its invoice, a return received and restocked. Then the ledger: it holds the
// matching EPCIS events in order, the anchoring worker anchors them, and each
// event's proof bundle verifies with the SDK against the chain; the audit trail
// holds who/what/why for every write, its chain verifies, and its checkpoint
// is anchored too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri, sha256, toDigitalLink, toHex, unitUri, verifyBundle } from '../../sdk';
import { appendAuditCheckpoint } from '../../node/audit/trailChain';
import { signWebhookBody } from '../../node/orders/webhook';
import { readProblem, STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';

const SECRET = 'whole-path-webhook-secret-0123456789';
const GTIN = '09506000134352';
const P = 'https://medtrace.dev/problems/';
const LATE = { lot: 'WP-LATE', supplierLot: 'ACME-LATE-1', expiry: '2031-06-30', serials: ['WL-1', 'WL-2', 'WL-3'] };
const EARLY = { lot: 'WP-EARLY', supplierLot: 'ACME-EARLY-1', expiry: '2030-03-31', serials: ['WE-1', 'WE-2', 'WE-3'] };
const coc = (lot: string) => ({
  kind: 'certificate_of_conformity',
  filename: `coc-${lot}.pdf`,
  mediaType: 'application/pdf',
  contentBase64: Buffer.from(`%PDF-1.7 certificate of conformity ${lot}`).toString('base64'),
});

let api: TestApp;
/** The ledger seqs each step recorded, in the order of the path. */
const recorded: Array<{ step: string; seq: number }> = [];

beforeAll(async () => {
  api = await startTestApp({ env: { ECOMMERCE_WEBHOOK_SECRET: SECRET } });
}, 120_000);
afterAll(async () => {
  await api?.close();
});

async function ok(res: Response, status: number, what: string): Promise<any> {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${await res.text()}`);
  return res.json();
}

async function eventAt(seq: number) {
  const [row] = await api.db.sql<{ envelope: any }[]>`select envelope from ledger_events where participant = ${api.ctx.participant} and seq = ${seq}`;
  return row.envelope.event;
}

describe('the whole path', () => {
  let supplierId: number;
  let poId: number;
  let orderId: number;
  let allocated: Array<{ lot: string; serial: string }>;

  test('master data: a registered product, a qualified supplier and a qualified customer', async () => {
    await ok(
      await api.call('POST', '/api/v1/products', {
        as: 'qa',
        body: { gtin: GTIN, name: 'Coronary stent', model: 'CS-2', deviceClass: 'III', tracking: 'serial', registrationNumber: 'REG-2026-001', registrationExpiry: '2035-12-31', standardCost: '80.00', reason: 'new device' },
      }),
      201,
      'product',
    );
    supplierId = (
      await ok(
        await api.call('POST', '/api/v1/partners', {
          body: { code: 'ACME', name: 'Acme Components', isSupplier: true, certificates: [{ kind: 'iso13485', number: 'ISO-ACME', validUntil: '2035-01-01' }], reason: 'approved supplier' },
        }),
        201,
        'supplier',
      )
    ).id;
    await ok(
      await api.call('POST', '/api/v1/partners', {
        body: { code: 'CITYHOSP', name: 'City Hospital', isCustomer: true, creditLimit: '100000.00', certificates: [{ kind: 'distribution_licence', number: 'DL-1', validUntil: '2035-01-01' }] },
      }),
      201,
      'customer',
    );
  });

  test('purchase order, then two lots received against it with their certificates, in quarantine', async () => {
    const po = await ok(
      await api.call('POST', '/api/v1/purchase-orders', { as: 'sales', body: { supplierId, expectedOn: '2026-12-01', lines: [{ gtin: GTIN, quantity: 6, unitPrice: '80.00' }] } }),
      201,
      'purchase order',
    );
    poId = po.id;
    for (const lot of [LATE, EARLY]) {
      const receipt = await ok(
        await api.call('POST', `/api/v1/purchase-orders/${poId}/receipts`, {
          as: 'warehouse',
          body: {
            lines: [{ lineNo: 1, lot: lot.lot, supplierLot: lot.supplierLot, productionDate: '2026-06-01', expiry: lot.expiry, serials: lot.serials, certificates: [coc(lot.lot)] }],
            reason: `delivery note for ${lot.lot}`,
          },
        }),
        201,
        `receipt ${lot.lot}`,
      );
      const seq = receipt.lines[0].ledgerSeq;
      recorded.push({ step: `receive ${lot.lot}`, seq });
      const event = await eventAt(seq);
      expect(event).toMatchObject({ bizStep: 'receiving', disposition: 'sellable_not_accessible' });
      expect(event['medtrace:certificates']).toEqual([{ kind: 'certificate_of_conformity', sha256: toHex(sha256(Buffer.from(coc(lot.lot).contentBase64, 'base64'))) }]);
      const read = await ok(await api.call('GET', `/api/v1/lots/${GTIN}/${lot.lot}`, { as: 'viewer' }), 200, 'lot');
      expect(read).toMatchObject({ status: 'quarantined', origin: 'received', supplierId, supplierLot: lot.supplierLot });
    }
    const read = await ok(await api.call('GET', `/api/v1/purchase-orders/${poId}`), 200, 'po');
    expect(read.lines[0]).toMatchObject({ quantity: 6, receivedQuantity: 6 });
  });

  test('nothing quarantined can be released without inspection; each lot is inspected and released with QA signature', async () => {
    const signature = { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' };
    const early = await api.call('POST', `/api/v1/lots/${GTIN}/${EARLY.lot}/release`, { as: 'qa', body: { signature } });
    expect(early.status).toBeGreaterThanOrEqual(400);
    expect((await readProblem(early)).type).toBe(`${P}lot-not-inspected`);
    for (const lot of [LATE, EARLY]) {
      const inspection = await ok(
        await api.call('POST', `/api/v1/lots/${GTIN}/${lot.lot}/inspections`, { as: 'qa', body: { kind: 'incoming', result: 'pass', method: 'AQL 1.0 visual + dimensional' } }),
        201,
        `inspection ${lot.lot}`,
      );
      recorded.push({ step: `inspect ${lot.lot}`, seq: inspection.ledgerSeq });
      const released = await ok(await api.call('POST', `/api/v1/lots/${GTIN}/${lot.lot}/release`, { as: 'qa', body: { signature } }), 200, `release ${lot.lot}`);
      expect(released.status).toBe('released');
      recorded.push({ step: `release ${lot.lot}`, seq: released.ledgerSeq });
      const event = await eventAt(released.ledgerSeq);
      expect(event).toMatchObject({ bizStep: 'urn:medtrace:bizstep:releasing', disposition: 'sellable_accessible' });
    }
  });

  test('an order arrives from the e-commerce webhook, HMAC-signed', async () => {
    const body = JSON.stringify({ orderId: 'SHOP-7001', customerCode: 'CITYHOSP', currency: 'EUR', lines: [{ gtin: GTIN, quantity: 2, unitPrice: '150.00' }] });
    const unsigned = await api.call('POST', '/webhooks/v1/orders', { as: null, body, headers: { 'x-medtrace-signature': signWebhookBody('not-the-secret-0123456789', body) } });
    expect(unsigned.status).toBe(401);
    const placed = await ok(await api.call('POST', '/webhooks/v1/orders', { as: null, body, headers: { 'x-medtrace-signature': signWebhookBody(SECRET, body) } }), 201, 'webhook');
    expect(placed).toMatchObject({ source: 'webhook', externalId: 'SHOP-7001', total: '300.00' });
    orderId = placed.id;
  });

  test('FEFO allocates the earliest-expiring released lot', async () => {
    const allocation = await ok(await api.call('POST', `/api/v1/orders/${orderId}/allocations`, { as: 'warehouse' }), 200, 'allocation');
    allocated = allocation.lines[0].allocated;
    expect(allocated.map((a) => a.lot)).toEqual([EARLY.lot, EARLY.lot]);
  });

  test('picking verifies each scan: a unit of another lot or not allocated is refused with the reason, the allocated ones are picked', async () => {
    const wrongLot = await api.call('POST', `/api/v1/orders/${orderId}/picks`, { as: 'warehouse', body: { scan: `(01)${GTIN}(10)${LATE.lot}(21)${LATE.serials[0]}` } });
    expect((await readProblem(wrongLot)).type).toBe(`${P}scan-wrong-lot`);
    const spare = EARLY.serials.find((serial) => !allocated.some((a) => a.serial === serial))!;
    const notAllocated = await api.call('POST', `/api/v1/orders/${orderId}/picks`, { as: 'warehouse', body: { scan: `(01)${GTIN}(21)${spare}` } });
    expect((await readProblem(notAllocated)).type).toBe(`${P}scan-not-allocated`);
    for (const unit of allocated) {
      await ok(
        await api.call('POST', `/api/v1/orders/${orderId}/picks`, { as: 'warehouse', body: { scan: toDigitalLink({ gtin: GTIN, lot: unit.lot, serial: unit.serial }) } }),
        201,
        `pick ${unit.serial}`,
      );
    }
  });

  test('the shipment: units shipped, a shipping event with the units, and an invoice', async () => {
    const { shipment, order } = await ok(await api.call('POST', `/api/v1/orders/${orderId}/shipments`, { as: 'warehouse' }), 201, 'shipment');
    expect(order.status).toBe('shipped');
    recorded.push({ step: 'ship', seq: shipment.ledgerSeq });
    const event = await eventAt(shipment.ledgerSeq);
    expect(event).toMatchObject({ bizStep: 'shipping', disposition: 'in_transit' });
    const invoice = await ok(await api.call('GET', `/api/v1/invoices/${shipment.invoiceId}`, { as: 'viewer' }), 200, 'invoice');
    expect(invoice).toMatchObject({ orderId, currency: 'EUR', total: '300.00' });
  });

  test('a return: authorised, received into RETURNS, inspected and restocked', async () => {
    const [customer] = await api.db.sql`select id from partners where code = 'CITYHOSP'`;
    const unit = allocated[0];
    const rma = await ok(
      await api.call('POST', '/api/v1/rmas', { as: 'sales', body: { customerId: Number(customer.id), reason: 'wrong size ordered', units: [{ gtin: GTIN, serial: unit.serial }] } }),
      201,
      'rma',
    );
    const received = await ok(await api.call('POST', `/api/v1/rmas/${rma.id}/receipts`, { as: 'warehouse' }), 201, 'rma receipt');
    recorded.push({ step: 'return received', seq: received.lines[0].receivedLedgerSeq });
    expect(await eventAt(received.lines[0].receivedLedgerSeq)).toMatchObject({ bizStep: 'receiving', disposition: 'returned' });
    const restocked = await ok(
      await api.call('POST', `/api/v1/rmas/${rma.id}/dispositions`, {
        as: 'qa',
        body: { units: [{ gtin: GTIN, serial: unit.serial, result: 'pass', disposition: 'restock' }], reason: 'sealed, undamaged' },
      }),
      201,
      'rma disposition',
    );
    recorded.push({ step: 'restock', seq: restocked.lines[0].dispositionLedgerSeq });
    expect(await eventAt(restocked.lines[0].dispositionLedgerSeq)).toMatchObject({ bizStep: 'stocking', disposition: 'sellable_accessible' });
  });

  test('the ledger holds the events in the order of the path, each anchored and verifiable with the SDK against the chain', async () => {
    const seqs = recorded.map((r) => r.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(recorded.map((r) => r.step)).toEqual([
      `receive ${LATE.lot}`,
      `receive ${EARLY.lot}`,
      `inspect ${LATE.lot}`,
      `release ${LATE.lot}`,
      `inspect ${EARLY.lot}`,
      `release ${EARLY.lot}`,
      'ship',
      'return received',
      'restock',
    ]);
    const checkpoint = await appendAuditCheckpoint(api.db.sql, { participant: api.ctx.participant, chainId: api.ctx.chainId, eventTimeZoneOffset: '+08:00' });
    expect(checkpoint).toBeDefined();
    await api.anchorAll();

    for (const { step, seq } of recorded) {
      const res = await api.call('GET', `/audit/v1/events/${seq}`);
      const { bundle } = await ok(res, 200, `bundle of ${step}`);
      const verified = await verifyBundle(bundle, { provider: api.chain.provider });
      expect(verified, step).toMatchObject({ seq, participant: api.ctx.participant, chainId: api.ctx.chainId });
    }
    // A shipped unit's disclosure proves it was in the shipping event.
    const shipSeq = recorded.find((r) => r.step === 'ship')!.seq;
    const unit = unitUri(GTIN, allocated[1].serial);
    const { bundle } = await ok(await api.call('GET', `/audit/v1/events/${shipSeq}?unit=${encodeURIComponent(unit)}`), 200, 'unit bundle');
    expect((await verifyBundle(bundle, { provider: api.chain.provider })).units).toEqual([unit]);
    const receiveEarly = await eventAt(recorded[1].seq);
    expect(JSON.stringify(receiveEarly)).toContain(lotUri(GTIN, EARLY.lot).split('/').pop()!);

    // The audit trail's checkpoint is anchored too, and the trail verifies.
    const cp = await ok(await api.call('GET', `/audit/v1/events/${checkpoint!.ledgerSeq}`), 200, 'checkpoint bundle');
    expect(cp.bundle.envelope.event['medtrace:auditCheckpoint']).toMatchObject({ chainSeq: checkpoint!.chainSeq, hash: checkpoint!.hash });
    await verifyBundle(cp.bundle, { provider: api.chain.provider });
    const verification = await ok(await api.call('GET', '/api/v1/audit-trail/verify', { as: 'qa' }), 200, 'verify');
    expect(verification).toMatchObject({ valid: true, checkpoints: { checked: 1, anchoredChainSeq: checkpoint!.chainSeq } });
  }, 120_000);

  test('the audit trail shows who, before/after and why for the path’s writes', async () => {
    const page = await ok(await api.call('GET', '/api/v1/audit-trail?limit=500', { as: 'viewer' }), 200, 'trail');
    const entries = page.items as Array<{ actor: string; action: string; entityId: string; before: any; after: any; reason: string | null; ledgerSeq: number | null }>;
    const ledgerSeqs = new Set(entries.map((e) => e.ledgerSeq));
    for (const { step, seq } of recorded) expect(ledgerSeqs.has(seq), `audit entry for ${step}`).toBe(true);
    const release = entries.find((e) => e.ledgerSeq === recorded.find((r) => r.step === `release ${EARLY.lot}`)!.seq)!;
    expect(release).toMatchObject({ actor: 'qa', before: expect.objectContaining({ status: 'quarantined' }), after: expect.objectContaining({ status: 'released' }) });
    const receipt = entries.find((e) => e.ledgerSeq === recorded[0].seq)!;
    expect(receipt).toMatchObject({ actor: 'warehouse', reason: `delivery note for ${LATE.lot}` });
    const restock = entries.find((e) => e.ledgerSeq === recorded[recorded.length - 1].seq)!;
    expect(restock).toMatchObject({ actor: 'qa', reason: 'sealed, undamaged' });
  });
});
