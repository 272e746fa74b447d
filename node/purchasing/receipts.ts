// Receiving against a purchase order: each receipt line is one lot of a PO
// line's product (its GTIN, our lot code, the supplier's lot, production date,
// expiry, a quantity or its serials, and its certificates as files). The lot is
// created quarantined (origin received), its stock goes into the default
// quarantine bin, and a receiving event lists the certificates' SHA-256 — all
// in the caller's write transaction.
import { sha256, toHex, type EpcisEvent } from '../../sdk';
import { assertProductRegistered } from '../catalog/registration';
import type { Sql, Tx } from '../db';
import { ProblemError, problems } from '../http/problem';
import type { WriteScope } from '../http/writes';
import { defaultBin, receiveIntoStock } from '../inventory';
import { appendEvent, type LedgerContext } from '../ledger/append';
import { unitsOrLotQuantity } from '../lots/events';
import { assertPartnerQualified } from '../partners/qualification';
import { findPurchaseOrder, lockLines, type PurchaseOrder } from './orders';

/** Largest certificate file accepted (decoded bytes). */
export const MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024;

export interface CertificateFile {
  kind: string;
  filename: string;
  mediaType?: string;
  /** The file, base64. */
  contentBase64: string;
}

export interface ReceiptLineInput {
  lineNo: number;
  lot: string;
  supplierLot?: string;
  productionDate: string;
  expiry: string;
  quantity?: number;
  serials?: string[];
  certificates?: CertificateFile[];
}

export interface CertificateRef {
  id: number;
  kind: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
}

export interface ReceiptLine {
  lineNo: number;
  gtin: string;
  lot: string;
  supplierLot: string | null;
  productionDate: string;
  expiry: string;
  quantity: number;
  bin: string;
  ledgerSeq: number;
  certificates: CertificateRef[];
}

export interface Receipt {
  id: number;
  poId: number;
  receivedAt: string;
  receivedBy: string;
  note: string | null;
  lines: ReceiptLine[];
  purchaseOrder: PurchaseOrder;
}

const refuse = (status: number, slug: string, title: string, detail: string, field: string, extras: Record<string, unknown> = {}) =>
  new ProblemError(status, slug, title, detail, { field, ...extras });

/** Decodes strict base64 (padding optional); undefined when it is not base64. */
function decodeBase64(text: string): Buffer | undefined {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return undefined;
  return Buffer.from(clean, 'base64');
}

export function receivingEvent(
  line: { gtin: string; lot: string; supplierLot: string | null; productionDate: string; expiry: string; quantity: number; serials?: readonly string[] },
  refs: { poId: number; certificates: { kind: string; sha256: string }[] },
  time: { eventTime: string; eventTimeZoneOffset: string },
): EpcisEvent {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: 'sellable_not_accessible',
    eventTime: time.eventTime,
    eventTimeZoneOffset: time.eventTimeZoneOffset,
    ...unitsOrLotQuantity(line.gtin, line.lot, line),
    bizTransactionList: [{ type: 'po', bizTransaction: `urn:medtrace:po:${refs.poId}` }],
    'medtrace:lot': {
      gtin: line.gtin,
      lot: line.lot,
      productionDate: line.productionDate,
      expiry: line.expiry,
      ...(line.supplierLot === null ? {} : { supplierLot: line.supplierLot }),
    },
    'medtrace:certificates': refs.certificates.map((certificate) => ({ kind: certificate.kind, sha256: certificate.sha256 })),
  };
}

/**
 * Records a receipt against purchase order `poId`. Refusals (nothing written):
 * 404 unknown PO; 409 `purchase-order-not-open`; the supplier's qualification
 * and the product's registration (H1's gates, 422); 422 `invalid-input` for an
 * unknown line, serials vs quantity not matching the product's tracking, a
 * duplicate serial, bad base64; 409 `over-receipt` (more than ordered, naming
 * the line, ordered and already received); 409 `lot-exists`; 422
 * `lot-expired` (goods already expired on arrival).
 */
export async function receiveAgainstPo(
  w: WriteScope,
  ledger: LedgerContext & { eventTimeZoneOffset: string },
  poId: number,
  input: { lines: ReceiptLineInput[]; note?: string },
  today: string,
): Promise<Receipt> {
  const { tx } = w;
  const order = await findPurchaseOrder(tx, poId, { forUpdate: true });
  if (!order) throw problems.notFound(`no purchase order ${poId}`, 'id');
  if (order.status !== 'open') {
    throw refuse(409, 'purchase-order-not-open', 'Purchase order not open', `purchase order ${poId} is ${order.status}: nothing more can be received against it`, 'id', {
      poStatus: order.status,
    });
  }
  await assertPartnerQualified(tx, order.supplierId, 'supplier', today);
  const poLines = await lockLines(tx, poId);

  // Check every line before writing anything.
  const thisReceipt = new Map<number, number>();
  const lotsSeen = new Set<string>();
  const prepared = [];
  for (const [index, line] of input.lines.entries()) {
    const at = `lines.${index}`;
    const poLine = poLines.get(line.lineNo);
    if (!poLine) throw problems.invalidInput(`${at}.lineNo: purchase order ${poId} has no line ${line.lineNo}`, `${at}.lineNo`);
    const gtin = poLine.gtin;
    try {
      await assertProductRegistered(tx, gtin, today);
    } catch (error) {
      if (error instanceof ProblemError) error.extras.field = `${at}.lineNo`;
      throw error;
    }
    const [product] = await tx<{ tracking: 'serial' | 'lot' }[]>`select tracking from products where gtin = ${gtin}`;
    if (product.tracking === 'serial' && (line.serials === undefined || line.quantity !== undefined)) {
      throw problems.invalidInput(`${at}.serials: GTIN ${gtin} is serialised: list the serials received, not a quantity`, `${at}.serials`);
    }
    if (product.tracking === 'lot' && (line.quantity === undefined || line.serials !== undefined)) {
      throw problems.invalidInput(`${at}.quantity: GTIN ${gtin} is lot-controlled: give the quantity received, not serials`, `${at}.quantity`);
    }
    const quantity = line.serials?.length ?? line.quantity!;
    const already = thisReceipt.get(line.lineNo) ?? 0;
    const total = poLine.received_quantity + already + quantity;
    if (total > poLine.quantity) {
      throw refuse(
        409,
        'over-receipt',
        'Over-receipt',
        `line ${line.lineNo} of purchase order ${poId} (GTIN ${gtin}) ordered ${poLine.quantity}, ${poLine.received_quantity + already} already received: ${quantity} more would exceed it`,
        `${at}.${line.serials ? 'serials' : 'quantity'}`,
        { ordered: poLine.quantity, received: poLine.received_quantity + already, receiving: quantity },
      );
    }
    thisReceipt.set(line.lineNo, already + quantity);
    if (line.expiry <= today) {
      throw refuse(422, 'lot-expired', 'Lot expired', `${at}.expiry: lot ${line.lot} expired on ${line.expiry}; expired goods are not received`, `${at}.expiry`);
    }
    const key = `${gtin}\u0000${line.lot}`;
    const [existing] = await tx`select 1 from lots where gtin = ${gtin} and lot = ${line.lot}`;
    if (existing || lotsSeen.has(key)) {
      throw refuse(409, 'lot-exists', 'Conflict', `lot ${line.lot} of GTIN ${gtin} already exists; a received lot needs a lot code of its own`, `${at}.lot`);
    }
    lotsSeen.add(key);
    if (line.serials) {
      const seen = new Set<string>();
      for (const [i, serial] of line.serials.entries()) {
        if (seen.has(serial)) throw problems.invalidInput(`${at}.serials.${i}: duplicate serial ${serial}`, `${at}.serials.${i}`);
        seen.add(serial);
      }
      const known = await tx<{ serial: string }[]>`
        select serial from units where gtin = ${gtin} and serial = any(${tx.array(line.serials)}::text[]) limit 10`;
      if (known.length > 0) {
        throw refuse(409, 'serial-exists', 'Conflict', `GTIN ${gtin} already has units with serials ${known.map((row) => row.serial).join(', ')}`, `${at}.serials`);
      }
    }
    const files = (line.certificates ?? []).map((file, i) => {
      const content = decodeBase64(file.contentBase64);
      if (content === undefined) throw problems.invalidInput(`${at}.certificates.${i}.contentBase64: not base64`, `${at}.certificates.${i}.contentBase64`);
      if (content.length > MAX_CERTIFICATE_BYTES) {
        throw problems.invalidInput(`${at}.certificates.${i}.contentBase64: the file exceeds ${MAX_CERTIFICATE_BYTES} bytes`, `${at}.certificates.${i}.contentBase64`);
      }
      return { ...file, mediaType: file.mediaType ?? 'application/octet-stream', content, sha256: toHex(sha256(content)) };
    });
    prepared.push({ line, gtin, quantity, poLine, files });
  }

  const [receiptRow] = await tx<{ id: number; received_at: Date }[]>`
    insert into receipts (po_id, received_by, note) values (${poId}, ${w.actor}, ${input.note ?? null}) returning id, received_at`;
  const receiptId = Number(receiptRow.id);
  const bin = await defaultBin(tx, 'quarantine');
  const lines: ReceiptLine[] = [];
  for (const { line, gtin, quantity, poLine, files } of prepared) {
    const supplierLot = line.supplierLot ?? null;
    await tx`
      insert into lots (gtin, lot, production_date, expiry, unit_count, created_by, origin, supplier_id, supplier_lot)
      values (${gtin}, ${line.lot}, ${line.productionDate}, ${line.expiry}, ${line.serials ? 0 : quantity}, ${w.actor},
              'received', ${order.supplierId}, ${supplierLot})`;
    const certificates: CertificateRef[] = [];
    for (const file of files) {
      const [row] = await tx<{ id: number }[]>`
        insert into lot_certificates (gtin, lot, receipt_id, kind, filename, media_type, size, sha256, content, created_by)
        values (${gtin}, ${line.lot}, ${receiptId}, ${file.kind}, ${file.filename}, ${file.mediaType}, ${file.content.length},
                ${file.sha256}, ${file.content}, ${w.actor})
        returning id`;
      certificates.push({ id: Number(row.id), kind: file.kind, filename: file.filename, mediaType: file.mediaType, size: file.content.length, sha256: file.sha256 });
    }
    const ref = { type: 'receipt', id: String(receiptId) };
    await receiveIntoStock(tx, {
      gtin,
      lot: line.lot,
      binId: bin.id,
      ...(line.serials ? { serials: line.serials } : { quantity }),
      kind: 'receipt',
      actor: w.actor,
      ref,
      reason: w.reason,
    });
    const event = receivingEvent(
      { gtin, lot: line.lot, supplierLot, productionDate: line.productionDate, expiry: line.expiry, quantity, serials: line.serials },
      { poId, certificates },
      { eventTime: receiptRow.received_at.toISOString(), eventTimeZoneOffset: ledger.eventTimeZoneOffset },
    );
    const { seq } = await appendEvent(tx, { participant: ledger.participant, chainId: ledger.chainId }, event);
    await tx`
      update stock_moves set ledger_seq = ${seq}
      where ref_type = 'receipt' and ref_id = ${ref.id} and gtin = ${gtin} and lot = ${line.lot} and ledger_seq is null`;
    await tx`
      insert into receipt_lines (receipt_id, po_line_id, gtin, lot, supplier_lot, quantity, bin_id, ledger_seq)
      values (${receiptId}, ${poLine.id}, ${gtin}, ${line.lot}, ${supplierLot}, ${quantity}, ${bin.id}, ${seq})`;
    await tx`update purchase_order_lines set received_quantity = received_quantity + ${quantity} where id = ${poLine.id}`;
    lines.push({
      lineNo: line.lineNo,
      gtin,
      lot: line.lot,
      supplierLot,
      productionDate: line.productionDate,
      expiry: line.expiry,
      quantity,
      bin: `${bin.warehouse}/${bin.code}`,
      ledgerSeq: seq,
      certificates,
    });
  }
  // Fully received: the order is done.
  await tx`
    update purchase_orders set updated_at = now(),
      status = case when not exists (select 1 from purchase_order_lines where po_id = ${poId} and received_quantity < quantity)
                    then 'received' else status end
    where id = ${poId}`;
  return {
    id: receiptId,
    poId,
    receivedAt: receiptRow.received_at.toISOString(),
    receivedBy: w.actor,
    note: input.note ?? null,
    lines,
    purchaseOrder: (await findPurchaseOrder(tx, poId))!,
  };
}

export async function listLotCertificates(sql: Sql | Tx, gtin: string, lot: string): Promise<(CertificateRef & { receiptId: number | null; createdAt: string })[]> {
  const rows = await sql<{ id: number; kind: string; filename: string; media_type: string; size: number; sha256: string; receipt_id: number | null; created_at: Date }[]>`
    select id, kind, filename, media_type, size, sha256, receipt_id, created_at from lot_certificates
    where gtin = ${gtin} and lot = ${lot} order by id`;
  return rows.map((row) => ({
    id: Number(row.id),
    kind: row.kind,
    filename: row.filename,
    mediaType: row.media_type,
    size: row.size,
    sha256: row.sha256,
    receiptId: row.receipt_id === null ? null : Number(row.receipt_id),
    createdAt: row.created_at.toISOString(),
  }));
}

export async function readLotCertificate(
  sql: Sql | Tx,
  gtin: string,
  lot: string,
  id: number,
): Promise<{ filename: string; mediaType: string; sha256: string; content: Buffer } | undefined> {
  const [row] = await sql<{ filename: string; media_type: string; sha256: string; content: Buffer }[]>`
    select filename, media_type, sha256, content from lot_certificates where gtin = ${gtin} and lot = ${lot} and id = ${id}`;
  return row && { filename: row.filename, mediaType: row.media_type, sha256: row.sha256, content: row.content };
}
