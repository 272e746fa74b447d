// Purchasing and receiving through HTTP: purchase orders only from qualified
// suppliers for registered products; receipts against a PO create quarantined
// lots with the supplier's lot, dates, quantity or serials and certificate
// files whose SHA-256 is bound to the lot and its receiving event; over-receipt
// and the other rules refused with their reason, writing nothing; a received
// lot is released after an incoming inspection and QA's signature.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri, sha256, toHex, unitUri } from '../../sdk';
import { readProblem, STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';

const SERIAL_GTIN = '09506000134352';
const LOT_GTIN = '09506000134369';
const UNREGISTERED_GTIN = '09506000134376';
const TABLES = ['purchase_orders', 'receipts', 'receipt_lines', 'lots', 'units', 'lot_stock', 'lot_certificates', 'ledger_events', 'audit_trail', 'stock_moves'];

let api: TestApp;
let supplierId: number;
let lapsedSupplierId: number;

beforeAll(async () => {
  api = await startTestApp({ register: false });
  const product = (gtin: string, tracking: 'serial' | 'lot', registration = true) =>
    api.call('POST', '/api/v1/products', {
      body: {
        gtin,
        name: `Device ${gtin}`,
        model: 'M-1',
        deviceClass: 'IIb',
        tracking,
        ...(registration ? { registrationNumber: `REG-${gtin.slice(-4)}`, registrationExpiry: '2035-12-31' } : {}),
      },
    });
  for (const res of await Promise.all([product(SERIAL_GTIN, 'serial'), product(LOT_GTIN, 'lot'), product(UNREGISTERED_GTIN, 'lot', false)])) {
    expect(res.status).toBe(201);
  }
  const partner = async (code: string, validUntil: string) => {
    const res = await api.call('POST', '/api/v1/partners', {
      body: { code, name: `Supplier ${code}`, isSupplier: true, certificates: [{ kind: 'iso13485', number: `ISO-${code}`, validUntil }] },
    });
    expect(res.status).toBe(201);
    return (await res.json()).id as number;
  };
  supplierId = await partner('ACME', '2035-01-01');
  lapsedSupplierId = await partner('LAPSED', '2020-01-01');
}, 120_000);
afterAll(async () => {
  await api?.close();
});

const counts = () => Promise.all(TABLES.map((table) => api.count(table)));

async function eventAt(seq: number) {
  const [row] = await api.db.sql<{ envelope: any }[]>`select envelope from ledger_events where participant = ${api.ctx.participant} and seq = ${seq}`;
  return row.envelope.event;
}

async function createPo(lines: { gtin: string; quantity: number; unitPrice?: string }[], supplier = supplierId) {
  return api.call('POST', '/api/v1/purchase-orders', { as: 'sales', body: { supplierId: supplier, expectedOn: '2026-08-01', lines } });
}

const certificate = { kind: 'certificate_of_conformity', filename: 'coc.pdf', mediaType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.7 certificate of conformity L-A').toString('base64') };
const testReport = { kind: 'test_report', filename: 'report.txt', contentBase64: Buffer.from('tensile test: pass').toString('base64') };

describe('purchase orders', () => {
  let poId: number;

  test('a PO to a qualified supplier for registered products is created with its lines and prices as decimal strings', async () => {
    const res = await createPo([
      { gtin: SERIAL_GTIN, quantity: 5, unitPrice: '120.50' },
      { gtin: LOT_GTIN, quantity: 100, unitPrice: '2.0375' },
    ]);
    expect(res.status).toBe(201);
    const po = await res.json();
    poId = po.id;
    expect(po).toMatchObject({
      supplierId,
      status: 'open',
      expectedOn: '2026-08-01',
      createdBy: 'sales',
      lines: [
        { lineNo: 1, gtin: SERIAL_GTIN, quantity: 5, receivedQuantity: 0, unitPrice: '120.5000' },
        { lineNo: 2, gtin: LOT_GTIN, quantity: 100, receivedQuantity: 0, unitPrice: '2.0375' },
      ],
    });
    expect(await (await api.call('GET', `/api/v1/purchase-orders/${poId}`, { as: 'viewer' })).json()).toEqual(po);
    const list = await (await api.call('GET', `/api/v1/purchase-orders?supplierId=${supplierId}&status=open`)).json();
    expect(list.items.map((item: { id: number }) => item.id)).toEqual([poId]);
    const [audit] = await api.db.sql`select actor, action from audit_trail where entity = 'purchase_order' and entity_id = ${String(poId)}`;
    expect(audit).toMatchObject({ actor: 'sales', action: 'purchase_order.create' });
  });

  test('a supplier whose certificate expired is refused naming the certificate, and nothing is written', async () => {
    const before = await counts();
    const res = await createPo([{ gtin: SERIAL_GTIN, quantity: 1 }], lapsedSupplierId);
    expect(res.status).toBe(422);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ type: 'https://medtrace.dev/problems/certificate-expired', field: 'supplierId' });
    expect(problem.detail).toContain('ISO-LAPSED');
    expect(await counts()).toEqual(before);
  });

  test('a product without registration is refused naming the line', async () => {
    const before = await counts();
    const res = await createPo([{ gtin: SERIAL_GTIN, quantity: 1 }, { gtin: UNREGISTERED_GTIN, quantity: 1 }]);
    expect(res.status).toBe(422);
    expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/product-not-registered', field: 'lines.1.gtin' });
    expect(await counts()).toEqual(before);
  });

  test('roles without writePurchasing are refused', async () => {
    for (const role of ['warehouse', 'qa', 'viewer'] as const) {
      const res = await api.call('POST', '/api/v1/purchase-orders', { as: role, body: { supplierId, lines: [{ gtin: SERIAL_GTIN, quantity: 1 }] } });
      expect(res.status).toBe(403);
    }
  });

  test('a PO is cancelled only with a reason', async () => {
    const po = await (await createPo([{ gtin: LOT_GTIN, quantity: 3 }])).json();
    const noReason = await api.call('POST', `/api/v1/purchase-orders/${po.id}/cancel`, { as: 'sales' });
    expect(noReason.status).toBe(422);
    expect((await readProblem(noReason)).field).toBe('reason');
    const res = await api.call('POST', `/api/v1/purchase-orders/${po.id}/cancel`, { as: 'sales', body: { reason: 'duplicate order' } });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('cancelled');
    const receive = await api.call('POST', `/api/v1/purchase-orders/${po.id}/receipts`, {
      as: 'warehouse',
      body: { lines: [{ lineNo: 1, lot: 'CX-1', productionDate: '2026-01-01', expiry: '2030-01-01', quantity: 1 }] },
    });
    expect(receive.status).toBe(409);
    expect((await readProblem(receive)).type).toMatch(/purchase-order-not-open$/);
  });

  describe('receiving', () => {
    test('serialised goods with certificates: quarantined lot, units in the quarantine bin, certificates bound to the receiving event', async () => {
      const serials = ['SA-1', 'SA-2', 'SA-3'];
      const res = await api.call('POST', `/api/v1/purchase-orders/${poId}/receipts`, {
        as: 'warehouse',
        body: {
          lines: [
            { lineNo: 1, lot: 'L-A', supplierLot: 'ACME-7781', productionDate: '2026-03-01', expiry: '2031-03-01', serials, certificates: [certificate, testReport] },
          ],
          reason: 'delivery note DN-1',
        },
      });
      expect(res.status).toBe(201);
      const receipt = await res.json();
      const cocHash = toHex(sha256(Buffer.from(certificate.contentBase64, 'base64')));
      const reportHash = toHex(sha256(Buffer.from(testReport.contentBase64, 'base64')));
      expect(receipt).toMatchObject({
        poId,
        receivedBy: 'warehouse',
        lines: [
          {
            lineNo: 1,
            gtin: SERIAL_GTIN,
            lot: 'L-A',
            supplierLot: 'ACME-7781',
            quantity: 3,
            bin: 'MAIN/QUARANTINE',
            certificates: [
              { kind: 'certificate_of_conformity', filename: 'coc.pdf', mediaType: 'application/pdf', sha256: cocHash },
              { kind: 'test_report', filename: 'report.txt', mediaType: 'application/octet-stream', sha256: reportHash },
            ],
          },
        ],
        purchaseOrder: { status: 'open', lines: [{ lineNo: 1, receivedQuantity: 3 }, { lineNo: 2, receivedQuantity: 0 }] },
      });

      const lot = await (await api.call('GET', `/api/v1/lots/${SERIAL_GTIN}/L-A`)).json();
      expect(lot).toMatchObject({ status: 'quarantined', origin: 'received', supplierId, supplierLot: 'ACME-7781', unitCount: 3, commissioningSeq: null });
      const units = await api.db.sql`
        select u.serial, u.state, b.code from units u join bins b on b.id = u.bin_id where u.gtin = ${SERIAL_GTIN} and u.lot = 'L-A' order by u.serial`;
      expect(units.map((u) => [u.serial, u.state, u.code])).toEqual(serials.map((s) => [s, 'on_hand', 'QUARANTINE']));

      const seq = receipt.lines[0].ledgerSeq;
      const event = await eventAt(seq);
      expect(event).toMatchObject({
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'receiving',
        disposition: 'sellable_not_accessible',
        epcList: { count: 3 },
        bizTransactionList: [{ type: 'po', bizTransaction: `urn:medtrace:po:${poId}` }],
        'medtrace:lot': { gtin: SERIAL_GTIN, lot: 'L-A', supplierLot: 'ACME-7781', productionDate: '2026-03-01', expiry: '2031-03-01' },
        'medtrace:certificates': [
          { kind: 'certificate_of_conformity', sha256: cocHash },
          { kind: 'test_report', sha256: reportHash },
        ],
      });
      const [set] = await api.db.sql<{ uris: string[] }[]>`
        select uris from ledger_unit_sets where participant = ${api.ctx.participant} and seq = ${seq} and field = 'epcList'`;
      expect(set.uris).toEqual(serials.map((serial) => unitUri(SERIAL_GTIN, serial)).sort());
      const moves = await api.db.sql`select kind, ledger_seq, ref_type from stock_moves where gtin = ${SERIAL_GTIN} and lot = 'L-A'`;
      expect(moves).toHaveLength(3);
      expect(moves.every((move) => move.kind === 'receipt' && move.ledger_seq === seq && move.ref_type === 'receipt')).toBe(true);

      const list = await (await api.call('GET', `/api/v1/lots/${SERIAL_GTIN}/L-A/certificates`, { as: 'viewer' })).json();
      expect(list.items.map((item: { sha256: string }) => item.sha256)).toEqual([cocHash, reportHash]);
      const file = await api.call('GET', `/api/v1/lots/${SERIAL_GTIN}/L-A/certificates/${list.items[0].id}`, { as: 'viewer' });
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('application/pdf');
      expect(file.headers.get('x-content-sha256')).toBe(cocHash);
      expect(toHex(sha256(new Uint8Array(await file.arrayBuffer())))).toBe(cocHash);
    });

    test('a lot-controlled quantity goes to lot stock in quarantine with a quantity event', async () => {
      const res = await api.call('POST', `/api/v1/purchase-orders/${poId}/receipts`, {
        as: 'warehouse',
        body: { lines: [{ lineNo: 2, lot: 'Q-1', supplierLot: 'ACME-Q1', productionDate: '2026-02-01', expiry: '2028-02-01', quantity: 60 }] },
      });
      expect(res.status).toBe(201);
      const receipt = await res.json();
      const [stock] = await api.db.sql`
        select s.quantity, s.state, b.code from lot_stock s join bins b on b.id = s.bin_id where s.gtin = ${LOT_GTIN} and s.lot = 'Q-1'`;
      expect(stock).toMatchObject({ quantity: 60, state: 'on_hand', code: 'QUARANTINE' });
      expect(await eventAt(receipt.lines[0].ledgerSeq)).toMatchObject({
        bizStep: 'receiving',
        quantityList: [{ epcClass: lotUri(LOT_GTIN, 'Q-1'), quantity: 60, uom: 'EA' }],
        'medtrace:certificates': [],
      });
    });

    test('over-receipt is refused naming the line, ordered and received quantities, and nothing is written', async () => {
      const before = await counts();
      const res = await api.call('POST', `/api/v1/purchase-orders/${poId}/receipts`, {
        as: 'warehouse',
        body: { lines: [{ lineNo: 2, lot: 'Q-2', productionDate: '2026-02-01', expiry: '2028-02-01', quantity: 41 }] },
      });
      expect(res.status).toBe(409);
      const problem = await readProblem(res);
      expect(problem).toMatchObject({ type: 'https://medtrace.dev/problems/over-receipt', field: 'lines.0.quantity', ordered: 100, received: 60, receiving: 41 });
      // two lines of one receipt together over the order: refused too
      const split = await api.call('POST', `/api/v1/purchase-orders/${poId}/receipts`, {
        as: 'warehouse',
        body: {
          lines: [
            { lineNo: 2, lot: 'Q-2', productionDate: '2026-02-01', expiry: '2028-02-01', quantity: 30 },
            { lineNo: 2, lot: 'Q-3', productionDate: '2026-02-01', expiry: '2028-02-01', quantity: 11 },
          ],
        },
      });
      expect(split.status).toBe(409);
      expect((await readProblem(split)).field).toBe('lines.1.quantity');
      expect(await counts()).toEqual(before);
    });

    test('wrong tracking, expired goods, an existing lot, a known serial and bad base64 are refused with the field', async () => {
      const before = await counts();
      const attempt = async (line: Record<string, unknown>) => {
        const res = await api.call('POST', `/api/v1/purchase-orders/${poId}/receipts`, {
          as: 'warehouse',
          body: { lines: [{ productionDate: '2026-02-01', expiry: '2029-02-01', ...line }] },
        });
        return { status: res.status, problem: await readProblem(res) };
      };
      expect(await attempt({ lineNo: 2, lot: 'Q-9', serials: ['X1'] })).toMatchObject({ status: 422, problem: { field: 'lines.0.quantity' } });
      expect(await attempt({ lineNo: 1, lot: 'S-9', quantity: 1 })).toMatchObject({ status: 422, problem: { field: 'lines.0.serials' } });
      expect(await attempt({ lineNo: 2, lot: 'Q-9', quantity: 1, productionDate: '2020-01-01', expiry: '2021-01-01' })).toMatchObject({
        status: 422,
        problem: { type: 'https://medtrace.dev/problems/lot-expired', field: 'lines.0.expiry' },
      });
      expect(await attempt({ lineNo: 2, lot: 'Q-1', quantity: 1 })).toMatchObject({ status: 409, problem: { type: 'https://medtrace.dev/problems/lot-exists', field: 'lines.0.lot' } });
      expect(await attempt({ lineNo: 1, lot: 'S-9', serials: ['SA-2'] })).toMatchObject({ status: 409, problem: { type: 'https://medtrace.dev/problems/serial-exists' } });
      expect(await attempt({ lineNo: 3, lot: 'Q-9', quantity: 1 })).toMatchObject({ status: 422, problem: { field: 'lines.0.lineNo' } });
      expect(
        await attempt({ lineNo: 2, lot: 'Q-9', quantity: 1, certificates: [{ kind: 'test_report', filename: 'r.pdf', contentBase64: 'not base64!' }] }),
      ).toMatchObject({ status: 422, problem: { field: 'lines.0.certificates.0.contentBase64' } });
      expect(await counts()).toEqual(before);
    });

    test('only roles with receiveGoods receive', async () => {
      for (const role of ['sales', 'qa', 'viewer'] as const) {
        const res = await api.call('POST', `/api/v1/purchase-orders/${poId}/receipts`, {
          as: role,
          body: { lines: [{ lineNo: 2, lot: 'Q-5', productionDate: '2026-02-01', expiry: '2028-02-01', quantity: 1 }] },
        });
        expect(res.status).toBe(403);
      }
    });

    test('receiving the rest completes the PO; after that nothing more is received', async () => {
      const res = await api.call('POST', `/api/v1/purchase-orders/${poId}/receipts`, {
        as: 'warehouse',
        body: {
          lines: [
            { lineNo: 1, lot: 'L-B', productionDate: '2026-03-01', expiry: '2031-03-01', serials: ['SB-1', 'SB-2'] },
            { lineNo: 2, lot: 'Q-2', productionDate: '2026-02-01', expiry: '2028-02-01', quantity: 40 },
          ],
        },
      });
      expect(res.status).toBe(201);
      expect((await res.json()).purchaseOrder).toMatchObject({ status: 'received', lines: [{ receivedQuantity: 5 }, { receivedQuantity: 100 }] });
      const again = await api.call('POST', `/api/v1/purchase-orders/${poId}/receipts`, {
        as: 'warehouse',
        body: { lines: [{ lineNo: 2, lot: 'Q-7', productionDate: '2026-02-01', expiry: '2028-02-01', quantity: 1 }] },
      });
      expect(again.status).toBe(409);
      expect((await readProblem(again)).type).toMatch(/purchase-order-not-open$/);
    });

    test('a supplier disqualified after the PO was placed: its goods are not received', async () => {
      const po = await (await createPo([{ gtin: LOT_GTIN, quantity: 5 }])).json();
      await api.db.sql`update partner_certificates set valid_until = '2021-01-01' where partner_id = ${supplierId}`;
      try {
        const before = await counts();
        const res = await api.call('POST', `/api/v1/purchase-orders/${po.id}/receipts`, {
          as: 'warehouse',
          body: { lines: [{ lineNo: 1, lot: 'Q-8', productionDate: '2026-02-01', expiry: '2028-02-01', quantity: 5 }] },
        });
        expect(res.status).toBe(422);
        expect((await readProblem(res)).type).toMatch(/certificate-expired$/);
        expect(await counts()).toEqual(before);
      } finally {
        await api.db.sql`update partner_certificates set valid_until = '2035-01-01' where partner_id = ${supplierId}`;
      }
    });

    test('a received lot is released after a passed INCOMING inspection and QA signature; its stock leaves quarantine', async () => {
      const signature = { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' };
      const final = await api.call('POST', `/api/v1/lots/${LOT_GTIN}/Q-1/inspections`, { as: 'qa', body: { kind: 'final', result: 'pass', method: 'visual' } });
      expect(final.status).toBe(201);
      const refused = await api.call('POST', `/api/v1/lots/${LOT_GTIN}/Q-1/release`, { as: 'qa', body: { signature } });
      expect(await readProblem(refused)).toMatchObject({ type: 'https://medtrace.dev/problems/lot-not-inspected', requiredInspection: 'incoming' });
      const incoming = await api.call('POST', `/api/v1/lots/${LOT_GTIN}/Q-1/inspections`, { as: 'qa', body: { kind: 'incoming', result: 'pass', method: 'AQL 1.0' } });
      expect(incoming.status).toBe(201);
      const res = await api.call('POST', `/api/v1/lots/${LOT_GTIN}/Q-1/release`, { as: 'qa', body: { signature } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'released', moved: { quantity: 60, toBin: 'MAIN/STOCK' } });
      const stock = await api.db.sql`
        select s.quantity, b.code from lot_stock s join bins b on b.id = s.bin_id where s.gtin = ${LOT_GTIN} and s.lot = 'Q-1'`;
      expect(stock.map((row) => [row.code, row.quantity])).toEqual([['STOCK', 60]]);
    });
  });
});
