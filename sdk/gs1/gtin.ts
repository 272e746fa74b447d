// GTIN check digits (GS1 mod 10) and the one normal form medtrace stores: 14 digits.

import { gs1Invalid } from './invalid';

const GTIN_LENGTHS = [8, 12, 13, 14];

/**
 * The GS1 mod-10 check digit of the digits that precede it (13 for a GTIN-14; any GS1 key
 * up to 17 data digits works, weights 3,1,3,… counted from the right).
 */
export function gtinCheckDigit(first13: string): number {
  if (typeof first13 !== 'string' || !/^[0-9]{1,17}$/.test(first13)) {
    throw gs1Invalid('gtin', 'check digit input must be 1 to 17 digits');
  }
  let sum = 0;
  for (let i = first13.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (first13.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Validates a GTIN-8, -12, -13 or -14 and returns it as 14 digits. A wrong check digit is
 * an error, never repaired.
 */
export function validateGtin(gtin: string, field = 'gtin'): string {
  if (typeof gtin !== 'string') throw gs1Invalid(field, 'must be a string of digits');
  if (!/^[0-9]+$/.test(gtin)) throw gs1Invalid(field, 'must contain only digits');
  if (!GTIN_LENGTHS.includes(gtin.length)) {
    throw gs1Invalid(field, `must be 8, 12, 13 or 14 digits, got ${gtin.length}`);
  }
  const expected = gtinCheckDigit(gtin.slice(0, -1));
  const actual = gtin.charCodeAt(gtin.length - 1) - 48;
  if (expected !== actual) {
    throw gs1Invalid(field, `wrong check digit: ${actual}, expected ${expected}`);
  }
  return gtin.padStart(14, '0');
}
