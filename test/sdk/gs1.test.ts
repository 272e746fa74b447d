import { describe, expect, it } from 'vitest';
import { MedtraceError } from '../../sdk/errors';
import {
  formatGs1Date,
  gtinCheckDigit,
  lotUri,
  parseDigitalLink,
  parseElementString,
  parseGs1,
  parseGs1Date,
  resolveGs1Year,
  toDigitalLink,
  toElementString,
  toRawElementString,
  unitUri,
  validateGtin,
  validateLotOrSerial,
  type Gs1Data,
} from '../../sdk/gs1';
import vectors from '../vectors/gs1.json';

const now = new Date(vectors.now);
const at = (year: number) => ({ now: new Date(Date.UTC(year, 5, 15)) });

function gs1Error(run: () => unknown): MedtraceError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MedtraceError);
    expect((error as MedtraceError).code).toBe('GS1_INVALID');
    return error as MedtraceError;
  }
  throw new Error('expected a GS1_INVALID error, nothing was thrown');
}

function expectRejected(run: () => unknown, field: string, rule: string): void {
  const error = gs1Error(run);
  expect(error.field).toBe(field);
  expect(error.message).toContain(rule);
}

describe('GTIN check digits (vectors)', () => {
  it.each(vectors.checkDigits)('accepts $gtin ($source) as $gtin14', ({ gtin, gtin14 }) => {
    expect(gtinCheckDigit(gtin.slice(0, -1))).toBe(Number(gtin.slice(-1)));
    expect(validateGtin(gtin)).toBe(gtin14);
  });

  it.each(vectors.invalidGtins)('rejects $gtin: $rule', ({ gtin, rule }) => {
    expectRejected(() => validateGtin(gtin), 'gtin', rule);
  });

  it('names the field it was given and never repairs the check digit', () => {
    const error = gs1Error(() => validateGtin('09506000134350', 'product.gtin'));
    expect(error.field).toBe('product.gtin');
    expect(error.message).toContain('wrong check digit: 0, expected 2');
  });

  it('refuses non-digit check digit input', () => {
    expectRejected(() => gtinCheckDigit('12a'), 'gtin', 'digits');
    expectRejected(() => gtinCheckDigit(''), 'gtin', 'digits');
  });
});

describe('element string and Digital Link pairs (vectors)', () => {
  describe.each(vectors.pairs)('$elementString', (pair) => {
    const data = pair.data as Gs1Data;
    it('formats the data to each form', () => {
      expect(toElementString(data, { now })).toBe(pair.elementString);
      expect(toRawElementString(data, { now })).toBe(pair.raw);
      expect(toDigitalLink(data, undefined, { now })).toBe(pair.digitalLink);
    });
    it('parses each form back to the data', () => {
      expect(parseGs1(pair.elementString, { now })).toEqual(data);
      expect(parseGs1(pair.raw, { now })).toEqual(data);
      expect(parseGs1(pair.digitalLink, { now })).toEqual(data);
      expect(parseGs1(`]d2${pair.raw}`, { now })).toEqual(data);
    });
  });
});

describe('scanner and user forms (vectors)', () => {
  it.each(vectors.scans)('reads $form', ({ input, data }) => {
    expect(parseGs1(input, { now })).toEqual(data);
  });
});

describe('rejections (vectors)', () => {
  it.each(vectors.rejections)('rejects $input with $field: $rule', ({ input, field, rule }) => {
    expectRejected(() => parseGs1(input, { now }), field, rule);
  });
});

describe('GS1 dates', () => {
  it('resolves DD = 00 to the last day of the month, February included', () => {
    expect(parseGs1Date('240200', 'expiry', at(2026))).toBe('2024-02-29');
    expect(parseGs1Date('250200', 'expiry', at(2026))).toBe('2025-02-28');
    expect(parseGs1Date('000200', 'expiry', at(2026))).toBe('2000-02-29');
    expect(parseGs1Date('000200', 'expiry', at(2060))).toBe('2100-02-28');
    expect(parseGs1Date('260400', 'expiry', at(2026))).toBe('2026-04-30');
    expect(parseGs1Date('261200', 'expiry', at(2026))).toBe('2026-12-31');
  });

  it('places YY in the century window of GS1 General Specifications 7.12', () => {
    // 50 years ahead stays in the current century, 51 goes back one.
    expect(parseGs1Date('760101', 'd', at(2026))).toBe('2076-01-01');
    expect(parseGs1Date('770101', 'd', at(2026))).toBe('1977-01-01');
    expect(parseGs1Date('000101', 'd', at(2000))).toBe('2000-01-01');
    expect(parseGs1Date('500101', 'd', at(2000))).toBe('2050-01-01');
    expect(parseGs1Date('510101', 'd', at(2000))).toBe('1951-01-01');
    // 50 years behind goes forward one century, 49 stays.
    expect(parseGs1Date('300101', 'd', at(2080))).toBe('2130-01-01');
    expect(parseGs1Date('310101', 'd', at(2080))).toBe('2031-01-01');
    expect(parseGs1Date('490101', 'd', at(1999))).toBe('2049-01-01');
    expect(parseGs1Date('500101', 'd', at(1999))).toBe('1950-01-01');
  });

  it('resolves only a two-digit year, refusing anything else with the coded error', () => {
    expect(resolveGs1Year(49, new Date(Date.UTC(1999, 0, 1)))).toBe(2049);
    for (const yy of [Number.NaN, -1, 100, 2.5, '26' as unknown as number]) {
      expectRejected(() => resolveGs1Year(yy, new Date(Date.UTC(2026, 0, 1))), 'yy', 'integer 0-99');
    }
  });

  it('rejects impossible dates naming the field', () => {
    expectRejected(() => parseGs1Date('260001', 'expiry', at(2026)), 'expiry', 'month 00');
    expectRejected(() => parseGs1Date('261301', 'expiry', at(2026)), 'expiry', 'month 13');
    expectRejected(() => parseGs1Date('260230', 'expiry', at(2026)), 'expiry', 'day 30 does not exist');
    expectRejected(() => parseGs1Date('250229', '(17)', at(2026)), '(17)', 'day 29 does not exist in 2025-02');
    expectRejected(() => parseGs1Date('26123', 'expiry', at(2026)), 'expiry', '6 digits');
    expectRejected(() => parseGs1Date('26-1-1', 'expiry', at(2026)), 'expiry', '6 digits');
  });

  it('formats ISO dates as YYMMDD and refuses what would read back differently', () => {
    expect(formatGs1Date('2026-12-31', 'expiry', at(2026))).toBe('261231');
    expect(formatGs1Date('1977-01-01', 'expiry', at(2026))).toBe('770101');
    expectRejected(() => formatGs1Date('2090-01-01', 'expiry', at(2026)), 'expiry', 'century window');
    expectRejected(() => formatGs1Date('1976-12-31', 'expiry', at(2026)), 'expiry', 'century window');
    expectRejected(() => formatGs1Date('2026-02-29', 'expiry', at(2026)), 'expiry', 'not a calendar date');
    expectRejected(() => formatGs1Date('26-12-31', 'expiry', at(2026)), 'expiry', 'YYYY-MM-DD');
  });
});

describe('lot and serial', () => {
  it('accepts every character of set 82 and up to 20 of them', () => {
    expect(validateLotOrSerial(`!"%&'()*+,-./0123456`, 'lot')).toBe(`!"%&'()*+,-./0123456`);
    expect(validateLotOrSerial('789:;<=>?ABCXYZ_abxz', 'serial')).toBe('789:;<=>?ABCXYZ_abxz');
  });

  it.each([
    ['', 'must not be empty'],
    ['A B', 'outside GS1 character set 82'],
    ['A~', 'outside GS1 character set 82'],
    ['Lot\u001d', 'outside GS1 character set 82'],
    ['Los-ä', 'outside GS1 character set 82'],
    ['123456789012345678901', 'too long: 21 characters, at most 20'],
  ])('rejects %j: %s', (value, rule) => {
    expectRejected(() => validateLotOrSerial(value, 'serial'), 'serial', rule);
  });
});

describe('formatting', () => {
  const unit: Gs1Data = { gtin: '9506000134352', lot: 'L2611A', serial: 'SN-0001' };

  it('normalises the GTIN to 14 digits in every form', () => {
    expect(toElementString(unit)).toBe('(01)09506000134352(10)L2611A(21)SN-0001');
    expect(toDigitalLink(unit)).toBe('https://id.gs1.org/01/09506000134352/10/L2611A/21/SN-0001');
  });

  it('writes under another resolver and its path prefix', () => {
    expect(toDigitalLink(unit, 'https://dl.example.com/id/')).toBe(
      'https://dl.example.com/id/01/09506000134352/10/L2611A/21/SN-0001',
    );
    expect(parseDigitalLink('https://dl.example.com/id/01/09506000134352/10/L2611A/21/SN-0001')).toEqual({
      gtin: '09506000134352',
      lot: 'L2611A',
      serial: 'SN-0001',
    });
  });

  it('builds the EPC URIs of a unit (no lot) and of a lot, as in the bundle vectors', () => {
    expect(unitUri('09506000134352', 'SN-0000')).toBe('https://id.gs1.org/01/09506000134352/21/SN-0000');
    expect(lotUri('09506000134352', 'L2611A')).toBe('https://id.gs1.org/01/09506000134352/10/L2611A');
    expect(unitUri('9506000134352', 'A/1', 'https://r.example')).toBe('https://r.example/01/09506000134352/21/A%2F1');
  });

  it.each([
    [{ gtin: '09506000134353' }, 'gtin', 'wrong check digit'],
    [{ gtin: '09506000134352', lot: '' }, 'lot', 'must not be empty'],
    [{ gtin: '09506000134352', serial: 'S N' }, 'serial', 'set 82'],
    [{ gtin: '09506000134352', serial: 'x'.repeat(21) }, 'serial', 'too long'],
    [{ gtin: '09506000134352', expiry: '2026-13-01' }, 'expiry', 'not a calendar date'],
    [{ gtin: '09506000134352', productionDate: '20260101' }, 'productionDate', 'YYYY-MM-DD'],
  ])('refuses to write invalid data %j (%s)', (data, field, rule) => {
    expectRejected(() => toElementString(data as Gs1Data, { now }), field, rule);
    expectRejected(() => toRawElementString(data as Gs1Data, { now }), field, rule);
    expectRejected(() => toDigitalLink(data as Gs1Data, undefined, { now }), field, rule);
  });

  it('refuses a resolver that is not an http(s) base URL', () => {
    for (const resolver of ['ftp://id.gs1.org', 'id.gs1.org', 'https://id.gs1.org/?x=1', 'https://id.gs1.org/#a']) {
      expectRejected(() => toDigitalLink(unit, resolver), 'resolver', 'http(s) URL');
    }
  });

  it('puts a GS only after variable-length values that are followed by another AI', () => {
    expect(toRawElementString({ gtin: '09506000134352', lot: 'L1', serial: 'S1' })).toBe(
      '010950600013435210L1\u001d21S1',
    );
    expect(toRawElementString({ gtin: '09506000134352', lot: 'L1' })).toBe('010950600013435210L1');
  });
});

describe('element string reading', () => {
  it('reads a variable value to the end of data or the next GS, even if it swallows an AI-like text', () => {
    expect(parseElementString('010950600013435210L1_21S1')).toEqual({ gtin: '09506000134352', lot: 'L1_21S1' });
  });

  it('accepts the date and time of (7003) only when well-formed', () => {
    expect(parseGs1('010950600013435270032811301200', { now })).toEqual({ gtin: '09506000134352' });
    expectRejected(() => parseGs1('010950600013435270032811302400', { now }), '(7003)', 'bad time');
    expectRejected(() => parseGs1('010950600013435270032811001200', { now }), '(7003)', 'day 00');
  });

  it('rejects a non-string input with GS1_INVALID rather than a TypeError', () => {
    expectRejected(() => parseGs1(42 as unknown as string), 'input', 'must be a string');
    expectRejected(() => parseGs1('x'.repeat(5000)), 'input', 'too long');
  });
});
