// One entry point for anything a scanner, a label or a user may hand over: it tells the
// forms apart and sends each to its parser.

import { parseDigitalLink } from './digitalLink';
import { GS, parseBracketedElementString, parseRawElementString } from './elementString';
import { gs1Invalid } from './invalid';
import type { Gs1Data, Gs1Options } from './types';

/** Longer input is no GS1 data; refusing it early keeps the parsers' work bounded. */
const MAX_INPUT = 4096;

/** Symbology identifiers (ISO/IEC 15424) a scanner may prefix: GS1 element strings… */
const ELEMENT_STRING_SYMBOLOGIES = [']C1', ']d2', ']Q3', ']e0', ']J1'];
/** …and plain symbols that carry a Digital Link URI. */
const URI_SYMBOLOGIES = [']Q1', ']d1'];

const HTTP = /^https?:\/\//i;

/** Raw (with or without symbology identifier) or bracketed element string. */
export function parseElementString(text: string, options: Gs1Options = {}): Gs1Data {
  if (typeof text !== 'string') throw gs1Invalid('input', 'must be a string');
  if (text.startsWith(']')) {
    const symbology = text.slice(0, 3);
    if (!ELEMENT_STRING_SYMBOLOGIES.includes(symbology)) {
      throw gs1Invalid('input', `symbology identifier ${JSON.stringify(symbology)} does not announce GS1 data`);
    }
    return parseRawElementString(text.slice(3), options);
  }
  if (text.startsWith('(')) return parseBracketedElementString(text, options);
  return parseRawElementString(text, options);
}

/**
 * Reads a GS1 Digital Link URI, a bracketed element string, or a raw element string as a
 * scanner delivers it (symbology identifier, GS separators) into Gs1Data.
 */
export function parseGs1(text: string, options: Gs1Options = {}): Gs1Data {
  if (typeof text !== 'string') throw gs1Invalid('input', 'must be a string');
  if (text.length === 0) throw gs1Invalid('input', 'is empty');
  if (text.length > MAX_INPUT) throw gs1Invalid('input', `too long: ${text.length} characters, at most ${MAX_INPUT}`);
  if (URI_SYMBOLOGIES.includes(text.slice(0, 3)) && HTTP.test(text.slice(3))) {
    return parseDigitalLink(text.slice(3), options);
  }
  if (HTTP.test(text)) return parseDigitalLink(text, options);
  if (text.startsWith(']') || text.startsWith('(') || text.startsWith(GS) || /^[0-9]/.test(text)) {
    return parseElementString(text, options);
  }
  throw gs1Invalid('input', 'not GS1 data: expected a Digital Link URI or an element string');
}
