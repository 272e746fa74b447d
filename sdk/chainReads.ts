// What the chain says besides anchors (DESIGN 5), read the one way every party
// reads it: who the ParticipantRegistry says owns a GTIN's company prefix and
// what it records about a participant; the recalls the RecallBoard holds for a
// lot. Contracts come in as ethers Contracts (registryAt / recallBoardAt over
// any ContractRunner, a browser's Provider included, or a node's own); reads can
// be pinned to one block so a page can say "as of block B".
import { Contract, type ContractRunner } from 'ethers';
import { RECALL_BOARD_ABI, REGISTRY_ABI } from './chain';
import { MedtraceError } from './errors';
import { validateGtin } from './gs1';

/** Registry role codes 1-5, by name (0: never registered). */
export const PARTICIPANT_ROLE_NAMES = ['unknown', 'manufacturer', 'distributor', 'hospital', 'platform', 'other'] as const;
export type ParticipantRoleName = (typeof PARTICIPANT_ROLE_NAMES)[number];
/** Registry status codes 0-3, by name. */
export const PARTICIPANT_STATUS_NAMES = ['unknown', 'active', 'suspended', 'revoked'] as const;
export type ParticipantStatusName = (typeof PARTICIPANT_STATUS_NAMES)[number];

/** RecallBoard action codes 1-4: return (or remove), correct in the field, destroy, safety notice only. */
export const RECALL_ACTIONS = ['return', 'correct', 'destroy', 'notice'] as const;
export type RecallAction = (typeof RECALL_ACTIONS)[number];
/** RecallBoard status codes 1-3. */
export const RECALL_STATUSES = ['open', 'closed', 'withdrawn'] as const;
export type RecallStatus = (typeof RECALL_STATUSES)[number];

export function recallActionCode(action: RecallAction): number {
  return RECALL_ACTIONS.indexOf(action) + 1;
}
/** An unknown code reads as the mildest action, a notice (the board accepts only 1-4). */
export function recallActionName(code: number): RecallAction {
  return RECALL_ACTIONS[code - 1] ?? 'notice';
}
export function recallStatusCode(status: RecallStatus): number {
  return RECALL_STATUSES.indexOf(status) + 1;
}
/** An unknown code reads as open: a reader errs on the side of the recall (the board accepts only 1-3). */
export function recallStatusName(code: number): RecallStatus {
  return RECALL_STATUSES[code - 1] ?? 'open';
}

export interface ChainReadOptions {
  /** Read the state as of this block (a number or tag); latest when omitted. */
  blockTag?: number | string;
}

/** A participant as the registry holds it. */
export interface RegisteredParticipant {
  /** Lowercase 0x address. */
  address: string;
  name: string;
  role: ParticipantRoleName;
  gln: string;
  /** Base URL of the participant's node, without a trailing slash ('' when none). */
  endpoint: string;
  /** RFC 7638 SHA-256 thumbprint of its Ed25519 signing key, lowercase 0x hex. */
  keyThumbprint: string;
  status: ParticipantStatusName;
  /** First anchor batch its revocation invalidates (0 unless revoked). */
  invalidFromBatch: number;
  /** ISO time of the registering block. */
  registeredAt: string;
}

/** A recall as the board holds it. */
export interface BoardRecall {
  chainRecallId: number;
  /** Lowercase 0x address of the publishing participant (the GTIN's prefix owner). */
  issuer: string;
  gtin: string;
  /** Empty: every lot of the GTIN. */
  lots: string[];
  /** 1 class I (serious harm likely) to 3 class III. */
  recallClass: number;
  action: RecallAction;
  status: RecallStatus;
  /** SHA-256 of the notice document, lowercase 0x hex. */
  noticeSha256: string;
  noticeUri: string;
  /** ISO time of the block that published it. */
  publishedAt: string;
  updatedAt: string;
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

export function registryAt(address: string, runner: ContractRunner): Contract {
  return new Contract(address, REGISTRY_ABI, runner);
}

export function recallBoardAt(address: string, runner: ContractRunner): Contract {
  return new Contract(address, RECALL_BOARD_ABI, runner);
}

function overrides(options: ChainReadOptions): { blockTag?: number | string } {
  return options.blockTag === undefined ? {} : { blockTag: options.blockTag };
}

function unavailable(what: string, cause: unknown): MedtraceError {
  return new MedtraceError('CHAIN_UNAVAILABLE', `${what} could not be read from the chain: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}

function isoSeconds(seconds: unknown): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/** The lowercase address owning the GS1 company prefix of `gtin` on the registry, or undefined. */
export async function resolveGtinOwner(registry: Contract, gtin: string, options: ChainReadOptions = {}): Promise<string | undefined> {
  const gtin14 = validateGtin(gtin);
  let owner: string;
  try {
    owner = String(await registry.resolveGtin(gtin14, overrides(options))).toLowerCase();
  } catch (cause) {
    throw unavailable(`the owner of GTIN ${gtin14}`, cause);
  }
  return owner === ZERO_ADDRESS ? undefined : owner;
}

/** What the registry records about `address`, or undefined when it was never registered. */
export async function readParticipant(registry: Contract, address: string, options: ChainReadOptions = {}): Promise<RegisteredParticipant | undefined> {
  const at = overrides(options);
  // Both in one round trip (a batching provider): getParticipant reverts for an unknown address.
  const [status, entry] = await Promise.allSettled([registry.statusOf(address, at), registry.getParticipant(address, at)]);
  if (status.status === 'rejected') throw unavailable(`the registry status of ${address}`, status.reason);
  if (Number(status.value[0]) === 0) return undefined;
  if (entry.status === 'rejected') throw unavailable(`the registry entry of ${address}`, entry.reason);
  return decodeParticipant(address, entry.value);
}

/** A registry `Participant` tuple as the SDK's shape. */
export function decodeParticipant(address: string, entry: Record<string, unknown>): RegisteredParticipant {
  return {
    address: address.toLowerCase(),
    name: String(entry.name),
    role: PARTICIPANT_ROLE_NAMES[Number(entry.role)] ?? 'unknown',
    gln: String(entry.gln),
    endpoint: String(entry.endpoint).replace(/\/+$/, ''),
    keyThumbprint: String(entry.keyThumbprint).toLowerCase(),
    status: PARTICIPANT_STATUS_NAMES[Number(entry.status)] ?? 'unknown',
    invalidFromBatch: Number(entry.invalidFromBatch),
    registeredAt: isoSeconds(entry.registeredAt),
  };
}

/** A RecallBoard `Recall` tuple as the SDK's shape. */
export function decodeRecall(id: number, r: Record<string, unknown>): BoardRecall {
  return {
    chainRecallId: id,
    issuer: String(r.issuer).toLowerCase(),
    gtin: String(r.gtin14),
    lots: Array.from(r.lots as ArrayLike<unknown>, String),
    recallClass: Number(r.recallClass),
    action: recallActionName(Number(r.action)),
    status: recallStatusName(Number(r.status)),
    noticeSha256: String(r.noticeSha256).toLowerCase(),
    noticeUri: String(r.noticeUri),
    publishedAt: isoSeconds(r.publishedAt),
    updatedAt: isoSeconds(r.updatedAt),
  };
}

/** Recall `id` from the board, or undefined when the board holds no such recall. */
export async function readBoardRecall(board: Contract, id: number, options: ChainReadOptions = {}): Promise<BoardRecall | undefined> {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  const at = overrides(options);
  // One round trip: getRecall reverts for an id past the count.
  const [count, recall] = await Promise.allSettled([board.recallCount(at), board.getRecall(id, at)]);
  if (count.status === 'rejected') throw unavailable('the RecallBoard', count.reason);
  if (id > Number(count.value)) return undefined;
  if (recall.status === 'rejected') throw unavailable(`recall ${id}`, recall.reason);
  return decodeRecall(id, recall.value);
}

/** The ids of the recalls concerning a lot: those naming it and those of every lot of the GTIN, oldest first. */
export async function boardRecallIds(board: Contract, lot: { gtin: string; lot: string }, options: ChainReadOptions = {}): Promise<number[]> {
  try {
    return Array.from((await board.recallsFor(lot.gtin, lot.lot, overrides(options))) as ArrayLike<bigint>, Number);
  } catch (cause) {
    throw unavailable(`the recalls of lot ${lot.lot} of GTIN ${lot.gtin}`, cause);
  }
}

/** The recalls concerning a lot (lot-specific and all-lots ones), oldest first. */
export async function boardRecallsFor(board: Contract, lot: { gtin: string; lot: string }, options: ChainReadOptions = {}): Promise<BoardRecall[]> {
  const ids = await boardRecallIds(board, lot, options);
  const at = overrides(options);
  try {
    // The board named these ids: each exists.
    return await Promise.all(ids.map(async (id) => decodeRecall(id, await board.getRecall(id, at))));
  } catch (cause) {
    throw unavailable(`the recalls of lot ${lot.lot} of GTIN ${lot.gtin}`, cause);
  }
}
