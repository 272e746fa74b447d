// RFC 6962 / RFC 9162 Merkle trees over already-hashed leaves: every tree in
// medtrace (a batch of ledger events, a unit set) is one of these. Internals
// stay in bytes; hex appears only in the proofs handed out.
import { MedtraceError } from './errors';
import { hashFn, type HashOptions, type Sha256Fn } from './hash';
import { equalBytes, fromHex, fromHexInto, toHex } from './hex';

/** An RFC 9162 inclusion proof: sibling sides are derived from `index` and `size`, never stored. */
export interface InclusionProof {
  index: number;
  size: number;
  siblings: string[];
}

const HASH_LENGTH = 32;

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array, opts?: HashOptions): Uint8Array {
  const buf = new Uint8Array(data.length + 1);
  buf.set(data, 1);
  return hashFn(opts)(buf);
}

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array, opts?: HashOptions): Uint8Array {
  const buf = new Uint8Array(left.length + right.length + 1);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return hashFn(opts)(buf);
}

/** A node hasher that reuses one scratch buffer: the hot loop of every tree. */
function nodeHasher(hash: Sha256Fn): (left: Uint8Array, right: Uint8Array) => Uint8Array {
  const buf = new Uint8Array(1 + 2 * HASH_LENGTH);
  buf[0] = 1;
  return (left, right) => {
    buf.set(left, 1);
    buf.set(right, 1 + HASH_LENGTH);
    return hash(buf);
  };
}

function checkLeafHashes(leafHashes: readonly Uint8Array[]): void {
  if (!Array.isArray(leafHashes)) {
    throw new MedtraceError('INVALID_INPUT', 'leafHashes must be an array of 32-byte hashes', { field: 'leafHashes' });
  }
  for (let i = 0; i < leafHashes.length; i++) {
    const h = leafHashes[i];
    if (!(h instanceof Uint8Array) || h.length !== HASH_LENGTH) {
      throw new MedtraceError('INVALID_INPUT', `leafHashes[${i}] must be a 32-byte Uint8Array`, { field: `leafHashes[${i}]` });
    }
  }
}

/** The level above `nodes`: pairs hashed, an odd last node promoted unchanged. */
function parentLevel(nodes: readonly Uint8Array[], hashNodes: (l: Uint8Array, r: Uint8Array) => Uint8Array): Uint8Array[] {
  const n = nodes.length;
  const up = new Array<Uint8Array>((n + 1) >> 1);
  let j = 0;
  for (let i = 0; i + 1 < n; i += 2) up[j++] = hashNodes(nodes[i], nodes[i + 1]);
  if (n % 2 === 1) up[j] = nodes[n - 1];
  return up;
}

/**
 * Every level of the tree, bottom-up: `levels[0]` are the leaves, the last
 * level is `[root]`. Building bottom-up and promoting an odd last node equals
 * RFC 6962's split at the largest power of two below n.
 */
export function merkleLevels(leafHashes: readonly Uint8Array[], opts?: HashOptions): Uint8Array[][] {
  checkLeafHashes(leafHashes);
  if (leafHashes.length === 0) return [[]];
  const hashNodes = nodeHasher(hashFn(opts));
  const levels: Uint8Array[][] = [leafHashes.slice()];
  while (levels[levels.length - 1].length > 1) levels.push(parentLevel(levels[levels.length - 1], hashNodes));
  return levels;
}

/** The RFC 6962 Merkle Tree Hash of already-hashed leaves; SHA-256("") for no leaves. */
export function merkleRoot(leafHashes: readonly Uint8Array[], opts?: HashOptions): Uint8Array {
  checkLeafHashes(leafHashes);
  const hash = hashFn(opts);
  if (leafHashes.length === 0) return hash(new Uint8Array(0));
  const hashNodes = nodeHasher(hash);
  let level: readonly Uint8Array[] = leafHashes;
  while (level.length > 1) level = parentLevel(level, hashNodes);
  return level[0];
}

function checkIndex(index: unknown, size: number): asserts index is number {
  if (typeof index !== 'number' || !Number.isSafeInteger(index)) {
    throw new MedtraceError('INVALID_INPUT', `index must be an integer, got ${String(index)}`, { field: 'index' });
  }
  if (index < 0 || index >= size) {
    throw new MedtraceError('INDEX_OUT_OF_RANGE', `index ${index} is outside a tree of size ${size}`, { field: 'index' });
  }
}

/** A built tree: all levels kept, so many proofs of one tree cost no rebuilding. */
export class MerkleTree {
  private constructor(
    private readonly levels: Uint8Array[][],
    private readonly opts: HashOptions | undefined,
    /** The root hash (SHA-256("") for an empty tree). */
    readonly root: Uint8Array,
  ) {}

  static fromLeafHashes(leafHashes: readonly Uint8Array[], opts?: HashOptions): MerkleTree {
    const levels = merkleLevels(leafHashes, opts);
    const top = levels[levels.length - 1];
    const root = top.length === 1 ? top[0] : hashFn(opts)(new Uint8Array(0));
    return new MerkleTree(levels, opts, root);
  }

  get size(): number {
    return this.levels[0].length;
  }

  get rootHex(): string {
    return toHex(this.root);
  }

  leaf(index: number): Uint8Array {
    checkIndex(index, this.size);
    return this.levels[0][index];
  }

  /** The inclusion proof of leaf `index`, checked against the root before it is returned. */
  proof(index: number): InclusionProof {
    checkIndex(index, this.size);
    const siblings: string[] = [];
    let i = index;
    for (let level = 0; level < this.levels.length - 1; level++) {
      const nodes = this.levels[level];
      const sibling = i ^ 1;
      // The last node of an odd level has no sibling: it was promoted.
      if (sibling < nodes.length) siblings.push(toHex(nodes[sibling]));
      i >>>= 1;
    }
    const proof = { index, size: this.size, siblings };
    verifyInclusion(this.levels[0][index], proof, this.root, this.opts);
    return proof;
  }
}

/** The inclusion proof of `leafHashes[index]` (builds the tree; use MerkleTree for many proofs). */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, opts?: HashOptions): InclusionProof {
  checkLeafHashes(leafHashes);
  checkIndex(index, leafHashes.length);
  return MerkleTree.fromLeafHashes(leafHashes, opts).proof(index);
}

/** How many siblings an inclusion proof of `index` in a tree of `size` has (RFC 9162 2.1.3.2). */
export function inclusionProofLength(index: number, size: number): number {
  let fn = index;
  let sn = size - 1;
  let length = 0;
  while (sn > 0) {
    if (fn % 2 === 0 && fn === sn) {
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
    length++;
  }
  return length;
}

function hashBytes(value: Uint8Array | string, field: string): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== HASH_LENGTH) throw new MedtraceError('INVALID_INPUT', `${field} must be 32 bytes`, { field });
    return value;
  }
  return fromHex(value, HASH_LENGTH, field);
}

function checkProofShape(proof: InclusionProof): void {
  if (typeof proof !== 'object' || proof === null) {
    throw new MedtraceError('INVALID_INPUT', 'proof must be an object { index, size, siblings }', { field: 'proof' });
  }
  const { size, siblings } = proof;
  if (typeof size !== 'number' || !Number.isSafeInteger(size)) {
    throw new MedtraceError('INVALID_INPUT', `size must be an integer, got ${String(size)}`, { field: 'size' });
  }
  if (!Array.isArray(siblings)) {
    throw new MedtraceError('INVALID_INPUT', 'siblings must be an array of 32-byte hex hashes', { field: 'siblings' });
  }
  checkIndex(proof.index, size);
}

/**
 * Verifies that `leafHash` is leaf `proof.index` of the tree of `proof.size`
 * leaves with root `root`, by RFC 9162 section 2.1.3.2: sides come from the
 * index and size, and every sibling must be consumed. Returns nothing; throws
 * INVALID_INPUT, INDEX_OUT_OF_RANGE, PROOF_LENGTH_MISMATCH or ROOT_MISMATCH.
 */
export function verifyInclusion(
  leafHash: Uint8Array | string,
  proof: InclusionProof,
  root: Uint8Array | string,
  opts?: HashOptions,
): void {
  checkProofShape(proof);
  const { index, size, siblings } = proof;
  const expected = inclusionProofLength(index, size);
  if (siblings.length !== expected) {
    throw new MedtraceError(
      'PROOF_LENGTH_MISMATCH',
      `a proof of index ${index} in a tree of size ${size} has ${expected} siblings, got ${siblings.length}`,
      { field: 'siblings' },
    );
  }
  const hash = hashFn(opts);
  let r = hashBytes(leafHash, 'leafHash');
  const rootBytes = hashBytes(root, 'root');
  // 0x01 ‖ left ‖ right, siblings decoded straight into their half.
  const buf = new Uint8Array(1 + 2 * HASH_LENGTH);
  buf[0] = 1;
  let fn = index;
  let sn = size - 1;
  for (let i = 0; i < siblings.length; i++) {
    if (fn % 2 === 1 || fn === sn) {
      fromHexInto(siblings[i], buf, 1, HASH_LENGTH, `siblings[${i}]`);
      buf.set(r, 1 + HASH_LENGTH);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      buf.set(r, 1);
      fromHexInto(siblings[i], buf, 1 + HASH_LENGTH, HASH_LENGTH, `siblings[${i}]`);
    }
    r = hash(buf);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // sn === 0 holds by the length check above; the root comparison decides.
  if (!equalBytes(r, rootBytes)) {
    throw new MedtraceError('ROOT_MISMATCH', `the proof of index ${index} leads to ${toHex(r)}, not to the expected root`, {
      field: 'root',
    });
  }
}
