// Receiving against evidence (DESIGN 7): goods arriving with a shipment notice
// are booked only when the notice's evidence still verifies at the moment they
// are scanned in (checkNotice runs again: a recall or revocation since arrival
// counts). Each scan is matched against the notice's lines; ok lines are booked
// into quarantine (the lot created if new: origin received, supplier = the
// partner linked to the sender) with one receiving event naming the sender's
// shipping event; everything else becomes a reconciliation item sent to the
// sender: a blocked line (its reason), a scan the notice does not name
// (`unit-not-in-notice`), and on close, a line never received (`not-received`)
// or short (`quantity-mismatch`).
import { eventLeaf, lotUri, parseGs1, toHex, isMedtraceError, type EpcisEvent, type Gs1Data } from '../../sdk';
import type { NodeContext } from '../context';
import type { Tx } from '../db';
import { ProblemError, problems } from '../http/problem';
import type { WriteScope } from '../http/writes';
import { defaultBin, receiveIntoStock } from '../inventory';
import { appendEvent } from '../ledger/append';
import { unitUris } from '../lots/events';
import type { NoticeCheck } from './checkNotice';
import type { ShipmentNotice } from './notice';
import { openItem, sendItems, shipmentRef as refOf, type NewItem, type ReconciliationItem } from './reconciliation';

export interface ReceiveInput {
  /** Scanned codes (any GS1 form parseGs1 reads). */
  scans: string[];
  /** Lot-controlled goods: the quantity received per lot (else each scan of the lot counts one). */
  quantities?: { gtin: string; lot: string; quantity: number }[];
  /** The delivery is complete: lines never scanned become `not-received` items. */
  close?: boolean;
}

export type LineOutcome = 'booked' | 'blocked' | 'not-received' | 'short' | 'already-received';

export interface ReceiptLineResult {
  lineNo: number;
  gtin: string;
  lot: string;
  serial: string | null;
  /** Quantity this receipt booked (0 unless booked). */
  quantity: number;
  outcome: LineOutcome;
  reason: string | null;
}

export interface UnmatchedScan {
  scan: string | null;
  gtin: string;
  lot: string | null;
  serial: string | null;
  quantity: number;
  reason: string;
}

export interface InboundReceipt {
  id: number;
  noticeId: number;
  sender: string;
  shipmentRef: string;
  receivedAt: string;
  receivedBy: string;
  closed: boolean;
  /** The receiving event (null when nothing was booked). */
  ledgerSeq: number | null;
  lines: ReceiptLineResult[];
  unmatched: UnmatchedScan[];
  reconciliation: ReconciliationItem[];
}

interface LineRow {
  line_no: number;
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
  expiry: string;
  verdict: 'ok' | 'blocked';
  reason: string | null;
  state: 'expected' | 'received' | 'blocked' | 'resolved';
  received_quantity: number;
}

const refuse = (status: number, slug: string, title: string, detail: string, extras: Record<string, unknown>) => new ProblemError(status, slug, title, detail, extras);

/** The production date of a lot as the owner's commissioning event states it (medtrace:lot), when the notice carries it. */
function productionDateOf(notice: ShipmentNotice, gtin: string, lot: string): string | undefined {
  for (const bundle of [notice.shipping, ...(notice.pedigree ?? [])]) {
    const data = bundle.envelope.event['medtrace:lot'] as { gtin?: unknown; lot?: unknown; productionDate?: unknown } | undefined;
    if (data?.gtin === gtin && data.lot === lot && typeof data.productionDate === 'string') return data.productionDate;
  }
  return undefined;
}

function parseScan(scan: string, index: number): Gs1Data {
  try {
    return parseGs1(scan.trim());
  } catch (error) {
    if (isMedtraceError(error, 'GS1_INVALID')) throw problems.invalidIdentifier(`scans.${index}: ${error.message}`, `scans.${index}`);
    throw error;
  }
}

/**
 * Books a receipt against inbound notice `noticeId`, given the notice's fresh check (run before
 * the transaction: it reads the chain). Refusals (nothing written): 404 unknown notice; 409
 * `notice-closed`; 409 `supplier-unknown` (no supplier partner linked to the sender); 422 for
 * a malformed scan (naming `scans.<i>`).
 */
export async function receiveAgainstNotice(
  w: WriteScope,
  ctx: Pick<NodeContext, 'participant' | 'chainId' | 'config'>,
  noticeId: number,
  notice: ShipmentNotice,
  check: NoticeCheck,
  input: ReceiveInput,
  today: string,
): Promise<InboundReceipt> {
  const { tx } = w;
  // Malformed codes are refused before anything else.
  const parsed = input.scans.map((scan, index) => parseScan(scan, index));
  const [head] = await tx<{ sender: string; sender_shipment_id: string }[]>`
    select sender, sender_shipment_id from inbound_notices where id = ${noticeId} for update`;
  if (!head) throw problems.notFound(`no notice ${noticeId}`, 'id');
  const sender = head.sender;
  const senderShipmentId = Number(head.sender_shipment_id);
  const ref = refOf(sender, senderShipmentId);
  const [closed] = await tx`select id from inbound_receipts where notice_id = ${noticeId} and closed`;
  if (closed) {
    throw refuse(409, 'notice-closed', 'Notice closed', `receiving against notice ${noticeId} was closed by receipt ${closed.id}; nothing more is received against it`, { field: 'id' });
  }
  const [supplier] = await tx<{ id: string }[]>`
    select id from partners where participant = ${sender} and is_supplier order by id limit 1`;
  if (!supplier) {
    throw refuse(409, 'supplier-unknown', 'Supplier unknown', `no supplier partner is linked to the sender ${sender} (partners.participant); add it before receiving its goods`, {
      field: 'id',
      sender,
    });
  }

  // The notice lines with the verdicts of this moment.
  const rows = await tx<LineRow[]>`
    select line_no, gtin, lot, serial, quantity, expiry::text as expiry, verdict, reason, state, received_quantity
    from inbound_notice_lines where notice_id = ${noticeId} order by line_no for update`;
  for (const row of rows) {
    const verdict = check.lines[row.line_no - 1];
    if (!verdict || row.state !== 'expected') continue;
    row.verdict = verdict.verdict;
    row.reason = verdict.reason;
    await tx`update inbound_notice_lines set verdict = ${verdict.verdict}, reason = ${verdict.reason} where notice_id = ${noticeId} and line_no = ${row.line_no}`;
  }
  const byUnit = new Map(rows.filter((r) => r.serial !== null).map((r) => [`${r.gtin}\u0000${r.serial}`, r]));
  const byLot = new Map(rows.filter((r) => r.serial === null).map((r) => [`${r.gtin}\u0000${r.lot}`, r]));

  // Match scans and quantities against the lines.
  const unmatched: UnmatchedScan[] = [];
  const touchedUnits = new Set<LineRow>();
  const lotQuantities = new Map<LineRow, number>();
  const explicit = new Set((input.quantities ?? []).map((q) => `${q.gtin}\u0000${q.lot}`));
  const seenScans = new Set<string>();
  input.scans.forEach((scan, index) => {
    const data = parsed[index];
    const identity = `${data.gtin}\u0000${data.lot ?? ''}\u0000${data.serial ?? ''}`;
    if (data.serial !== undefined && seenScans.has(identity)) return;
    seenScans.add(identity);
    if (data.serial !== undefined) {
      const line = byUnit.get(`${data.gtin}\u0000${data.serial}`);
      if (!line) {
        unmatched.push({ scan, gtin: data.gtin, lot: data.lot ?? null, serial: data.serial, quantity: 1, reason: 'unit-not-in-notice' });
      } else if (data.lot !== undefined && data.lot !== line.lot) {
        unmatched.push({ scan, gtin: data.gtin, lot: data.lot, serial: data.serial, quantity: 1, reason: 'wrong-lot' });
      } else {
        touchedUnits.add(line);
      }
      return;
    }
    const line = data.lot === undefined ? undefined : byLot.get(`${data.gtin}\u0000${data.lot}`);
    if (!line) {
      unmatched.push({ scan, gtin: data.gtin, lot: data.lot ?? null, serial: null, quantity: 1, reason: 'unit-not-in-notice' });
      return;
    }
    if (!explicit.has(`${line.gtin}\u0000${line.lot}`)) lotQuantities.set(line, (lotQuantities.get(line) ?? 0) + 1);
  });
  for (const q of input.quantities ?? []) {
    const line = byLot.get(`${q.gtin}\u0000${q.lot}`);
    if (!line) {
      unmatched.push({ scan: null, gtin: q.gtin, lot: q.lot, serial: null, quantity: q.quantity, reason: 'unit-not-in-notice' });
      continue;
    }
    lotQuantities.set(line, (lotQuantities.get(line) ?? 0) + q.quantity);
  }

  const [receiptRow] = await tx<{ id: string; received_at: Date }[]>`
    insert into inbound_receipts (notice_id, received_by, closed) values (${noticeId}, ${w.actor}, ${input.close === true})
    returning id, received_at`;
  const receiptId = Number(receiptRow.id);
  const stockRef = { type: 'inbound_receipt', id: String(receiptId) };
  const bin = await defaultBin(tx, 'quarantine');
  const results: ReceiptLineResult[] = [];
  const newItems: NewItem[] = [];
  const item = (line: LineRow | null, fact: Omit<NewItem, 'counterpart' | 'shipmentRef' | 'noticeId' | 'key'>, key: string) =>
    newItems.push({ counterpart: sender, shipmentRef: ref, noticeId, ...fact, key: `${noticeId}:${line ? `line:${line.line_no}` : key}:${fact.reason}` });
  const block = async (line: LineRow, quantity: number, reason: string) => {
    results.push({ lineNo: line.line_no, gtin: line.gtin, lot: line.lot, serial: line.serial, quantity: 0, outcome: 'blocked', reason });
    item(line, { gtin: line.gtin, lot: line.lot, serial: line.serial, expected: line.quantity, received: quantity, reason }, '');
    await tx`update inbound_notice_lines set state = 'blocked' where notice_id = ${noticeId} and line_no = ${line.line_no}`;
  };

  // What can be booked, by lot.
  const bookUnits = new Map<string, { gtin: string; lot: string; lines: LineRow[] }>();
  const bookQuantities: { line: LineRow; quantity: number }[] = [];
  const tracking = new Map<string, 'serial' | 'lot' | undefined>();
  const trackingOf = async (gtin: string) => {
    if (!tracking.has(gtin)) {
      const [product] = await tx<{ tracking: 'serial' | 'lot' }[]>`select tracking from products where gtin = ${gtin}`;
      tracking.set(gtin, product?.tracking);
    }
    return tracking.get(gtin);
  };
  const bookable = async (line: LineRow, quantity: number): Promise<boolean> => {
    if (line.verdict === 'blocked') {
      await block(line, quantity, line.reason ?? 'blocked');
      return false;
    }
    const productTracking = await trackingOf(line.gtin);
    if (productTracking === undefined) {
      await block(line, quantity, 'product-unknown');
      return false;
    }
    if ((productTracking === 'serial') !== (line.serial !== null)) {
      await block(line, quantity, 'tracking-mismatch');
      return false;
    }
    if (line.expiry <= today) {
      await block(line, quantity, 'lot-expired');
      return false;
    }
    return true;
  };
  for (const line of touchedUnits) {
    if (line.state === 'received') {
      results.push({ lineNo: line.line_no, gtin: line.gtin, lot: line.lot, serial: line.serial, quantity: 0, outcome: 'already-received', reason: null });
      continue;
    }
    if (!(await bookable(line, 1))) continue;
    const [known] = await tx`select state from units where gtin = ${line.gtin} and serial = ${line.serial}`;
    if (known) {
      await block(line, 1, 'unit-already-here');
      continue;
    }
    const key = `${line.gtin}\u0000${line.lot}`;
    const group = bookUnits.get(key) ?? { gtin: line.gtin, lot: line.lot, lines: [] };
    group.lines.push(line);
    bookUnits.set(key, group);
  }
  for (const [line, quantity] of lotQuantities) {
    const open = line.quantity - line.received_quantity;
    if (!(await bookable(line, quantity))) continue;
    if (open <= 0) {
      results.push({ lineNo: line.line_no, gtin: line.gtin, lot: line.lot, serial: null, quantity: 0, outcome: 'already-received', reason: null });
      if (quantity > 0) item(line, { gtin: line.gtin, lot: line.lot, expected: line.quantity, received: line.received_quantity + quantity, reason: 'quantity-mismatch' }, '');
      continue;
    }
    const take = Math.min(open, quantity);
    if (quantity > open) {
      item(line, { gtin: line.gtin, lot: line.lot, expected: line.quantity, received: line.received_quantity + quantity, reason: 'quantity-mismatch' }, '');
    }
    bookQuantities.push({ line, quantity: take });
  }

  // Lots created when new (quarantined, origin received, the sender's partner as supplier).
  const lotsNeeded = new Map<string, LineRow>();
  for (const group of bookUnits.values()) lotsNeeded.set(`${group.gtin}\u0000${group.lot}`, group.lines[0]);
  for (const { line } of bookQuantities) lotsNeeded.set(`${line.gtin}\u0000${line.lot}`, line);
  for (const line of lotsNeeded.values()) {
    const produced = productionDateOf(notice, line.gtin, line.lot);
    const productionDate = produced !== undefined && produced < line.expiry ? produced : today < line.expiry ? today : undefined;
    await tx`
      insert into lots (gtin, lot, production_date, expiry, unit_count, created_by, origin, supplier_id)
      values (${line.gtin}, ${line.lot}, ${productionDate ?? null}, ${line.expiry}, 0, ${w.actor}, 'received', ${supplier.id})
      on conflict (gtin, lot) do nothing`;
  }

  // Stock into quarantine.
  const epcList: string[] = [];
  const quantityList: { epcClass: string; quantity: number; uom: string }[] = [];
  const lotTotals = new Map<string, number>();
  for (const group of bookUnits.values()) {
    const serials = group.lines.map((line) => line.serial!);
    await receiveIntoStock(tx, { gtin: group.gtin, lot: group.lot, binId: bin.id, serials, kind: 'receipt', actor: w.actor, ref: stockRef, reason: w.reason });
    epcList.push(...unitUris(group.gtin, serials));
    const lotClass = lotUri(group.gtin, group.lot);
    lotTotals.set(lotClass, (lotTotals.get(lotClass) ?? 0) + serials.length);
    for (const line of group.lines) {
      results.push({ lineNo: line.line_no, gtin: line.gtin, lot: line.lot, serial: line.serial, quantity: 1, outcome: 'booked', reason: null });
      line.state = 'received';
      line.received_quantity = 1;
    }
  }
  for (const { line, quantity } of bookQuantities) {
    await receiveIntoStock(tx, { gtin: line.gtin, lot: line.lot, binId: bin.id, quantity, kind: 'receipt', actor: w.actor, ref: stockRef, reason: w.reason });
    const lotClass = lotUri(line.gtin, line.lot);
    quantityList.push({ epcClass: lotClass, quantity, uom: 'EA' });
    lotTotals.set(lotClass, (lotTotals.get(lotClass) ?? 0) + quantity);
    results.push({ lineNo: line.line_no, gtin: line.gtin, lot: line.lot, serial: null, quantity, outcome: 'booked', reason: null });
    line.received_quantity += quantity;
    line.state = 'received';
  }
  for (const line of [...bookUnits.values()].flatMap((g) => g.lines).concat(bookQuantities.map((b) => b.line))) {
    await tx`
      update inbound_notice_lines set state = 'received', received_quantity = ${line.received_quantity}
      where notice_id = ${noticeId} and line_no = ${line.line_no}`;
  }

  // One receiving event naming the sender's shipping event.
  let ledgerSeq: number | null = null;
  if (epcList.length > 0 || quantityList.length > 0) {
    const shipping = notice.shipping;
    const event: EpcisEvent = {
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'sellable_not_accessible',
      eventTime: receiptRow.received_at.toISOString(),
      eventTimeZoneOffset: ctx.config.eventTimeZoneOffset,
      ...(epcList.length > 0 ? { epcList } : {}),
      ...(quantityList.length > 0 ? { quantityList } : {}),
      bizTransactionList: [{ type: 'desadv', bizTransaction: ref }],
      'medtrace:lots': [...lotTotals].map(([epcClass, quantity]) => ({ epcClass, quantity, uom: 'EA' })),
      'medtrace:senderEvent': {
        participant: shipping.envelope.participant,
        seq: shipping.envelope.seq,
        leaf: toHex(eventLeaf(shipping.envelope, shipping.salt)),
      },
    };
    ({ seq: ledgerSeq } = await appendEvent(tx, { participant: ctx.participant, chainId: ctx.chainId }, event));
    await tx`update inbound_receipts set ledger_seq = ${ledgerSeq} where id = ${receiptId}`;
    await tx`update stock_moves set ledger_seq = ${ledgerSeq} where ref_type = 'inbound_receipt' and ref_id = ${stockRef.id} and ledger_seq is null`;
  }

  // Scans the notice does not name.
  for (const scan of unmatched) {
    item(null, { gtin: scan.gtin, lot: scan.lot, serial: scan.serial, expected: 0, received: scan.quantity, reason: scan.reason }, `scan:${scan.gtin}:${scan.lot ?? ''}:${scan.serial ?? ''}`);
  }

  // Closing: what never arrived, or arrived short.
  if (input.close === true) {
    for (const line of rows) {
      if (results.some((r) => r.lineNo === line.line_no && r.outcome === 'blocked')) continue;
      if (line.state === 'expected' && line.verdict === 'blocked') {
        await block(line, 0, line.reason ?? 'blocked');
      } else if (line.state === 'expected') {
        results.push({ lineNo: line.line_no, gtin: line.gtin, lot: line.lot, serial: line.serial, quantity: 0, outcome: 'not-received', reason: 'not-received' });
        item(line, { gtin: line.gtin, lot: line.lot, serial: line.serial, expected: line.quantity, received: 0, reason: 'not-received' }, '');
      } else if (line.state === 'received' && line.received_quantity < line.quantity) {
        results.push({ lineNo: line.line_no, gtin: line.gtin, lot: line.lot, serial: line.serial, quantity: 0, outcome: 'short', reason: 'quantity-mismatch' });
        item(line, { gtin: line.gtin, lot: line.lot, serial: line.serial, expected: line.quantity, received: line.received_quantity, reason: 'quantity-mismatch' }, '');
      }
    }
  }

  for (const r of results) {
    if (r.outcome === 'already-received') continue;
    await tx`
      insert into inbound_receipt_lines (receipt_id, line_no, gtin, lot, serial, quantity, outcome, reason)
      values (${receiptId}, ${r.lineNo}, ${r.gtin}, ${r.lot}, ${r.serial}, ${r.quantity}, ${r.outcome}, ${r.reason})`;
  }
  for (const u of unmatched) {
    await tx`
      insert into inbound_receipt_lines (receipt_id, gtin, lot, serial, quantity, outcome, reason)
      values (${receiptId}, ${u.gtin}, ${u.lot}, ${u.serial}, ${u.quantity}, 'not-in-notice', ${u.reason})`;
  }

  const created: ReconciliationItem[] = [];
  const reconciliation: ReconciliationItem[] = [];
  for (const fact of newItems) {
    const opened = await openItem(tx, 'receiver', fact);
    reconciliation.push(opened.item);
    if (opened.created) created.push(opened.item);
  }
  await sendItems(tx, sender, `receipt:${ctx.participant}:${receiptId}`, { shipmentId: senderShipmentId, shipmentRef: ref }, created);

  results.sort((a, b) => a.lineNo - b.lineNo);
  return {
    id: receiptId,
    noticeId,
    sender,
    shipmentRef: ref,
    receivedAt: receiptRow.received_at.toISOString(),
    receivedBy: w.actor,
    closed: input.close === true,
    ledgerSeq,
    lines: results,
    unmatched,
    reconciliation,
  };
}
