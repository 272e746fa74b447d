// Warehouses and their bins: the queries. A bin's zone decides what its stock
// may be used for (only `qualified` stock is allocatable); one bin per zone and
// warehouse is the default where goods of that zone land.
import type { Sql, Tx } from '../db';

export const ZONES = ['quarantine', 'qualified', 'nonconforming', 'returns'] as const;
export type Zone = (typeof ZONES)[number];

export interface Warehouse {
  code: string;
  name: string;
  gln: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface BinRecord {
  id: number;
  warehouse: string;
  code: string;
  zone: Zone;
  allowMixedLots: boolean;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

interface WarehouseRow {
  code: string;
  name: string;
  gln: string | null;
  created_at: Date;
  updated_at: Date;
}

interface BinRow {
  id: number;
  warehouse: string;
  code: string;
  zone: Zone;
  allow_mixed_lots: boolean;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const toWarehouse = (row: WarehouseRow): Warehouse => ({
  code: row.code,
  name: row.name,
  gln: row.gln,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const toBin = (row: BinRow): BinRecord => ({
  id: Number(row.id),
  warehouse: row.warehouse,
  code: row.code,
  zone: row.zone,
  allowMixedLots: row.allow_mixed_lots,
  isDefault: row.is_default,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export async function insertWarehouse(tx: Tx, warehouse: { code: string; name: string; gln?: string | null }): Promise<Warehouse> {
  const [row] = await tx<WarehouseRow[]>`
    insert into warehouses (code, name, gln) values (${warehouse.code}, ${warehouse.name}, ${warehouse.gln ?? null})
    returning code, name, gln, created_at, updated_at`;
  return toWarehouse(row);
}

export async function findWarehouse(sql: Sql | Tx, code: string, options: { forUpdate?: boolean } = {}): Promise<Warehouse | undefined> {
  const [row] = await sql<WarehouseRow[]>`
    select code, name, gln, created_at, updated_at from warehouses where code = ${code} ${options.forUpdate ? sql`for update` : sql``}`;
  return row && toWarehouse(row);
}

export async function updateWarehouse(tx: Tx, code: string, patch: { name?: string; gln?: string | null }): Promise<Warehouse> {
  const changes: Record<string, unknown> = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.gln !== undefined) changes.gln = patch.gln;
  const [row] = await tx<WarehouseRow[]>`
    update warehouses set ${tx(changes as never, Object.keys(changes) as never)}, updated_at = now() where code = ${code}
    returning code, name, gln, created_at, updated_at`;
  return toWarehouse(row);
}

export async function listWarehouses(sql: Sql, page: { after?: string; limit: number }): Promise<Warehouse[]> {
  const rows = await sql<WarehouseRow[]>`
    select code, name, gln, created_at, updated_at from warehouses
    where ${page.after === undefined ? sql`true` : sql`code > ${page.after}`}
    order by code limit ${page.limit}`;
  return rows.map(toWarehouse);
}

const binColumns = (sql: Sql | Tx) => sql`id, warehouse, code, zone, allow_mixed_lots, is_default, created_at, updated_at`;

export async function insertBin(
  tx: Tx,
  bin: { warehouse: string; code: string; zone: Zone; allowMixedLots: boolean; isDefault: boolean },
): Promise<BinRecord> {
  const [row] = await tx<BinRow[]>`
    insert into bins (warehouse, code, zone, allow_mixed_lots, is_default)
    values (${bin.warehouse}, ${bin.code}, ${bin.zone}, ${bin.allowMixedLots}, ${bin.isDefault})
    returning ${binColumns(tx)}`;
  return toBin(row);
}

export async function findBinByCode(sql: Sql | Tx, warehouse: string, code: string, options: { forUpdate?: boolean } = {}): Promise<BinRecord | undefined> {
  const [row] = await sql<BinRow[]>`
    select ${binColumns(sql)} from bins where warehouse = ${warehouse} and code = ${code} ${options.forUpdate ? sql`for update` : sql``}`;
  return row && toBin(row);
}

export async function findDefaultBin(sql: Sql | Tx, warehouse: string, zone: Zone): Promise<BinRecord | undefined> {
  const [row] = await sql<BinRow[]>`
    select ${binColumns(sql)} from bins where warehouse = ${warehouse} and zone = ${zone} and is_default for update`;
  return row && toBin(row);
}

export async function listBins(sql: Sql, warehouse: string, page: { zone?: Zone; after?: string; limit: number }): Promise<BinRecord[]> {
  const rows = await sql<BinRow[]>`
    select ${binColumns(sql)} from bins
    where warehouse = ${warehouse}
      and ${page.zone === undefined ? sql`true` : sql`zone = ${page.zone}`}
      and ${page.after === undefined ? sql`true` : sql`code > ${page.after}`}
    order by code limit ${page.limit}`;
  return rows.map(toBin);
}

export async function updateBin(tx: Tx, id: number, patch: { zone?: Zone; allowMixedLots?: boolean; isDefault?: boolean }): Promise<BinRecord> {
  const changes: Record<string, unknown> = {};
  if (patch.zone !== undefined) changes.zone = patch.zone;
  if (patch.allowMixedLots !== undefined) changes.allow_mixed_lots = patch.allowMixedLots;
  if (patch.isDefault !== undefined) changes.is_default = patch.isDefault;
  const [row] = await tx<BinRow[]>`
    update bins set ${tx(changes as never, Object.keys(changes) as never)}, updated_at = now() where id = ${id}
    returning ${binColumns(tx)}`;
  return toBin(row);
}

/** The lots with stock physically in a bin (units not shipped, scrapped or consumed; lot_stock rows), at most `limit`. */
export async function lotsInBin(sql: Sql | Tx, binId: number, limit = 2): Promise<{ gtin: string; lot: string }[]> {
  return sql<{ gtin: string; lot: string }[]>`
    select distinct gtin, lot from (
      (select gtin, lot from units where bin_id = ${binId} and state in ('on_hand', 'allocated', 'picked', 'returned'))
      union
      (select gtin, lot from lot_stock where bin_id = ${binId})
    ) held
    order by gtin, lot
    limit ${limit}`;
}
