// The node's products, read once per render: names beside GTINs, the tracking
// mode and shelf life a commissioning form needs.
import type { Api } from '../../../lib/api';

export interface Product {
  gtin: string;
  name: string;
  model: string;
  tracking: 'serial' | 'lot';
  shelfLifeDays: number | null;
}

/** Every product of the node, by GTIN (pages of 500 until the end). */
export async function loadProducts(api: Api): Promise<Map<string, Product>> {
  const products = new Map<string, Product>();
  let cursor: string | null = null;
  do {
    const page: { items: Product[]; nextCursor: string | null } = await api.get('/api/v1/products', { limit: 500, cursor });
    for (const product of page.items) products.set(product.gtin, product);
    cursor = page.nextCursor;
  } while (cursor);
  return products;
}

/** "Name (model)" of a GTIN, or the GTIN alone when the node has no such product. */
export function productLabel(products: Map<string, Product>, gtin: string): string {
  const product = products.get(gtin);
  return product ? `${product.name} (${product.model})` : gtin;
}
