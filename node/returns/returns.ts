// Customer returns: an RMA authorises units that were shipped to that customer
// to come back; receiving puts them in the RETURNS bin (state returned) with a
// receiving/returned event; after inspection each unit is restocked (qualified
// bin, on hand, stocking/sellable_accessible event) or scrapped
// (destroying/destroyed event). Each step runs in the caller's transaction.
import type { EpcisEvent } from '../../sdk';
import type { Sql, Tx } from '../db';
import { ProblemError, problems } from '../http/problem';
import { defaultBin, moveStock } from '../inventory/stock';
import { appendEvent, type LedgerContext } from '../ledger/append';
import { unitUris } from '../lots/events';

export interface RmaLine {
  id: number;
  gtin: string;
  lot: string;
  serial: string;
  shipmentId: number;
  status: 'authorized' | 'received' | 'restocked' | 'scrapped';
  inspectionResult: 'pass' | 'fail' | null;
  inspectionNotes: string | null;
  receivedLedgerSeq: number | null;
  dispositionLedgerSeq: number | null;
}

export interface Rma {
  id: number;
  customerId: number;
  status: 'authorized' | 'received' | 'closed';
  reason: string;
  createdAt: string;
  createdBy: string;
  lines: RmaLine[];
}

export interface EventContext {
  ledger: LedgerContext;
  eventTimeZoneOffset: string;
}

/** Creates the RMA; every unit must have been shipped to this customer and be out there now. */
export async function createRma(
  tx: Tx,
  input: { customerId: number; reason: string; units: { gtin: string; serial: string }[] },
  actor: string,
): Promise<number> {
  const found: { gtin: string; serial: string; lot: string; shipmentId: number }[] = [];
  for (const [index, unit] of input.units.entries()) {
    const [row] = await tx<{ lot: string; shipment_id: string; state: string }[]>`
      select sl.lot, sl.shipment_id, u.state
      from shipment_lines sl join shipments s on s.id = sl.shipment_id join units u on u.gtin = sl.gtin and u.serial = sl.serial
      where sl.gtin = ${unit.gtin} and sl.serial = ${unit.serial} and s.customer_id = ${input.customerId}
      order by s.shipped_at desc, s.id desc limit 1`;
    if (!row) {
      throw new ProblemError(422, 'unit-not-shipped-to-customer', 'Unit not shipped to this customer', `units.${index}: unit ${unit.serial} of GTIN ${unit.gtin} was never shipped to customer ${input.customerId}`, {
        field: `units.${index}`,
      });
    }
    if (row.state !== 'shipped') {
      throw new ProblemError(409, 'unit-not-returnable', 'Unit not returnable', `units.${index}: unit ${unit.serial} of GTIN ${unit.gtin} is ${row.state}, not out with the customer`, {
        field: `units.${index}`,
      });
    }
    found.push({ ...unit, lot: row.lot, shipmentId: Number(row.shipment_id) });
  }
  const [rma] = await tx<{ id: string }[]>`
    insert into rmas (customer_id, reason, created_by) values (${input.customerId}, ${input.reason}, ${actor}) returning id`;
  const id = Number(rma.id);
  for (const unit of found) {
    await tx`
      insert into rma_lines (rma_id, gtin, lot, serial, shipment_id) values (${id}, ${unit.gtin}, ${unit.lot}, ${unit.serial}, ${unit.shipmentId})`;
  }
  return id;
}

function event(bizStep: string, disposition: string, rmaId: number, units: { gtin: string; serial: string }[], time: string, ctx: EventContext, extra: Record<string, unknown> = {}): EpcisEvent {
  const byGtin = new Map<string, string[]>();
  for (const unit of units) byGtin.set(unit.gtin, [...(byGtin.get(unit.gtin) ?? []), unit.serial]);
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep,
    disposition,
    eventTime: time,
    eventTimeZoneOffset: ctx.eventTimeZoneOffset,
    epcList: [...byGtin].flatMap(([gtin, serials]) => unitUris(gtin, serials)),
    bizTransactionList: [{ type: 'rma', bizTransaction: `urn:medtrace:rma:${rmaId}` }],
    ...extra,
  };
}

/** Receives every authorised unit of the RMA into the default RETURNS bin (state returned), one receiving/returned event. */
export async function receiveRma(tx: Tx, rma: Rma, actor: string, ctx: EventContext): Promise<number> {
  const lines = rma.lines.filter((line) => line.status === 'authorized');
  if (lines.length === 0) throw problems.conflict('rma-nothing-to-receive', `RMA ${rma.id} has no unit waiting to be received`, { field: 'id' });
  const bin = await defaultBin(tx, 'returns');
  for (const line of lines) {
    const moved = await tx<{ bin_id: number | null }[]>`
      update units u set state = 'returned', bin_id = ${bin.id}, order_line_id = null
      from units was where u.gtin = ${line.gtin} and u.serial = ${line.serial} and u.state = 'shipped'
        and was.gtin = u.gtin and was.serial = u.serial
      returning was.bin_id`;
    if (moved.length === 0) throw problems.conflict('unit-not-returnable', `unit ${line.serial} of GTIN ${line.gtin} is no longer shipped; it cannot be received`, { field: 'id' });
    await tx`
      insert into stock_moves (actor, kind, gtin, lot, serial, quantity, to_bin_id, from_state, to_state, ref_type, ref_id)
      values (${actor}, 'return', ${line.gtin}, ${line.lot}, ${line.serial}, 1, ${bin.id}, 'shipped', 'returned', 'rma', ${String(rma.id)})`;
  }
  const { seq } = await appendEvent(tx, ctx.ledger, event('receiving', 'returned', rma.id, lines, new Date().toISOString(), ctx));
  await tx`
    update rma_lines set status = 'received', received_at = now(), received_ledger_seq = ${seq}
    where rma_id = ${rma.id} and status = 'authorized'`;
  await tx`update rmas set status = 'received', updated_at = now() where id = ${rma.id}`;
  await tx`update stock_moves set ledger_seq = ${seq} where ref_type = 'rma' and ref_id = ${String(rma.id)} and kind = 'return' and ledger_seq is null`;
  return seq;
}

export interface Disposition {
  gtin: string;
  serial: string;
  result: 'pass' | 'fail';
  notes?: string;
  disposition: 'restock' | 'scrap';
}

/**
 * Records the inspection of received units and their disposition: restock (needs a
 * pass; H4's moveStock refuses a lot that is not released) and scrap. One stocking
 * event for the restocked units and one destroying event for the scrapped ones.
 */
export async function dispositionRma(tx: Tx, rma: Rma, decisions: Disposition[], actor: string, reason: string | undefined, ctx: EventContext): Promise<number[]> {
  const lines = decisions.map((decision, index) => {
    const line = rma.lines.find((l) => l.gtin === decision.gtin && l.serial === decision.serial);
    if (!line) throw problems.invalidInput(`units.${index}: unit ${decision.serial} of GTIN ${decision.gtin} is not on RMA ${rma.id}`, `units.${index}`);
    if (line.status !== 'received') {
      throw problems.conflict('rma-unit-not-received', `units.${index}: unit ${decision.serial} is ${line.status}; only a received unit is dispositioned`, { field: `units.${index}` });
    }
    if (decision.disposition === 'restock' && decision.result !== 'pass') {
      throw new ProblemError(422, 'restock-needs-pass', 'Restock needs a passed inspection', `units.${index}: unit ${decision.serial} failed inspection; it can only be scrapped`, {
        field: `units.${index}.disposition`,
      });
    }
    return { line, decision };
  });
  const seqs: number[] = [];
  const now = new Date().toISOString();
  const restock = lines.filter((l) => l.decision.disposition === 'restock');
  if (restock.length > 0) {
    const bin = await defaultBin(tx, 'qualified');
    for (const { line } of restock) {
      await moveStock(tx, { gtin: line.gtin, lot: line.lot, serials: [line.serial], toBinId: bin.id, fromState: 'returned', toState: 'on_hand', kind: 'restock', actor, reason, ref: { type: 'rma', id: String(rma.id) } });
    }
    const { seq } = await appendEvent(tx, ctx.ledger, event('stocking', 'sellable_accessible', rma.id, restock.map((l) => l.line), now, ctx, { 'medtrace:returnInspection': { result: 'pass' } }));
    seqs.push(seq);
    await markLines(tx, rma.id, restock.map((l) => l.line.id), 'restocked', seq, restock.map((l) => l.decision));
  }
  const scrap = lines.filter((l) => l.decision.disposition === 'scrap');
  if (scrap.length > 0) {
    for (const { line } of scrap) {
      const moved = await tx<{ bin_id: number | null }[]>`
        update units u set state = 'scrapped', bin_id = null from units was
        where u.gtin = ${line.gtin} and u.serial = ${line.serial} and u.state = 'returned' and was.gtin = u.gtin and was.serial = u.serial
        returning was.bin_id`;
      await tx`
        insert into stock_moves (actor, kind, gtin, lot, serial, quantity, from_bin_id, from_state, to_state, reason, ref_type, ref_id)
        values (${actor}, 'scrap', ${line.gtin}, ${line.lot}, ${line.serial}, 1, ${moved[0]?.bin_id ?? null}, 'returned', 'scrapped', ${reason ?? null}, 'rma', ${String(rma.id)})`;
    }
    const extra = reason === undefined ? {} : { 'medtrace:reason': reason };
    const { seq } = await appendEvent(tx, ctx.ledger, event('destroying', 'destroyed', rma.id, scrap.map((l) => l.line), now, ctx, extra));
    seqs.push(seq);
    await markLines(tx, rma.id, scrap.map((l) => l.line.id), 'scrapped', seq, scrap.map((l) => l.decision));
  }
  await tx`
    update rmas set status = 'closed', updated_at = now()
    where id = ${rma.id} and not exists (select 1 from rma_lines where rma_id = ${rma.id} and status in ('authorized', 'received'))`;
  return seqs;
}

async function markLines(tx: Tx, rmaId: number, ids: number[], status: 'restocked' | 'scrapped', seq: number, decisions: Disposition[]): Promise<void> {
  for (const [index, id] of ids.entries()) {
    await tx`
      update rma_lines set status = ${status}, inspection_result = ${decisions[index].result}, inspection_notes = ${decisions[index].notes ?? null},
        disposition_at = now(), disposition_ledger_seq = ${seq}
      where id = ${id} and rma_id = ${rmaId}`;
  }
}

export async function findRma(sql: Sql | Tx, id: number, options: { lock?: boolean } = {}): Promise<Rma | undefined> {
  const [row] = await sql<{ id: string; customer_id: string; status: Rma['status']; reason: string; created_at: Date; created_by: string }[]>`
    select id, customer_id, status, reason, created_at, created_by from rmas where id = ${id} ${options.lock ? sql`for update` : sql``}`;
  if (!row) return undefined;
  const lines = await sql<
    { id: string; gtin: string; lot: string; serial: string; shipment_id: string; status: RmaLine['status']; inspection_result: 'pass' | 'fail' | null; inspection_notes: string | null; received_ledger_seq: string | null; disposition_ledger_seq: string | null }[]
  >`select id, gtin, lot, serial, shipment_id, status, inspection_result, inspection_notes, received_ledger_seq, disposition_ledger_seq
    from rma_lines where rma_id = ${id} order by id`;
  return {
    id: Number(row.id),
    customerId: Number(row.customer_id),
    status: row.status,
    reason: row.reason,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    lines: lines.map((l) => ({
      id: Number(l.id),
      gtin: l.gtin,
      lot: l.lot,
      serial: l.serial,
      shipmentId: Number(l.shipment_id),
      status: l.status,
      inspectionResult: l.inspection_result,
      inspectionNotes: l.inspection_notes,
      receivedLedgerSeq: l.received_ledger_seq === null ? null : Number(l.received_ledger_seq),
      dispositionLedgerSeq: l.disposition_ledger_seq === null ? null : Number(l.disposition_ledger_seq),
    })),
  };
}
