// What a person pastes or a keyboard-wedge scanner types into a text field. A
// field cannot hold the GS (FNC1) a scanner sends, so scanners and people write
// it otherwise: as the escape text `\u001d` or `\x1d`, as `<GS>`, `{GS}` or
// `[GS]`, as the Unicode picture ␝ (U+241D), or as `^` (ZPL's habit). Each
// is read as GS in a raw element string. All but `<GS>` are outside GS1
// character set 82, so no lot or serial can contain them; `<GS>` could be the
// text of a value, and through this reader it never is. Only the field's
// reader substitutes: parseGs1 itself stays strict.

import { GS } from './elementString';
import { parseGs1 } from './parse';
import type { Gs1Data, Gs1Options } from './types';

const SUBSTITUTES = /\\u001[dD]|\\x1[dD]|<GS>|\{GS\}|\[GS\]|\u241d|\^/gi;
const HTTP = /^(\][A-Za-z][0-9])?https?:\/\//i;

/**
 * Text typed into a field, as the raw element string it stands for: surrounding
 * white space (a scanner's Enter) removed and, in a raw element string without a
 * real GS, the written forms of GS replaced by GS. Digital Links and bracketed
 * element strings are only trimmed.
 */
export function normalizeScannedGs1(text: string): string {
  if (typeof text !== 'string') return text;
  const trimmed = text.trim();
  if (HTTP.test(trimmed) || trimmed.startsWith('(') || trimmed.includes(GS)) return trimmed;
  return trimmed.replace(SUBSTITUTES, GS);
}

/** parseGs1 of what a person or a keyboard-wedge scanner typed into a field (normalizeScannedGs1). */
export function parseScannedGs1(text: string, options: Gs1Options = {}): Gs1Data {
  return parseGs1(normalizeScannedGs1(text), options);
}
