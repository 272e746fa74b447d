// Cycle counts of one bin: open (snapshot of what the bin should hold), count
// (the counted serials and lot quantities; a variance per line), post (every
// line with a variance needs a reason; adjustments applied and journaled).
//   missing unit (expected 1, counted 0) → state scrapped, journal `count_loss`
//   found unit (expected 0, counted 1)   → moved into the bin on hand, journal `count_found`
//   lot quantity off by d                → on-hand lot_stock adjusted by d, journal `count_adjust`
import type { Tx } from '../db';
import { ProblemError, problems } from '../http/problem';
import { addLotStock, takeFromRow } from './allocate';
import { assertBinAccepts, findBin } from './stock';

export interface CycleCountLine {
  id: number;
  gtin: string;
  lot: string;
  serial: string | null;
  expected: number;
  counted: number | null;
  variance: number | null;
  reason: string | null;
}

export interface CycleCount {
  id: number;
  binId: number;
  status: 'open' | 'counted' | 'posted' | 'cancelled';
  openedBy: string;
  openedAt: string;
  countedBy: string | null;
  postedBy: string | null;
  lines: CycleCountLine[];
}

export async function readCycleCount(tx: Tx, id: number, opts: { lock?: boolean } = {}): Promise<CycleCount | undefined> {
  const [head] = await tx<{ id: number; bin_id: number; status: CycleCount['status']; opened_by: string; opened_at: Date; counted_by: string | null; posted_by: string | null }[]>`
    select id, bin_id, status, opened_by, opened_at, counted_by, posted_by from cycle_counts where id = ${id} ${opts.lock ? tx`for update` : tx``}`;
  if (!head) return undefined;
  const lines = await tx<{ id: number; gtin: string; lot: string; serial: string | null; expected: number; counted: number | null; variance: number | null; reason: string | null }[]>`
    select id, gtin, lot, serial, expected, counted, variance, reason from cycle_count_lines where count_id = ${id} order by gtin, lot, serial nulls first`;
  return {
    id: Number(head.id),
    binId: Number(head.bin_id),
    status: head.status,
    openedBy: head.opened_by,
    openedAt: head.opened_at.toISOString(),
    countedBy: head.counted_by,
    postedBy: head.posted_by,
    lines: lines.map((line) => ({ ...line, id: Number(line.id) })),
  };
}

/** Opens a count of a bin with the stock it should hold; 409 `count-open` when one is already open. */
export async function openCycleCount(tx: Tx, binId: number, actor: string, note?: string): Promise<CycleCount> {
  const bin = await findBin(tx, binId);
  const [open] = await tx<{ id: number }[]>`select id from cycle_counts where bin_id = ${bin.id} and status in ('open', 'counted')`;
  if (open) throw problems.conflict('count-open', `bin ${bin.warehouse}/${bin.code} already has count ${open.id} open`, { field: 'binId', countId: Number(open.id) });
  const [created] = await tx<{ id: number }[]>`
    insert into cycle_counts (bin_id, opened_by, note) values (${bin.id}, ${actor}, ${note ?? null}) returning id`;
  const id = Number(created.id);
  await tx`
    insert into cycle_count_lines (count_id, gtin, lot, serial, expected)
    select ${id}::bigint, gtin, lot, serial, 1 from units where bin_id = ${bin.id} and state in ('on_hand', 'returned')
    union all
    select ${id}::bigint, gtin, lot, serial, 1 from units where order_line_id is not null and state in ('allocated', 'picked') and bin_id = ${bin.id}
    union all
    select ${id}::bigint, gtin, lot, null, sum(quantity)::integer from lot_stock where bin_id = ${bin.id} group by gtin, lot`;
  return (await readCycleCount(tx, id))!;
}

export interface CountInput {
  /** Serialised units found in the bin. */
  serials?: { gtin: string; serial: string }[];
  /** Lot-controlled quantities found in the bin (a lot not listed counts 0). */
  quantities?: { gtin: string; lot: string; quantity: number }[];
}

/** Records what was counted: every line gets counted and variance; found units not expected get a line. */
export async function recordCount(tx: Tx, id: number, input: CountInput, actor: string): Promise<CycleCount> {
  const count = await readCycleCount(tx, id, { lock: true });
  if (!count) throw problems.notFound(`no cycle count ${id}`, 'id');
  if (count.status !== 'open' && count.status !== 'counted') {
    throw problems.conflict('count-closed', `cycle count ${id} is ${count.status}: it cannot be counted again`, { field: 'id' });
  }
  await tx`update cycle_count_lines set counted = 0, variance = -expected where count_id = ${id}`;
  for (const [index, item] of (input.serials ?? []).entries()) {
    const [unit] = await tx<{ lot: string; state: string }[]>`select lot, state from units where gtin = ${item.gtin} and serial = ${item.serial}`;
    if (!unit) {
      throw problems.invalidInput(`serials.${index}: no unit ${item.serial} of GTIN ${item.gtin} is known; unknown units cannot be counted into stock`, `serials.${index}`);
    }
    await tx`
      insert into cycle_count_lines (count_id, gtin, lot, serial, expected, counted, variance)
      values (${id}, ${item.gtin}, ${unit.lot}, ${item.serial}, 0, 1, 1)
      on conflict (count_id, gtin, lot, coalesce(serial, '')) do update set counted = 1, variance = 1 - cycle_count_lines.expected`;
  }
  for (const item of input.quantities ?? []) {
    await tx`
      insert into cycle_count_lines (count_id, gtin, lot, serial, expected, counted, variance)
      values (${id}, ${item.gtin}, ${item.lot}, null, 0, ${item.quantity}, ${item.quantity})
      on conflict (count_id, gtin, lot, coalesce(serial, '')) do update set counted = excluded.counted, variance = excluded.counted - cycle_count_lines.expected`;
  }
  await tx`update cycle_counts set status = 'counted', counted_by = ${actor}, counted_at = now() where id = ${id}`;
  return (await readCycleCount(tx, id))!;
}

/**
 * Posts a counted count: each line with a variance needs a reason (from `reasons` by line id,
 * else the request's reason) — 422 `variance-reason-required` naming the lines otherwise —
 * then the stock is adjusted and journaled (ref cycle_count/<id>).
 */
export async function postCycleCount(tx: Tx, id: number, reasons: Map<number, string>, fallbackReason: string | undefined, actor: string): Promise<CycleCount> {
  const count = await readCycleCount(tx, id, { lock: true });
  if (!count) throw problems.notFound(`no cycle count ${id}`, 'id');
  if (count.status !== 'counted') throw problems.conflict('count-not-counted', `cycle count ${id} is ${count.status}: record the count first, then post it`, { field: 'id' });
  const off = count.lines.filter((line) => (line.variance ?? 0) !== 0);
  const unexplained = off.filter((line) => !reasons.get(line.id) && !fallbackReason);
  if (unexplained.length > 0) {
    throw new ProblemError(
      422,
      'variance-reason-required',
      'Variance reason required',
      `every counted variance needs a reason: lines ${unexplained.map((line) => `${line.id} (${line.gtin}/${line.lot}${line.serial ? '/' + line.serial : ''}, ${line.variance})`).join(', ')} have none`,
      { field: 'reasons', lineIds: unexplained.map((line) => line.id) },
    );
  }
  const bin = await findBin(tx, count.binId);
  const ref = { type: 'cycle_count', id: String(id) };
  for (const line of off) {
    const reason = reasons.get(line.id) ?? fallbackReason!;
    await tx`update cycle_count_lines set reason = ${reason} where id = ${line.id}`;
    const variance = line.variance!;
    if (line.serial !== null) {
      if (variance < 0) {
        const lost = await tx`
          update units set state = 'scrapped', order_line_id = null
          where gtin = ${line.gtin} and serial = ${line.serial} and bin_id = ${bin.id} and state in ('on_hand', 'returned', 'allocated', 'picked')
          returning serial`;
        if (lost.length === 0) continue; // moved away since the count opened: nothing to adjust
        await journal(tx, actor, 'count_loss', line, 1, bin.id, null, 'on_hand', 'scrapped', reason, ref);
      } else {
        const [unit] = await tx<{ bin_id: number | null; state: string }[]>`
          select bin_id, state from units where gtin = ${line.gtin} and serial = ${line.serial} for update`;
        if (unit.state !== 'on_hand' && unit.state !== 'returned' && unit.state !== 'scrapped') {
          throw problems.conflict('stock-not-movable', `unit ${line.serial} of GTIN ${line.gtin} is ${unit.state}: a count cannot take it into bin ${bin.code}`, { field: 'serials' });
        }
        await assertBinAccepts(tx, bin, line.gtin, line.lot);
        await tx`update units set bin_id = ${bin.id}, state = 'on_hand' where gtin = ${line.gtin} and serial = ${line.serial}`;
        await journal(tx, actor, 'count_found', line, 1, unit.bin_id, bin.id, unit.state, 'on_hand', reason, ref);
      }
    } else if (variance > 0) {
      await assertBinAccepts(tx, bin, line.gtin, line.lot);
      await addLotStock(tx, { gtin: line.gtin, lot: line.lot, binId: bin.id, state: 'on_hand', quantity: variance });
      await journal(tx, actor, 'count_adjust', line, variance, null, bin.id, null, 'on_hand', reason, ref);
    } else {
      const [row] = await tx<{ id: number; quantity: number }[]>`
        select id, quantity from lot_stock where gtin = ${line.gtin} and lot = ${line.lot} and bin_id = ${bin.id} and state = 'on_hand' and order_line_id is null for update`;
      if (!row || row.quantity < -variance) {
        throw problems.conflict('insufficient-stock', `lot ${line.lot}: only ${row?.quantity ?? 0} on hand in bin ${bin.code}, cannot take ${-variance} off (release allocations first)`, { field: 'quantities' });
      }
      await takeFromRow(tx, Number(row.id), row.quantity, -variance);
      await journal(tx, actor, 'count_adjust', line, -variance, bin.id, null, 'on_hand', null, reason, ref);
    }
  }
  await tx`update cycle_counts set status = 'posted', posted_by = ${actor}, posted_at = now() where id = ${id}`;
  return (await readCycleCount(tx, id))!;
}

async function journal(
  tx: Tx,
  actor: string,
  kind: string,
  line: CycleCountLine,
  quantity: number,
  fromBin: number | null,
  toBin: number | null,
  fromState: string | null,
  toState: string | null,
  reason: string,
  ref: { type: string; id: string },
): Promise<void> {
  await tx`
    insert into stock_moves (actor, kind, gtin, lot, serial, quantity, from_bin_id, to_bin_id, from_state, to_state, reason, ref_type, ref_id)
    values (${actor}, ${kind}, ${line.gtin}, ${line.lot}, ${line.serial}, ${quantity}, ${fromBin}, ${toBin}, ${fromState}, ${toState}, ${reason}, ${ref.type}, ${ref.id})`;
}
