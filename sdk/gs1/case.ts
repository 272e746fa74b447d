// Cases: what a case label carries, as element strings and Digital Links, with the
// association rules of the GS1 General Specifications (4.14) that apply to them:
// - a logistic unit that is not itself a trade item: (00) SSCC + (02) GTIN of the
//   contained trade items + (37) their count [+ (11) (17) (10)]; (02) requires (37),
//   (37) requires (00) and (02);
// - a case that is its own trade item of variable count: (01) GTIN with indicator
//   digit 9 + (30) count [+ (11) (17) (10)], optionally with its SSCC (00); (01) is
//   invalid with (02) and (37), (30) requires (01).
// Digital Link: the SSCC is the primary key when present (`/00/{sscc}?02=…&37=…&10=…`,
// no qualifiers); otherwise `/01/{gtin}/10/{lot}?30=…`.

import { aiField, checkValue, spec, type AiElement, type AiSpec } from './ai';
import { validateLotOrSerial } from './charset';
import { formatGs1Date } from './date';
import { checkResolver, decode, DEFAULT_RESOLVER, encodeDigitalLinkValue, splitUri } from './digitalLink';
import { bracketedElements, escapeBracketed, GS, rawElements } from './elementString';
import { gtinCheckDigit, validateGtin } from './gtin';
import { gs1Invalid } from './invalid';
import { dispatchGs1 } from './parse';
import type { Gs1Options } from './types';

/** What a case label says. Dates are ISO `YYYY-MM-DD`; GTINs 14 digits once parsed. */
export interface Gs1CaseData {
  /** AI (00): the Serial Shipping Container Code, 18 digits with a mod-10 check digit. */
  sscc?: string;
  /** AI (02): the GTIN of the trade items contained in a logistic unit that is not itself a trade item. */
  content?: string;
  /** AI (01): the GTIN of the case itself, a variable-count trade item (indicator digit 9). */
  gtin?: string;
  /** AI (37) with `content`, AI (30) with `gtin`: how many items the case holds, 1 to 99999999. */
  count?: number;
  /** AI (10). */
  lot?: string;
  /** AI (17). */
  expiry?: string;
  /** AI (11). */
  productionDate?: string;
}

const CASE_SPECS: AiSpec[] = [
  spec('00', 'digits', 18, true, true),
  spec('01', 'digits', 14, true, true),
  spec('02', 'digits', 14, true, true),
  spec('10', 'set82', 20, false, false),
  spec('11', 'date', 6, true, true),
  spec('17', 'date', 6, true, true),
  // Read only to be refused with a clear reason: a serial identifies a unit, not a case.
  spec('21', 'set82', 20, false, false),
  spec('30', 'digits', 8, false, false),
  spec('37', 'digits', 8, false, false),
];
const CASE_BY_AI = new Map(CASE_SPECS.map((s) => [s.ai, s]));
const caseAiSpec = (ai: string) => CASE_BY_AI.get(ai);

const MAX_COUNT = 99_999_999;

/** Validates an SSCC (AI 00): 18 digits whose last is the GS1 mod-10 check digit. Never repaired. */
export function validateSscc(sscc: string, field = 'sscc'): string {
  if (typeof sscc !== 'string') throw gs1Invalid(field, 'must be a string of 18 digits');
  if (!/^[0-9]+$/.test(sscc)) throw gs1Invalid(field, 'must contain only digits');
  if (sscc.length !== 18) throw gs1Invalid(field, `must be exactly 18 digits, got ${sscc.length}`);
  const expected = gtinCheckDigit(sscc.slice(0, 17));
  const actual = sscc.charCodeAt(17) - 48;
  if (expected !== actual) throw gs1Invalid(field, `wrong check digit: ${actual}, expected ${expected}`);
  return sscc;
}

function checkCount(count: unknown, field: string): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw gs1Invalid(field, `must be an integer from 1 to ${MAX_COUNT} (at most 8 digits)`);
  }
  return count;
}

interface CheckedCase {
  data: Gs1CaseData;
  expiry?: string;
  productionDate?: string;
}

/** The formatter's checks: exactly the combinations the General Specifications allow. */
function checkCase(data: Gs1CaseData, options: Gs1Options): CheckedCase {
  if (typeof data !== 'object' || data === null) throw gs1Invalid('case', 'case data must be an object');
  const out: Gs1CaseData = {};
  if (data.sscc !== undefined) out.sscc = validateSscc(data.sscc, 'sscc');
  if (data.content !== undefined && data.gtin !== undefined) {
    throw gs1Invalid('gtin', 'AI (01) and AI (02) are an invalid pair: a case is either its own trade item (01) or a logistic unit naming its content (02)');
  }
  if (data.content !== undefined) {
    out.content = validateGtin(data.content, 'content');
    if (out.sscc === undefined) throw gs1Invalid('sscc', 'AI (02) with its count AI (37) is only used on a logistic unit: the SSCC (00) is required');
    if (data.count === undefined) throw gs1Invalid('count', 'AI (02) requires AI (37): the count of contained trade items is required');
  } else if (data.gtin !== undefined) {
    out.gtin = validateGtin(data.gtin, 'gtin');
    if (out.gtin[0] !== '9') {
      throw gs1Invalid('gtin', 'AI (30) completes a variable measure trade item: the case GTIN must be a GTIN-14 with indicator digit 9');
    }
    if (data.count === undefined) throw gs1Invalid('count', 'a variable-count case needs its count in AI (30)');
  } else {
    throw gs1Invalid('content', 'a case names its contents: AI (02) with the SSCC (00), or its own GTIN in AI (01)');
  }
  out.count = checkCount(data.count, 'count');
  const checked: CheckedCase = { data: out };
  if (data.lot !== undefined) out.lot = validateLotOrSerial(data.lot, 'lot');
  if (data.expiry !== undefined) {
    checked.expiry = formatGs1Date(data.expiry, 'expiry', options);
    out.expiry = data.expiry;
  }
  if (data.productionDate !== undefined) {
    checked.productionDate = formatGs1Date(data.productionDate, 'productionDate', options);
    out.productionDate = data.productionDate;
  }
  return checked;
}

/** The AIs in canonical order: (00), (01)|(02), (11), (17), then the variable-length (30)|(37) and (10). */
function caseElements(data: Gs1CaseData, options: Gs1Options): AiElement[] {
  const checked = checkCase(data, options);
  const c = checked.data;
  const out: AiElement[] = [];
  if (c.sscc !== undefined) out.push({ ai: '00', value: c.sscc });
  if (c.content !== undefined) out.push({ ai: '02', value: c.content });
  if (c.gtin !== undefined) out.push({ ai: '01', value: c.gtin });
  if (checked.productionDate !== undefined) out.push({ ai: '11', value: checked.productionDate });
  if (checked.expiry !== undefined) out.push({ ai: '17', value: checked.expiry });
  out.push({ ai: c.content !== undefined ? '37' : '30', value: String(c.count) });
  if (c.lot !== undefined) out.push({ ai: '10', value: c.lot });
  return out;
}

/** Bracketed HRI of a case, e.g. `(00)095060001000000012(02)09506000134352(17)291130(37)20(10)L2611A`. */
export function toCaseElementString(data: Gs1CaseData, options: Gs1Options = {}): string {
  return caseElements(data, options)
    .map(({ ai, value }) => `(${ai})${ai === '10' ? escapeBracketed(value) : value}`)
    .join('');
}

/** Raw element string of a case: a GS after each variable-length value except the last. */
export function toRawCaseElementString(data: Gs1CaseData, options: Gs1Options = {}): string {
  const elements = caseElements(data, options);
  return elements
    .map(({ ai, value }, i) => `${ai}${value}${!caseAiSpec(ai)!.predefined && i < elements.length - 1 ? GS : ''}`)
    .join('');
}

/**
 * The Digital Link of a case: `/00/{sscc}?02=…&37=…&10=…&17=…&11=…` (SSCC as primary key, which takes
 * no qualifiers), or `/01/{gtin}[/10/{lot}]?30=…&17=…&11=…` for a variable-count case without SSCC.
 */
export function toCaseDigitalLink(data: Gs1CaseData, resolver: string = DEFAULT_RESOLVER, options: Gs1Options = {}): string {
  const base = checkResolver(resolver);
  const checked = checkCase(data, options);
  const c = checked.data;
  const query: string[] = [];
  let uri: string;
  if (c.sscc !== undefined) {
    uri = `${base}/00/${c.sscc}`;
    query.push(c.content !== undefined ? `02=${c.content}` : `01=${c.gtin}`);
    query.push(`${c.content !== undefined ? '37' : '30'}=${c.count}`);
    if (c.lot !== undefined) query.push(`10=${encodeDigitalLinkValue(c.lot)}`);
  } else {
    uri = `${base}/01/${c.gtin}`;
    if (c.lot !== undefined) uri += `/10/${encodeDigitalLinkValue(c.lot)}`;
    query.push(`30=${c.count}`);
  }
  if (checked.expiry !== undefined) query.push(`17=${checked.expiry}`);
  if (checked.productionDate !== undefined) query.push(`11=${checked.productionDate}`);
  return `${uri}?${query.join('&')}`;
}

/** Validates each value and the pairings, and gathers the case data. */
function assembleCase(elements: AiElement[], options: Gs1Options): Gs1CaseData {
  const values = new Map<string, string>();
  for (const element of elements) {
    const s = caseAiSpec(element.ai);
    if (!s) throw gs1Invalid(aiField(element.ai), `unknown or unsupported AI (${element.ai}) in a case label`);
    if (s.ai === '21') throw gs1Invalid('(21)', 'AI (21) is not read on a case: a serial identifies a unit, not a case');
    if (values.has(s.ai)) throw gs1Invalid(aiField(s.ai), `duplicate AI (${s.ai})`);
    values.set(s.ai, checkValue(element, s, options));
  }
  const has = (ai: string) => values.has(ai);
  if (has('01') && has('02')) throw gs1Invalid('(02)', 'AI (01) and AI (02) are an invalid pair');
  if (has('01') && has('37')) throw gs1Invalid('(37)', 'AI (37) is invalid with AI (01): it may only be used with AI (02)');
  if (has('02') && !has('37')) throw gs1Invalid('(02)', 'AI (02) requires AI (37), the count of contained trade items');
  if (has('37') && !has('02')) throw gs1Invalid('(37)', 'AI (37) requires AI (02)');
  if (has('37') && !has('00')) throw gs1Invalid('(37)', 'AI (37) requires AI (00): it is only used on a logistic unit with its SSCC');
  if (has('30') && !has('01')) throw gs1Invalid('(30)', 'AI (30) requires AI (01), the GTIN of the variable-count trade item');
  for (const ai of ['10', '11', '17']) {
    if (has(ai) && !has('01') && !has('02')) throw gs1Invalid(aiField(ai), `AI (${ai}) requires AI (01) or AI (02)`);
  }
  if (!has('00') && !has('01')) throw gs1Invalid('(00)', 'no key: a case is identified by its SSCC (00) or its GTIN (01)');
  const out: Gs1CaseData = {};
  if (has('00')) out.sscc = validateSscc(values.get('00')!, '(00)');
  if (has('02')) out.content = validateGtin(values.get('02')!, '(02)');
  if (has('01')) out.gtin = validateGtin(values.get('01')!, '(01)');
  // (30) on a GTIN without indicator 9 is redundant data, not an invalid identification (GenSpecs 3.6.1): kept.
  const count = values.get('37') ?? values.get('30');
  if (count !== undefined) out.count = Number(count);
  if (has('10')) out.lot = values.get('10');
  if (has('17')) out.expiry = values.get('17');
  if (has('11')) out.productionDate = values.get('11');
  return out;
}

function caseLinkElements(path: string, query: string): AiElement[] {
  const segments = path.split('/').slice(1);
  if (segments.length > 0 && segments[segments.length - 1] === '') throw gs1Invalid('uri', 'Digital Link path must not end with "/"');
  const n = segments.length;
  const key: AiElement[] = [];
  if (n >= 2 && segments[n - 2] === '00') {
    key.push({ ai: '00', value: decode(segments[n - 1], '(00)') });
  } else if (n >= 2 && segments[n - 2] === '01') {
    key.push({ ai: '01', value: validateGtin(decode(segments[n - 1], '(01)'), '(01)') });
  } else if (n >= 4 && segments[n - 4] === '01' && segments[n - 2] === '10') {
    key.push({ ai: '01', value: validateGtin(decode(segments[n - 3], '(01)'), '(01)') });
    key.push({ ai: '10', value: decode(segments[n - 1], '(10)') });
  } else if (n >= 4 && segments[n - 4] === '00') {
    throw gs1Invalid('(00)', 'the SSCC (00) is a primary key without qualifiers: nothing may follow it in the path');
  } else {
    throw gs1Invalid('uri', 'not a case Digital Link: no /00/{sscc} or /01/{gtin}[/10/{lot}] at the end of the path');
  }
  const inQuery: AiElement[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq === -1 ? part : part.slice(0, eq), 'uri');
    if (!/^[0-9]+$/.test(name)) continue; // linkType, context…: for the resolver
    if (name === '00' || (key[0].ai === '01' && (name === '01' || name === '10'))) {
      throw gs1Invalid(aiField(name), `AI (${name}) belongs in the Digital Link path, not the query`);
    }
    inQuery.push({ ai: name, value: eq === -1 ? '' : decode(part.slice(eq + 1), aiField(name)) });
  }
  return [...key, ...inQuery];
}

/** Reads a case Digital Link (`/00/{sscc}?…` or `/01/{gtin}[/10/{lot}]?30=…`). */
export function parseCaseDigitalLink(uri: string, options: Gs1Options = {}): Gs1CaseData {
  const { path, query } = splitUri(uri);
  return assembleCase(caseLinkElements(path, query), options);
}

/** Reads a case label in any form a scanner or a person hands over: Digital Link, bracketed or raw element string. */
export function parseGs1Case(text: string, options: Gs1Options = {}): Gs1CaseData {
  return dispatchGs1(text, {
    digitalLink: (uri) => parseCaseDigitalLink(uri, options),
    raw: (raw) => assembleCase(rawElements(raw, caseAiSpec), options),
    bracketed: (hri) => assembleCase(bracketedElements(hri, caseAiSpec), options),
  });
}
