// The product catalogue's queries: one row per device model (GTIN = UDI-DI),
// with the regulatory facts that gate buying and selling (registration number
// and expiry), how it is tracked (serial or lot), storage and standard cost.
import type { Sql, Tx } from '../db';

export const DEVICE_CLASSES = ['I', 'IIa', 'IIb', 'III'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

export const TRACKING_MODES = ['serial', 'lot'] as const;
export type Tracking = (typeof TRACKING_MODES)[number];

export interface Product {
  gtin: string;
  name: string;
  model: string;
  deviceClass: DeviceClass;
  shelfLifeDays: number | null;
  tracking: Tracking;
  registrationNumber: string | null;
  registrationExpiry: string | null;
  storageConditions: string | null;
  /** Money as a decimal string ("12.5000"), never a float. */
  standardCost: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** The fields a write may set (all but the GTIN are editable with PATCH). */
export interface ProductFields {
  name: string;
  model: string;
  deviceClass: DeviceClass;
  shelfLifeDays?: number | null;
  tracking?: Tracking;
  registrationNumber?: string | null;
  registrationExpiry?: string | null;
  storageConditions?: string | null;
  standardCost?: string | null;
}

interface ProductRow {
  gtin: string;
  name: string;
  model: string;
  device_class: DeviceClass;
  shelf_life_days: number | null;
  tracking: Tracking;
  registration_number: string | null;
  registration_expiry: string | null;
  storage_conditions: string | null;
  standard_cost: string | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
}

function toProduct(row: ProductRow): Product {
  return {
    gtin: row.gtin,
    name: row.name,
    model: row.model,
    deviceClass: row.device_class,
    shelfLifeDays: row.shelf_life_days,
    tracking: row.tracking,
    registrationNumber: row.registration_number,
    registrationExpiry: row.registration_expiry,
    storageConditions: row.storage_conditions,
    standardCost: row.standard_cost,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
  };
}

function productColumns(sql: Sql | Tx) {
  return sql`gtin, name, model, device_class, shelf_life_days, tracking, registration_number,
             registration_expiry::text as registration_expiry, storage_conditions, standard_cost::text as standard_cost,
             created_at, created_by, updated_at`;
}

export async function insertProduct(tx: Tx, product: ProductFields & { gtin: string }, createdBy: string): Promise<Product> {
  const [row] = await tx<ProductRow[]>`
    insert into products (gtin, name, model, device_class, shelf_life_days, tracking, registration_number,
                          registration_expiry, storage_conditions, standard_cost, created_by)
    values (${product.gtin}, ${product.name}, ${product.model}, ${product.deviceClass}, ${product.shelfLifeDays ?? null},
            ${product.tracking ?? 'serial'}, ${product.registrationNumber ?? null}, ${product.registrationExpiry ?? null},
            ${product.storageConditions ?? null}, ${product.standardCost ?? null}, ${createdBy})
    returning ${productColumns(tx)}`;
  return toProduct(row);
}

const COLUMN_OF: Record<keyof Omit<ProductFields, never>, string> = {
  name: 'name',
  model: 'model',
  deviceClass: 'device_class',
  shelfLifeDays: 'shelf_life_days',
  tracking: 'tracking',
  registrationNumber: 'registration_number',
  registrationExpiry: 'registration_expiry',
  storageConditions: 'storage_conditions',
  standardCost: 'standard_cost',
};

/** Sets the given fields (undefined = unchanged, null = cleared); returns the new row. */
export async function updateProduct(tx: Tx, gtin: string, patch: Partial<ProductFields>): Promise<Product> {
  const changes: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMN_OF)) {
    const value = patch[key as keyof ProductFields];
    if (value !== undefined) changes[column] = value;
  }
  const [row] = await tx<ProductRow[]>`
    update products set ${tx(changes as never, Object.keys(changes) as never)}, updated_at = now()
    where gtin = ${gtin}
    returning ${productColumns(tx)}`;
  return toProduct(row);
}

export async function findProduct(sql: Sql | Tx, gtin: string, options: { forUpdate?: boolean } = {}): Promise<Product | undefined> {
  const [row] = await sql<ProductRow[]>`
    select ${productColumns(sql)} from products where gtin = ${gtin} ${options.forUpdate ? sql`for update` : sql``}`;
  return row && toProduct(row);
}

/** Products ordered by GTIN, after `afterGtin`, at most `limit`. */
export async function listProducts(sql: Sql, page: { afterGtin?: string; limit: number }): Promise<Product[]> {
  const rows = await sql<ProductRow[]>`
    select ${productColumns(sql)} from products
    where ${page.afterGtin === undefined ? sql`true` : sql`gtin > ${page.afterGtin}`}
    order by gtin
    limit ${page.limit}`;
  return rows.map(toProduct);
}

/** True when the product has lots (its tracking mode can no longer change). */
export async function productHasLots(sql: Sql | Tx, gtin: string): Promise<boolean> {
  const rows = await sql`select 1 from lots where gtin = ${gtin} limit 1`;
  return rows.length > 0;
}

/** The products of these GTINs (those that exist), in one query. */
export async function findProducts(sql: Sql | Tx, gtins: readonly string[]): Promise<Map<string, Product>> {
  if (gtins.length === 0) return new Map();
  const rows = await sql<ProductRow[]>`select ${productColumns(sql)} from products where gtin = any(${sql.array(gtins as string[])}::text[])`;
  return new Map(rows.map((row) => [row.gtin, toProduct(row)]));
}
