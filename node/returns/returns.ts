// Customer returns: an RMA authorises units (serialised goods) or quantities of a
// lot (lot-controlled goods) that were shipped to that customer to come back;
// receiving puts them in the RETURNS bin (units: state returned; lot quantities:
// on hand in the returns zone, never allocatable) with a receiving/returned
// event; after inspection each is restocked (qualified bin, on hand,
// stocking/sellable_accessible event) or scrapped (destroying/destroyed event).
// Each step runs in the caller's transaction.
import { lotUri, type EpcisEvent } from '../../sdk';
import type { Sql, Tx } from '../db';
import { ProblemError, problems } from '../http/problem';
import { addLotStock, takeFromRow } from '../inventory/allocate';
import { defaultBin, moveStock } from '../inventory/stock';
import { appendEvent, type LedgerContext } from '../ledger/append';
import { unitUris } from '../lots/events';

export interface RmaLine {
  id: number;
  gtin: string;
  lot: string;
  /** null on a lot line (lot-controlled goods). */
  serial: string | null;
  /** 1 for a unit. */
  quantity: number;
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

export interface LotReturn {
  gtin: string;
  lot: string;
  quantity: number;
}

/**
 * Creates the RMA. Every unit must have been shipped to this customer and be out there now;
 * every lot quantity must be at most what was shipped of that lot to this customer less what
 * earlier RMAs of that customer already authorised.
 */
export async function createRma(
  tx: Tx,
  input: { customerId: number; reason: string; units?: { gtin: string; serial: string }[]; lots?: LotReturn[] },
  actor: string,
): Promise<number> {
  const found: { gtin: string; serial: string | null; lot: string; quantity: number; shipmentId: number }[] = [];
  for (const [index, unit] of (input.units ?? []).entries()) {
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
    found.push({ ...unit, lot: row.lot, quantity: 1, shipmentId: Number(row.shipment_id) });
  }
  const seen = new Set<string>();
  for (const [index, line] of (input.lots ?? []).entries()) {
    const key = `${line.gtin}\u0000${line.lot}`;
    if (seen.has(key)) throw problems.invalidInput(`lots.${index}: lot ${line.lot} of GTIN ${line.gtin} is listed twice; give one quantity`, `lots.${index}`);
    seen.add(key);
    found.push({ gtin: line.gtin, lot: line.lot, serial: null, quantity: line.quantity, shipmentId: await assertLotReturnable(tx, input.customerId, line, index) });
  }
  const [rma] = await tx<{ id: string }[]>`
    insert into rmas (customer_id, reason, created_by) values (${input.customerId}, ${input.reason}, ${actor}) returning id`;
  const id = Number(rma.id);
  for (const line of found) {
    await tx`
      insert into rma_lines (rma_id, gtin, lot, serial, quantity, shipment_id)
      values (${id}, ${line.gtin}, ${line.lot}, ${line.serial}, ${line.quantity}, ${line.shipmentId})`;
  }
  return id;
}

/** Checks a lot quantity against what went to the customer; returns the latest shipment of that lot to it. */
async function assertLotReturnable(tx: Tx, customerId: number, line: LotReturn, index: number): Promise<number> {
  const [product] = await tx<{ tracking: 'serial' | 'lot' }[]>`select tracking from products where gtin = ${line.gtin}`;
  if (product?.tracking === 'serial') {
    throw problems.invalidInput(`lots.${index}: GTIN ${line.gtin} is serialised: return its units by serial (units)`, `lots.${index}.gtin`);
  }
  // Serialising on the customer's returns: two RMAs at once cannot both count the same shipped quantity.
  await tx`select pg_advisory_xact_lock(hashtext('rma-lot'), ${customerId}::int)`;
  const [facts] = await tx<{ shipped: number; authorised: number; shipment_id: string | null }[]>`
    select
      (select coalesce(sum(sl.quantity), 0)::int from shipment_lines sl join shipments s on s.id = sl.shipment_id
        where s.customer_id = ${customerId} and sl.gtin = ${line.gtin} and sl.lot = ${line.lot} and sl.serial is null) as shipped,
      (select coalesce(sum(rl.quantity), 0)::int from rma_lines rl join rmas r on r.id = rl.rma_id
        where r.customer_id = ${customerId} and rl.gtin = ${line.gtin} and rl.lot = ${line.lot} and rl.serial is null) as authorised,
      (select sl.shipment_id from shipment_lines sl join shipments s on s.id = sl.shipment_id
        where s.customer_id = ${customerId} and sl.gtin = ${line.gtin} and sl.lot = ${line.lot} and sl.serial is null
        order by s.shipped_at desc, s.id desc limit 1) as shipment_id`;
  if (facts.shipment_id === null) {
    throw new ProblemError(422, 'lot-not-shipped-to-customer', 'Lot not shipped to this customer', `lots.${index}: lot ${line.lot} of GTIN ${line.gtin} was never shipped to customer ${customerId}`, {
      field: `lots.${index}`,
    });
  }
  const returnable = facts.shipped - facts.authorised;
  if (line.quantity > returnable) {
    throw new ProblemError(
      422,
      'return-exceeds-shipped',
      'More than was shipped',
      `lots.${index}: ${line.quantity} of lot ${line.lot} cannot come back: ${facts.shipped} were shipped to customer ${customerId} and ${facts.authorised} are already on returns, so at most ${returnable}`,
      { field: `lots.${index}.quantity`, shipped: facts.shipped, alreadyReturned: facts.authorised, returnable },
    );
  }
  return Number(facts.shipment_id);
}

/** What the event names: units in epcList, lot quantities in quantityList. */
function goodsOf(lines: Pick<RmaLine, 'gtin' | 'lot' | 'serial' | 'quantity'>[]): Pick<EpcisEvent, 'epcList' | 'quantityList'> {
  const byGtin = new Map<string, string[]>();
  const quantities: { epcClass: string; quantity: number; uom: string }[] = [];
  for (const line of lines) {
    if (line.serial !== null) byGtin.set(line.gtin, [...(byGtin.get(line.gtin) ?? []), line.serial]);
    else quantities.push({ epcClass: lotUri(line.gtin, line.lot), quantity: line.quantity, uom: 'EA' });
  }
  const out: Pick<EpcisEvent, 'epcList' | 'quantityList'> = {};
  if (byGtin.size > 0) out.epcList = [...byGtin].flatMap(([gtin, serials]) => unitUris(gtin, serials));
  if (quantities.length > 0) out.quantityList = quantities;
  return out;
}

function event(bizStep: string, disposition: string, rmaId: number, lines: Pick<RmaLine, 'gtin' | 'lot' | 'serial' | 'quantity'>[], time: string, ctx: EventContext, extra: Record<string, unknown> = {}): EpcisEvent {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep,
    disposition,
    eventTime: time,
    eventTimeZoneOffset: ctx.eventTimeZoneOffset,
    ...goodsOf(lines),
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
    if (line.serial === null) {
      // A lot quantity comes back on hand in the returns zone: counted, never allocatable.
      await addLotStock(tx, { gtin: line.gtin, lot: line.lot, binId: bin.id, state: 'on_hand', quantity: line.quantity });
      await tx`
        insert into stock_moves (actor, kind, gtin, lot, quantity, to_bin_id, from_state, to_state, ref_type, ref_id)
        values (${actor}, 'return', ${line.gtin}, ${line.lot}, ${line.quantity}, ${bin.id}, 'shipped', 'on_hand', 'rma', ${String(rma.id)})`;
      continue;
    }
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

/** A decision on a quantity of a returned lot; a lot line may be split between restock and scrap. */
export interface LotDisposition {
  gtin: string;
  lot: string;
  quantity: number;
  result: 'pass' | 'fail';
  notes?: string;
  disposition: 'restock' | 'scrap';
}

interface Decided {
  line: RmaLine;
  decision: { result: 'pass' | 'fail'; notes?: string; disposition: 'restock' | 'scrap' };
}

function checkDecision(decision: { result: 'pass' | 'fail'; disposition: 'restock' | 'scrap' }, field: string, what: string): void {
  if (decision.disposition === 'restock' && decision.result !== 'pass') {
    throw new ProblemError(422, 'restock-needs-pass', 'Restock needs a passed inspection', `${field}: ${what} failed inspection; it can only be scrapped`, {
      field: `${field}.disposition`,
    });
  }
}

/**
 * Lot decisions must cover each received lot line exactly (its whole quantity, split as the
 * inspection found it); a line decided in parts becomes one RMA line per part.
 */
async function decideLots(tx: Tx, rma: Rma, decisions: LotDisposition[]): Promise<Decided[]> {
  const groups = new Map<string, { line: RmaLine; parts: { decision: LotDisposition; index: number }[] }>();
  for (const [index, decision] of decisions.entries()) {
    const field = `lots.${index}`;
    const line = rma.lines.find((l) => l.serial === null && l.gtin === decision.gtin && l.lot === decision.lot && l.status === 'received')
      ?? rma.lines.find((l) => l.serial === null && l.gtin === decision.gtin && l.lot === decision.lot);
    if (!line) throw problems.invalidInput(`${field}: lot ${decision.lot} of GTIN ${decision.gtin} is not on RMA ${rma.id}`, field);
    if (line.status !== 'received') {
      throw problems.conflict('rma-unit-not-received', `${field}: lot ${decision.lot} on RMA ${rma.id} is ${line.status}; only a received quantity is dispositioned`, { field });
    }
    checkDecision(decision, field, `lot ${decision.lot}`);
    const key = String(line.id);
    const group = groups.get(key) ?? { line, parts: [] };
    group.parts.push({ decision, index });
    groups.set(key, group);
  }
  const decided: Decided[] = [];
  for (const { line, parts } of groups.values()) {
    const total = parts.reduce((sum, part) => sum + part.decision.quantity, 0);
    if (total !== line.quantity) {
      const field = `lots.${parts[parts.length - 1].index}.quantity`;
      throw problems.invalidInput(`${field}: ${line.quantity} of lot ${line.lot} were received on RMA ${rma.id}; the decisions cover ${total}: decide all of them`, field);
    }
    const [first, ...rest] = parts;
    await tx`update rma_lines set quantity = ${first.decision.quantity} where id = ${line.id}`;
    decided.push({ line: { ...line, quantity: first.decision.quantity }, decision: first.decision });
    for (const part of rest) {
      const [row] = await tx<{ id: string }[]>`
        insert into rma_lines (rma_id, gtin, lot, serial, quantity, shipment_id, status, received_at, received_ledger_seq)
        select rma_id, gtin, lot, null, ${part.decision.quantity}, shipment_id, status, received_at, received_ledger_seq from rma_lines where id = ${line.id}
        returning id`;
      decided.push({ line: { ...line, id: Number(row.id), quantity: part.decision.quantity }, decision: part.decision });
    }
  }
  return decided;
}

/**
 * Records the inspection of received units and lot quantities and their disposition: restock
 * (needs a pass; H4's moveStock refuses a lot that is not released) and scrap. One stocking
 * event for what is restocked and one destroying event for what is scrapped.
 */
export async function dispositionRma(
  tx: Tx,
  rma: Rma,
  input: { units?: Disposition[]; lots?: LotDisposition[]; actor: string; reason?: string; events: EventContext },
): Promise<number[]> {
  const { actor, reason, events: ctx } = input;
  const lines: Decided[] = (input.units ?? []).map((decision, index) => {
    const line = rma.lines.find((l) => l.gtin === decision.gtin && l.serial === decision.serial);
    if (!line) throw problems.invalidInput(`units.${index}: unit ${decision.serial} of GTIN ${decision.gtin} is not on RMA ${rma.id}`, `units.${index}`);
    if (line.status !== 'received') {
      throw problems.conflict('rma-unit-not-received', `units.${index}: unit ${decision.serial} is ${line.status}; only a received unit is dispositioned`, { field: `units.${index}` });
    }
    checkDecision(decision, `units.${index}`, `unit ${decision.serial}`);
    return { line, decision };
  });
  lines.push(...(await decideLots(tx, rma, input.lots ?? [])));
  const seqs: number[] = [];
  const now = new Date().toISOString();
  const restock = lines.filter((l) => l.decision.disposition === 'restock');
  const returnsBin = await defaultBin(tx, 'returns');
  if (restock.length > 0) {
    const bin = await defaultBin(tx, 'qualified');
    for (const { line } of restock) {
      const ref = { type: 'rma', id: String(rma.id) };
      if (line.serial === null) {
        await moveStock(tx, { gtin: line.gtin, lot: line.lot, quantity: line.quantity, fromBinId: returnsBin.id, toBinId: bin.id, kind: 'restock', actor, reason, ref });
      } else {
        await moveStock(tx, { gtin: line.gtin, lot: line.lot, serials: [line.serial], toBinId: bin.id, fromState: 'returned', toState: 'on_hand', kind: 'restock', actor, reason, ref });
      }
    }
    const { seq } = await appendEvent(tx, ctx.ledger, event('stocking', 'sellable_accessible', rma.id, restock.map((l) => l.line), now, ctx, { 'medtrace:returnInspection': { result: 'pass' } }));
    seqs.push(seq);
    await markLines(tx, rma.id, restock, 'restocked', seq);
  }
  const scrap = lines.filter((l) => l.decision.disposition === 'scrap');
  if (scrap.length > 0) {
    for (const { line } of scrap) {
      if (line.serial === null) {
        await scrapLotQuantity(tx, line, returnsBin.id, { actor, reason, rmaId: rma.id });
        continue;
      }
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
    await markLines(tx, rma.id, scrap, 'scrapped', seq);
  }
  await tx`
    update rmas set status = 'closed', updated_at = now()
    where id = ${rma.id} and not exists (select 1 from rma_lines where rma_id = ${rma.id} and status in ('authorized', 'received'))`;
  return seqs;
}

/** A scrapped lot quantity leaves the returns bin for good. */
async function scrapLotQuantity(tx: Tx, line: RmaLine, binId: number, by: { actor: string; reason?: string; rmaId: number }): Promise<void> {
  const [row] = await tx<{ id: string; quantity: number }[]>`
    select id, quantity from lot_stock
    where gtin = ${line.gtin} and lot = ${line.lot} and bin_id = ${binId} and state = 'on_hand' and order_line_id is null
    for update`;
  if (!row || row.quantity < line.quantity) {
    throw problems.conflict('insufficient-stock', `the returns bin holds ${row?.quantity ?? 0} of lot ${line.lot}, fewer than the ${line.quantity} to scrap`, { field: 'lots' });
  }
  await takeFromRow(tx, Number(row.id), row.quantity, line.quantity);
  await tx`
    insert into stock_moves (actor, kind, gtin, lot, quantity, from_bin_id, from_state, to_state, reason, ref_type, ref_id)
    values (${by.actor}, 'scrap', ${line.gtin}, ${line.lot}, ${line.quantity}, ${binId}, 'on_hand', 'scrapped', ${by.reason ?? null}, 'rma', ${String(by.rmaId)})`;
}

async function markLines(tx: Tx, rmaId: number, decided: Decided[], status: 'restocked' | 'scrapped', seq: number): Promise<void> {
  for (const { line, decision } of decided) {
    await tx`
      update rma_lines set status = ${status}, inspection_result = ${decision.result}, inspection_notes = ${decision.notes ?? null},
        disposition_at = now(), disposition_ledger_seq = ${seq}
      where id = ${line.id} and rma_id = ${rmaId}`;
  }
}

export async function findRma(sql: Sql | Tx, id: number, options: { lock?: boolean } = {}): Promise<Rma | undefined> {
  const [row] = await sql<{ id: string; customer_id: string; status: Rma['status']; reason: string; created_at: Date; created_by: string }[]>`
    select id, customer_id, status, reason, created_at, created_by from rmas where id = ${id} ${options.lock ? sql`for update` : sql``}`;
  if (!row) return undefined;
  const lines = await sql<
    { id: string; gtin: string; lot: string; serial: string | null; quantity: number; shipment_id: string; status: RmaLine['status']; inspection_result: 'pass' | 'fail' | null; inspection_notes: string | null; received_ledger_seq: string | null; disposition_ledger_seq: string | null }[]
  >`select id, gtin, lot, serial, quantity, shipment_id, status, inspection_result, inspection_notes, received_ledger_seq, disposition_ledger_seq
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
      quantity: l.quantity,
      shipmentId: Number(l.shipment_id),
      status: l.status,
      inspectionResult: l.inspection_result,
      inspectionNotes: l.inspection_notes,
      receivedLedgerSeq: l.received_ledger_seq === null ? null : Number(l.received_ledger_seq),
      dispositionLedgerSeq: l.disposition_ledger_seq === null ? null : Number(l.disposition_ledger_seq),
    })),
  };
}
