// Stock coming in and moving: the functions receiving, returns, opening stock,
// lot release and the stock API share. Each checks the bin rules, changes units
// or lot_stock rows, and writes the stock_moves journal, inside the caller's
// transaction. None of them appends a ledger event: the caller knows the
// business step (receiving, releasing, returning…) and writes that event itself.
//
// Bin rules:
//  - a bin never mixes lots unless `allow_mixed_lots` (the bin row is locked while
//    checked, so two concurrent writers cannot put two lots in it);
//  - stock goes into a `qualified` bin only when its lot is released (otherwise a
//    move would bypass the release);
//  - only on-hand stock moves by hand (allocated/picked stock belongs to an order);
//    returned units move with `fromState: 'returned'`.
import type { Tx } from '../db';
import { ProblemError, problems } from '../http/problem';
import { addLotStock, takeFromRow } from './allocate';

export type Zone = 'quarantine' | 'qualified' | 'nonconforming' | 'returns';

export interface Bin {
  id: number;
  warehouse: string;
  code: string;
  zone: Zone;
  allowMixedLots: boolean;
}

export interface StockRef {
  /** e.g. `receipt`, `po`, `rma`, `order_line`, `cycle_count`, `import`. */
  type: string;
  id: string;
}

/** A bin by id (locked `for update` when `lock`); 422 problem naming `field` when unknown. */
export async function findBin(tx: Tx, binId: number, opts: { lock?: boolean; field?: string } = {}): Promise<Bin> {
  const rows = await tx<{ id: number; warehouse: string; code: string; zone: Zone; allow_mixed_lots: boolean }[]>`
    select id, warehouse, code, zone, allow_mixed_lots from bins where id = ${binId} ${opts.lock ? tx`for update` : tx``}`;
  if (rows.length === 0) throw problems.invalidInput(`${opts.field ?? 'binId'}: no bin with id ${binId}`, opts.field ?? 'binId');
  const row = rows[0];
  return { id: Number(row.id), warehouse: row.warehouse, code: row.code, zone: row.zone, allowMixedLots: row.allow_mixed_lots };
}

/** The default bin of a zone in a warehouse (MAIN unless told). */
export async function defaultBin(tx: Tx, zone: Zone, warehouse = 'MAIN'): Promise<Bin> {
  const [row] = await tx<{ id: number }[]>`select id from bins where warehouse = ${warehouse} and zone = ${zone} and is_default`;
  if (!row) throw new Error(`no default ${zone} bin in warehouse ${warehouse}`);
  return findBin(tx, Number(row.id));
}

/**
 * Refuses (409 `bin-lot-mixing`) to put lot (gtin, lot) into a bin that holds another
 * lot, unless the bin allows mixed lots. Locks the bin row for the rest of the
 * transaction, so concurrent writers into the same bin are judged one after the other.
 */
export async function assertBinAccepts(tx: Tx, bin: Bin, gtin: string, lot: string, field = 'binId'): Promise<void> {
  if (bin.allowMixedLots) return;
  await tx`select id from bins where id = ${bin.id} for update`;
  const [other] = await tx<{ gtin: string; lot: string }[]>`
    (select gtin, lot from units
      where bin_id = ${bin.id} and state in ('on_hand', 'returned') and (gtin, lot) <> (${gtin}, ${lot}) limit 1)
    union all
    (select gtin, lot from units
      where order_line_id is not null and state in ('allocated', 'picked') and bin_id = ${bin.id} and (gtin, lot) <> (${gtin}, ${lot}) limit 1)
    union all
    (select gtin, lot from lot_stock where bin_id = ${bin.id} and (gtin, lot) <> (${gtin}, ${lot}) limit 1)
    limit 1`;
  if (other) {
    throw problems.conflict(
      'bin-lot-mixing',
      `bin ${bin.warehouse}/${bin.code} holds lot ${other.lot} of GTIN ${other.gtin} and does not allow mixed lots; lot ${lot} of GTIN ${gtin} cannot go in`,
      { field, bin: bin.code, heldLot: { gtin: other.gtin, lot: other.lot } },
    );
  }
}

async function lotFacts(tx: Tx, gtin: string, lot: string, field: string): Promise<{ status: string; expiry: string; tracking: string }> {
  const [row] = await tx<{ status: string; expiry: string; tracking: string }[]>`
    select l.status, l.expiry::text as expiry, p.tracking from lots l join products p on p.gtin = l.gtin
    where l.gtin = ${gtin} and l.lot = ${lot}`;
  if (!row) throw problems.invalidInput(`${field}: no lot ${lot} of GTIN ${gtin}`, field);
  return row;
}

function assertZoneAdmits(bin: Bin, lot: { status: string }, gtin: string, lotCode: string, field: string): void {
  if (bin.zone === 'qualified' && lot.status !== 'released') {
    throw new ProblemError(
      409,
      'lot-not-released',
      'Lot not released',
      `lot ${lotCode} of GTIN ${gtin} is ${lot.status}: only released stock goes into the qualified bin ${bin.warehouse}/${bin.code}`,
      { field },
    );
  }
}

export interface ReceiveIntoStock {
  gtin: string;
  /** The lot must exist (the caller creates it: receiving, commissioning, import). */
  lot: string;
  binId: number;
  /** Serialised products: the units' serials (new units; for kind `return`, existing shipped units). */
  serials?: readonly string[];
  /** Lot-controlled products: the quantity. */
  quantity?: number;
  /** The journal's kind: `receipt`, `opening`, `return`, … */
  kind: string;
  actor: string;
  ref?: StockRef;
  reason?: string;
}

export interface ReceivedStock {
  gtin: string;
  lot: string;
  binId: number;
  /** Units (serialised) or the quantity (lot-controlled) that came in. */
  quantity: number;
  serials?: string[];
  /** The unit state they are in: `on_hand`, or `returned` for a return. */
  state: 'on_hand' | 'returned';
}

/**
 * Puts stock into a bin: new serialised units (state on_hand; lots.unit_count is set
 * to the lot's unit count), or a quantity of a lot-controlled product (on-hand lot_stock),
 * or for kind `return` existing units that were shipped (state returned). Checks the
 * bin rules; writes the journal (one row per serial, one row for a quantity).
 * Refusals: 422 `invalid-input` (unknown lot or bin, serials vs quantity not matching
 * the product's tracking), 409 `units-exist` (a serial already known), 409
 * `unit-not-shipped` (a return of a unit that is not out), 409 `bin-lot-mixing`,
 * 409 `lot-not-released` (into a qualified bin).
 */
export async function receiveIntoStock(tx: Tx, input: ReceiveIntoStock): Promise<ReceivedStock> {
  const lot = await lotFacts(tx, input.gtin, input.lot, 'lot');
  const bin = await findBin(tx, input.binId);
  assertZoneAdmits(bin, lot, input.gtin, input.lot, 'binId');
  await assertBinAccepts(tx, bin, input.gtin, input.lot);
  const ref = input.ref;

  if (lot.tracking === 'lot') {
    if (input.serials !== undefined || input.quantity === undefined) {
      throw problems.invalidInput(`quantity: GTIN ${input.gtin} is lot-controlled: give a quantity, not serials`, 'quantity');
    }
    if (!Number.isSafeInteger(input.quantity) || input.quantity < 1) throw problems.invalidInput('quantity: must be a positive integer', 'quantity');
    await addLotStock(tx, { gtin: input.gtin, lot: input.lot, binId: bin.id, state: 'on_hand', quantity: input.quantity });
    await tx`
      insert into stock_moves (actor, kind, gtin, lot, quantity, to_bin_id, to_state, reason, ref_type, ref_id)
      values (${input.actor}, ${input.kind}, ${input.gtin}, ${input.lot}, ${input.quantity}, ${bin.id}, 'on_hand',
              ${input.reason ?? null}, ${ref?.type ?? null}, ${ref?.id ?? null})`;
    return { gtin: input.gtin, lot: input.lot, binId: bin.id, quantity: input.quantity, state: 'on_hand' };
  }

  if (input.quantity !== undefined || input.serials === undefined || input.serials.length === 0) {
    throw problems.invalidInput(`serials: GTIN ${input.gtin} is serialised: give its serials, not a quantity`, 'serials');
  }
  const serials = [...input.serials];
  if (new Set(serials).size !== serials.length) throw problems.invalidInput('serials: a serial appears twice', 'serials');
  const state = input.kind === 'return' ? 'returned' : 'on_hand';
  if (input.kind === 'return') {
    const updated = await tx<{ serial: string }[]>`
      update units set state = 'returned', bin_id = ${bin.id}, order_line_id = null
      where gtin = ${input.gtin} and lot = ${input.lot} and serial = any(${tx.array(serials)}::text[]) and state = 'shipped'
      returning serial`;
    if (updated.length !== serials.length) {
      const done = new Set(updated.map((row) => row.serial));
      const missing = serials.filter((serial) => !done.has(serial));
      throw problems.conflict('unit-not-shipped', `serials ${missing.slice(0, 10).join(', ')} of lot ${input.lot} were not shipped: they cannot be returned`, {
        field: 'serials',
        serials: missing.slice(0, 100),
      });
    }
  } else {
    const known = await tx<{ serial: string }[]>`
      select serial from units where gtin = ${input.gtin} and serial = any(${tx.array(serials)}::text[]) limit 100`;
    if (known.length > 0) {
      throw problems.conflict('units-exist', `GTIN ${input.gtin} already has units with serials ${known.slice(0, 10).map((r) => r.serial).join(', ')}`, {
        field: 'serials',
        serials: known.map((row) => row.serial),
      });
    }
    await tx`
      insert into units (gtin, serial, lot, bin_id, state)
      select ${input.gtin}, serial, ${input.lot}, ${bin.id}, 'on_hand' from unnest(${tx.array(serials)}::text[]) as serial`;
    await tx`update lots set unit_count = (select count(*) from units where gtin = ${input.gtin} and lot = ${input.lot})
             where gtin = ${input.gtin} and lot = ${input.lot}`;
  }
  await tx`
    insert into stock_moves (actor, kind, gtin, lot, serial, quantity, to_bin_id, to_state, reason, ref_type, ref_id)
    select ${input.actor}, ${input.kind}, ${input.gtin}, ${input.lot}, serial, 1, ${bin.id}, ${state},
           ${input.reason ?? null}, ${ref?.type ?? null}, ${ref?.id ?? null}
    from unnest(${tx.array(serials)}::text[]) as serial`;
  return { gtin: input.gtin, lot: input.lot, binId: bin.id, quantity: serials.length, serials, state };
}

export interface MoveStock {
  gtin: string;
  lot: string;
  toBinId: number;
  /** Serialised: the units to move (wherever they are). */
  serials?: readonly string[];
  /** Lot-controlled: the quantity to move out of `fromBinId`. */
  quantity?: number;
  /** Required for a quantity; for serials, when given, every unit must be in it. */
  fromBinId?: number;
  /** The state of the stock moved (default on_hand; `returned` for returned units). */
  fromState?: 'on_hand' | 'returned';
  /** The state it ends in (default: fromState); e.g. restocking a return: returned → on_hand. */
  toState?: 'on_hand' | 'returned';
  /** Journal kind (default `move`): `release`, `restock`, `quarantine`, … */
  kind?: string;
  actor: string;
  reason?: string;
  ref?: StockRef;
}

export interface MovedStock {
  gtin: string;
  lot: string;
  quantity: number;
  serials?: string[];
  toBin: Bin;
  /** The zones stock left (one per source bin zone); a zone change is what a caller may record in the ledger. */
  fromZones: Zone[];
}

/**
 * Moves stock of one lot into `toBinId`: the listed units (every one must be of the lot,
 * in `fromState`, and in `fromBinId` when given), or a quantity of a lot-controlled lot out
 * of `fromBinId`. Bin rules as for receiving; journal one row per serial or one row for
 * the quantity. Refusals: 409 `stock-not-movable` (a unit allocated, picked, shipped… or
 * elsewhere), 409 `insufficient-stock`, 409 `bin-lot-mixing`, 409 `lot-not-released`.
 */
export async function moveStock(tx: Tx, input: MoveStock): Promise<MovedStock> {
  const lot = await lotFacts(tx, input.gtin, input.lot, 'lot');
  const toBin = await findBin(tx, input.toBinId, { field: 'toBinId' });
  const fromState = input.fromState ?? 'on_hand';
  const toState = input.toState ?? fromState;
  if (toState === 'on_hand' || toBin.zone === 'qualified') assertZoneAdmits(toBin, lot, input.gtin, input.lot, 'toBinId');
  await assertBinAccepts(tx, toBin, input.gtin, input.lot, 'toBinId');
  const kind = input.kind ?? 'move';
  const ref = input.ref;

  if (lot.tracking === 'lot') {
    if (input.serials !== undefined || input.quantity === undefined || input.fromBinId === undefined) {
      throw problems.invalidInput(`quantity: GTIN ${input.gtin} is lot-controlled: give fromBinId and a quantity`, 'quantity');
    }
    if (fromState !== 'on_hand' || toState !== 'on_hand') throw problems.invalidInput('fromState: lot-controlled stock moves on hand only', 'fromState');
    const fromBin = await findBin(tx, input.fromBinId, { field: 'fromBinId' });
    if (fromBin.id === toBin.id) throw problems.invalidInput('toBinId: the same bin as fromBinId', 'toBinId');
    const [row] = await tx<{ id: number; quantity: number }[]>`
      select id, quantity from lot_stock
      where gtin = ${input.gtin} and lot = ${input.lot} and bin_id = ${fromBin.id} and state = 'on_hand' and order_line_id is null
      for update`;
    if (!row || row.quantity < input.quantity) {
      throw problems.conflict(
        'insufficient-stock',
        `bin ${fromBin.warehouse}/${fromBin.code} holds ${row?.quantity ?? 0} on hand of lot ${input.lot}, fewer than the ${input.quantity} to move`,
        { field: 'quantity', onHand: row?.quantity ?? 0 },
      );
    }
    await takeFromRow(tx, Number(row.id), row.quantity, input.quantity);
    await addLotStock(tx, { gtin: input.gtin, lot: input.lot, binId: toBin.id, state: 'on_hand', quantity: input.quantity });
    await tx`
      insert into stock_moves (actor, kind, gtin, lot, quantity, from_bin_id, to_bin_id, from_state, to_state, reason, ref_type, ref_id)
      values (${input.actor}, ${kind}, ${input.gtin}, ${input.lot}, ${input.quantity}, ${fromBin.id}, ${toBin.id}, 'on_hand', 'on_hand',
              ${input.reason ?? null}, ${ref?.type ?? null}, ${ref?.id ?? null})`;
    return { gtin: input.gtin, lot: input.lot, quantity: input.quantity, toBin, fromZones: [fromBin.zone] };
  }

  if (input.quantity !== undefined || input.serials === undefined || input.serials.length === 0) {
    throw problems.invalidInput(`serials: GTIN ${input.gtin} is serialised: give the serials to move`, 'serials');
  }
  const serials = [...new Set(input.serials)];
  const units = await tx<{ serial: string; lot: string; bin_id: number | null; state: string; zone: Zone | null }[]>`
    select u.serial, u.lot, u.bin_id, u.state, b.zone from units u left join bins b on b.id = u.bin_id
    where u.gtin = ${input.gtin} and u.serial = any(${tx.array(serials)}::text[])
    for update of u`;
  const found = new Map(units.map((unit) => [unit.serial, unit]));
  for (const serial of serials) {
    const unit = found.get(serial);
    const why =
      unit === undefined
        ? 'is unknown'
        : unit.lot !== input.lot
          ? `is of lot ${unit.lot}`
          : unit.state !== fromState
            ? `is ${unit.state}, not ${fromState}`
            : input.fromBinId !== undefined && Number(unit.bin_id) !== input.fromBinId
              ? `is in bin ${unit.bin_id}, not ${input.fromBinId}`
              : Number(unit.bin_id) === toBin.id && fromState === toState
                ? `is already in bin ${toBin.warehouse}/${toBin.code}`
                : undefined;
    if (why !== undefined) {
      throw problems.conflict('stock-not-movable', `unit ${serial} of GTIN ${input.gtin} ${why}: it cannot be moved`, { field: 'serials', serial });
    }
  }
  await tx`
    update units set bin_id = ${toBin.id}, state = ${toState}
    where gtin = ${input.gtin} and serial = any(${tx.array(serials)}::text[])`;
  await tx`
    insert into stock_moves (actor, kind, gtin, lot, serial, quantity, from_bin_id, to_bin_id, from_state, to_state, reason, ref_type, ref_id)
    select ${input.actor}, ${kind}, ${input.gtin}, ${input.lot}, x.serial, 1, x.bin_id, ${toBin.id}, ${fromState}, ${toState},
           ${input.reason ?? null}, ${ref?.type ?? null}, ${ref?.id ?? null}
    from unnest(${tx.array(serials)}::text[], ${tx.array(serials.map((s) => Number(found.get(s)!.bin_id)))}::bigint[]) as x(serial, bin_id)`;
  const fromZones = [...new Set(units.map((unit) => unit.zone).filter((zone): zone is Zone => zone !== null))];
  return { gtin: input.gtin, lot: input.lot, quantity: serials.length, serials, toBin, fromZones };
}
