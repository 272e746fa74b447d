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

/** The readers of each form, for dispatchGs1. */
export interface Gs1Readers<T> {
  digitalLink(uri: string): T;
  /** Raw element string data, symbology identifier removed. */
  raw(text: string): T;
  bracketed(text: string): T;
}

function dispatchElementString<T>(text: string, readers: Gs1Readers<T>): T {
  if (typeof text !== 'string') throw gs1Invalid('input', 'must be a string');
  if (text.startsWith(']')) {
    const symbology = text.slice(0, 3);
    if (!ELEMENT_STRING_SYMBOLOGIES.includes(symbology)) {
      throw gs1Invalid('input', `symbology identifier ${JSON.stringify(symbology)} does not announce GS1 data`);
    }
    return readers.raw(text.slice(3));
  }
  if (text.startsWith('(')) return readers.bracketed(text);
  return readers.raw(text);
}

/** Tells the forms apart (Digital Link with or without symbology identifier, bracketed, raw) and reads each with its reader. */
export function dispatchGs1<T>(text: string, readers: Gs1Readers<T>): T {
  if (typeof text !== 'string') throw gs1Invalid('input', 'must be a string');
  if (text.length === 0) throw gs1Invalid('input', 'is empty');
  if (text.length > MAX_INPUT) throw gs1Invalid('input', `too long: ${text.length} characters, at most ${MAX_INPUT}`);
  if (URI_SYMBOLOGIES.includes(text.slice(0, 3)) && HTTP.test(text.slice(3))) {
    return readers.digitalLink(text.slice(3));
  }
  if (HTTP.test(text)) return readers.digitalLink(text);
  if (text.startsWith(']') || text.startsWith('(') || text.startsWith(GS) || /^[0-9]/.test(text)) {
    return dispatchElementString(text, readers);
  }
  throw gs1Invalid('input', 'not GS1 data: expected a Digital Link URI or an element string');
}

function unitReaders(options: Gs1Options): Gs1Readers<Gs1Data> {
  return {
    digitalLink: (uri) => parseDigitalLink(uri, options),
    raw: (raw) => parseRawElementString(raw, options),
    bracketed: (hri) => parseBracketedElementString(hri, options),
  };
}

/** Raw (with or without symbology identifier) or bracketed element string. */
export function parseElementString(text: string, options: Gs1Options = {}): Gs1Data {
  return dispatchElementString(text, unitReaders(options));
}

/**
 * Reads a GS1 Digital Link URI, a bracketed element string, or a raw element string as a
 * scanner delivers it (symbology identifier, GS separators) into Gs1Data.
 */
export function parseGs1(text: string, options: Gs1Options = {}): Gs1Data {
  return dispatchGs1(text, unitReaders(options));
}
