// The Application Identifiers medtrace reads, and the one place their values are checked
// and gathered into Gs1Data, whichever form (raw, bracketed, Digital Link) they came in.

import { validateSet82 } from './charset';
import { parseGs1Date } from './date';
import { validateGtin } from './gtin';
import { gs1Invalid } from './invalid';
import type { Gs1Data, Gs1Options } from './types';

export interface AiSpec {
  readonly ai: string;
  readonly format: 'digits' | 'date' | 'dateTime' | 'set82';
  /** Exact length when `fixed`, otherwise the maximum. */
  readonly length: number;
  readonly fixed: boolean;
  /** In the GS1 table of predefined lengths: needs no FNC1 separator in raw form. */
  readonly predefined: boolean;
  /** Where the value goes in Gs1Data; AIs without one are checked and then set aside. */
  readonly target?: keyof Gs1Data;
}

export function spec(
  ai: string,
  format: AiSpec['format'],
  length: number,
  fixed: boolean,
  predefined: boolean,
  target?: keyof Gs1Data,
): AiSpec {
  return { ai, format, length, fixed, predefined, target };
}

const SPECS: AiSpec[] = [
  spec('01', 'digits', 14, true, true, 'gtin'),
  spec('10', 'set82', 20, false, false, 'lot'),
  spec('11', 'date', 6, true, true, 'productionDate'),
  spec('13', 'date', 6, true, true),
  spec('15', 'date', 6, true, true),
  spec('16', 'date', 6, true, true),
  spec('17', 'date', 6, true, true, 'expiry'),
  spec('21', 'set82', 20, false, false, 'serial'),
  spec('22', 'set82', 20, false, false),
  spec('30', 'digits', 8, false, false),
  spec('240', 'set82', 30, false, false),
  spec('241', 'set82', 30, false, false),
  spec('7003', 'dateTime', 10, true, false),
  spec('90', 'set82', 30, false, false),
  ...['91', '92', '93', '94', '95', '96', '97', '98', '99'].map((ai) => spec(ai, 'set82', 90, false, false)),
];

const BY_AI = new Map(SPECS.map((s) => [s.ai, s]));

export function aiSpec(ai: string): AiSpec | undefined {
  return BY_AI.get(ai);
}

/** Looks an AI up in one table: the unit table (aiSpec) or the case table (sdk/gs1/case.ts). */
export type AiLookup = (ai: string) => AiSpec | undefined;

/** The AI at the start of raw data; the tables are prefix-free, so the first match is the AI. */
export function matchAi(text: string, offset: number, lookup: AiLookup = aiSpec): AiSpec | undefined {
  for (const length of [2, 3, 4]) {
    const found = lookup(text.slice(offset, offset + length));
    if (found) return found;
  }
  return undefined;
}

export function aiField(ai: string): string {
  return `(${ai})`;
}

export interface AiElement {
  ai: string;
  value: string;
}

function checkDigits(value: string, s: AiSpec, field: string): void {
  if (!/^[0-9]*$/.test(value)) throw gs1Invalid(field, 'must contain only digits');
  if (s.fixed && value.length !== s.length) {
    throw gs1Invalid(field, `must be exactly ${s.length} digits, got ${value.length}`);
  }
  if (value.length === 0) throw gs1Invalid(field, 'must not be empty');
  if (value.length > s.length) throw gs1Invalid(field, `too long: ${value.length} digits, at most ${s.length}`);
}

/** Checks one AI value and returns what Gs1Data holds for it (an ISO date for dates). */
export function checkValue(element: AiElement, s: AiSpec, options: Gs1Options): string {
  const field = aiField(s.ai);
  const { value } = element;
  switch (s.format) {
    case 'set82':
      return validateSet82(value, field, s.length);
    case 'date':
      return parseGs1Date(value, field, options);
    case 'dateTime': {
      checkDigits(value, s, field);
      const hours = Number(value.slice(6, 8));
      const minutes = Number(value.slice(8, 10));
      if (value.slice(4, 6) === '00') throw gs1Invalid(field, 'bad date: day 00 is not allowed here');
      if (hours > 23 || minutes > 59) throw gs1Invalid(field, 'bad time: must be HHMM 0000 to 2359');
      parseGs1Date(value.slice(0, 6), field, options);
      return value;
    }
    case 'digits':
      checkDigits(value, s, field);
      return s.target === 'gtin' ? validateGtin(value, field) : value;
  }
}

/** Validates every element, refuses duplicates and requires the GTIN. */
export function assembleGs1Data(elements: AiElement[], options: Gs1Options = {}): Gs1Data {
  const seen = new Set<string>();
  const data: Partial<Gs1Data> = {};
  for (const element of elements) {
    const s = aiSpec(element.ai);
    if (!s) throw gs1Invalid(aiField(element.ai), `unknown or unsupported AI (${element.ai})`);
    if (seen.has(s.ai)) throw gs1Invalid(aiField(s.ai), `duplicate AI (${s.ai})`);
    seen.add(s.ai);
    const value = checkValue(element, s, options);
    if (s.target) data[s.target] = value;
  }
  if (data.gtin === undefined) throw gs1Invalid('(01)', 'no GTIN: AI (01) is required');
  return ordered(data as Gs1Data);
}

/** The same data with keys in one fixed order and absent fields omitted. */
export function ordered(data: Gs1Data): Gs1Data {
  const out: Gs1Data = { gtin: data.gtin };
  if (data.lot !== undefined) out.lot = data.lot;
  if (data.serial !== undefined) out.serial = data.serial;
  if (data.expiry !== undefined) out.expiry = data.expiry;
  if (data.productionDate !== undefined) out.productionDate = data.productionDate;
  return out;
}
