// Reading stock: by product, lot, serial, bin, state (with totals), stock near
// or past its expiry, and the stock journal.
import type { Sql, Tx } from '../db';
import { todayDate } from './availability';

/** States of stock still in the warehouse (the default of the stock query). */
export const IN_WAREHOUSE = ['on_hand', 'allocated', 'picked', 'returned'] as const;

export interface StockFilter {
  gtin?: string;
  lot?: string;
  serial?: string;
  binId?: number;
  zone?: string;
  /** Unit or lot_stock state; default: every state still in the warehouse. */
  state?: string;
  lotStatus?: string;
}

export interface StockRow {
  gtin: string;
  lot: string;
  binId: number | null;
  bin: string | null;
  zone: string | null;
  state: string;
  lotStatus: string;
  expiry: string;
  quantity: number;
}

export interface StockTotals {
  quantity: number;
  byState: Record<string, number>;
  byZone: Record<string, number>;
  byLotStatus: Record<string, number>;
}

// Stock grouped by (gtin, lot, bin, state): serialised units counted, lot-controlled quantities summed.
function stockRows(sql: Sql | Tx, filter: StockFilter) {
  const states = filter.state === undefined ? [...IN_WAREHOUSE] : [filter.state];
  const common = sql`
        ${filter.gtin === undefined ? sql`` : sql`and s.gtin = ${filter.gtin}`}
        ${filter.lot === undefined ? sql`` : sql`and s.lot = ${filter.lot}`}
        ${filter.binId === undefined ? sql`` : sql`and s.bin_id = ${filter.binId}`}
        and s.state = any(${sql.array(states)}::text[])`;
  return sql`
    select s.gtin, s.lot, s.bin_id, s.state, count(*)::integer as quantity
    from units s where true ${common} ${filter.serial === undefined ? sql`` : sql`and s.serial = ${filter.serial}`}
    group by s.gtin, s.lot, s.bin_id, s.state
    ${filter.serial === undefined
      ? sql`union all
    select s.gtin, s.lot, s.bin_id, s.state, sum(s.quantity)::integer from lot_stock s where true ${common}
    group by s.gtin, s.lot, s.bin_id, s.state`
      : sql``}`;
}

function joined(sql: Sql | Tx, filter: StockFilter) {
  return sql`
    select g.gtin, g.lot, g.bin_id, b.warehouse || '/' || b.code as bin, b.zone, g.state, l.status as lot_status,
           l.expiry::text as expiry, g.quantity
    from (${stockRows(sql, filter)}) g
    join lots l on l.gtin = g.gtin and l.lot = g.lot
    left join bins b on b.id = g.bin_id
    where true
      ${filter.zone === undefined ? sql`` : sql`and b.zone = ${filter.zone}`}
      ${filter.lotStatus === undefined ? sql`` : sql`and l.status = ${filter.lotStatus}`}`;
}

interface Row {
  gtin: string;
  lot: string;
  bin_id: number | null;
  bin: string | null;
  zone: string | null;
  state: string;
  lot_status: string;
  expiry: string;
  quantity: number;
}

const toStockRow = (row: Row): StockRow => ({
  gtin: row.gtin,
  lot: row.lot,
  binId: row.bin_id === null ? null : Number(row.bin_id),
  bin: row.bin,
  zone: row.zone,
  state: row.state,
  lotStatus: row.lot_status,
  expiry: row.expiry,
  quantity: row.quantity,
});

/** A page of stock rows ordered by (gtin, lot, bin id, state), after a keyset `after`. */
export async function listStock(
  sql: Sql | Tx,
  filter: StockFilter,
  page: { after?: [string, string, string, string]; limit: number },
): Promise<StockRow[]> {
  const rows = await sql<Row[]>`
    select * from (${joined(sql, filter)}) j
    where ${page.after === undefined ? sql`true` : sql`(j.gtin, j.lot, coalesce(j.bin_id, 0), j.state) > (${page.after[0]}, ${page.after[1]}, ${page.after[2]}::bigint, ${page.after[3]})`}
    order by j.gtin, j.lot, coalesce(j.bin_id, 0), j.state
    limit ${page.limit}`;
  return rows.map(toStockRow);
}

/** Totals over every row the filter selects (not only the page). */
export async function stockTotals(sql: Sql | Tx, filter: StockFilter): Promise<StockTotals> {
  const rows = await sql<{ state: string; zone: string | null; lot_status: string; quantity: number }[]>`
    select state, zone, lot_status, sum(quantity)::integer as quantity from (${joined(sql, filter)}) j group by state, zone, lot_status`;
  const totals: StockTotals = { quantity: 0, byState: {}, byZone: {}, byLotStatus: {} };
  for (const row of rows) {
    totals.quantity += row.quantity;
    totals.byState[row.state] = (totals.byState[row.state] ?? 0) + row.quantity;
    const zone = row.zone ?? 'none';
    totals.byZone[zone] = (totals.byZone[zone] ?? 0) + row.quantity;
    totals.byLotStatus[row.lot_status] = (totals.byLotStatus[row.lot_status] ?? 0) + row.quantity;
  }
  return totals;
}

export interface ExpiringLot {
  gtin: string;
  lot: string;
  expiry: string;
  /** Days from today to the expiry (0 or less: expired). */
  daysLeft: number;
  lotStatus: string;
  /** Stock of the lot still in the warehouse (on hand, allocated, picked). */
  quantity: number;
  byState: Record<string, number>;
}

/**
 * Lots with stock still in the warehouse (on hand, allocated or picked) whose expiry
 * falls within `days` of `today` — expired ones included (daysLeft ≤ 0) — soonest first.
 */
export async function expiringStock(sql: Sql | Tx, days: number, today: string = todayDate()): Promise<ExpiringLot[]> {
  const rows = await sql<{ gtin: string; lot: string; expiry: string; days_left: number; status: string; state: string; quantity: number }[]>`
    with stock as (
      select gtin, lot, state, count(*)::integer as quantity from units
      where state in ('on_hand', 'allocated', 'picked') group by gtin, lot, state
      union all
      select gtin, lot, state, sum(quantity)::integer from lot_stock group by gtin, lot, state
    )
    select l.gtin, l.lot, l.expiry::text as expiry, (l.expiry - ${today}::date) as days_left, l.status, s.state, s.quantity
    from lots l join stock s on s.gtin = l.gtin and s.lot = l.lot
    where l.expiry <= ${today}::date + ${days}::integer
    order by l.expiry, l.gtin, l.lot, s.state`;
  const lots = new Map<string, ExpiringLot>();
  for (const row of rows) {
    const key = `${row.gtin}/${row.lot}`;
    let lot = lots.get(key);
    if (!lot) {
      lot = { gtin: row.gtin, lot: row.lot, expiry: row.expiry, daysLeft: row.days_left, lotStatus: row.status, quantity: 0, byState: {} };
      lots.set(key, lot);
    }
    lot.quantity += row.quantity;
    lot.byState[row.state] = (lot.byState[row.state] ?? 0) + row.quantity;
  }
  return [...lots.values()];
}

export interface StockMove {
  id: number;
  at: string;
  actor: string;
  kind: string;
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
  fromBinId: number | null;
  toBinId: number | null;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  ref: { type: string; id: string } | null;
  ledgerSeq: number | null;
}

/** The stock journal, newest first, optionally of one product / lot / serial / reference. */
export async function listMoves(
  sql: Sql | Tx,
  filter: { gtin?: string; lot?: string; serial?: string; refType?: string; refId?: string },
  page: { beforeId?: number; limit: number },
): Promise<StockMove[]> {
  const rows = await sql<
    {
      id: number;
      at: Date;
      actor: string;
      kind: string;
      gtin: string;
      lot: string;
      serial: string | null;
      quantity: number;
      from_bin_id: number | null;
      to_bin_id: number | null;
      from_state: string | null;
      to_state: string | null;
      reason: string | null;
      ref_type: string | null;
      ref_id: string | null;
      ledger_seq: number | null;
    }[]
  >`
    select * from stock_moves
    where true
      ${filter.gtin === undefined ? sql`` : sql`and gtin = ${filter.gtin}`}
      ${filter.lot === undefined ? sql`` : sql`and lot = ${filter.lot}`}
      ${filter.serial === undefined ? sql`` : sql`and (serial = ${filter.serial})`}
      ${filter.refType === undefined ? sql`` : sql`and ref_type = ${filter.refType}`}
      ${filter.refId === undefined ? sql`` : sql`and ref_id = ${filter.refId}`}
      ${page.beforeId === undefined ? sql`` : sql`and id < ${page.beforeId}`}
    order by id desc
    limit ${page.limit}`;
  return rows.map((row) => ({
    id: Number(row.id),
    at: row.at.toISOString(),
    actor: row.actor,
    kind: row.kind,
    gtin: row.gtin,
    lot: row.lot,
    serial: row.serial,
    quantity: row.quantity,
    fromBinId: row.from_bin_id === null ? null : Number(row.from_bin_id),
    toBinId: row.to_bin_id === null ? null : Number(row.to_bin_id),
    fromState: row.from_state,
    toState: row.to_state,
    reason: row.reason,
    ref: row.ref_type === null ? null : { type: row.ref_type, id: row.ref_id ?? '' },
    ledgerSeq: row.ledger_seq === null ? null : Number(row.ledger_seq),
  }));
}
