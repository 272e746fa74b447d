// The availability rule, in ONE place (PLAN3): stock can be allocated (and so
// picked and shipped) only when
//   1. its lot is `released`,
//   2. the lot's expiry is after today (a lot expiring today is no longer sold),
//   3. the stock is `on_hand` (not allocated, picked, shipped, returned, …),
//   4. it sits in a bin of zone `qualified`,
//   5. the product's registration is not expired (registration_expiry is the last
//      valid day; a product with no registration expiry on file is not refused
//      here: assertProductRegistered refuses it at order time).
// `allocatableWhere` is the rule as SQL, `allocatability` as TypeScript, and
// `unitAvailability` reads one unit's facts and judges them: the same rule three ways.
import type { Sql, Tx } from '../db';

/** Why a unit or quantity is not allocatable: a stable slug per rule, in the order they are checked. */
export type UnavailableRule = 'lot-expired' | 'lot-not-released' | 'stock-not-on-hand' | 'bin-not-qualified' | 'product-registration-expired';

export interface StockFacts {
  /** lots.status */
  lotStatus: string;
  /** lots.expiry, YYYY-MM-DD */
  lotExpiry: string;
  /** units.state or lot_stock.state */
  state: string;
  /** bins.zone of the stock's bin (null: no bin) */
  binZone: string | null;
  /** products.registration_expiry, YYYY-MM-DD or null */
  registrationExpiry: string | null;
}

export type Allocatability = { allocatable: true } | { allocatable: false; rule: UnavailableRule; detail: string };

/** Today as YYYY-MM-DD (UTC), the default `today` of every availability check. */
export function todayDate(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The rule in TypeScript: the first rule `facts` break (expired before unreleased,
 * so an expired lot says so whatever its status), or allocatable.
 */
export function allocatability(facts: StockFacts, today: string = todayDate()): Allocatability {
  if (facts.lotStatus === 'expired' || facts.lotExpiry <= today) {
    return { allocatable: false, rule: 'lot-expired', detail: `the lot expired on ${facts.lotExpiry} (today is ${today})` };
  }
  if (facts.lotStatus !== 'released') {
    return { allocatable: false, rule: 'lot-not-released', detail: `the lot is ${facts.lotStatus}, not released` };
  }
  if (facts.state !== 'on_hand') {
    return { allocatable: false, rule: 'stock-not-on-hand', detail: `the stock is ${facts.state}, not on hand` };
  }
  if (facts.binZone !== 'qualified') {
    return { allocatable: false, rule: 'bin-not-qualified', detail: `the stock is in a ${facts.binZone ?? 'unknown'} bin, not a qualified one` };
  }
  if (facts.registrationExpiry !== null && facts.registrationExpiry < today) {
    return { allocatable: false, rule: 'product-registration-expired', detail: `the product's registration expired on ${facts.registrationExpiry}` };
  }
  return { allocatable: true };
}

function day(sql: Sql | Tx, today?: string) {
  return today === undefined ? sql`current_date` : sql`${today}::date`;
}

/** Rule 3, SQL: the stock row `s` (units or lot_stock) is on hand. */
export function stockRule(sql: Sql | Tx) {
  return sql`s.state = 'on_hand'`;
}

/** Rules 1-2, SQL: the lot `l` is released and expires after `today`. */
export function lotRule(sql: Sql | Tx, today?: string) {
  return sql`(l.status = 'released' and l.expiry > ${day(sql, today)})`;
}

/** Rule 4, SQL: the bin `b` is of zone qualified. */
export function binRule(sql: Sql | Tx) {
  return sql`b.zone = 'qualified'`;
}

/** Rule 5, SQL: the product `p`'s registration is not expired on `today`. */
export function productRule(sql: Sql | Tx, today?: string) {
  return sql`(p.registration_expiry is null or p.registration_expiry >= ${day(sql, today)})`;
}

/**
 * The whole rule as a SQL condition, for queries that alias the lot `l` (lots), the
 * bin `b` (bins), the product `p` (products) and the stock row `s` (units or lot_stock):
 *   from units s join lots l on l.gtin = s.gtin and l.lot = s.lot
 *     join bins b on b.id = s.bin_id join products p on p.gtin = s.gtin
 *   where ${allocatableWhere(sql, today)}
 * `today` YYYY-MM-DD; omitted: the database's current_date. (FEFO applies the same
 * four parts at different levels of its query, for speed.)
 */
export function allocatableWhere(sql: Sql | Tx, today?: string) {
  return sql`(${stockRule(sql)} and ${lotRule(sql, today)} and ${binRule(sql)} and ${productRule(sql, today)})`;
}

export interface UnitAvailability extends StockFacts {
  gtin: string;
  serial: string;
  lot: string;
  binId: number | null;
  orderLineId: number | null;
  verdict: Allocatability;
}

/** One serialised unit's facts and the rule's verdict on them; undefined when the unit is unknown. */
export async function unitAvailability(sql: Sql | Tx, gtin: string, serial: string, today: string = todayDate()): Promise<UnitAvailability | undefined> {
  const [row] = await sql<
    { lot: string; bin_id: number | null; order_line_id: number | null; state: string; status: string; expiry: string; zone: string | null; registration_expiry: string | null }[]
  >`
    select s.lot, s.bin_id, s.order_line_id, s.state, l.status, l.expiry::text as expiry, b.zone,
           p.registration_expiry::text as registration_expiry
    from units s
    join lots l on l.gtin = s.gtin and l.lot = s.lot
    join products p on p.gtin = s.gtin
    left join bins b on b.id = s.bin_id
    where s.gtin = ${gtin} and s.serial = ${serial}`;
  if (!row) return undefined;
  const facts: StockFacts = { lotStatus: row.status, lotExpiry: row.expiry, state: row.state, binZone: row.zone, registrationExpiry: row.registration_expiry };
  return { gtin, serial, lot: row.lot, binId: row.bin_id, orderLineId: row.order_line_id, ...facts, verdict: allocatability(facts, today) };
}
