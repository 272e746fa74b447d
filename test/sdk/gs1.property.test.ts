import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MedtraceError } from '../../sdk/errors';
import {
  gtinCheckDigit,
  parseGs1,
  toDigitalLink,
  toElementString,
  toRawElementString,
  type Gs1Data,
} from '../../sdk/gs1';

const SET_82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
const GS = '\u001d';
const RUNS = { numRuns: 400 };

const set82String = fc.string({ unit: fc.constantFrom(...SET_82), minLength: 1, maxLength: 20 });
const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
const gtin14 = digits(13).map((first13) => `${first13}${gtinCheckDigit(first13)}`);

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A "now" and ISO dates inside its GS1 century window (now - 49 … now + 50 years). */
const nowAndDates = fc.integer({ min: 1990, max: 2150 }).chain((nowYear) => {
  const isoDate = fc
    .record({ year: fc.integer({ min: nowYear - 49, max: nowYear + 50 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
    .map(({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${String(Math.min(day, daysIn(year, month))).padStart(2, '0')}`);
  return fc.record({
    now: fc.constant(new Date(Date.UTC(nowYear, 6, 1))),
    expiry: fc.option(isoDate, { nil: undefined }),
    productionDate: fc.option(isoDate, { nil: undefined }),
  });
});

const gs1Data = fc
  .record({
    gtin: gtin14,
    lot: fc.option(set82String, { nil: undefined }),
    serial: fc.option(set82String, { nil: undefined }),
    dates: nowAndDates,
  })
  .map(({ gtin, lot, serial, dates }) => {
    const data: Gs1Data = { gtin };
    if (lot !== undefined) data.lot = lot;
    if (serial !== undefined) data.serial = serial;
    if (dates.expiry !== undefined) data.expiry = dates.expiry;
    if (dates.productionDate !== undefined) data.productionDate = dates.productionDate;
    return { data, options: { now: dates.now } };
  });

/** Any UTF-16 text, lone surrogates included; cheaper to generate than fast-check's 'binary' unit. */
const anyText = (maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength }).map((units) => String.fromCharCode(...units));

const resolver = fc.constantFrom('https://id.gs1.org', 'https://dl.example.com/id', 'http://example.org/01/x/10');

function onlyGs1Errors(text: string): void {
  try {
    parseGs1(text);
  } catch (error) {
    expect(error).toBeInstanceOf(MedtraceError);
    expect((error as MedtraceError).code).toBe('GS1_INVALID');
  }
}

describe('GS1 round trips for random valid data', () => {
  it('parseGs1(toElementString(d)) gives d back', () => {
    fc.assert(
      fc.property(gs1Data, ({ data, options }) => {
        expect(parseGs1(toElementString(data, options), options)).toEqual(data);
      }),
      RUNS,
    );
  });

  it('parseGs1(toRawElementString(d)) gives d back, with or without a symbology identifier', () => {
    fc.assert(
      fc.property(gs1Data, fc.constantFrom('', ']d2', ']Q3', ']C1', GS), ({ data, options }, prefix) => {
        expect(parseGs1(prefix + toRawElementString(data, options), options)).toEqual(data);
      }),
      RUNS,
    );
  });

  it('parseGs1(toDigitalLink(d)) gives d back under any resolver', () => {
    fc.assert(
      fc.property(gs1Data, resolver, ({ data, options }, base) => {
        expect(parseGs1(toDigitalLink(data, base, options), options)).toEqual(data);
      }),
      RUNS,
    );
  });
});

describe('GS1 parsing of arbitrary input', () => {
  it('only ever throws GS1_INVALID for arbitrary strings', () => {
    fc.assert(fc.property(anyText(80), onlyGs1Errors), RUNS);
  });

  it('only ever throws GS1_INVALID for strings built from GS1-looking pieces', () => {
    const piece = fc.constantFrom(
      '01', '10', '11', '17', '21', '22', '240', '7003', '(', ')', '(01)', '(10)', '(17)', '\\(', GS, ']d2', ']Q1',
      'https://', 'id.gs1.org', '/', '/01/', '/10/', '/21/', '?', '&', '=', '17=', '%', '%2', '%E0%A4', '#',
      '09506000134352', '9506000134352', '260200', '991399', '0', '9', 'A', ' ', 'é', '\u0000', '\ud800',
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 16 }).map((parts) => parts.join('')), onlyGs1Errors), RUNS);
  });

  it('only ever throws GS1_INVALID when one character of a valid form is changed', () => {
    fc.assert(
      fc.property(gs1Data, resolver, fc.nat(), fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), ({ data, options }, base, at, ch) => {
        for (const form of [toElementString(data, options), toRawElementString(data, options), toDigitalLink(data, base, options)]) {
          const i = at % form.length;
          onlyGs1Errors(form.slice(0, i) + ch + form.slice(i + 1));
        }
      }),
      RUNS,
    );
  });
});
