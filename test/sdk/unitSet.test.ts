import { describe, expect, it } from 'vitest';
import {
  buildUnitSet,
  isMedtraceError,
  leafHash,
  replaceUnitSets,
  sortByUtf8,
  toHex,
  unitProof,
  utf8,
  verifyUnitInSet,
} from '../../sdk';
import vectors from '../vectors/bundle-v1.json';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isMedtraceError(e) ? e.code : `not a MedtraceError: ${e}`;
  }
  return undefined;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

const vectorUnit = vectors.bundle.units[0];
const shuffled = [...vectors.unitSet.sortedUris].reverse();

describe('buildUnitSet', () => {
  it('reproduces the vector unit set: sorted URIs, count and root', () => {
    const set = buildUnitSet(shuffled);
    expect(set.sortedUris).toEqual(vectors.unitSet.sortedUris);
    expect(set.count).toBe(12);
    expect(set.root).toBe(vectors.unitSet.root);
    expect(set.leafHashes.map(toHex)).toEqual(vectors.unitSet.sortedUris.map((u) => toHex(leafHash(utf8(u)))));
  });

  it('reproduces the vector unit proof of SN-0005', () => {
    const set = buildUnitSet(shuffled);
    expect(unitProof(set, vectorUnit.uri)).toEqual({ uri: vectorUnit.uri, proof: vectorUnit.proof });
    expect(() => verifyUnitInSet(vectorUnit.uri, vectorUnit.proof, { count: 12, root: vectors.unitSet.root })).not.toThrow();
  });

  it('removes duplicates before building the tree', () => {
    const set = buildUnitSet([...shuffled, ...shuffled, shuffled[0]]);
    expect(set.count).toBe(12);
    expect(set.root).toBe(vectors.unitSet.root);
  });

  it('sorts by UTF-8 bytes, not by JavaScript string order', () => {
    // U+FF21 (3 UTF-8 bytes, one UTF-16 unit 0xFF21) sorts after U+1F600 (a
    // surrogate pair 0xD83D…) in JS order but before it in UTF-8 byte order.
    const a = 'https://id.gs1.org/01/09506000134352/21/\uff21';
    const b = 'https://id.gs1.org/01/09506000134352/21/\ud83d\ude00';
    const c = 'https://id.gs1.org/01/09506000134352/21/\u00e9';
    expect([a, b].sort()).toEqual([b, a]);
    const set = buildUnitSet([b, a, c]);
    expect(set.sortedUris).toEqual([c, a, b]);
    const bytes = set.sortedUris.map(utf8);
    for (let i = 1; i < bytes.length; i++) expect(compareBytes(bytes[i - 1], bytes[i])).toBeLessThan(0);
    expect(() => verifyUnitInSet(b, unitProof(set, b).proof, set)).not.toThrow();
    expect(unitProof(set, b).proof.index).toBe(2);
  });

  it('sorts random Unicode strings in UTF-8 byte order', () => {
    const pool = ['a', 'Z', '\u00e9', '\uffff', '\ue000', '\ud800\udc00', '\udbff\udfff', '\u0800', '~', '\u007f'];
    const values: string[] = [];
    for (let i = 0; i < 300; i++) values.push(Array.from({ length: 1 + (i % 4) }, (_, k) => pool[(i * 7 + k * 3) % pool.length]).join(''));
    const sorted = sortByUtf8([...new Set(values)]);
    const bytes = sorted.map(utf8);
    for (let i = 1; i < bytes.length; i++) expect(compareBytes(bytes[i - 1], bytes[i])).toBeLessThan(0);
  });

  it('builds an empty set with the empty-tree root', () => {
    const set = buildUnitSet([]);
    expect(set.count).toBe(0);
    expect(set.root).toBe('0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('refuses URIs that are not non-empty valid Unicode strings', () => {
    expect(codeOf(() => buildUnitSet(['ok', 3 as unknown as string]))).toBe('INVALID_INPUT');
    expect(codeOf(() => buildUnitSet(['']))).toBe('INVALID_INPUT');
    expect(codeOf(() => buildUnitSet(['x\ud800']))).toBe('INVALID_INPUT');
    expect(codeOf(() => buildUnitSet('abc' as unknown as string[]))).toBe('INVALID_INPUT');
  });

  it('builds a set of 100,000 URIs with an injected native hash, and proves one of them', async () => {
    const { createHash } = await import('node:crypto');
    const native = (d: Uint8Array) => createHash('sha256').update(d).digest();
    const uris = Array.from({ length: 100_000 }, (_, i) => `https://id.gs1.org/01/09506000134352/21/S${i}`);
    const set = buildUnitSet(uris, { sha256: native });
    expect(set.count).toBe(100_000);
    // The same root as the SDK's own hash (speed is the benchmark's business, not a test's).
    expect(set.root).toBe(buildUnitSet(uris).root);
    const uri = uris[54_321];
    expect(() => verifyUnitInSet(uri, unitProof(set, uri).proof, set)).not.toThrow();
  }, 20_000);
});

describe('unitProof and verifyUnitInSet', () => {
  const set = buildUnitSet(shuffled);
  const ref = { count: set.count, root: set.root };

  it('proves every unit of the set', () => {
    for (const uri of set.sortedUris) verifyUnitInSet(uri, unitProof(set, uri).proof, ref);
  });

  it('refuses to prove a unit that is not in the set', () => {
    expect(codeOf(() => unitProof(set, 'https://id.gs1.org/01/09506000134352/21/SN-0099'))).toBe('UNIT_NOT_IN_SET');
  });

  it('rejects another unit, another index, another size or another root', () => {
    const { proof } = unitProof(set, vectorUnit.uri);
    expect(codeOf(() => verifyUnitInSet(set.sortedUris[4], proof, ref))).toBe('UNIT_NOT_IN_SET');
    expect(codeOf(() => verifyUnitInSet(vectorUnit.uri, { ...proof, index: 4 }, ref))).toBe('UNIT_NOT_IN_SET');
    expect(codeOf(() => verifyUnitInSet(vectorUnit.uri, { ...proof, size: 13 }, ref))).toBe('UNIT_NOT_IN_SET');
    expect(codeOf(() => verifyUnitInSet(vectorUnit.uri, proof, { count: 13, root: ref.root }))).toBe('UNIT_NOT_IN_SET');
    expect(codeOf(() => verifyUnitInSet(vectorUnit.uri, proof, { count: 12, root: vectors.batch.root }))).toBe('UNIT_NOT_IN_SET');
  });

  it('keeps the Merkle failure as the cause', () => {
    try {
      verifyUnitInSet(vectorUnit.uri, { ...vectorUnit.proof, index: 4 }, ref);
      expect.unreachable();
    } catch (e) {
      expect(isMedtraceError((e as Error).cause, 'ROOT_MISMATCH')).toBe(true);
    }
  });
});

describe('replaceUnitSets', () => {
  const commissioning = vectors.events[2].envelope.event;
  const raw = { ...commissioning, epcList: shuffled };

  it('turns the vector commissioning event back into its hashed form', () => {
    const { event, sets } = replaceUnitSets(raw);
    expect(event).toEqual(commissioning);
    expect(sets.epcList?.sortedUris).toEqual(vectors.unitSet.sortedUris);
    expect(sets.epcList?.field).toBe('epcList');
    expect(unitProof(sets.epcList!, vectorUnit.uri)).toEqual(vectorUnit);
  });

  it('does not touch its input', () => {
    const input = structuredClone(raw);
    replaceUnitSets(input);
    expect(input).toEqual(raw);
  });

  it('replaces childEPCs, inputEPCList and outputEPCList and leaves quantity lists inline', () => {
    const event = {
      type: 'TransformationEvent',
      eventTime: '2026-11-20T09:30:00.000Z',
      eventTimeZoneOffset: '+00:00',
      childEPCs: ['urn:b', 'urn:a'],
      inputEPCList: ['urn:c'],
      outputEPCList: [],
      quantityList: [{ epcClass: 'urn:lot', quantity: 3 }],
    };
    const out = replaceUnitSets(event);
    expect(out.event.childEPCs).toEqual({ count: 2, root: buildUnitSet(['urn:a', 'urn:b']).root });
    expect(out.event.inputEPCList).toEqual({ count: 1, root: toHex(leafHash(utf8('urn:c'))) });
    expect(out.event.outputEPCList).toEqual({ count: 0, root: buildUnitSet([]).root });
    expect(out.event.quantityList).toEqual(event.quantityList);
    expect(Object.keys(out.sets).sort()).toEqual(['childEPCs', 'inputEPCList', 'outputEPCList']);
  });

  it('leaves an already replaced set alone and refuses anything else', () => {
    expect(replaceUnitSets(commissioning).event).toEqual(commissioning);
    expect(codeOf(() => replaceUnitSets({ ...commissioning, epcList: 'urn:a' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => replaceUnitSets({ ...commissioning, epcList: { count: 1 } }))).toBe('INVALID_INPUT');
    expect(codeOf(() => replaceUnitSets({ ...commissioning, epcList: ['urn:a', 7] }))).toBe('INVALID_INPUT');
  });
});
