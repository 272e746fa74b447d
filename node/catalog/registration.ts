// The product gate of buying and selling: a device is traded only while its
// registration certificate (number and expiry on the product) is valid.
import type { Sql, Tx } from '../db';
import { ProblemError } from '../http/problem';
import { todayIso } from '../partners/qualification';

/**
 * Refuses (ProblemError 422, field `gtin`) unless the product exists and its
 * registration is on file and not expired on `today` (the expiry date is the
 * last valid day). Slugs: `product-not-registered` (unknown product, or no
 * registration number / expiry on file) and `product-registration-expired`
 * (the detail names the registration number and its expiry).
 */
export async function assertProductRegistered(tx: Tx | Sql, gtin: string, today: string = todayIso()): Promise<void> {
  const [product] = await tx<{ name: string; registration_number: string | null; registration_expiry: string | null }[]>`
    select name, registration_number, registration_expiry::text as registration_expiry from products where gtin = ${gtin}`;
  if (!product) {
    throw new ProblemError(422, 'product-not-registered', 'Product not registered', `gtin: no product with GTIN ${gtin}`, { field: 'gtin', gtin });
  }
  if (product.registration_number === null || product.registration_expiry === null) {
    throw new ProblemError(
      422,
      'product-not-registered',
      'Product not registered',
      `product ${gtin} (${product.name}) has no registration certificate on file (number and expiry); it cannot be bought or sold`,
      { field: 'gtin', gtin },
    );
  }
  if (product.registration_expiry < today) {
    throw new ProblemError(
      422,
      'product-registration-expired',
      'Product registration expired',
      `product ${gtin} (${product.name}): registration certificate ${product.registration_number} expired on ${product.registration_expiry}`,
      { field: 'gtin', gtin, registration: { number: product.registration_number, expiry: product.registration_expiry } },
    );
  }
}
