// Scan-verified picking: the picker scans the UDI on the item (any GS1 form
// the SDK's parseGs1 reads: Digital Link, bracketed or raw element string) and
// the scan is accepted only when it is exactly what this order was allocated.
// A case label of lot-controlled goods ((00) SSCC, (02) content, (37) count,
// (10) lot: the SDK's parseGs1Case) picks the case's count in one scan.
// Every refusal names its reason with a stable slug (409, field `scan`); a
// malformed code is the SDK's own GS1 error with its field (422).
import { parseGs1, parseGs1Case, type Gs1Data } from '../../sdk';
import type { Tx } from '../db';
import { ProblemError } from '../http/problem';
import { addLotStock, takeFromRow } from '../inventory/allocate';
import { todayDate, unitAvailability } from '../inventory/availability';
import type { Order, OrderLine } from './orders';

export interface Pick {
  id: number;
  orderLineId: number;
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
}

const refuse = (slug: string, title: string, detail: string, extras: Record<string, unknown> = {}) =>
  new ProblemError(409, slug, title, detail, { field: 'scan', ...extras });

/**
 * Checks the scan against the order and the stock, then marks the stock picked. One pick per
 * order line served: a lot-controlled scan whose quantity spans two lines of the same
 * product and lot records each line's part against that line.
 */
export async function pickScan(tx: Tx, order: Order, scan: string, asked: number | undefined, actor: string, today: string = todayDate()): Promise<Pick[]> {
  const { data, caseCount } = readScan(scan.trim());
  if (caseCount !== undefined && asked !== undefined && asked !== caseCount) {
    throw new ProblemError(422, 'scan-quantity-mismatch', 'Quantity differs from the case', `the case label says ${caseCount}; quantity ${asked} was given (leave it out to pick the case)`, {
      field: 'quantity',
      caseCount,
    });
  }
  const quantity = caseCount ?? asked ?? 1;
  const lines = order.lines.filter((line) => line.gtin === data.gtin);
  if (lines.length === 0) {
    throw refuse('scan-wrong-product', 'Wrong product', `scanned GTIN ${data.gtin} is not on order ${order.id} (it orders ${[...new Set(order.lines.map((l) => l.gtin))].join(', ')})`, {
      gtin: data.gtin,
    });
  }
  const [product] = await tx<{ tracking: 'serial' | 'lot' }[]>`select tracking from products where gtin = ${data.gtin}`;
  if (caseCount !== undefined && product.tracking === 'serial') {
    throw new ProblemError(422, 'scan-case-of-serialised', 'Scan the units', `product ${data.gtin} is serialised: scan each unit's UDI, not the case label`, { field: 'scan' });
  }
  return product.tracking === 'serial'
    ? [await pickUnit(tx, order, lines, { gtin: data.gtin, lot: data.lot, serial: data.serial }, scan, actor, today)]
    : pickLotQuantity(tx, order, lines, { gtin: data.gtin, lot: data.lot }, quantity, scan, actor, today);
}

/** A unit or lot UDI; failing that, a case label naming its content (02), lot and count (37). */
function readScan(scan: string): { data: Gs1Data; caseCount?: number } {
  try {
    return { data: parseGs1(scan) };
  } catch (unitError) {
    let found;
    try {
      found = parseGs1Case(scan);
    } catch {
      throw unitError;
    }
    if (found.content === undefined || found.count === undefined) throw unitError;
    const data: Gs1Data = { gtin: found.content };
    if (found.lot !== undefined) data.lot = found.lot;
    return { data, caseCount: found.count };
  }
}

async function pickUnit(
  tx: Tx,
  order: Order,
  lines: OrderLine[],
  data: { gtin: string; lot?: string; serial?: string },
  scan: string,
  actor: string,
  today: string,
): Promise<Pick> {
  if (data.serial === undefined) {
    throw new ProblemError(422, 'scan-serial-missing', 'Serial missing', `product ${data.gtin} is serialised: scan the unit's UDI with its serial (AI 21)`, { field: 'scan' });
  }
  const serial = data.serial;
  const unit = await unitAvailability(tx, data.gtin, serial, today);
  if (!unit) throw refuse('scan-unknown-unit', 'Unknown unit', `no unit ${serial} of GTIN ${data.gtin} is known here`, { gtin: data.gtin, serial });
  if (data.lot !== undefined && data.lot !== unit.lot) {
    throw refuse('scan-wrong-lot', 'Wrong lot', `the label says lot ${data.lot} but unit ${serial} belongs to lot ${unit.lot}`, { gtin: data.gtin, serial, lot: unit.lot });
  }
  const lineIds = new Set(lines.map((line) => line.id));
  const [picked] = await tx`select 1 from picks where order_id = ${order.id} and gtin = ${data.gtin} and serial = ${serial}`;
  if (picked) throw refuse('scan-already-picked', 'Already picked', `unit ${serial} of GTIN ${data.gtin} is already picked for order ${order.id}`, { gtin: data.gtin, serial });
  if (unit.verdict.allocatable === false && (unit.verdict.rule === 'lot-expired' || unit.verdict.rule === 'lot-not-released')) {
    if (unit.verdict.rule === 'lot-expired') {
      throw refuse('scan-expired', 'Expired', `unit ${serial} of lot ${unit.lot}: ${unit.verdict.detail}; it cannot be shipped`, { gtin: data.gtin, serial, lot: unit.lot, expiry: unit.lotExpiry });
    }
    throw refuse('scan-lot-not-released', 'Lot not released', `unit ${serial} of lot ${unit.lot}: ${unit.verdict.detail}; only released stock is shipped`, {
      gtin: data.gtin,
      serial,
      lot: unit.lot,
      lotStatus: unit.lotStatus,
    });
  }
  if (unit.state !== 'allocated' || unit.orderLineId === null || !lineIds.has(Number(unit.orderLineId))) {
    // Which lots this order holds for the product tells a wrong lot from a wrong unit of the right lot.
    const allocatedLots = await tx<{ lot: string }[]>`
      select distinct lot from units where order_line_id in ${tx([...lineIds])} and state = 'allocated' order by lot`;
    const lots = allocatedLots.map((row) => row.lot);
    if (!lots.includes(unit.lot)) {
      throw refuse('scan-wrong-lot', 'Wrong lot', `unit ${serial} is of lot ${unit.lot}, which is not allocated to order ${order.id}${lots.length ? `; pick from lot ${lots.join(', ')}` : ''}`, {
        gtin: data.gtin,
        serial,
        lot: unit.lot,
        allocatedLots: lots,
      });
    }
    const where = unit.state === 'allocated' || unit.state === 'picked' ? ` (it is ${unit.state} for another order)` : ` (it is ${unit.state})`;
    throw refuse('scan-not-allocated', 'Unit not allocated to this order', `unit ${serial} of lot ${unit.lot} is not allocated to order ${order.id}${where}`, {
      gtin: data.gtin,
      serial,
      lot: unit.lot,
    });
  }
  const lineId = Number(unit.orderLineId);
  const updated = await tx`
    update units set state = 'picked' where gtin = ${data.gtin} and serial = ${serial} and state = 'allocated' and order_line_id = ${lineId} returning serial`;
  if (updated.length === 0) throw refuse('scan-not-allocated', 'Unit not allocated to this order', `unit ${serial} changed while being picked; scan it again`);
  await tx`
    insert into stock_moves (actor, kind, gtin, lot, serial, quantity, from_bin_id, to_bin_id, from_state, to_state, ref_type, ref_id)
    values (${actor}, 'pick', ${data.gtin}, ${unit.lot}, ${serial}, 1, ${unit.binId}, ${unit.binId}, 'allocated', 'picked', 'order_line', ${String(lineId)})`;
  return insertPick(tx, { orderId: order.id, orderLineId: lineId, gtin: data.gtin, lot: unit.lot, serial, quantity: 1, scan, actor });
}

async function pickLotQuantity(
  tx: Tx,
  order: Order,
  lines: OrderLine[],
  data: { gtin: string; lot?: string },
  quantity: number,
  scan: string,
  actor: string,
  today: string,
): Promise<Pick[]> {
  if (data.lot === undefined) {
    throw new ProblemError(422, 'scan-lot-missing', 'Lot missing', `product ${data.gtin} is lot-controlled: scan the UDI with its lot (AI 10)`, { field: 'scan' });
  }
  const lot = data.lot;
  const [facts] = await tx<{ status: string; expiry: string }[]>`select status, expiry::text as expiry from lots where gtin = ${data.gtin} and lot = ${lot}`;
  if (!facts) throw refuse('scan-unknown-lot', 'Unknown lot', `no lot ${lot} of GTIN ${data.gtin} is known here`, { gtin: data.gtin, lot });
  if (facts.status === 'expired' || facts.expiry <= today) {
    throw refuse('scan-expired', 'Expired', `lot ${lot} expired on ${facts.expiry} (today is ${today}); it cannot be shipped`, { gtin: data.gtin, lot, expiry: facts.expiry });
  }
  if (facts.status !== 'released') {
    throw refuse('scan-lot-not-released', 'Lot not released', `lot ${lot} is ${facts.status}, not released; only released stock is shipped`, { gtin: data.gtin, lot, lotStatus: facts.status });
  }
  const rows = await tx<{ id: number; order_line_id: number; bin_id: number; quantity: number }[]>`
    select id, order_line_id, bin_id, quantity from lot_stock
    where gtin = ${data.gtin} and lot = ${lot} and state = 'allocated' and order_line_id in ${tx(lines.map((l) => l.id))}
    order by id for update`;
  const allocated = rows.reduce((sum, row) => sum + row.quantity, 0);
  if (allocated === 0) throw refuse('scan-wrong-lot', 'Wrong lot', `lot ${lot} is not allocated to order ${order.id}`, { gtin: data.gtin, lot });
  if (quantity > allocated) {
    throw refuse('scan-quantity-exceeds-allocation', 'More than allocated', `order ${order.id} has ${allocated} of lot ${lot} allocated and left to pick; ${quantity} scanned`, {
      field: 'quantity',
      allocated,
    });
  }
  let left = quantity;
  const perLine = new Map<number, number>();
  for (const row of rows) {
    if (left === 0) break;
    const take = Math.min(left, row.quantity);
    const lineId = Number(row.order_line_id);
    await takeFromRow(tx, row.id, row.quantity, take);
    await addLotStock(tx, { gtin: data.gtin, lot, binId: row.bin_id, state: 'picked', orderLineId: lineId, quantity: take });
    await tx`
      insert into stock_moves (actor, kind, gtin, lot, quantity, from_bin_id, to_bin_id, from_state, to_state, ref_type, ref_id)
      values (${actor}, 'pick', ${data.gtin}, ${lot}, ${take}, ${row.bin_id}, ${row.bin_id}, 'allocated', 'picked', 'order_line', ${String(lineId)})`;
    perLine.set(lineId, (perLine.get(lineId) ?? 0) + take);
    left -= take;
  }
  const picks: Pick[] = [];
  for (const [lineId, taken] of perLine) {
    picks.push(await insertPick(tx, { orderId: order.id, orderLineId: lineId, gtin: data.gtin, lot, serial: null, quantity: taken, scan, actor }));
  }
  return picks;
}

async function insertPick(
  tx: Tx,
  pick: { orderId: number; orderLineId: number; gtin: string; lot: string; serial: string | null; quantity: number; scan: string; actor: string },
): Promise<Pick> {
  const [row] = await tx<{ id: string }[]>`
    insert into picks (order_id, order_line_id, gtin, lot, serial, quantity, scan, picked_by)
    values (${pick.orderId}, ${pick.orderLineId}, ${pick.gtin}, ${pick.lot}, ${pick.serial}, ${pick.quantity}, ${pick.scan}, ${pick.actor})
    returning id`;
  return { id: Number(row.id), orderLineId: pick.orderLineId, gtin: pick.gtin, lot: pick.lot, serial: pick.serial, quantity: pick.quantity };
}
