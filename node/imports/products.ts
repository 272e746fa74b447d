// CSV import of products: one row per product, the same rules as POST
// /api/v1/products (node/catalog/schemas.ts). A GTIN already in the catalogue
// or twice in the file is an error (corrections go through PATCH with a reason).
import type { Tx } from '../db';
import { insertProduct, type Product, type ProductFields } from '../catalog/products';
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

export async function importProducts(tx: Tx, planned: readonly PlannedProduct[], actor: string): Promise<Product[]> {
  const created: Product[] = [];
  for (const { product } of planned) created.push(await insertProduct(tx, product, actor));
  return created;
}
