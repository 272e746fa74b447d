// Bounded fuzzing of every public GS1 entry of the SDK, beyond what
// test/sdk/gs1.property.test.ts covers for parseGs1: the case readers and
// formatters, the single-form readers, the validators, non-string input and
// mutated valid forms (characters inserted, deleted, replaced; GS in odd
// places; unicode). Whatever the input, the only thing thrown is a
// MedtraceError GS1_INVALID naming a field; whatever parses formats back to a
// form that parses to the same data; valid case data round-trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatGs1Date,
  GS1_SEPARATOR as GS,
  gtinCheckDigit,
  MedtraceError,
  parseBracketedElementString,
  parseCaseDigitalLink,
  parseDigitalLink,
  parseElementString,
  parseGs1,
  parseGs1Case,
  parseGs1Date,
  parseRawElementString,
  sglnUri,
  toCaseDigitalLink,
  toCaseElementString,
  toDigitalLink,
  toElementString,
  toRawCaseElementString,
  toRawElementString,
  validateGtin,
  validateLotOrSerial,
  validateSscc,
  type Gs1CaseData,
  type Gs1Data,
} from '../../sdk';
import { FUZZ_SEED, runs } from './support/fuzz';

const NOW = new Date(Date.UTC(2026, 5, 15));
const OPTIONS = { now: NOW };
const SET_82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
const RESOLVERS = ['https://id.gs1.org', 'https://dl.example.com/id', 'http://example.org/01/x/10'];

/** The outcome of one call: 'ok', or a failure description (empty when it is the coded GS1 error). */
function gs1Outcome(call: () => unknown): { ok: true; value: unknown } | { ok: false; wrong?: string } {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    if (!(error instanceof MedtraceError)) return { ok: false, wrong: `threw ${describeError(error)}` };
    if (error.code !== 'GS1_INVALID') return { ok: false, wrong: `threw code ${error.code}: ${error.message}` };
    if (typeof error.field !== 'string' || error.field.length === 0) return { ok: false, wrong: `GS1_INVALID without a field: ${error.message}` };
    return { ok: false };
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Fails the property with the input when the call threw anything but GS1_INVALID with a field. */
function onlyGs1Invalid(call: () => unknown): { ok: boolean; value?: unknown } {
  const outcome = gs1Outcome(call);
  if (!outcome.ok && outcome.wrong) throw new Error(outcome.wrong);
  return outcome.ok ? { ok: true, value: outcome.value } : { ok: false };
}

// ---------------------------------------------------------------------------
// Generators

const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
const withCheckDigit = (body: string) => `${body}${gtinCheckDigit(body)}`;
const gtin14 = digits(13).map(withCheckDigit);
const gtinIndicator9 = digits(12).map((rest) => withCheckDigit(`9${rest}`));
const sscc = digits(17).map(withCheckDigit);
const set82 = fc.string({ unit: fc.constantFrom(...SET_82), minLength: 1, maxLength: 20 });

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
/** An ISO date inside the GS1 century window of NOW (1977 … 2076). */
const isoDate = fc
  .record({ year: fc.integer({ min: 1977, max: 2076 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
  .map(({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${String(Math.min(day, daysIn(year, month))).padStart(2, '0')}`);

const unitData: fc.Arbitrary<Gs1Data> = fc
  .record(
    { gtin: gtin14, lot: set82, serial: set82, expiry: isoDate, productionDate: isoDate },
    { requiredKeys: ['gtin'] },
  )
  .map((data) => data as Gs1Data);

const count = fc.integer({ min: 1, max: 99_999_999 });
const caseExtras = fc.record({ lot: set82, expiry: isoDate, productionDate: isoDate }, { requiredKeys: [] });
/** A logistic unit (SSCC + content GTIN + count) or a variable-count case (indicator-9 GTIN + count, SSCC optional). */
const caseData: fc.Arbitrary<Gs1CaseData> = fc.oneof(
  fc.tuple(sscc, gtin14, count, caseExtras).map(([s, content, n, extras]) => ({ sscc: s, content, count: n, ...extras })),
  fc.tuple(fc.option(sscc, { nil: undefined }), gtinIndicator9, count, caseExtras).map(([s, gtin, n, extras]) => ({
    ...(s === undefined ? {} : { sscc: s }),
    gtin,
    count: n,
    ...extras,
  })),
);

/** Any UTF-16 code unit, lone surrogates included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
/** Characters a mutation inserts: anything, with GS, brackets, digits, URI delimiters, escapes and non-BMP characters over-represented. */
const nastyChar = fc.oneof(
  anyUnit,
  fc.constantFrom(GS, GS, '(', ')', '\\', '\\(', '/', '?', '&', '=', '%', '%2', '%1D', '%00', '#', ']', ' ', '\u0000', '\ud800', '\udc00', '😀', 'é', 'ß', 'İ', '０', '٣'),
  fc.constantFrom(...'0123456789'),
);

/** Insert `text` at `at`, replace the character at `at` with it, or delete `length` characters from `at` (`at` modulo the length). */
interface Mutation {
  kind: 'insert' | 'replace' | 'delete';
  at: number;
  text: string;
  length: number;
}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('insert', 'replace', 'delete'),
  at: fc.nat(),
  text: nastyChar,
  length: fc.integer({ min: 1, max: 4 }),
});

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + (m.kind === 'insert' ? 1 : 0));
    if (m.kind === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.kind === 'replace') out = out.slice(0, at) + m.text + out.slice(at + 1);
    else out = out.slice(0, at) + out.slice(at + m.length);
  }
  return out;
}
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

/** Any JavaScript value a caller might pass by mistake. */
const anyValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(undefined, null, NaN, Infinity, -0, 0, 1n, Symbol('s'), () => 'x', new Date(Number.NaN), [], {}, Object.create(null)),
);

// ---------------------------------------------------------------------------
// Every public reader, with the forms each is meant for

const UNIT_READERS: Record<string, (text: string) => Gs1Data> = {
  parseGs1: (t) => parseGs1(t, OPTIONS),
  parseElementString: (t) => parseElementString(t, OPTIONS),
  parseRawElementString: (t) => parseRawElementString(t, OPTIONS),
  parseBracketedElementString: (t) => parseBracketedElementString(t, OPTIONS),
  parseDigitalLink: (t) => parseDigitalLink(t, OPTIONS),
};
const CASE_READERS: Record<string, (text: string) => Gs1CaseData> = {
  parseGs1Case: (t) => parseGs1Case(t, OPTIONS),
  parseCaseDigitalLink: (t) => parseCaseDigitalLink(t, OPTIONS),
};
const VALIDATORS: Record<string, (value: string) => unknown> = {
  validateSscc: (v) => validateSscc(v),
  validateGtin: (v) => validateGtin(v),
  validateLotOrSerial: (v) => validateLotOrSerial(v, 'lot'),
  gtinCheckDigit: (v) => gtinCheckDigit(v),
  parseGs1Date: (v) => parseGs1Date(v, 'date', OPTIONS),
  formatGs1Date: (v) => formatGs1Date(v, 'date', OPTIONS),
  sglnUri: (v) => sglnUri(v, 7),
};

/** Whatever a unit reader accepts formats (three ways) and reads back to the same data. */
function unitReadsBack(data: Gs1Data): void {
  expect(parseGs1(toElementString(data, OPTIONS), OPTIONS)).toEqual(data);
  expect(parseGs1(toRawElementString(data, OPTIONS), OPTIONS)).toEqual(data);
  expect(parseGs1(toDigitalLink(data, undefined, OPTIONS), OPTIONS)).toEqual(data);
}

/**
 * Whatever a case reader accepts reads back the same once formatted; except what the readers
 * accept but the formatters never write (test/sdk/gs1Case.test.ts): an SSCC alone (no count),
 * and (30) on a GTIN without indicator digit 9 (redundant data, refused when writing).
 */
function caseReadsBack(data: Gs1CaseData): void {
  if (data.count === undefined) return;
  if (data.gtin !== undefined && data.gtin[0] !== '9') {
    expect(() => toCaseElementString(data, OPTIONS)).toThrow(expect.objectContaining({ code: 'GS1_INVALID', field: 'gtin' }));
    return;
  }
  expect(parseGs1Case(toCaseElementString(data, OPTIONS), OPTIONS)).toEqual(data);
  expect(parseGs1Case(toRawCaseElementString(data, OPTIONS), OPTIONS)).toEqual(data);
  expect(parseGs1Case(toCaseDigitalLink(data, undefined, OPTIONS), OPTIONS)).toEqual(data);
}

/** Runs every reader on `text`: only coded errors, and whatever is accepted reads back. */
function readAll(text: string): void {
  for (const read of Object.values(UNIT_READERS)) {
    const outcome = onlyGs1Invalid(() => read(text));
    if (outcome.ok) unitReadsBack(outcome.value as Gs1Data);
  }
  for (const read of Object.values(CASE_READERS)) {
    const outcome = onlyGs1Invalid(() => read(text));
    if (outcome.ok) caseReadsBack(outcome.value as Gs1CaseData);
  }
}

const PARAMS = { seed: FUZZ_SEED, numRuns: runs(300) };

describe('GS1 readers on arbitrary input', () => {
  it('every reader and validator throws only GS1_INVALID with a field on arbitrary strings', () => {
    const text = fc.oneof(fc.string({ unit: anyUnit, maxLength: 60 }), fc.string({ unit: nastyChar, maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 30 }));
    fc.assert(
      fc.property(text, (t) => {
        readAll(t);
        for (const validate of Object.values(VALIDATORS)) onlyGs1Invalid(() => validate(t));
      }),
      PARAMS,
    );
  });

  it('every reader, validator and formatter throws only GS1_INVALID when handed something that is not a string or not GS1 data', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const v = value as never;
        for (const read of [...Object.values(UNIT_READERS), ...Object.values(CASE_READERS)]) onlyGs1Invalid(() => read(v));
        for (const validate of Object.values(VALIDATORS)) onlyGs1Invalid(() => validate(v));
        for (const format of [toElementString, toRawElementString, toCaseElementString, toRawCaseElementString]) onlyGs1Invalid(() => format(v, OPTIONS));
        onlyGs1Invalid(() => toDigitalLink(v, undefined, OPTIONS));
        onlyGs1Invalid(() => toCaseDigitalLink(v, undefined, OPTIONS));
        onlyGs1Invalid(() => toDigitalLink({ gtin: '09506000134352' }, v, OPTIONS));
      }),
      PARAMS,
    );
  });

  it('the formatters throw only GS1_INVALID for data with random field values of any type', () => {
    const field = fc.oneof(anyValue, fc.string({ unit: nastyChar, maxLength: 25 }), gtin14, sscc, set82, isoDate, count, fc.integer());
    const data = fc.record(
      { gtin: field, lot: field, serial: field, expiry: field, productionDate: field, sscc: field, content: field, count: field },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(data, fc.constantFrom(...RESOLVERS), (d, resolver) => {
        const unit = d as unknown as Gs1Data;
        for (const format of [() => toElementString(unit, OPTIONS), () => toRawElementString(unit, OPTIONS), () => toDigitalLink(unit, resolver, OPTIONS)]) {
          const outcome = onlyGs1Invalid(format);
          if (outcome.ok) expect(parseGs1(outcome.value as string, OPTIONS)).toEqual(parseGs1(toElementString(unit, OPTIONS), OPTIONS));
        }
        const kase = d as unknown as Gs1CaseData;
        for (const format of [() => toCaseElementString(kase, OPTIONS), () => toRawCaseElementString(kase, OPTIONS), () => toCaseDigitalLink(kase, resolver, OPTIONS)]) {
          const outcome = onlyGs1Invalid(format);
          if (outcome.ok) caseReadsBack(parseGs1Case(outcome.value as string, OPTIONS));
        }
      }),
      PARAMS,
    );
  });

  it('an options.now that is no valid Date is GS1_INVALID naming now, never a date with NaN in it', () => {
    const badNow = fc.oneof(fc.constantFrom(new Date(Number.NaN), 'yesterday', 0, null, {}, [], Date.now()), anyValue.filter((v) => !(v instanceof Date) && v !== undefined));
    fc.assert(
      fc.property(unitData, caseData, badNow, (unit, kase, now) => {
        const options = { now: now as Date };
        const forms = [toElementString(unit, OPTIONS), toRawElementString(unit, OPTIONS), toDigitalLink(unit, undefined, OPTIONS)];
        for (const form of forms) {
          const outcome = onlyGs1Invalid(() => parseGs1(form, options));
          if (outcome.ok) expect(JSON.stringify(outcome.value)).not.toContain('NaN');
        }
        const caseOutcome = onlyGs1Invalid(() => parseGs1Case(toCaseElementString(kase, OPTIONS), options));
        if (caseOutcome.ok) expect(JSON.stringify(caseOutcome.value)).not.toContain('NaN');
        for (const format of [() => toElementString(unit, options), () => toCaseDigitalLink(kase, undefined, options)]) {
          const outcome = onlyGs1Invalid(format);
          if (outcome.ok) expect(outcome.value).not.toContain('NaN');
        }
        // A form holding a date is refused, naming now.
        if (unit.expiry !== undefined) expect(() => parseGs1(forms[0], options)).toThrow(expect.objectContaining({ code: 'GS1_INVALID', field: 'now' }));
      }),
      PARAMS,
    );
  });
});

describe('GS1 readers on mutated valid forms', () => {
  const unitForms = (data: Gs1Data, resolver: string, prefix: string) => [
    toElementString(data, OPTIONS),
    prefix + toRawElementString(data, OPTIONS),
    toDigitalLink(data, resolver, OPTIONS),
  ];
  const caseForms = (data: Gs1CaseData, resolver: string, prefix: string) => [
    toCaseElementString(data, OPTIONS),
    prefix + toRawCaseElementString(data, OPTIONS),
    toCaseDigitalLink(data, resolver, OPTIONS),
  ];
  const prefix = fc.constantFrom('', ']d2', ']C1', ']Q3', GS);

  it('unit forms with characters inserted, deleted or replaced: only GS1_INVALID, and what still parses reads back', () => {
    fc.assert(
      fc.property(unitData, fc.constantFrom(...RESOLVERS), prefix, mutations, (data, resolver, p, ms) => {
        for (const form of unitForms(data, resolver, p)) readAll(mutate(form, ms));
      }),
      PARAMS,
    );
  });

  it('case forms with characters inserted, deleted or replaced: only GS1_INVALID, and what still parses reads back', () => {
    fc.assert(
      fc.property(caseData, fc.constantFrom(...RESOLVERS), prefix, mutations, (data, resolver, p, ms) => {
        for (const form of caseForms(data, resolver, p)) readAll(mutate(form, ms));
      }),
      PARAMS,
    );
  });

  it('raw forms with GS separators added or dropped anywhere', () => {
    const gsMoves = fc.array(fc.record({ at: fc.nat(), add: fc.boolean() }), { minLength: 1, maxLength: 4 });
    const moveGs = (text: string, moves: { at: number; add: boolean }[]) => {
      let out = text;
      for (const { at, add } of moves) {
        if (add) {
          const i = at % (out.length + 1);
          out = out.slice(0, i) + GS + out.slice(i);
        } else {
          const positions = [...out].flatMap((ch, i) => (ch === GS ? [i] : []));
          if (positions.length > 0) {
            const i = positions[at % positions.length];
            out = out.slice(0, i) + out.slice(i + 1);
          }
        }
      }
      return out;
    };
    fc.assert(
      fc.property(unitData, caseData, gsMoves, (unit, kase, moves) => {
        readAll(moveGs(toRawElementString(unit, OPTIONS), moves));
        readAll(moveGs(toRawCaseElementString(kase, OPTIONS), moves));
      }),
      PARAMS,
    );
  });

  it('the validators on mutated valid SSCCs, GTINs, lots and dates', () => {
    fc.assert(
      fc.property(sscc, gtin14, set82, isoDate, mutations, (s, g, lot, date, ms) => {
        onlyGs1Invalid(() => validateSscc(mutate(s, ms)));
        onlyGs1Invalid(() => validateGtin(mutate(g, ms)));
        onlyGs1Invalid(() => validateLotOrSerial(mutate(lot, ms), 'serial'));
        onlyGs1Invalid(() => formatGs1Date(mutate(date, ms), 'expiry', OPTIONS));
        onlyGs1Invalid(() => parseGs1Date(mutate(formatGs1Date(date, 'expiry', OPTIONS), ms), 'expiry', OPTIONS));
      }),
      PARAMS,
    );
  });

  it('a single digit changed in an SSCC or GTIN is always refused (mod-10 catches every single-digit error)', () => {
    fc.assert(
      fc.property(sscc, gtin14, fc.nat(), fc.integer({ min: 1, max: 9 }), (s, g, at, delta) => {
        for (const [value, validate] of [
          [s, validateSscc],
          [g, validateGtin],
        ] as const) {
          const i = at % value.length;
          const changed = value.slice(0, i) + String((Number(value[i]) + delta) % 10) + value.slice(i + 1);
          expect(gs1Outcome(() => validate(changed)).ok).toBe(false);
        }
      }),
      PARAMS,
    );
  });
});

describe('GS1 case round trips', () => {
  it('valid case data formats three ways and reads back unchanged, with or without a symbology identifier', () => {
    fc.assert(
      fc.property(caseData, fc.constantFrom(...RESOLVERS), fc.constantFrom('', ']d2', ']C1', ']Q3', GS), (data, resolver, p) => {
        expect(parseGs1Case(toCaseElementString(data, OPTIONS), OPTIONS)).toEqual(data);
        expect(parseGs1Case(p + toRawCaseElementString(data, OPTIONS), OPTIONS)).toEqual(data);
        const link = toCaseDigitalLink(data, resolver, OPTIONS);
        expect(parseGs1Case(link, OPTIONS)).toEqual(data);
        expect(parseCaseDigitalLink(link, OPTIONS)).toEqual(data);
        expect(parseGs1Case(`]Q1${link}`, OPTIONS)).toEqual(data);
      }),
      PARAMS,
    );
  });

  it('valid unit data reads back from a Digital Link with a symbology identifier and through the single-form readers', () => {
    fc.assert(
      fc.property(unitData, fc.constantFrom(...RESOLVERS), (data, resolver) => {
        expect(parseGs1(`]Q1${toDigitalLink(data, resolver, OPTIONS)}`, OPTIONS)).toEqual(data);
        expect(parseDigitalLink(toDigitalLink(data, resolver, OPTIONS), OPTIONS)).toEqual(data);
        expect(parseBracketedElementString(toElementString(data, OPTIONS), OPTIONS)).toEqual(data);
        expect(parseRawElementString(toRawElementString(data, OPTIONS), OPTIONS)).toEqual(data);
        expect(parseElementString(`]d2${toRawElementString(data, OPTIONS)}`, OPTIONS)).toEqual(data);
      }),
      PARAMS,
    );
  });
});
