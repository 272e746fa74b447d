// GS1 element strings in the two forms people and scanners produce: raw, with FNC1 sent as
// GS (ASCII 29) after variable-length values, and bracketed HRI `(01)…(17)…(10)…`.

import { aiField, aiSpec, assembleGs1Data, matchAi, type AiElement, type AiLookup } from './ai';
import { checkGs1Data } from './data';
import { gs1Invalid } from './invalid';
import type { Gs1Data, Gs1Options } from './types';

/** FNC1 as a scanner transmits it when used as a separator. */
export const GS = '\u001d';

const AI_OPENER = /^\([0-9]{2,4}\)/;

/** Raw element string data (symbology identifier already removed). */
export function parseRawElementString(text: string, options: Gs1Options = {}): Gs1Data {
  return assembleGs1Data(rawElements(text, aiSpec), options);
}

/** The (AI, value) pairs of raw data, AIs looked up in one table; values not yet checked. */
export function rawElements(text: string, lookup: AiLookup): AiElement[] {
  if (typeof text !== 'string') throw gs1Invalid('input', 'must be a string');
  const elements: AiElement[] = [];
  let pos = text.startsWith(GS) ? 1 : 0; // some scanners send the leading FNC1 as GS
  if (pos >= text.length) throw gs1Invalid('input', 'element string is empty');
  while (pos < text.length) {
    if (text[pos] === GS) throw gs1Invalid('input', `empty element: two separators in a row at offset ${pos}`);
    const s = matchAi(text, pos, lookup);
    if (!s) {
      const head = text.slice(pos, pos + 4);
      const field = /^[0-9]{2}/.test(head) ? aiField(head.slice(0, 2)) : 'input';
      throw gs1Invalid(field, `unknown or unsupported AI at offset ${pos} ('${head.replace(/[^\x21-\x7e]/g, '?')}…')`);
    }
    pos += s.ai.length;
    let value: string;
    if (s.fixed) {
      value = text.slice(pos, pos + s.length);
      if (value.length < s.length) {
        throw gs1Invalid(aiField(s.ai), `truncated: needs ${s.length} characters, data ends after ${value.length}`);
      }
      pos += s.length;
      if (!s.predefined && pos < text.length && text[pos] !== GS) {
        throw gs1Invalid(aiField(s.ai), `missing separator: GS (FNC1) must follow (${s.ai}) unless it ends the data`);
      }
    } else {
      const end = text.indexOf(GS, pos);
      value = text.slice(pos, end === -1 ? text.length : end);
      pos += value.length;
    }
    if (text[pos] === GS) pos += 1;
    elements.push({ ai: s.ai, value });
  }
  return elements;
}

/**
 * Bracketed HRI. A value ends at the next `(NN)`..`(NNNN)`; a literal `(` that would read as
 * one is written `\(` (the GS1 Barcode Syntax Engine's escape), which toElementString emits.
 */
export function parseBracketedElementString(text: string, options: Gs1Options = {}): Gs1Data {
  return assembleGs1Data(bracketedElements(text, aiSpec), options);
}

/** The (AI, value) pairs of bracketed HRI, AIs looked up in one table; values not yet checked. */
export function bracketedElements(text: string, lookup: AiLookup): AiElement[] {
  if (typeof text !== 'string') throw gs1Invalid('input', 'must be a string');
  const elements: AiElement[] = [];
  let pos = 0;
  if (text.length === 0) throw gs1Invalid('input', 'element string is empty');
  while (pos < text.length) {
    const opener = AI_OPENER.exec(text.slice(pos, pos + 6));
    if (!opener) throw gs1Invalid('input', `expected an AI in brackets such as (01) at offset ${pos}`);
    const ai = opener[0].slice(1, -1);
    if (!lookup(ai)) throw gs1Invalid(aiField(ai), `unknown or unsupported AI (${ai})`);
    pos += opener[0].length;
    let value = '';
    while (pos < text.length) {
      if (text[pos] === '\\' && text[pos + 1] === '(') {
        value += '(';
        pos += 2;
      } else if (text[pos] === '(' && AI_OPENER.test(text.slice(pos, pos + 6))) {
        break;
      } else {
        value += text[pos];
        pos += 1;
      }
    }
    elements.push({ ai, value });
  }
  return elements;
}

export function escapeBracketed(value: string): string {
  return value.replace(/\((?=[0-9]{2,4}\))/g, '\\(');
}

/** The AIs of the data in canonical order: fixed-length first, then lot and serial. */
function elementsOf(data: Gs1Data, options: Gs1Options): AiElement[] {
  const checked = checkGs1Data(data, options);
  const out: AiElement[] = [{ ai: '01', value: checked.data.gtin }];
  if (checked.productionDate !== undefined) out.push({ ai: '11', value: checked.productionDate });
  if (checked.expiry !== undefined) out.push({ ai: '17', value: checked.expiry });
  if (checked.data.lot !== undefined) out.push({ ai: '10', value: checked.data.lot });
  if (checked.data.serial !== undefined) out.push({ ai: '21', value: checked.data.serial });
  return out;
}

/** Bracketed HRI in the canonical AI order (01), (11), (17), (10), (21). */
export function toElementString(data: Gs1Data, options: Gs1Options = {}): string {
  return elementsOf(data, options)
    .map(({ ai, value }) => `(${ai})${aiSpec(ai)?.format === 'set82' ? escapeBracketed(value) : value}`)
    .join('');
}

/**
 * Raw element string for label printing: fixed-length AIs first, a GS after each
 * variable-length value except the last. No leading FNC1 or symbology identifier.
 */
export function toRawElementString(data: Gs1Data, options: Gs1Options = {}): string {
  const elements = elementsOf(data, options);
  return elements
    .map(({ ai, value }, i) => {
      const needsSeparator = !aiSpec(ai)?.predefined && i < elements.length - 1;
      return `${ai}${value}${needsSeparator ? GS : ''}`;
    })
    .join('');
}
