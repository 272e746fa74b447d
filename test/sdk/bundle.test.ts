import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMedtraceError, parseBundle, verifyBundleOffline, type ProofBundle } from '../../sdk';
import vectors from '../vectors/bundle-v1.json';

const bundle = vectors.bundle as unknown as ProofBundle;
const bundleJson = JSON.stringify(vectors.bundle);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isMedtraceError(e) ? e.code : `not a MedtraceError: ${e}`;
  }
  return undefined;
}

function tampered(mutate: (b: Record<string, any>) => void): unknown {
  const b = structuredClone(vectors.bundle) as Record<string, any>;
  mutate(b);
  return b;
}

// Values only the chain can check: an offline verifier takes them as claimed.
const CHAIN_ONLY = new Set(['anchor.anchorLog', 'anchor.batch', 'anchor.txHash', 'anchor.blockNumber']);

describe('verifyBundleOffline', () => {
  it('accepts the vector bundle and says what it verified', () => {
    expect(verifyBundleOffline(bundle)).toEqual({
      participant: bundle.envelope.participant,
      seq: 3,
      chainId: 31337,
      batch: 1,
      blockNumber: 42,
      txHash: bundle.anchor.txHash,
      root: vectors.batch.root,
      from: 2,
      to: 5,
      units: ['https://id.gs1.org/01/09506000134352/21/SN-0005'],
      leaf: vectors.events[2].leaf,
    });
  });

  it('accepts the bundle as JSON text and without disclosed units', () => {
    expect(verifyBundleOffline(bundleJson).seq).toBe(3);
    expect(verifyBundleOffline(tampered((b) => (b.units = []))).units).toEqual([]);
  });

  const expectedCodes: Record<string, string> = {
    'event field changed': 'INCLUSION_FAILED',
    'salt changed': 'INCLUSION_FAILED',
    'unit not in the set': 'UNIT_NOT_IN_SET',
    'unit proof side swapped (index)': 'UNIT_NOT_IN_SET',
    'inclusion index off by one': 'RANGE_MISMATCH',
    'batch range changed': 'RANGE_MISMATCH',
    'root changed': 'INCLUSION_FAILED',
    'sibling dropped': 'INCLUSION_FAILED',
  };

  it('has an expected code for every mustReject vector', () => {
    expect(Object.keys(vectors.mustReject).sort()).toEqual(Object.keys(expectedCodes).sort());
  });

  for (const [name, b] of Object.entries(vectors.mustReject)) {
    it(`rejects the mustReject vector "${name}" with ${expectedCodes[name]}`, () => {
      expect(codeOf(() => verifyBundleOffline(b))).toBe(expectedCodes[name]);
    });
  }

  it('rejects a proof whose index matches the range but not the batch tree', () => {
    // seq 4 claimed with the inclusion proof of seq 3: the range rule holds, the tree does not.
    const b = tampered((b) => {
      b.envelope.seq = 4;
      b.inclusion.index = 2;
    });
    expect(codeOf(() => verifyBundleOffline(b))).toBe('INCLUSION_FAILED');
  });

  it('rejects an anchor that names another participant or chain', () => {
    expect(codeOf(() => verifyBundleOffline(tampered((b) => (b.anchor.participant = `0x${'11'.repeat(20)}`))))).toBe(
      'PARTICIPANT_MISMATCH',
    );
    expect(codeOf(() => verifyBundleOffline(tampered((b) => (b.anchor.chainId = 1))))).toBe('CHAIN_MISMATCH');
  });

  it('rejects a range that does not hold the event or does not match the proof size', () => {
    expect(codeOf(() => verifyBundleOffline(tampered((b) => (b.anchor.to = 6))))).toBe('RANGE_MISMATCH');
    expect(codeOf(() => verifyBundleOffline(tampered((b) => (b.anchor.to = 2))))).toBe('RANGE_MISMATCH');
    expect(codeOf(() => verifyBundleOffline(tampered((b) => (b.inclusion.size = 5))))).toBe('RANGE_MISMATCH');
    expect(codeOf(() => verifyBundleOffline(tampered((b) => { b.anchor.from = 4; b.anchor.to = 3; })))).toBe('RANGE_MISMATCH');
  });

  it('rejects a unit proved against a set the event does not have', () => {
    expect(codeOf(() => verifyBundleOffline(tampered((b) => (b.units[0].field = 'childEPCs'))))).toBe('UNIT_NOT_IN_SET');
  });

  it('rejects other versions with UNSUPPORTED_VERSION', () => {
    expect(codeOf(() => verifyBundleOffline(tampered((b) => (b.version = 2))))).toBe('UNSUPPORTED_VERSION');
  });

  it('rejects malformed input with BUNDLE_MALFORMED naming the field', () => {
    const cases: [string, unknown][] = [
      ['bundle', null],
      ['bundle', '{"version":1'],
      ['bundle', []],
      ['bundle', tampered((b) => (b.extra = true))],
      ['bundle', tampered((b) => delete b.salt)],
      ['version', tampered((b) => (b.version = '1'))],
      ['envelope.seq', tampered((b) => (b.envelope.seq = '3'))],
      ['envelope.event.epcList', tampered((b) => (b.envelope.event.epcList = ['x']))],
      ['salt', tampered((b) => (b.salt = b.salt.toUpperCase().replace('0X', '0x')))],
      ['units', tampered((b) => (b.units = {}))],
      ['units[0].field', tampered((b) => (b.units[0].field = 'quantityList'))],
      ['units[0].uri', tampered((b) => (b.units[0].uri = 5))],
      ['units[0].proof.siblings[1]', tampered((b) => (b.units[0].proof.siblings[1] = '0x12'))],
      ['inclusion.index', tampered((b) => (b.inclusion.index = 1.5))],
      ['inclusion.index', tampered((b) => (b.inclusion.index = -1))],
      ['inclusion', tampered((b) => (b.inclusion.leaf = '0x'))],
      ['anchor.anchorLog', tampered((b) => (b.anchor.anchorLog = '0xD9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9d9'))],
      ['anchor.batch', tampered((b) => (b.anchor.batch = -1))],
      ['anchor.txHash', tampered((b) => (b.anchor.txHash = '0xab'))],
      ['anchor.blockNumber', tampered((b) => (b.anchor.blockNumber = '42'))],
      ['anchor.from', tampered((b) => (b.anchor.from = 0))],
    ];
    for (const [field, input] of cases) {
      try {
        verifyBundleOffline(input);
        expect.unreachable(field);
      } catch (e) {
        expect(isMedtraceError(e, 'BUNDLE_MALFORMED'), `${field}: ${e}`).toBe(true);
        expect((e as { field?: string }).field, String(e)).toBe(field);
      }
    }
  });

  it('rejects an event that cannot be canonicalized', () => {
    const text = bundleJson.replace('"L2611A"', '"\\ud800"');
    expect(codeOf(() => verifyBundleOffline(text))).toBe('BUNDLE_MALFORMED');
  });

  it('parses without touching its input', () => {
    const b = structuredClone(vectors.bundle);
    parseBundle(b);
    verifyBundleOffline(b);
    expect(b).toEqual(vectors.bundle);
  });
});

/** Every [path, value] leaf of a JSON value. */
function leaves(value: unknown, path = ''): [string, unknown][] {
  if (typeof value !== 'object' || value === null) return [[path, value]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k));
}

/** The character ranges of the values (strings without quotes, numbers) in JSON text produced by JSON.stringify. */
function valueSpans(json: string): { start: number; end: number; path: string }[] {
  const spans: { start: number; end: number; path: string }[] = [];
  const paths = leaves(JSON.parse(json)).map(([p]) => p);
  let k = 0;
  // Every string token (key or value), number or literal, in order; keys are followed by a colon.
  const re = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/g;
  for (let m = re.exec(json); m; m = re.exec(json)) {
    const quoted = m[0].startsWith('"');
    if (quoted && json[m.index + m[0].length] === ':') continue;
    spans.push({ start: m.index + (quoted ? 1 : 0), end: m.index + m[0].length - (quoted ? 1 : 0), path: paths[k++] });
  }
  expect(k).toBe(paths.length);
  return spans;
}

describe('tampering (property)', () => {
  const spans = valueSpans(bundleJson);
  const offlineSpans = spans.filter((s) => !CHAIN_ONLY.has(s.path) && s.end > s.start);
  const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

  it('rejects any single changed character inside any value the bundle itself proves', () => {
    fc.assert(
      fc.property(fc.constantFrom(...offlineSpans), fc.nat(), printable, (span, offset, replacement) => {
        const at = span.start + (offset % (span.end - span.start));
        fc.pre(bundleJson[at] !== replacement);
        const changed = bundleJson.slice(0, at) + replacement + bundleJson.slice(at + 1);
        const code = codeOf(() => verifyBundleOffline(changed));
        expect(code, `${span.path}@${at - span.start}: ${bundleJson[at]} -> ${replacement}`).toBeDefined();
        expect(code).not.toMatch(/^not a MedtraceError/);
      }),
      { numRuns: 2_000 },
    );
  });

  it('rejects a change of every single character of every value, exhaustively', () => {
    for (const span of offlineSpans) {
      for (let at = span.start; at < span.end; at++) {
        const c = bundleJson[at];
        // A neighbour in the same alphabet (digit for digit, hex for hex, letter for letter).
        for (const r of [String.fromCharCode(c.charCodeAt(0) ^ 1)]) {
          const changed = bundleJson.slice(0, at) + r + bundleJson.slice(at + 1);
          expect(codeOf(() => verifyBundleOffline(changed)), `${span.path}@${at - span.start}: ${c} -> ${r}`).toBeDefined();
        }
      }
    }
  });

  it('leaves only the chain-held values to verifyBundle', () => {
    // Changing these passes offline: the chain test shows verifyBundle rejects each.
    for (const path of CHAIN_ONLY) {
      const span = spans.find((s) => s.path === path)!;
      const at = span.end - 1;
      const r = bundleJson[at] === '1' ? '2' : '1';
      expect(() => verifyBundleOffline(bundleJson.slice(0, at) + r + bundleJson.slice(at + 1))).not.toThrow();
    }
  });
});
