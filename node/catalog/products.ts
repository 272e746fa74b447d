// The product catalogue's queries: one row per device model (GTIN = UDI-DI).
import type { Sql, Tx } from '../db';

export const DEVICE_CLASSES = ['I', 'IIa', 'IIb', 'III'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

export interface Product {
  gtin: string;
  name: string;
  model: string;
  deviceClass: DeviceClass;
  shelfLifeDays: number | null;
  createdAt: string;
  createdBy: string;
}

interface ProductRow {
  gtin: string;
  name: string;
  model: string;
  device_class: DeviceClass;
  shelf_life_days: number | null;
  created_at: Date;
  created_by: string;
}

function toProduct(row: ProductRow): Product {
  return {
    gtin: row.gtin,
    name: row.name,
    model: row.model,
    deviceClass: row.device_class,
    shelfLifeDays: row.shelf_life_days,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}

export async function insertProduct(
  tx: Tx,
  product: { gtin: string; name: string; model: string; deviceClass: DeviceClass; shelfLifeDays?: number },
  createdBy: string,
): Promise<Product> {
  const [row] = await tx<ProductRow[]>`
    insert into products (gtin, name, model, device_class, shelf_life_days, created_by)
    values (${product.gtin}, ${product.name}, ${product.model}, ${product.deviceClass}, ${product.shelfLifeDays ?? null}, ${createdBy})
    returning gtin, name, model, device_class, shelf_life_days, created_at, created_by`;
  return toProduct(row);
}

export async function findProduct(sql: Sql | Tx, gtin: string): Promise<Product | undefined> {
  const [row] = await sql<ProductRow[]>`
    select gtin, name, model, device_class, shelf_life_days, created_at, created_by from products where gtin = ${gtin}`;
  return row && toProduct(row);
}

/** Products ordered by GTIN, after `afterGtin`, at most `limit`. */
export async function listProducts(sql: Sql, page: { afterGtin?: string; limit: number }): Promise<Product[]> {
  const rows = await sql<ProductRow[]>`
    select gtin, name, model, device_class, shelf_life_days, created_at, created_by from products
    where ${page.afterGtin === undefined ? sql`true` : sql`gtin > ${page.afterGtin}`}
    order by gtin
    limit ${page.limit}`;
  return rows.map(toProduct);
}
