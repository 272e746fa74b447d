import { describe, expect, it } from 'vitest';
import { canonicalize, canonicalString, isMedtraceError } from '../../sdk';
import vectors from '../vectors/bundle-v1.json';

const text = (value: unknown) => new TextDecoder().decode(canonicalize(value));

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isMedtraceError(e) ? e.code : 'not a MedtraceError';
  }
  return undefined;
}

describe('canonicalize (RFC 8785)', () => {
  it('reproduces the primitive example of RFC 8785 section 3.2.2', () => {
    const input =
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
      ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}';
    expect(text(JSON.parse(input))).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts properties by UTF-16 code units as in RFC 8785 section 3.2.3', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(text(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('serializes numbers as in RFC 8785 appendix B', () => {
    const cases: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, expected] of cases) expect(canonicalString(fromBits(bits)), bits).toBe(expected);
  });

  it('reproduces the canonical bytes of every vector envelope', () => {
    for (const e of vectors.events) {
      expect(text(e.envelope)).toBe(e.canonical);
      expect(canonicalize(e.envelope)).toEqual(new TextEncoder().encode(e.canonical));
    }
  });

  it('writes non-ASCII characters as UTF-8 and escapes control characters in lowercase hex', () => {
    expect(Array.from(canonicalize('é\u001f'))).toEqual([0x22, 0xc3, 0xa9, ...Array.from(new TextEncoder().encode('\\u001f')), 0x22]);
  });

  it('refuses values that have no JSON form', () => {
    expect(codeOf(() => canonicalize(NaN))).toBe('CANONICALIZATION_FAILED');
    expect(codeOf(() => canonicalize({ a: Infinity }))).toBe('CANONICALIZATION_FAILED');
    expect(codeOf(() => canonicalize({ a: undefined }))).toBe('CANONICALIZATION_FAILED');
    expect(codeOf(() => canonicalize([undefined]))).toBe('CANONICALIZATION_FAILED');
    expect(codeOf(() => canonicalize({ a: () => 1 }))).toBe('CANONICALIZATION_FAILED');
    expect(codeOf(() => canonicalize({ a: 1n }))).toBe('CANONICALIZATION_FAILED');
    expect(codeOf(() => canonicalize(Symbol('x')))).toBe('CANONICALIZATION_FAILED');
    expect(codeOf(() => canonicalize(new Date(0)))).toBe('CANONICALIZATION_FAILED');
    // eslint-disable-next-line no-sparse-arrays
    expect(codeOf(() => canonicalize([1, , 2]))).toBe('CANONICALIZATION_FAILED');
  });

  it('refuses lone surrogates in strings and keys but accepts pairs', () => {
    expect(codeOf(() => canonicalize('\ud800'))).toBe('CANONICALIZATION_FAILED');
    expect(codeOf(() => canonicalize({ '\udc00x': 1 }))).toBe('CANONICALIZATION_FAILED');
    expect(codeOf(() => canonicalize('a\ude00\ud83d'))).toBe('CANONICALIZATION_FAILED');
    expect(text('\ud83d\ude00')).toBe('"😀"');
  });

  it('refuses circular structures but accepts shared ones', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(codeOf(() => canonicalize(a))).toBe('CANONICALIZATION_FAILED');
    const shared = { x: 1 };
    expect(text({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('names the path of the offending value', () => {
    try {
      canonicalize({ event: { list: [1, NaN] } });
      expect.unreachable();
    } catch (e) {
      expect((e as { field: string }).field).toBe('$.event.list[1]');
    }
  });

  it('accepts objects without a prototype', () => {
    const o = Object.create(null);
    o.b = 1;
    o.a = 2;
    expect(text(o)).toBe('{"a":2,"b":1}');
  });
});
