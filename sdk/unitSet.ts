// Unit sets (DESIGN 4.2): an event's EPC lists are replaced by the count and
// Merkle root of the de-duplicated URIs sorted by UTF-8 bytes, so one unit can
// be proven to be in an event without disclosing the others.
import { MedtraceError } from './errors';
import { hashFn, type HashOptions } from './hash';
import { isHash32, utf8 } from './hex';
import { leafHash, MerkleTree, verifyInclusion, type InclusionProof } from './merkle';

export const UNIT_SET_FIELDS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;
export type UnitSetField = (typeof UNIT_SET_FIELDS)[number];

/** What stands in an event where the EPC list was: `{ count, root }`. */
export interface UnitSetRef {
  count: number;
  root: string;
}

export interface UnitSet extends UnitSetRef {
  /** The event field the set replaced, when built by replaceUnitSets. */
  field?: UnitSetField;
  /** De-duplicated URIs in UTF-8 byte order: a URI's index here is its leaf index. */
  sortedUris: string[];
  leafHashes: Uint8Array[];
}

/** A disclosed unit: its URI and its inclusion proof into the set of `field`. */
export interface UnitProof {
  field?: UnitSetField;
  uri: string;
  proof: InclusionProof;
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

// Trees are built once per set and kept beside it for later proofs.
const trees = new WeakMap<UnitSet, MerkleTree>();

/** Compares by Unicode code points, which is the order of the UTF-8 bytes. */
function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}

/** Sorts strings by their UTF-8 bytes. */
export function sortByUtf8(values: string[]): string[] {
  // UTF-16 code-unit order (JS's default) differs from UTF-8 byte order only
  // when a surrogate pair meets U+E000..U+FFFF; without surrogates the fast
  // native sort is already right.
  if (!values.some((v) => ANY_SURROGATE.test(v))) return values.sort();
  return values.sort(compareCodePoints);
}

function checkUri(uri: unknown, field: string): asserts uri is string {
  if (typeof uri !== 'string' || uri.length === 0) {
    throw new MedtraceError('INVALID_INPUT', `${field} must be a non-empty string`, { field });
  }
  if (LONE_SURROGATE.test(uri)) {
    throw new MedtraceError('INVALID_INPUT', `${field} contains a lone surrogate (not valid Unicode)`, { field });
  }
}

/** The unit set of `uris`: de-duplicated, sorted by UTF-8 bytes, leaf data utf8(uri). */
export function buildUnitSet(uris: readonly string[], opts?: HashOptions & { field?: UnitSetField }): UnitSet {
  const field = opts?.field ?? 'uris';
  if (!Array.isArray(uris)) throw new MedtraceError('INVALID_INPUT', `${field} must be an array of URIs`, { field });
  for (let i = 0; i < uris.length; i++) checkUri(uris[i], `${field}[${i}]`);
  const sortedUris = sortByUtf8([...new Set(uris)]);
  const leafHashes = uriLeafHashes(sortedUris, opts);
  const tree = MerkleTree.fromLeafHashes(leafHashes, opts);
  const set: UnitSet = { count: sortedUris.length, root: tree.rootHex, sortedUris, leafHashes };
  if (opts?.field !== undefined) set.field = opts.field;
  trees.set(set, tree);
  return set;
}

const encoder = new TextEncoder();

/** leafHash(utf8(uri)) of each URI, encoding into one scratch buffer (the commissioning hot path). */
function uriLeafHashes(uris: readonly string[], opts?: HashOptions): Uint8Array[] {
  const hash = hashFn(opts);
  let scratch = new Uint8Array(256);
  const out = new Array<Uint8Array>(uris.length);
  for (let i = 0; i < uris.length; i++) {
    const uri = uris[i];
    if (1 + 3 * uri.length > scratch.length) scratch = new Uint8Array(1 + 3 * uri.length);
    const { written } = encoder.encodeInto(uri, scratch.subarray(1));
    out[i] = hash(scratch.subarray(0, 1 + written));
  }
  return out;
}

function treeOf(set: UnitSet, opts?: HashOptions): MerkleTree {
  let tree = trees.get(set);
  if (!tree) {
    tree = MerkleTree.fromLeafHashes(set.leafHashes, opts);
    if (tree.rootHex !== set.root) {
      throw new MedtraceError('INVALID_INPUT', 'the unit set root does not match its leaves', { field: 'root' });
    }
    trees.set(set, tree);
  }
  return tree;
}

/** Binary search of `uri` in the set's sorted URIs; -1 when absent. */
function indexOfUri(set: UnitSet, uri: string): number {
  let lo = 0;
  let hi = set.sortedUris.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareCodePoints(set.sortedUris[mid], uri);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The proof that `uri` is in `set`. Throws UNIT_NOT_IN_SET when it is not. */
export function unitProof(set: UnitSet, uri: string, opts?: HashOptions): UnitProof {
  checkUri(uri, 'uri');
  const index = indexOfUri(set, uri);
  if (index < 0) throw new MedtraceError('UNIT_NOT_IN_SET', `${uri} is not in the unit set`, { field: 'uri' });
  const proof = treeOf(set, opts).proof(index);
  return set.field === undefined ? { uri, proof } : { field: set.field, uri, proof };
}

/**
 * Verifies that `uri` is leaf `proof.index` of the unit set `{ count, root }`.
 * Throws UNIT_NOT_IN_SET (with the Merkle failure as `cause`) otherwise.
 */
export function verifyUnitInSet(uri: string, proof: InclusionProof, set: UnitSetRef, opts?: HashOptions): void {
  try {
    checkUri(uri, 'uri');
    if (!Number.isSafeInteger(set.count) || !isHash32(set.root)) {
      throw new MedtraceError('INVALID_INPUT', 'a unit set reference is { count: integer, root: 32-byte hex }', { field: 'set' });
    }
    if (proof?.size !== set.count) {
      throw new MedtraceError('INVALID_INPUT', `the proof is for a set of ${String(proof?.size)} units, the set has ${set.count}`, {
        field: 'proof.size',
      });
    }
    verifyInclusion(leafHash(utf8(uri), opts), proof, set.root, opts);
  } catch (cause) {
    throw new MedtraceError('UNIT_NOT_IN_SET', `${String(uri)} is not proven to be in the unit set: ${(cause as Error).message}`, {
      field: 'uri',
      cause,
    });
  }
}

export function isUnitSetRef(value: unknown): value is UnitSetRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const v = value as Record<string, unknown>;
  return (
    keys.length === 2 &&
    typeof v.count === 'number' &&
    Number.isSafeInteger(v.count) &&
    v.count >= 0 &&
    isHash32(v.root)
  );
}

/**
 * Replaces every unit list of `event` (epcList, childEPCs, inputEPCList,
 * outputEPCList) by its `{ count, root }`; quantity lists stay inline. Returns
 * a new event (the input is not touched) and the sets by field.
 */
export function replaceUnitSets<E extends object>(
  event: E,
  opts?: HashOptions,
): { event: E; sets: Partial<Record<UnitSetField, UnitSet>> } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new MedtraceError('INVALID_INPUT', 'event must be an object', { field: 'event' });
  }
  const out: Record<string, unknown> = { ...(event as Record<string, unknown>) };
  const sets: Partial<Record<UnitSetField, UnitSet>> = {};
  for (const field of UNIT_SET_FIELDS) {
    const value = out[field];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const set = buildUnitSet(value as string[], { ...opts, field });
      sets[field] = set;
      out[field] = { count: set.count, root: set.root };
    } else if (!isUnitSetRef(value)) {
      throw new MedtraceError('INVALID_INPUT', `event.${field} must be an array of EPC URIs or { count, root }`, {
        field: `event.${field}`,
      });
    }
  }
  return { event: out as E, sets };
}
