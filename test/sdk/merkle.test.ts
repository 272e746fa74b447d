import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromHex,
  inclusionProof,
  inclusionProofLength,
  isMedtraceError,
  leafHash,
  merkleLevels,
  merkleRoot,
  MerkleTree,
  nobleSha256,
  nodeHash,
  sha256,
  toHex,
  verifyInclusion,
  type InclusionProof,
} from '../../sdk';
import rfc from '../vectors/rfc6962.json';

const nativeSha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
const leaves = rfc.leafHashes.map((h) => fromHex(h));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isMedtraceError(e) ? e.code : `not a MedtraceError: ${e}`;
  }
  return undefined;
}

/** RFC 6962 section 2.1 as written: split at the largest power of two below n. */
function referenceRoot(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return sha256(new Uint8Array(0));
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

function randomLeaves(n: number, seed: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${seed} ${i}`)));
}

describe('RFC 6962 hashing', () => {
  it('hashes the published leaf data to the published leaf hashes', () => {
    rfc.leafData.forEach((hex, i) => {
      const data = fromHex(hex === '' ? '0x' : `0x${hex}`);
      expect(toHex(leafHash(data))).toBe(rfc.leafHashes[i]);
      expect(toHex(leafHash(data, { sha256: nativeSha256 }))).toBe(rfc.leafHashes[i]);
    });
  });

  it('separates leaves from nodes with the 0x00 and 0x01 prefixes', () => {
    const [a, b] = leaves;
    const concat = new Uint8Array(64);
    concat.set(a);
    concat.set(b, 32);
    expect(toHex(nodeHash(a, b))).not.toBe(toHex(leafHash(concat)));
    expect(toHex(nodeHash(a, b))).toBe(rfc.roots['2']);
  });
});

describe('merkleRoot', () => {
  it('reproduces the root of every prefix of the published leaves', () => {
    for (let n = 1; n <= 8; n++) {
      const expected = (rfc.roots as Record<string, string>)[String(n)];
      expect(toHex(merkleRoot(leaves.slice(0, n)))).toBe(expected);
      expect(toHex(merkleRoot(leaves.slice(0, n), { sha256: nativeSha256 }))).toBe(expected);
      expect(MerkleTree.fromLeafHashes(leaves.slice(0, n)).rootHex).toBe(expected);
    }
  });

  it('gives the same roots with the pure-JS hash the browser uses', () => {
    for (let n = 1; n <= 8; n++) {
      expect(toHex(merkleRoot(leaves.slice(0, n), { sha256: nobleSha256 }))).toBe((rfc.roots as Record<string, string>)[String(n)]);
    }
    rfc.inclusionProofs8.forEach((p, i) => verifyInclusion(leaves[i], p, rfc.roots['8'], { sha256: nobleSha256 }));
  });

  it('gives SHA-256 of the empty string for an empty tree', () => {
    expect(toHex(merkleRoot([]))).toBe(rfc.emptyTreeRoot);
    expect(MerkleTree.fromLeafHashes([]).rootHex).toBe(rfc.emptyTreeRoot);
  });

  it('gives the leaf itself for a one-leaf tree', () => {
    expect(merkleRoot([leaves[3]])).toEqual(leaves[3]);
  });

  it('equals the recursive RFC 6962 definition for every size up to 70', () => {
    const many = randomLeaves(70, 1);
    for (let n = 1; n <= 70; n++) expect(toHex(merkleRoot(many.slice(0, n))), `n=${n}`).toBe(toHex(referenceRoot(many.slice(0, n))));
  });

  it('never duplicates an odd last node: [A,B,C] and [A,B,C,C] differ', () => {
    const [a, b, c] = leaves;
    expect(toHex(merkleRoot([a, b, c]))).not.toBe(toHex(merkleRoot([a, b, c, c])));
  });

  it('keeps every level, the top one being the root', () => {
    const levels = merkleLevels(leaves.slice(0, 5));
    expect(levels.map((l) => l.length)).toEqual([5, 3, 2, 1]);
    expect(toHex(levels[3][0])).toBe(rfc.roots['5']);
  });

  it('refuses leaves that are not 32-byte arrays', () => {
    expect(codeOf(() => merkleRoot([new Uint8Array(31)]))).toBe('INVALID_INPUT');
    expect(codeOf(() => merkleRoot(['0x00'] as unknown as Uint8Array[]))).toBe('INVALID_INPUT');
  });
});

describe('inclusionProof and verifyInclusion', () => {
  it('reproduces every published inclusion proof of the 8-leaf tree', () => {
    const tree = MerkleTree.fromLeafHashes(leaves);
    rfc.inclusionProofs8.forEach((expected, i) => {
      expect(inclusionProof(leaves, i)).toEqual(expected);
      expect(tree.proof(i)).toEqual(expected);
      expect(() => verifyInclusion(leaves[i], expected, rfc.roots['8'])).not.toThrow();
      expect(() => verifyInclusion(rfc.leafHashes[i], expected, fromHex(rfc.roots['8']))).not.toThrow();
    });
  });

  it('accepts the proofs of every leaf of every smaller tree', () => {
    for (let n = 1; n <= 8; n++) {
      const root = (rfc.roots as Record<string, string>)[String(n)];
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(leaves.slice(0, n), i);
        expect(proof.siblings.length).toBe(inclusionProofLength(i, n));
        expect(() => verifyInclusion(leaves[i], proof, root)).not.toThrow();
      }
    }
  });

  it('proves the only leaf of a one-leaf tree with no siblings', () => {
    expect(inclusionProof([leaves[0]], 0)).toEqual({ index: 0, size: 1, siblings: [] });
    expect(() => verifyInclusion(leaves[0], { index: 0, size: 1, siblings: [] }, leaves[0])).not.toThrow();
  });

  describe('rejects the negative cases of the 8-leaf vectors', () => {
    const root = rfc.roots['8'];
    const proof = (i: number): InclusionProof => structuredClone(rfc.inclusionProofs8[i]);

    it('a wrong index', () => {
      for (let i = 0; i < 8; i++) {
        for (let j = 0; j < 8; j++) {
          if (i === j) continue;
          expect(codeOf(() => verifyInclusion(leaves[i], { ...proof(i), index: j }, root))).toBe('ROOT_MISMATCH');
        }
      }
    });

    it('a wrong leaf', () => {
      expect(codeOf(() => verifyInclusion(leaves[1], proof(0), root))).toBe('ROOT_MISMATCH');
    });

    it('a wrong size that changes the path', () => {
      for (const [i, size] of [[6, 7], [7, 9], [4, 6], [5, 6], [0, 9], [0, 4], [3, 4], [7, 16]]) {
        expect(codeOf(() => verifyInclusion(leaves[i], { ...proof(i), size }, root)), `index ${i} size ${size}`).toBe(
          'PROOF_LENGTH_MISMATCH',
        );
      }
    });

    it('but not a wrong size with the same path: a proof alone does not bind the size', () => {
      // Leaf 0 of 8 and leaf 0 of 5 hash the same siblings on the same sides, so
      // RFC 9162 accepts both; bundles therefore bind size to the anchored range.
      expect(codeOf(() => verifyInclusion(leaves[0], { ...proof(0), size: 5 }, root))).toBeUndefined();
    });

    it('an index at or beyond the size, or negative', () => {
      expect(codeOf(() => verifyInclusion(leaves[0], { ...proof(0), index: 8 }, root))).toBe('INDEX_OUT_OF_RANGE');
      expect(codeOf(() => verifyInclusion(leaves[0], { ...proof(0), index: 9 }, root))).toBe('INDEX_OUT_OF_RANGE');
      expect(codeOf(() => verifyInclusion(leaves[0], { ...proof(0), index: -1 }, root))).toBe('INDEX_OUT_OF_RANGE');
      expect(codeOf(() => verifyInclusion(leaves[0], { index: 0, size: 0, siblings: [] }, root))).toBe('INDEX_OUT_OF_RANGE');
    });

    it('a non-integer index or size', () => {
      expect(codeOf(() => verifyInclusion(leaves[0], { ...proof(0), index: 0.5 }, root))).toBe('INVALID_INPUT');
      expect(codeOf(() => verifyInclusion(leaves[0], { ...proof(0), size: 8.5 }, root))).toBe('INVALID_INPUT');
      expect(codeOf(() => verifyInclusion(leaves[0], { ...proof(0), index: '0' as unknown as number }, root))).toBe('INVALID_INPUT');
      expect(codeOf(() => verifyInclusion(leaves[0], { ...proof(0), size: NaN }, root))).toBe('INVALID_INPUT');
    });

    it('a truncated path', () => {
      const p = proof(3);
      p.siblings.pop();
      expect(codeOf(() => verifyInclusion(leaves[3], p, root))).toBe('PROOF_LENGTH_MISMATCH');
      expect(codeOf(() => verifyInclusion(leaves[3], { ...p, siblings: [] }, root))).toBe('PROOF_LENGTH_MISMATCH');
    });

    it('an extended path', () => {
      const p = proof(3);
      p.siblings.push(rfc.leafHashes[0]);
      expect(codeOf(() => verifyInclusion(leaves[3], p, root))).toBe('PROOF_LENGTH_MISMATCH');
      const q = proof(3);
      q.siblings.unshift(rfc.leafHashes[0]);
      expect(codeOf(() => verifyInclusion(leaves[3], q, root))).toBe('PROOF_LENGTH_MISMATCH');
    });

    it('a flipped bit in any sibling, the leaf or the root', () => {
      for (let i = 0; i < 8; i++) {
        const base = proof(i);
        for (let s = 0; s < base.siblings.length; s++) {
          for (const bit of [0, 7, 128, 255]) {
            const bytes = fromHex(base.siblings[s]);
            bytes[bit >> 3] ^= 1 << (bit & 7);
            const p = proof(i);
            p.siblings[s] = toHex(bytes);
            expect(codeOf(() => verifyInclusion(leaves[i], p, root))).toBe('ROOT_MISMATCH');
          }
        }
        const leaf = leaves[i].slice();
        leaf[31] ^= 1;
        expect(codeOf(() => verifyInclusion(leaf, base, root))).toBe('ROOT_MISMATCH');
        const r = fromHex(root);
        r[0] ^= 0x80;
        expect(codeOf(() => verifyInclusion(leaves[i], base, r))).toBe('ROOT_MISMATCH');
      }
    });

    it('siblings in swapped order', () => {
      const p = proof(0);
      p.siblings.reverse();
      expect(codeOf(() => verifyInclusion(leaves[0], p, root))).toBe('ROOT_MISMATCH');
    });

    it('bad hex and bad shapes', () => {
      const p = proof(0);
      p.siblings[0] = p.siblings[0].slice(0, 64);
      expect(codeOf(() => verifyInclusion(leaves[0], p, root))).toBe('INVALID_INPUT');
      const q = proof(0);
      q.siblings[0] = `0x${'zz'.repeat(32)}`;
      expect(codeOf(() => verifyInclusion(leaves[0], q, root))).toBe('INVALID_INPUT');
      expect(codeOf(() => verifyInclusion(leaves[0], proof(0), '0x1234'))).toBe('INVALID_INPUT');
      expect(codeOf(() => verifyInclusion(new Uint8Array(3), proof(0), root))).toBe('INVALID_INPUT');
      expect(codeOf(() => verifyInclusion(leaves[0], null as unknown as InclusionProof, root))).toBe('INVALID_INPUT');
      expect(codeOf(() => verifyInclusion(leaves[0], { index: 0, size: 8 } as InclusionProof, root))).toBe('INVALID_INPUT');
    });
  });

  it('refuses to prove an index outside the tree', () => {
    expect(codeOf(() => inclusionProof(leaves, 8))).toBe('INDEX_OUT_OF_RANGE');
    expect(codeOf(() => inclusionProof(leaves, -1))).toBe('INDEX_OUT_OF_RANGE');
    expect(codeOf(() => inclusionProof(leaves, 1.5))).toBe('INVALID_INPUT');
    expect(codeOf(() => inclusionProof([], 0))).toBe('INDEX_OUT_OF_RANGE');
  });
});

describe('random trees (property)', () => {
  it('every proof verifies, and fails for a wrong index or leaf', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (size, seed, pick) => {
        const hashes = randomLeaves(size, seed);
        const tree = MerkleTree.fromLeafHashes(hashes, { sha256: nativeSha256 });
        expect(toHex(tree.root)).toBe(toHex(referenceRoot(hashes)));
        const index = pick % size;
        const proof = tree.proof(index);
        verifyInclusion(hashes[index], proof, tree.root);
        if (size > 1) {
          const other = (index + 1 + (seed % (size - 1))) % size;
          expect(codeOf(() => verifyInclusion(hashes[index], { ...proof, index: other }, tree.root))).toMatch(
            /ROOT_MISMATCH|PROOF_LENGTH_MISMATCH/,
          );
          expect(codeOf(() => verifyInclusion(hashes[other], proof, tree.root))).toBe('ROOT_MISMATCH');
        }
        const otherSize = [size + 1, size * 2, size + 3].find((s) => inclusionProofLength(index, s) !== proof.siblings.length);
        if (otherSize !== undefined) {
          expect(codeOf(() => verifyInclusion(hashes[index], { ...proof, size: otherSize }, tree.root))).toBe('PROOF_LENGTH_MISMATCH');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every leaf of one tree is proven, with the sibling count RFC 9162 expects', () => {
    for (const size of [1, 2, 3, 5, 31, 32, 33, 100, 257]) {
      const hashes = randomLeaves(size, size);
      const tree = MerkleTree.fromLeafHashes(hashes, { sha256: nativeSha256 });
      for (let i = 0; i < size; i++) {
        const proof = tree.proof(i);
        expect(proof.siblings.length).toBe(inclusionProofLength(i, size));
      }
    }
  });
});
