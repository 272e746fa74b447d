// FEFO allocation (first expiry, first out) of order lines against stock that
// passes the availability rule (./availability.ts), and its undoing.
//
// Serialised products: units are marked `allocated` with the line's id. All the
// lines of one call are allocated with ONE statement per pass: per (gtin, lot
// asked for) the units needed are taken in FEFO order (lot expiry, then lot)
// with `for update skip locked`, numbered, and handed to the lines in their
// order; lines naming a lot go first, then the others. A unit another
// transaction holds is skipped, one that transaction has just allocated is
// re-checked by Postgres and dropped: the same unit never goes to two lines.
// Lot-controlled products: on-hand lot_stock rows are locked (`for update`, in
// FEFO order) and split: the quantity taken moves to a row of state `allocated`
// carrying the line's id.
// Each (line, lot, bin) allocated writes one stock_moves journal row (kind
// `allocate`, from_state on_hand, to_state allocated, ref order_line/<id>).
import type { Sql, Tx } from '../db';
import { allocatableWhere, binRule, lotRule, productRule, stockRule } from './availability';

export interface AllocationLine {
  /** The order line's id (unique within one call); units and lot_stock rows carry it. */
  lineId: number;
  /** 14-digit GTIN. */
  gtin: string;
  /** Units (EA) wanted: a positive integer. */
  quantity: number;
  /** Only this lot (a customer's or a recall's demand); omitted: any lot, FEFO. */
  lot?: string;
}

export interface AllocatedStock {
  gtin: string;
  lot: string;
  /** Serialised products: the unit (quantity 1); lot-controlled: absent. */
  serial?: string;
  quantity: number;
  binId: number;
  /** The lot's expiry, YYYY-MM-DD. */
  expiry: string;
}

export interface LineAllocation {
  lineId: number;
  /** What was allocated, in FEFO order. */
  allocated: AllocatedStock[];
  /** quantity asked − quantity allocated (0: fully allocated). */
  shortfall: number;
}

export interface AllocateOptions {
  /** The day the availability rule is judged on, YYYY-MM-DD (default: the database's current_date). */
  today?: string;
  /** Who allocates, for the stock journal (default `system`). */
  actor?: string;
}

interface AllocatedRow {
  line_id: number;
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
  bin_id: number;
  expiry: string;
}

/**
 * Allocates each line FEFO from allocatable stock, within the caller's transaction
 * (commit or roll back with the order). Returns one entry per line, in the input's
 * order: what was allocated and the shortfall (partial allocation is not an error;
 * an unknown GTIN allocates nothing). Throws on malformed lines (duplicate lineId,
 * quantity not a positive integer).
 */
export async function allocateFefo(tx: Tx, lines: readonly AllocationLine[], opts: AllocateOptions = {}): Promise<LineAllocation[]> {
  checkLines(lines);
  const actor = opts.actor ?? 'system';
  const results = new Map<number, LineAllocation>(lines.map((line) => [line.lineId, { lineId: line.lineId, allocated: [], shortfall: line.quantity }]));
  if (lines.length === 0) return [];

  const gtins = [...new Set(lines.map((line) => line.gtin))];
  const tracking = new Map(
    (await tx<{ gtin: string; tracking: string }[]>`select gtin, tracking from products where gtin = any(${tx.array(gtins)}::text[])`).map((row) => [
      row.gtin,
      row.tracking,
    ]),
  );
  const serialised = lines.filter((line) => tracking.get(line.gtin) === 'serial');
  const lotControlled = lines.filter((line) => tracking.get(line.gtin) === 'lot');

  const record = (rows: AllocatedRow[]) => {
    for (const row of rows) {
      const result = results.get(Number(row.line_id))!;
      result.allocated.push({
        gtin: row.gtin,
        lot: row.lot,
        ...(row.serial === null ? {} : { serial: row.serial }),
        quantity: row.quantity,
        binId: Number(row.bin_id),
        expiry: row.expiry,
      });
      result.shortfall -= row.quantity;
    }
  };

  // Lines naming a lot first: they have no other choice.
  const named = serialised.filter((line) => line.lot !== undefined);
  const free = serialised.filter((line) => line.lot === undefined);
  if (serialised.length > 0) {
    // The statement's estimated cost is high enough to trigger JIT compilation, which
    // costs ~100 ms and saves nothing on these few thousand rows.
    await tx`set local jit = off`;
    if (named.length > 0) record(await allocateUnits(tx, named, actor, opts.today));
    if (free.length > 0) record(await allocateUnits(tx, free, actor, opts.today));
    await tx`set local jit to default`;
  }
  for (const line of lotControlled) record(await allocateLotStock(tx, line, actor, opts.today));

  return lines.map((line) => {
    const result = results.get(line.lineId)!;
    result.allocated.sort(
      (a, b) => (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : (a.serial ?? '') < (b.serial ?? '') ? -1 : 1),
    );
    return result;
  });
}

function checkLines(lines: readonly AllocationLine[]): void {
  const seen = new Set<number>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.lineId)) throw new Error(`allocateFefo: lineId must be an integer, got ${line.lineId}`);
    if (seen.has(line.lineId)) throw new Error(`allocateFefo: lineId ${line.lineId} appears twice`);
    seen.add(line.lineId);
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw new Error(`allocateFefo: line ${line.lineId}: quantity must be a positive integer, got ${line.quantity}`);
    }
  }
}

/**
 * One statement for a set of serialised lines that all name a lot or all do not (so no
 * unit can be picked for two groups of one statement): demand per (gtin, lot|''), units
 * taken under skip-locked row locks in FEFO order, numbered, matched to the lines' slots,
 * updated by their row address (ctid: the locked row version, which no one else can change
 * before this transaction ends), journaled.
 * The lines travel as arrays (no JSON), and the answer comes back one row per (line, lot,
 * bin) with the serials as an array: a tenth of the rows to send and parse.
 */
async function allocateUnits(tx: Tx, lines: readonly AllocationLine[], actor: string, today: string | undefined): Promise<AllocatedRow[]> {
  const named = lines[0].lot !== undefined;
  const rows = await tx<{ line_id: number; gtin: string; lot: string; bin_id: number; expiry: string; serials: string[] }[]>`
    with lines as (
      select line_id, gtin, lot, quantity, ord
      from unnest(${tx.array(lines.map((line) => line.lineId))}::bigint[], ${tx.array(lines.map((line) => line.gtin))}::text[],
                  ${tx.array(lines.map((line) => line.lot ?? ''))}::text[], ${tx.array(lines.map((line) => line.quantity))}::integer[])
        with ordinality as x(line_id, gtin, lot, quantity, ord)
    ),
    demand as (
      select x.gtin, x.want, x.need
      from (select gtin, lot as want, sum(quantity)::integer as need from lines group by gtin, lot) x
      join products p on p.gtin = x.gtin collate "C"
      where ${productRule(tx, today)}
    ),
    picked as (
      select d.gtin, d.want, c.tid, c.expiry,
             row_number() over (partition by d.gtin, d.want order by c.expiry, c.lot, c.serial) as rn
      from demand d
      cross join lateral (
        select s.ctid as tid, s.lot, s.serial, l.expiry
        from lots l
        join units s on s.gtin = l.gtin and s.lot = l.lot
        where l.gtin = d.gtin collate "C" ${named ? tx`and l.lot = d.want collate "C"` : tx``}
          and ${lotRule(tx, today)} and ${stockRule(tx)}
          and s.bin_id = any(array(select b.id from bins b where ${binRule(tx)}))
        -- Lots in FEFO order straight from lots_fefo: no sort, the scan stops at d.need units
        -- (which units of a lot does not matter to FEFO).
        order by l.expiry, l.lot
        limit d.need
        for update of s skip locked
      ) c
    ),
    slots as (
      -- Line i of a (gtin, lot asked for) gets slots lo+1 … lo+quantity, lines in their order.
      select line_id, gtin, lot as want, generate_series(lo + 1, lo + quantity) as rn
      from (select line_id, gtin, lot, quantity, sum(quantity) over (partition by gtin, lot order by ord) - quantity as lo from lines) r
    ),
    assigned as (
      select s.line_id, p.tid, p.expiry
      from slots s join picked p on p.gtin = s.gtin and p.want = s.want and p.rn = s.rn
    ),
    updated as (
      update units u set state = 'allocated', order_line_id = a.line_id
      from assigned a
      where u.ctid = a.tid and u.state = 'on_hand'
      returning u.order_line_id as line_id, u.gtin, u.lot, u.serial, u.bin_id, a.expiry
    ),
    journal as (
      insert into stock_moves (actor, kind, gtin, lot, quantity, from_bin_id, to_bin_id, from_state, to_state, ref_type, ref_id)
      select ${actor}, 'allocate', gtin, lot, count(*)::integer, bin_id, bin_id, 'on_hand', 'allocated', 'order_line', line_id::text
      from updated group by line_id, gtin, lot, bin_id
    )
    select line_id, gtin, lot, bin_id, expiry::text as expiry, array_agg(serial) as serials
    from updated group by line_id, gtin, lot, bin_id, expiry`;
  return rows.flatMap((row) =>
    row.serials.map((serial) => ({ line_id: row.line_id, gtin: row.gtin, lot: row.lot, serial, quantity: 1, bin_id: row.bin_id, expiry: row.expiry })),
  );
}

/** One lot-controlled line: on-hand rows locked in FEFO order and split until the quantity is met. */
async function allocateLotStock(tx: Tx, line: AllocationLine, actor: string, today: string | undefined): Promise<AllocatedRow[]> {
  const rows = await tx<{ id: number; lot: string; bin_id: number; quantity: number; expiry: string }[]>`
    select s.id, s.lot, s.bin_id, s.quantity, l.expiry::text as expiry
    from lot_stock s
    join lots l on l.gtin = s.gtin and l.lot = s.lot
    join products p on p.gtin = s.gtin
    join bins b on b.id = s.bin_id
    where s.gtin = ${line.gtin} and ${line.lot === undefined ? tx`true` : tx`s.lot = ${line.lot}`}
      and ${allocatableWhere(tx, today)}
    order by l.expiry, s.lot, s.id
    for update of s`;
  const out: AllocatedRow[] = [];
  let left = line.quantity;
  for (const row of rows) {
    if (left === 0) break;
    const take = Math.min(left, row.quantity);
    await takeFromRow(tx, row.id, row.quantity, take);
    await addLotStock(tx, { gtin: line.gtin, lot: row.lot, binId: row.bin_id, state: 'allocated', orderLineId: line.lineId, quantity: take });
    await tx`
      insert into stock_moves (actor, kind, gtin, lot, quantity, from_bin_id, to_bin_id, from_state, to_state, ref_type, ref_id)
      values (${actor}, 'allocate', ${line.gtin}, ${row.lot}, ${take}, ${row.bin_id}, ${row.bin_id}, 'on_hand', 'allocated', 'order_line', ${String(line.lineId)})`;
    out.push({ line_id: line.lineId, gtin: line.gtin, lot: row.lot, serial: null, quantity: take, bin_id: row.bin_id, expiry: row.expiry });
    left -= take;
  }
  return out;
}

/** Takes `take` of a locked lot_stock row holding `has`: deletes it when emptied. */
export async function takeFromRow(tx: Tx, id: number, has: number, take: number): Promise<void> {
  if (take === has) await tx`delete from lot_stock where id = ${id}`;
  else await tx`update lot_stock set quantity = quantity - ${take} where id = ${id}`;
}

/** Adds a quantity to the lot_stock row of (gtin, lot, bin, state, order line), creating it. */
export async function addLotStock(
  tx: Tx,
  row: { gtin: string; lot: string; binId: number; state: 'on_hand' | 'allocated' | 'picked'; orderLineId?: number | null; quantity: number },
): Promise<void> {
  await tx`
    insert into lot_stock (gtin, lot, bin_id, state, order_line_id, quantity)
    values (${row.gtin}, ${row.lot}, ${row.binId}, ${row.state}, ${row.orderLineId ?? null}, ${row.quantity})
    on conflict (gtin, lot, bin_id, state, coalesce(order_line_id, 0)) do update set quantity = lot_stock.quantity + excluded.quantity`;
}

export interface ReleasedAllocation {
  /** Serialised units returned to on_hand. */
  units: number;
  /** Lot-controlled quantity returned to on_hand. */
  quantity: number;
}

/**
 * Undoes the allocation of one order line (an order cancelled or re-allocated): its
 * `allocated` units go back to on_hand without a line, its allocated lot_stock rows
 * are merged back into on-hand rows of the same bin. Picked stock is left alone.
 */
export async function releaseAllocation(tx: Tx, lineId: number, opts: { actor?: string } = {}): Promise<ReleasedAllocation> {
  const actor = opts.actor ?? 'system';
  const units = await tx<{ gtin: string; lot: string; bin_id: number; n: number }[]>`
    with released as (
      update units set state = 'on_hand', order_line_id = null
      where order_line_id = ${lineId} and state = 'allocated'
      returning gtin, lot, bin_id
    )
    select gtin, lot, bin_id, count(*)::integer as n from released group by gtin, lot, bin_id`;
  const rows = await tx<{ id: number; gtin: string; lot: string; bin_id: number; quantity: number }[]>`
    delete from lot_stock where order_line_id = ${lineId} and state = 'allocated'
    returning id, gtin, lot, bin_id, quantity`;
  for (const row of rows) {
    await addLotStock(tx, { gtin: row.gtin, lot: row.lot, binId: row.bin_id, state: 'on_hand', quantity: row.quantity });
  }
  for (const row of [...units.map((u) => ({ ...u, quantity: u.n })), ...rows]) {
    await tx`
      insert into stock_moves (actor, kind, gtin, lot, quantity, from_bin_id, to_bin_id, from_state, to_state, ref_type, ref_id)
      values (${actor}, 'deallocate', ${row.gtin}, ${row.lot}, ${row.quantity}, ${row.bin_id}, ${row.bin_id}, 'allocated', 'on_hand', 'order_line', ${String(lineId)})`;
  }
  return { units: units.reduce((sum, u) => sum + u.n, 0), quantity: rows.reduce((sum, r) => sum + r.quantity, 0) };
}

/** Stock allocated to a line (units and lot quantities), for reading an order back. */
export async function allocationsOfLine(sql: Sql | Tx, lineId: number): Promise<AllocatedStock[]> {
  const rows = await sql<AllocatedRow[]>`
    select s.gtin, s.lot, s.serial, 1 as quantity, s.bin_id, l.expiry::text as expiry
    from units s join lots l on l.gtin = s.gtin and l.lot = s.lot
    where s.order_line_id = ${lineId} and s.state = 'allocated'
    union all
    select s.gtin, s.lot, null, s.quantity, s.bin_id, l.expiry::text
    from lot_stock s join lots l on l.gtin = s.gtin and l.lot = s.lot
    where s.order_line_id = ${lineId} and s.state = 'allocated'
    order by expiry, lot, serial`;
  return rows.map((row) => ({
    gtin: row.gtin,
    lot: row.lot,
    ...(row.serial === null ? {} : { serial: row.serial }),
    quantity: row.quantity,
    binId: Number(row.bin_id),
    expiry: row.expiry,
  }));
}
