// CSV import of products: one row per product, the same rules as POST
// /api/v1/products (node/catalog/schemas.ts). A GTIN already in the catalogue
// or twice in the file is an error (corrections go through PATCH with a reason).
import type { Tx } from '../db';
import { findProducts, type Product, type ProductFields } from '../catalog/products';
import { NewProduct } from '../catalog/schemas';
import { cell, numberCell, readTable, sortErrors, validateRow, type ImportError } from './table';

export const PRODUCT_COLUMNS = [
  'gtin',
  'name',
  'model',
  'deviceClass',
  'shelfLifeDays',
  'tracking',
  'registrationNumber',
  'registrationExpiry',
  'storageConditions',
  'standardCost',
] as const;
const REQUIRED = ['gtin', 'name', 'model', 'deviceClass'] as const;

export interface PlannedProduct {
  row: number;
  product: ProductFields & { gtin: string };
}

export async function planProducts(tx: Tx, text: string): Promise<{ rows: number; valid: PlannedProduct[]; errors: ImportError[]; fileErrors: boolean }> {
  const table = readTable(text, { known: PRODUCT_COLUMNS, required: REQUIRED });
  const fileErrors = table.errors.some((e) => e.row === 1 || e.field === 'file');
  const errors = [...table.errors];
  const candidates: PlannedProduct[] = [];
  const seen = new Map<string, number>();
  for (const { row, values } of table.rows) {
    const input = {
      gtin: cell(values.gtin),
      name: cell(values.name),
      model: cell(values.model),
      deviceClass: cell(values.deviceClass),
      shelfLifeDays: numberCell(values.shelfLifeDays),
      tracking: cell(values.tracking),
      registrationNumber: cell(values.registrationNumber),
      registrationExpiry: cell(values.registrationExpiry),
      storageConditions: cell(values.storageConditions),
      standardCost: cell(values.standardCost),
    };
    const { value, errors: rowErrors } = validateRow(NewProduct, row, input);
    if (!value) {
      errors.push(...rowErrors);
      continue;
    }
    const first = seen.get(value.gtin);
    if (first !== undefined) {
      errors.push({ row, field: 'gtin', rule: 'duplicate-in-file', message: `GTIN ${value.gtin} is already on row ${first}` });
      continue;
    }
    seen.set(value.gtin, row);
    const { reason: _reason, ...product } = value;
    candidates.push({ row, product });
  }
  const existing = new Set(
    candidates.length === 0
      ? []
      : (await tx<{ gtin: string }[]>`select gtin from products where gtin = any(${tx.array(candidates.map((c) => c.product.gtin))}::text[])`).map((r) => r.gtin),
  );
  const valid: PlannedProduct[] = [];
  for (const candidate of candidates) {
    if (existing.has(candidate.product.gtin)) {
      errors.push({
        row: candidate.row,
        field: 'gtin',
        rule: 'exists',
        message: `a product with GTIN ${candidate.product.gtin} already exists (correct it with PATCH /api/v1/products/${candidate.product.gtin})`,
      });
    } else valid.push(candidate);
  }
  sortErrors(errors, PRODUCT_COLUMNS);
  return { rows: table.rows.length + table.errors.filter((e) => e.rule === 'field-count').length, valid, errors, fileErrors };
}

/** Inserts the products in one statement (a file of thousands is one round trip), in file order. */
export async function importProducts(tx: Tx, planned: readonly PlannedProduct[], actor: string): Promise<Product[]> {
  if (planned.length === 0) return [];
  const rows = planned.map(({ product }) => ({
    gtin: product.gtin,
    name: product.name,
    model: product.model,
    device_class: product.deviceClass,
    shelf_life_days: product.shelfLifeDays ?? null,
    tracking: product.tracking ?? 'serial',
    registration_number: product.registrationNumber ?? null,
    registration_expiry: product.registrationExpiry ?? null,
    storage_conditions: product.storageConditions ?? null,
    standard_cost: product.standardCost ?? null,
  }));
  await tx`
    insert into products (gtin, name, model, device_class, shelf_life_days, tracking, registration_number,
                          registration_expiry, storage_conditions, standard_cost, created_by)
    select gtin, name, model, device_class, shelf_life_days, tracking, registration_number,
           registration_expiry, storage_conditions, standard_cost, ${actor}
    from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as r(
      gtin text, name text, model text, device_class text, shelf_life_days integer, tracking text, registration_number text,
      registration_expiry date, storage_conditions text, standard_cost numeric)`;
  const byGtin = await findProducts(tx, planned.map(({ product }) => product.gtin));
  return planned.map(({ product }) => byGtin.get(product.gtin)!);
}
