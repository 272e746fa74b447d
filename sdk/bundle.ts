// Proof bundles (DESIGN 4.6): what a node hands out to prove one event, and
// the verifier every party runs. Verification is a pipeline of small steps,
// each throwing a MedtraceError whose code names what failed; it never
// returns a bare "false".
import { Contract, Interface, type Provider } from 'ethers';
import { ANCHOR_LOG_ABI, PARTICIPANT_STATUS, REGISTRY_ABI } from './chain';
import { isMedtraceError, MedtraceError, type MedtraceErrorCode } from './errors';
import type { HashOptions } from './hash';
import { isHash32, toHex } from './hex';
import { assertEnvelope, eventLeaf, type LedgerEnvelope } from './ledger';
import { verifyInclusion, type InclusionProof } from './merkle';
import { isUnitSetRef, UNIT_SET_FIELDS, verifyUnitInSet, type UnitSetField } from './unitSet';
import type { VerificationCache } from './verificationCache';

export const BUNDLE_VERSION = 1;

export interface BundleUnit {
  field: UnitSetField;
  uri: string;
  proof: InclusionProof;
}

export interface BundleAnchor {
  chainId: number;
  anchorLog: string;
  participant: string;
  batch: number;
  root: string;
  from: number;
  to: number;
  txHash: string;
  blockNumber: number;
}

export interface ProofBundle {
  version: 1;
  envelope: LedgerEnvelope;
  salt: string;
  units: BundleUnit[];
  inclusion: InclusionProof;
  anchor: BundleAnchor;
}

/** What a verification established. From verifyBundleOffline the chain fields are only claimed. */
export interface VerifiedBundle {
  participant: string;
  seq: number;
  chainId: number;
  batch: number;
  blockNumber: number;
  txHash: string;
  root: string;
  from: number;
  to: number;
  /** URIs of the disclosed units, each proven to be in the event. */
  units: string[];
  /** The event's leaf hash. */
  leaf: string;
}

export interface VerifyBundleOptions extends HashOptions {
  /** Any ethers v6 provider connected to the chain the bundle names. */
  provider: Provider;
  /** The ParticipantRegistry address; read from the AnchorLog's registry() when omitted. */
  registry?: string;
  /**
   * Reuse chain reads across verifications (createVerificationCache): immutable facts
   * (chain id, batch root/from/to, the anchoring receipt, the registry address) forever,
   * the participant's registry status for at most 2 s. Use one cache per chain.
   */
  cache?: VerificationCache;
  /**
   * The network the verifier trusts, from its own configuration: the bundle must name this
   * chain id and this AnchorLog (else CHAIN_MISMATCH). Without it a participant could anchor
   * an altered history in an AnchorLog of its own (with a registry of its own) and hand out
   * bundles that pass every other check. Give it whenever the network is known.
   */
  expect?: { chainId?: number; anchorLog?: string };
}

// ---------------------------------------------------------------------------
// Parsing untrusted input

const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

function malformed(path: string, message: string, cause?: unknown): never {
  throw new MedtraceError('BUNDLE_MALFORMED', `${path} ${message}`, { field: path, cause });
}

function expectObject(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) malformed(path, 'must be an object');
  const actual = Object.keys(value).sort();
  const wanted = [...keys].sort();
  if (actual.join() !== wanted.join()) malformed(path, `must have exactly the keys ${wanted.join(', ')}`);
  return value as Record<string, unknown>;
}

function expectInteger(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) malformed(path, `must be an integer >= ${min}`);
  return value;
}

function expectHash(value: unknown, path: string): string {
  if (!isHash32(value)) malformed(path, 'must be a lowercase 0x-prefixed 32-byte hex string');
  return value;
}

function expectAddress(value: unknown, path: string): string {
  if (typeof value !== 'string' || !ADDRESS_RE.test(value)) malformed(path, 'must be a lowercase 0x-prefixed 20-byte address');
  return value;
}

function parseProof(value: unknown, path: string): InclusionProof {
  const p = expectObject(value, path, ['index', 'size', 'siblings']);
  expectInteger(p.index, `${path}.index`, 0);
  expectInteger(p.size, `${path}.size`, 1);
  if (!Array.isArray(p.siblings)) malformed(`${path}.siblings`, 'must be an array');
  p.siblings.forEach((s, i) => expectHash(s, `${path}.siblings[${i}]`));
  return p as unknown as InclusionProof;
}

function parseUnit(value: unknown, path: string): BundleUnit {
  const u = expectObject(value, path, ['field', 'uri', 'proof']);
  if (!UNIT_SET_FIELDS.includes(u.field as UnitSetField)) malformed(`${path}.field`, `must be one of ${UNIT_SET_FIELDS.join(', ')}`);
  if (typeof u.uri !== 'string' || u.uri.length === 0) malformed(`${path}.uri`, 'must be a non-empty string');
  parseProof(u.proof, `${path}.proof`);
  return u as unknown as BundleUnit;
}

function parseAnchor(value: unknown): BundleAnchor {
  const a = expectObject(value, 'anchor', ['chainId', 'anchorLog', 'participant', 'batch', 'root', 'from', 'to', 'txHash', 'blockNumber']);
  expectInteger(a.chainId, 'anchor.chainId', 1);
  expectAddress(a.anchorLog, 'anchor.anchorLog');
  expectAddress(a.participant, 'anchor.participant');
  expectInteger(a.batch, 'anchor.batch', 0);
  expectHash(a.root, 'anchor.root');
  expectInteger(a.from, 'anchor.from', 1);
  expectInteger(a.to, 'anchor.to', 1);
  expectHash(a.txHash, 'anchor.txHash');
  expectInteger(a.blockNumber, 'anchor.blockNumber', 0);
  return a as unknown as BundleAnchor;
}

/** Checks the shape of untrusted input (an object or JSON text). Throws BUNDLE_MALFORMED or UNSUPPORTED_VERSION. */
export function parseBundle(input: unknown): ProofBundle {
  try {
    const value: unknown = typeof input === 'string' ? JSON.parse(input) : input;
    const b = expectObject(value, 'bundle', ['version', 'envelope', 'salt', 'units', 'inclusion', 'anchor']);
    if (b.version !== BUNDLE_VERSION) {
      if (typeof b.version === 'number') {
        throw new MedtraceError('UNSUPPORTED_VERSION', `bundle version ${b.version} is not supported (only ${BUNDLE_VERSION})`, {
          field: 'version',
        });
      }
      malformed('version', 'must be a number');
    }
    assertEnvelope(b.envelope);
    expectHash(b.salt, 'salt');
    if (!Array.isArray(b.units)) malformed('units', 'must be an array');
    b.units.forEach((u, i) => parseUnit(u, `units[${i}]`));
    parseProof(b.inclusion, 'inclusion');
    parseAnchor(b.anchor);
    return b as unknown as ProofBundle;
  } catch (cause) {
    if (isMedtraceError(cause, 'BUNDLE_MALFORMED') || isMedtraceError(cause, 'UNSUPPORTED_VERSION')) throw cause;
    const field = (isMedtraceError(cause) ? cause.field : undefined) ?? 'bundle';
    throw new MedtraceError('BUNDLE_MALFORMED', `the bundle is malformed: ${(cause as Error).message}`, { field, cause });
  }
}

// ---------------------------------------------------------------------------
// Offline steps

function checkAnchorNamesEnvelope({ envelope, anchor }: ProofBundle): void {
  if (anchor.participant !== envelope.participant) {
    throw new MedtraceError('PARTICIPANT_MISMATCH', `anchor.participant ${anchor.participant} is not the event's ${envelope.participant}`, {
      field: 'anchor.participant',
    });
  }
  if (anchor.chainId !== envelope.chainId) {
    throw new MedtraceError('CHAIN_MISMATCH', `anchor.chainId ${anchor.chainId} is not the event's ${envelope.chainId}`, {
      field: 'anchor.chainId',
    });
  }
}

function checkRange({ envelope: { seq }, inclusion, anchor: { from, to } }: ProofBundle): void {
  const fail = (field: string, message: string): never => {
    throw new MedtraceError('RANGE_MISMATCH', message, { field });
  };
  if (to < from) fail('anchor.to', `batch range ${from}..${to} is empty`);
  if (seq < from || seq > to) fail('envelope.seq', `seq ${seq} is outside the batch ${from}..${to}`);
  if (inclusion.index !== seq - from) fail('inclusion.index', `inclusion.index must be seq - from = ${seq - from}, got ${inclusion.index}`);
  if (inclusion.size !== to - from + 1) fail('inclusion.size', `inclusion.size must be to - from + 1 = ${to - from + 1}, got ${inclusion.size}`);
}

function computeLeaf({ envelope, salt }: ProofBundle, opts?: HashOptions): Uint8Array {
  try {
    return eventLeaf(envelope, salt, opts);
  } catch (cause) {
    throw new MedtraceError('BUNDLE_MALFORMED', `the event cannot be hashed: ${(cause as Error).message}`, { field: 'envelope', cause });
  }
}

function checkInclusion(leaf: Uint8Array, { inclusion, anchor }: ProofBundle, opts?: HashOptions): void {
  try {
    verifyInclusion(leaf, inclusion, anchor.root, opts);
  } catch (cause) {
    throw new MedtraceError('INCLUSION_FAILED', `the event is not proven to be in the anchored batch: ${(cause as Error).message}`, {
      field: 'inclusion',
      cause,
    });
  }
}

function checkUnits({ envelope, units }: ProofBundle, opts?: HashOptions): void {
  units.forEach((unit, i) => {
    const set = envelope.event[unit.field];
    if (!isUnitSetRef(set)) {
      throw new MedtraceError('UNIT_NOT_IN_SET', `the event has no unit set ${unit.field}`, { field: `units[${i}].field` });
    }
    verifyUnitInSet(unit.uri, unit.proof, set, opts);
  });
}

function verified(bundle: ProofBundle, leaf: Uint8Array): VerifiedBundle {
  const { envelope, anchor, units } = bundle;
  return {
    participant: envelope.participant,
    seq: envelope.seq,
    chainId: envelope.chainId,
    batch: anchor.batch,
    blockNumber: anchor.blockNumber,
    txHash: anchor.txHash,
    root: anchor.root,
    from: anchor.from,
    to: anchor.to,
    units: units.map((u) => u.uri),
    leaf: toHex(leaf),
  };
}

/**
 * Every check of DESIGN 4.6 that needs no chain: shape, leaf, unit proofs,
 * inclusion into anchor.root, index/size against seq/from/to, participant
 * and chain id. The anchor's chain fields are returned as claimed, unchecked.
 */
export function verifyBundleOffline(input: unknown, opts?: HashOptions): VerifiedBundle {
  return verifyParsedOffline(parseBundle(input), opts);
}

function verifyParsedOffline(bundle: ProofBundle, opts?: HashOptions): VerifiedBundle {
  checkAnchorNamesEnvelope(bundle);
  checkRange(bundle);
  const leaf = computeLeaf(bundle, opts);
  checkInclusion(leaf, bundle, opts);
  checkUnits(bundle, opts);
  return verified(bundle, leaf);
}

// ---------------------------------------------------------------------------
// Chain steps

const anchorLogInterface = new Interface(ANCHOR_LOG_ABI);
const registryInterface = new Interface(REGISTRY_ABI);
const ANCHORED_TOPIC = anchorLogInterface.getEvent('Anchored')!.topicHash;

/** A failed chain read: a revert or empty answer means "not there"; anything else means the chain could not be asked. */
function chainReadError(cause: unknown, notThere: MedtraceErrorCode, message: string, field: string): MedtraceError {
  const code = (cause as { code?: string })?.code;
  if (code === 'CALL_EXCEPTION' || code === 'BAD_DATA') return new MedtraceError(notThere, message, { field, cause });
  return new MedtraceError('CHAIN_UNAVAILABLE', `the chain could not be read: ${(cause as Error)?.message ?? String(cause)}`, {
    field,
    cause,
  });
}

async function checkNetwork(provider: Provider, { anchor }: ProofBundle, cache?: VerificationCache): Promise<void> {
  let chainId: bigint;
  try {
    const load = async () => (await provider.getNetwork()).chainId;
    chainId = await (cache ? cache.chainIdOf(provider, load) : load());
  } catch (cause) {
    throw new MedtraceError('CHAIN_UNAVAILABLE', `the provider's network could not be read: ${(cause as Error).message}`, { cause });
  }
  if (chainId !== BigInt(anchor.chainId)) {
    throw new MedtraceError('CHAIN_MISMATCH', `the provider is on chain ${chainId}, the bundle names chain ${anchor.chainId}`, {
      field: 'anchor.chainId',
    });
  }
}

/** `load()` through the cache when there is one (`ttlMs` undefined = immutable). */
function cached<T>(cache: VerificationCache | undefined, key: string, load: () => Promise<T>, ttlMs?: number): Promise<T> {
  return cache ? cache.remember(key, load, ttlMs) : load();
}

async function checkBatchOnChain(anchorLog: () => Contract, { anchor }: ProofBundle, cache?: VerificationCache): Promise<void> {
  let root: string, from: bigint, to: bigint;
  try {
    // A batch, once anchored, never changes (AnchorLog is append-only).
    [root, from, to] = await cached(cache, `batch:${anchor.chainId}:${anchor.anchorLog}:${anchor.participant}:${anchor.batch}`, async () => {
      const [r, f, t] = await anchorLog().getBatch(anchor.participant, anchor.batch);
      return [String(r), BigInt(f), BigInt(t)] as const;
    });
  } catch (cause) {
    throw chainReadError(
      cause,
      'BATCH_NOT_FOUND',
      `AnchorLog ${anchor.anchorLog} holds no batch ${anchor.batch} of ${anchor.participant}`,
      'anchor.batch',
    );
  }
  if (root !== anchor.root) {
    throw new MedtraceError('ROOT_NOT_ON_CHAIN', `batch ${anchor.batch} on chain has root ${root}, not ${anchor.root}`, {
      field: 'anchor.root',
    });
  }
  if (from !== BigInt(anchor.from) || to !== BigInt(anchor.to)) {
    throw new MedtraceError('RANGE_MISMATCH', `batch ${anchor.batch} on chain covers ${from}..${to}, not ${anchor.from}..${anchor.to}`, {
      field: 'anchor.from',
    });
  }
}

function txMismatch(message: string, field = 'anchor.txHash'): never {
  throw new MedtraceError('TX_MISMATCH', message, { field });
}

/** What verification needs of a mined transaction's receipt. */
interface ReceiptFacts {
  blockNumber: number;
  status: number | null;
  logs: { address: string; topics: readonly string[]; data: string }[];
}

class NoReceipt extends Error {}

async function readReceipt(provider: Provider, txHash: string, chainId: number, cache?: VerificationCache): Promise<ReceiptFacts | null> {
  try {
    // A mined receipt never changes on a chain with finality (QBFT); a missing one is asked again.
    return await cached(cache, `receipt:${chainId}:${txHash}`, async () => {
      const receipt = await provider.getTransactionReceipt(txHash);
      if (!receipt) throw new NoReceipt();
      return {
        blockNumber: receipt.blockNumber,
        status: receipt.status,
        logs: receipt.logs.map((log) => ({ address: log.address, topics: [...log.topics], data: log.data })),
      };
    });
  } catch (cause) {
    if (cause instanceof NoReceipt) return null;
    throw cause;
  }
}

async function checkAnchorTransaction(provider: Provider, { anchor }: ProofBundle, cache?: VerificationCache): Promise<void> {
  let receipt;
  try {
    receipt = await readReceipt(provider, anchor.txHash, anchor.chainId, cache);
  } catch (cause) {
    throw chainReadError(cause, 'TX_MISMATCH', `transaction ${anchor.txHash} could not be read`, 'anchor.txHash');
  }
  if (!receipt) txMismatch(`transaction ${anchor.txHash} is not on chain`);
  if (receipt.blockNumber !== anchor.blockNumber) {
    txMismatch(`transaction ${anchor.txHash} is in block ${receipt.blockNumber}, not ${anchor.blockNumber}`, 'anchor.blockNumber');
  }
  if (receipt.status !== 1) txMismatch(`transaction ${anchor.txHash} failed`);
  const emitted = receipt.logs.some((log) => {
    if (log.address.toLowerCase() !== anchor.anchorLog || log.topics[0] !== ANCHORED_TOPIC) return false;
    let event;
    try {
      event = anchorLogInterface.parseLog(log);
    } catch {
      return false;
    }
    if (!event) return false;
    const [participant, batch, root, from, to] = event.args as unknown as [string, bigint, string, bigint, bigint];
    return (
      participant.toLowerCase() === anchor.participant &&
      batch === BigInt(anchor.batch) &&
      root === anchor.root &&
      from === BigInt(anchor.from) &&
      to === BigInt(anchor.to)
    );
  });
  if (!emitted) txMismatch(`transaction ${anchor.txHash} did not emit Anchored for batch ${anchor.batch} of ${anchor.participant}`);
}

async function checkNotRevoked(
  provider: Provider,
  anchorLog: () => Contract,
  registryAddress: string | undefined,
  { anchor }: ProofBundle,
  cache?: VerificationCache,
): Promise<void> {
  let status: bigint, invalidFromBatch: bigint;
  try {
    const address: string =
      registryAddress ?? (await cached(cache, `registry:${anchor.chainId}:${anchor.anchorLog}`, async () => String(await anchorLog().registry())));
    // The status can change (suspension, revocation): reused for at most cache.statusTtlMs.
    [status, invalidFromBatch] = await cached(
      cache,
      `status:${anchor.chainId}:${address.toLowerCase()}:${anchor.participant}`,
      async () => {
        const registry = new Contract(address, registryInterface, provider);
        const [s, i] = await registry.statusOf(anchor.participant);
        return [BigInt(s), BigInt(i)] as const;
      },
      cache?.statusTtlMs,
    );
  } catch (cause) {
    throw chainReadError(cause, 'PARTICIPANT_INACTIVE', `the registry status of ${anchor.participant} could not be read`, 'anchor.participant');
  }
  if (status === BigInt(PARTICIPANT_STATUS.unknown)) {
    throw new MedtraceError('PARTICIPANT_INACTIVE', `${anchor.participant} is not registered`, { field: 'anchor.participant' });
  }
  // Suspension only stops new anchors; revocation invalidates batches from invalidFromBatch on.
  if (status === BigInt(PARTICIPANT_STATUS.revoked) && BigInt(anchor.batch) >= invalidFromBatch) {
    throw new MedtraceError(
      'PARTICIPANT_REVOKED',
      `${anchor.participant} was revoked from batch ${invalidFromBatch} on; this is batch ${anchor.batch}`,
      { field: 'anchor.batch' },
    );
  }
}

/**
 * Every check of DESIGN 4.6: the offline ones, then against the chain the
 * provider is connected to: the chain id, the AnchorLog batch (root, from, to),
 * the anchoring transaction and its Anchored event, and the registry's
 * revocation of the participant. Throws a MedtraceError naming what failed.
 */
function checkExpectedNetwork({ anchor }: ProofBundle, expect: NonNullable<VerifyBundleOptions['expect']>): void {
  if (expect.chainId !== undefined && anchor.chainId !== expect.chainId) {
    throw new MedtraceError('CHAIN_MISMATCH', `the bundle names chain ${anchor.chainId}; the network trusted here is chain ${expect.chainId}`, {
      field: 'anchor.chainId',
    });
  }
  if (expect.anchorLog !== undefined && anchor.anchorLog !== expect.anchorLog.toLowerCase()) {
    throw new MedtraceError('CHAIN_MISMATCH', `the bundle names AnchorLog ${anchor.anchorLog}; the network trusted here uses ${expect.anchorLog.toLowerCase()}`, {
      field: 'anchor.anchorLog',
    });
  }
}

export async function verifyBundle(input: unknown, opts: VerifyBundleOptions): Promise<VerifiedBundle> {
  const { provider, registry, cache, expect, ...hashOpts } = opts;
  const bundle = parseBundle(input);
  if (expect) checkExpectedNetwork(bundle, expect);
  const result = verifyParsedOffline(bundle, hashOpts);
  // The shared Interface: parsing the ABI again for every bundle costs more than a cached verification.
  let contract: Contract | undefined;
  const anchorLog = () => (contract ??= new Contract(bundle.anchor.anchorLog, anchorLogInterface, provider));
  await checkNetwork(provider, bundle, cache);
  await checkBatchOnChain(anchorLog, bundle, cache);
  await checkAnchorTransaction(provider, bundle, cache);
  await checkNotRevoked(provider, anchorLog, registry, bundle, cache);
  return result;
}
