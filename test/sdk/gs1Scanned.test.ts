// What a person pastes or a keyboard-wedge scanner types: the written forms of GS
// in a raw element string, surrounding white space, and everything else left to
// parseGs1's strict rules.
import { describe, expect, it } from 'vitest';
import { GS1_SEPARATOR as GS, isMedtraceError, normalizeScannedGs1, parseGs1, parseScannedGs1, toRawElementString } from '../../sdk';

const UNIT = { gtin: '09506000134352', lot: 'L2611A', serial: 'SN0001', expiry: '2029-11-30' };
const RAW = toRawElementString(UNIT);

describe('parseScannedGs1', () => {
  it('reads every written form of GS as GS in a raw element string', () => {
    expect(RAW).toContain(GS);
    for (const written of ['\\u001d', '\\u001D', '\\x1d', '\\x1D', '<GS>', '<gs>', '{GS}', '[GS]', '\u241d', '^']) {
      const typed = RAW.replaceAll(GS, written);
      expect(parseScannedGs1(typed), written).toEqual(UNIT);
      expect(parseScannedGs1(`]d2${typed}`), `]d2 + ${written}`).toEqual(UNIT);
      expect(parseScannedGs1(`${written}${typed}`), `leading ${written}`).toEqual(UNIT);
    }
  });

  it("drops a scanner's Enter and the spaces around a code, in every form", () => {
    expect(parseScannedGs1(`  ${RAW}\r\n`)).toEqual(UNIT);
    expect(parseScannedGs1(' (01)09506000134352(17)291130(10)L2611A(21)SN0001\n')).toEqual(UNIT);
    expect(parseScannedGs1('\thttps://id.gs1.org/01/09506000134352/10/L2611A/21/SN0001?17=291130 ')).toEqual(UNIT);
  });

  it('leaves a code with a real GS, a Digital Link and a bracketed string as they are', () => {
    // With a real GS present, a ^ is data: outside set 82, so the lot is refused, not split.
    expect(normalizeScannedGs1(`0109506000134352${GS}10A^B`)).toBe(`0109506000134352${GS}10A^B`);
    expect(() => parseScannedGs1(`0109506000134352${GS}10A^B`)).toThrow(/\(10\).*outside GS1 character set 82/);
    expect(normalizeScannedGs1('https://id.gs1.org/01/09506000134352/10/A%5EB')).toBe('https://id.gs1.org/01/09506000134352/10/A%5EB');
    expect(normalizeScannedGs1('(01)09506000134352(10)A<GS>B')).toBe('(01)09506000134352(10)A<GS>B');
    expect(parseScannedGs1('(01)09506000134352(10)A<GS>B').lot).toBe('A<GS>B');
  });

  it('still refuses what parseGs1 refuses, naming the field and the rule', () => {
    try {
      parseScannedGs1('0109506000134353^10L1');
      expect.unreachable();
    } catch (e) {
      expect(isMedtraceError(e, 'GS1_INVALID')).toBe(true);
      expect((e as { field: string }).field).toBe('(01)');
      expect((e as Error).message).toMatch(/check digit/);
    }
    expect(() => parseScannedGs1('   ')).toThrow(/input: is empty/);
    expect(() => parseGs1(RAW.replaceAll(GS, '^'))).toThrow(/outside GS1 character set 82/);
  });
});
