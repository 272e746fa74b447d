// Ledger envelopes (DESIGN 4.1, 4.3): how one participant's event is wrapped,
// canonicalized and turned into the leaf hash that gets anchored.
import { canonicalize } from './canonical';
import { MedtraceError } from './errors';
import { hashFn, type HashOptions } from './hash';
import { fromHex, isHash32 } from './hex';
import { isUnitSetRef, UNIT_SET_FIELDS, type UnitSetRef } from './unitSet';

export const ZERO_HASH = '0x0000000000000000000000000000000000000000000000000000000000000000';
export const SALT_LENGTH = 32;

export interface QuantityElement {
  epcClass: string;
  quantity?: number;
  uom?: string;
}

/**
 * An EPCIS 2.0 event as medtrace records it (loose: EPCIS has many optional
 * fields). Unit lists are arrays of EPC URIs before replaceUnitSets and
 * `{ count, root }` after; extensions use the `medtrace:` prefix.
 */
export interface EpcisEvent {
  type: string;
  action?: string;
  bizStep?: string;
  disposition?: string;
  eventTime: string;
  eventTimeZoneOffset: string;
  epcList?: string[] | UnitSetRef;
  childEPCs?: string[] | UnitSetRef;
  inputEPCList?: string[] | UnitSetRef;
  outputEPCList?: string[] | UnitSetRef;
  parentID?: string;
  quantityList?: QuantityElement[];
  bizLocation?: { id: string };
  readPoint?: { id: string };
  [key: string]: unknown;
}

export interface LedgerEnvelope {
  /** Lowercase 0x address of the participant's chain key. */
  participant: string;
  chainId: number;
  /** 1, 2, 3… without gaps. */
  seq: number;
  /** Leaf hash of seq - 1; ZERO_HASH for seq 1. */
  prev: string;
  event: EpcisEvent;
}

const ENVELOPE_KEYS = ['chainId', 'event', 'participant', 'prev', 'seq'];
const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

function invalid(field: string, message: string): never {
  throw new MedtraceError('INVALID_INPUT', `${field} ${message}`, { field });
}

/** Checks the envelope's shape (DESIGN 4.1); throws INVALID_INPUT naming the field. */
export function assertEnvelope(envelope: unknown): asserts envelope is LedgerEnvelope {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) invalid('envelope', 'must be an object');
  const e = envelope as Record<string, unknown>;
  const keys = Object.keys(e).sort();
  if (keys.join() !== ENVELOPE_KEYS.join()) invalid('envelope', `must have exactly the keys ${ENVELOPE_KEYS.join(', ')}`);
  if (typeof e.participant !== 'string' || !ADDRESS_RE.test(e.participant)) {
    invalid('envelope.participant', 'must be a lowercase 0x-prefixed 20-byte address');
  }
  if (typeof e.chainId !== 'number' || !Number.isSafeInteger(e.chainId) || e.chainId < 1) {
    invalid('envelope.chainId', 'must be a positive integer');
  }
  if (typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq) || e.seq < 1) invalid('envelope.seq', 'must be an integer >= 1');
  if (!isHash32(e.prev)) invalid('envelope.prev', 'must be a lowercase 0x-prefixed 32-byte hash');
  if (e.seq === 1 && e.prev !== ZERO_HASH) invalid('envelope.prev', 'must be the zero hash for seq 1');
  const event = e.event;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) invalid('envelope.event', 'must be an object');
  const ev = event as Record<string, unknown>;
  if (typeof ev.type !== 'string' || ev.type.length === 0) invalid('envelope.event.type', 'must be a non-empty string');
  for (const field of UNIT_SET_FIELDS) {
    const value = ev[field];
    if (value === undefined) continue;
    if (Array.isArray(value)) invalid(`envelope.event.${field}`, 'is still a list: replace unit sets before hashing');
    if (!isUnitSetRef(value)) invalid(`envelope.event.${field}`, 'must be { count, root }');
  }
}

/** RFC 8785 bytes of a checked envelope (unit sets already replaced). */
export function envelopeCanonicalBytes(envelope: LedgerEnvelope): Uint8Array {
  assertEnvelope(envelope);
  return canonicalize(envelope);
}

function saltBytes(salt: Uint8Array | string): Uint8Array {
  if (salt instanceof Uint8Array) {
    if (salt.length !== SALT_LENGTH) invalid('salt', `must be ${SALT_LENGTH} bytes`);
    return salt;
  }
  return fromHex(salt, SALT_LENGTH, 'salt');
}

/** The leaf hash of a ledger event: SHA-256(0x00 ‖ salt ‖ canonicalBytes(envelope)). */
export function eventLeaf(envelope: LedgerEnvelope, salt: Uint8Array | string, opts?: HashOptions): Uint8Array {
  const s = saltBytes(salt);
  const canonical = envelopeCanonicalBytes(envelope);
  const data = new Uint8Array(1 + s.length + canonical.length);
  data.set(s, 1);
  data.set(canonical, 1 + s.length);
  return hashFn(opts)(data);
}
