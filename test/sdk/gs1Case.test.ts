import { describe, expect, it } from 'vitest';
import { MedtraceError } from '../../sdk/errors';
import {
  GS1_SEPARATOR,
  parseCaseDigitalLink,
  parseGs1,
  parseGs1Case,
  sglnUri,
  toCaseDigitalLink,
  toCaseElementString,
  toRawCaseElementString,
  validateSscc,
  type Gs1CaseData,
} from '../../sdk';
import vectors from '../vectors/gs1-case.json';

const now = new Date(vectors.now);

function expectRejected(run: () => unknown, field: string, rule: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MedtraceError);
    expect((error as MedtraceError).code).toBe('GS1_INVALID');
    expect((error as MedtraceError).field).toBe(field);
    expect((error as MedtraceError).message).toContain(rule);
    return;
  }
  throw new Error('expected a GS1_INVALID error, nothing was thrown');
}

describe('SSCC (AI 00)', () => {
  it.each(vectors.ssccs)('accepts $sscc ($source)', ({ sscc }) => {
    expect(validateSscc(sscc)).toBe(sscc);
  });

  it.each(vectors.invalidSsccs)('rejects $sscc: $rule', ({ sscc, rule }) => {
    expectRejected(() => validateSscc(sscc), 'sscc', rule);
  });
});

describe('case element strings and Digital Links (vectors)', () => {
  it.each(vectors.cases)('$form: formats all three forms', ({ data, elementString, raw, digitalLink }) => {
    expect(toCaseElementString(data, { now })).toBe(elementString);
    expect(toRawCaseElementString(data, { now })).toBe(raw);
    expect(toCaseDigitalLink(data, undefined, { now })).toBe(digitalLink);
  });

  it.each(vectors.cases)('$form: every form reads back to the same data', ({ data, elementString, raw, digitalLink }) => {
    for (const input of [elementString, raw, `]d2${raw}`, `${GS1_SEPARATOR}${raw}`, digitalLink, `]Q1${digitalLink}`]) {
      expect(parseGs1Case(input, { now })).toEqual(data);
    }
  });

  it('the raw form needs no separator after predefined-length AIs and one after (37) when (10) follows', () => {
    const raw = toRawCaseElementString({ sscc: '095060001000000012', content: '09506000134352', count: 20, lot: 'L1' });
    expect(raw).toBe(`000950600010000000120209506000134352${'37'}20${GS1_SEPARATOR}10L1`);
    expect(toRawCaseElementString({ sscc: '095060001000000012', content: '09506000134352', count: 20 })).toBe('0009506000100000001202095060001343523720');
  });

  it('a lot with characters outside the URI unreserved set is percent-encoded in the link and escaped in brackets', () => {
    const data: Gs1CaseData = { sscc: '095060001000000012', content: '09506000134352', count: 3, lot: 'A/B(12)' };
    const link = toCaseDigitalLink(data, 'https://example.com/ids');
    expect(link).toBe('https://example.com/ids/00/095060001000000012?02=09506000134352&37=3&10=A%2FB%2812%29');
    expect(parseCaseDigitalLink(link)).toEqual(data);
    expect(toCaseElementString(data)).toBe('(00)095060001000000012(02)09506000134352(37)3(10)A/B\\(12)');
    expect(parseGs1Case(toCaseElementString(data))).toEqual(data);
  });

  it('an SSCC alone is a valid case identification with no count', () => {
    expect(parseGs1Case('(00)106141411234567897')).toEqual({ sscc: '106141411234567897' });
    expect(parseGs1Case('https://id.gs1.org/00/106141411234567897')).toEqual({ sscc: '106141411234567897' });
  });

  it('reads (30) on a fixed-measure GTIN as redundant data, as the General Specifications ask, but never writes it', () => {
    expect(parseGs1Case('(01)09506000134352(30)12')).toEqual({ gtin: '09506000134352', count: 12 });
    expectRejected(() => toCaseElementString({ gtin: '09506000134352', count: 12 }), 'gtin', 'indicator digit 9');
  });

  it('a case link is not a unit link: parseGs1 still refuses the SSCC primary key', () => {
    expectRejected(() => parseGs1('https://id.gs1.org/00/106141411234567897'), '(00)', 'primary key must be (01)');
  });
});

describe('case rules refused when formatting', () => {
  const base = { sscc: '095060001000000012', content: '09506000134352', count: 20 };

  it.each([
    [{ ...base, sscc: undefined }, 'sscc', 'the SSCC (00) is required'],
    [{ ...base, count: undefined }, 'count', 'AI (02) requires AI (37)'],
    [{ ...base, count: 0 }, 'count', 'from 1 to 99999999'],
    [{ ...base, count: 100_000_000 }, 'count', 'at most 8 digits'],
    [{ ...base, count: 2.5 }, 'count', 'integer'],
    [{ ...base, gtin: '99506000134355' }, 'gtin', 'invalid pair'],
    [{ sscc: base.sscc }, 'content', 'a case names its contents'],
    [{ ...base, content: '09506000134353' }, 'content', 'wrong check digit'],
    [{ ...base, sscc: '095060001000000018' }, 'sscc', 'wrong check digit'],
    [{ gtin: '99506000134355' }, 'count', 'AI (30)'],
    [{ ...base, lot: 'L 1' }, 'lot', 'outside GS1 character set 82'],
    [{ ...base, expiry: '2029-02-30' }, 'expiry', ''],
  ] as [Gs1CaseData, string, string][])('%o → %s', (data, field, rule) => {
    expectRejected(() => toCaseElementString(data), field, rule);
    expectRejected(() => toCaseDigitalLink(data), field, rule);
  });

  it('refuses a resolver with a query', () => {
    expectRejected(() => toCaseDigitalLink(base, 'https://example.com/?a=1'), 'resolver', 'without query');
  });
});

describe('case rules refused when reading (vectors)', () => {
  it.each(vectors.rejections)('rejects $input with $field: $rule', ({ input, field, rule }) => {
    expectRejected(() => parseGs1Case(input, { now }), field, rule);
  });

  it('refuses what is not GS1 data at all', () => {
    expectRejected(() => parseGs1Case('hello'), 'input', 'not GS1 data');
    expectRejected(() => parseGs1Case(''), 'input', 'is empty');
    expectRejected(() => parseGs1Case('https://example.com/products/1'), 'uri', 'not a case Digital Link');
  });
});

describe('SGLN EPC URI', () => {
  it('splits the GLN at the company prefix length; extension 0 means none', () => {
    expect(sglnUri('9506000000015', 7)).toBe('urn:epc:id:sgln:9506000.00001.0');
    expect(sglnUri('9506000000015', 12)).toBe('urn:epc:id:sgln:950600000001..0');
    expect(sglnUri('9506000000015', 7, 'DOCK/3')).toBe('urn:epc:id:sgln:9506000.00001.DOCK%2F3');
  });

  it('refuses a bad GLN, prefix length or extension', () => {
    expectRejected(() => sglnUri('9506000000019', 7), 'gln', 'wrong check digit');
    expectRejected(() => sglnUri('950600000001', 7), 'gln', '13 digits');
    expectRejected(() => sglnUri('9506000000015', 5), 'companyPrefixLength', '6 to 12');
    expectRejected(() => sglnUri('9506000000015', 7, 'a b'), 'extension', 'set 82');
  });
});
