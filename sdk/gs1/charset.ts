// GS1 AI encodable character set 82 (General Specifications figure 7.11-1): the only
// characters a lot, serial or other alphanumeric AI value may hold.

import { describeChar, gs1Invalid } from './invalid';

const SET_82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]$/;

export function isSet82Char(ch: string): boolean {
  return SET_82.test(ch);
}

/** Checks a value of an alphanumeric AI: 1 to `maxLength` characters, all in set 82. */
export function validateSet82(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string') throw gs1Invalid(field, 'must be a string');
  if (value.length === 0) throw gs1Invalid(field, 'must not be empty');
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (!isSet82Char(ch)) {
      const shown = describeChar(String.fromCodePoint(value.codePointAt(i) ?? 0));
      throw gs1Invalid(field, `character ${shown} at position ${i + 1} is outside GS1 character set 82`);
    }
  }
  if (value.length > maxLength) {
    throw gs1Invalid(field, `too long: ${value.length} characters, at most ${maxLength}`);
  }
  return value;
}

/** A lot (AI 10) or serial (AI 21): 1 to 20 characters of set 82. Returns the value unchanged. */
export function validateLotOrSerial(value: string, field: 'lot' | 'serial'): string {
  return validateSet82(value, field, 20);
}
