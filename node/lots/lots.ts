// Lots and their serialised units (or, for lot-controlled products, their
// quantity): the queries. Units go in with one statement over an array
// (unnest), so a lot of 100,000 serials is one round trip.
import type { Sql, Tx } from '../db';
import { addLotStock, defaultBin } from '../inventory';
import type { LotStatus } from './status';

export interface Lot {
  gtin: string;
  lot: string;
  productionDate: string;
  expiry: string;
  unitCount: number;
  /** Ledger seq of the lot's commissioning event (null for a received lot). */
  commissioningSeq: number | null;
  status: LotStatus;
  statusChangedAt: string;
  origin: 'commissioned' | 'received';
  supplierId: number | null;
  supplierLot: string | null;
  releaseSignatureId: number | null;
  createdAt: string;
  createdBy: string;
}

interface LotRow {
  gtin: string;
  lot: string;
  production_date: string;
  expiry: string;
  unit_count: number;
  commissioning_seq: string | number | null;
  status: LotStatus;
  status_changed_at: Date;
  origin: 'commissioned' | 'received';
  supplier_id: string | number | null;
  supplier_lot: string | null;
  release_signature_id: string | number | null;
  created_at: Date;
  created_by: string;
}

const numberOrNull = (value: string | number | null) => (value === null ? null : Number(value));

function toLot(row: LotRow): Lot {
  return {
    gtin: row.gtin,
    lot: row.lot,
    productionDate: row.production_date,
    expiry: row.expiry,
    unitCount: row.unit_count,
    commissioningSeq: numberOrNull(row.commissioning_seq),
    status: row.status,
    statusChangedAt: row.status_changed_at.toISOString(),
    origin: row.origin,
    supplierId: numberOrNull(row.supplier_id),
    supplierLot: row.supplier_lot,
    releaseSignatureId: numberOrNull(row.release_signature_id),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}

export async function lotExists(sql: Sql | Tx, gtin: string, lot: string): Promise<boolean> {
  const rows = await sql`select 1 from lots where gtin = ${gtin} and lot = ${lot}`;
  return rows.length > 0;
}

/** Inserts the lot and all its units; the commissioning seq is set by setCommissioningSeq. */
export async function insertLotWithUnits(
  tx: Tx,
  lot: { gtin: string; lot: string; productionDate: string; expiry: string; serials: readonly string[] },
  createdBy: string,
): Promise<void> {
  await tx`
    insert into lots (gtin, lot, production_date, expiry, unit_count, created_by)
    values (${lot.gtin}, ${lot.lot}, ${lot.productionDate}, ${lot.expiry}, ${lot.serials.length}, ${createdBy})`;
  // New units wait in the default quarantine bin until QA releases their lot.
  const [bin] = await tx<{ id: number }[]>`
    select id from bins where warehouse = 'MAIN' and zone = 'quarantine' and is_default`;
  await tx`
    insert into units (gtin, serial, lot, bin_id)
    select ${lot.gtin}, serial, ${lot.lot}, ${bin.id} from unnest(${tx.array(lot.serials as string[])}::text[]) as serial`;
}

/**
 * Inserts a lot of a lot-controlled product and its quantity as on-hand lot_stock in the
 * default quarantine bin (where commissioned units wait too) until QA releases the lot.
 * Returns the bin, for the journal row written once the event's seq is known.
 */
export async function insertLotWithQuantity(
  tx: Tx,
  lot: { gtin: string; lot: string; productionDate: string; expiry: string; quantity: number },
  createdBy: string,
): Promise<{ binId: number }> {
  await tx`
    insert into lots (gtin, lot, production_date, expiry, unit_count, created_by)
    values (${lot.gtin}, ${lot.lot}, ${lot.productionDate}, ${lot.expiry}, ${lot.quantity}, ${createdBy})`;
  const bin = await defaultBin(tx, 'quarantine');
  await addLotStock(tx, { gtin: lot.gtin, lot: lot.lot, binId: bin.id, state: 'on_hand', quantity: lot.quantity });
  return { binId: bin.id };
}

/** The stock journal row of a commissioned quantity (one bulk row, bound to the commissioning event). */
export async function journalCommissionedQuantity(
  tx: Tx,
  lot: { gtin: string; lot: string; quantity: number; binId: number },
  journal: { actor: string; ledgerSeq: number },
): Promise<void> {
  await tx`
    insert into stock_moves (actor, kind, gtin, lot, quantity, to_bin_id, to_state, ref_type, ref_id, ledger_seq)
    values (${journal.actor}, 'commission', ${lot.gtin}, ${lot.lot}, ${lot.quantity}, ${lot.binId}, 'on_hand',
            'lot', ${`${lot.gtin}/${lot.lot}`}, ${journal.ledgerSeq})`;
}

export async function setCommissioningSeq(tx: Tx, gtin: string, lot: string, seq: number): Promise<Lot> {
  const [row] = await tx<LotRow[]>`
    update lots set commissioning_seq = ${seq} where gtin = ${gtin} and lot = ${lot}
    returning ${lotColumns(tx)}`;
  return toLot(row);
}

function lotColumns(sql: Sql | Tx) {
  return sql`gtin, lot, production_date::text as production_date, expiry::text as expiry, unit_count,
             commissioning_seq, status, status_changed_at, origin, supplier_id, supplier_lot, release_signature_id,
             created_at, created_by`;
}

export async function findLot(sql: Sql | Tx, gtin: string, lot: string): Promise<Lot | undefined> {
  const [row] = await sql<LotRow[]>`select ${lotColumns(sql)} from lots where gtin = ${gtin} and lot = ${lot}`;
  return row && toLot(row);
}

/** Lots ordered by (gtin, lot), optionally of one GTIN, after a keyset cursor. */
export async function listLots(sql: Sql, page: { gtin?: string; after?: [string, string]; limit: number }): Promise<Lot[]> {
  const rows = await sql<LotRow[]>`
    select ${lotColumns(sql)} from lots
    where ${page.gtin === undefined ? sql`true` : sql`gtin = ${page.gtin}`}
      and ${page.after === undefined ? sql`true` : sql`(gtin, lot) > (${page.after[0]}, ${page.after[1]})`}
    order by gtin, lot
    limit ${page.limit}`;
  return rows.map(toLot);
}

/** A lot's serials in the database's order, after `afterSerial`. */
export async function listSerials(sql: Sql, gtin: string, lot: string, page: { afterSerial?: string; limit: number }): Promise<string[]> {
  const rows = await sql<{ serial: string }[]>`
    select serial from units
    where gtin = ${gtin} and lot = ${lot}
      and ${page.afterSerial === undefined ? sql`true` : sql`serial > ${page.afterSerial}`}
    order by serial
    limit ${page.limit}`;
  return rows.map((row) => row.serial);
}

/** `PREFIX000001` … : the counter padded to 6 digits, or more when the count needs them. */
export function generateSerials(prefix: string, count: number): string[] {
  const width = Math.max(6, String(count).length);
  const serials = new Array<string>(count);
  for (let i = 0; i < count; i++) serials[i] = prefix + String(i + 1).padStart(width, '0');
  return serials;
}

export function generatedSerialLength(prefix: string, count: number): number {
  return prefix.length + Math.max(6, String(count).length);
}
