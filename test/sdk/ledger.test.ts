import { describe, expect, it } from 'vitest';
import {
  envelopeCanonicalBytes,
  eventLeaf,
  fromHex,
  inclusionProof,
  isMedtraceError,
  merkleRoot,
  sha256,
  toHex,
  utf8,
  ZERO_HASH,
  type LedgerEnvelope,
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

const events = vectors.events as unknown as { envelope: LedgerEnvelope; salt: string; canonical: string; leaf: string }[];
const envelope3 = events[2].envelope;

describe('ledger envelopes', () => {
  it('reproduces the salts, canonical bytes and leaves of every vector event', () => {
    for (const e of events) {
      expect(e.salt).toBe(toHex(sha256(utf8(`salt ${e.envelope.seq}`))));
      expect(envelopeCanonicalBytes(e.envelope)).toEqual(utf8(e.canonical));
      expect(toHex(eventLeaf(e.envelope, e.salt))).toBe(e.leaf);
      expect(toHex(eventLeaf(e.envelope, fromHex(e.salt)))).toBe(e.leaf);
    }
  });

  it('chains every vector event to the leaf of the one before', () => {
    expect(events[0].envelope.prev).toBe(ZERO_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i].envelope.prev).toBe(events[i - 1].leaf);
  });

  it('reproduces the vector batch root and the inclusion proof of seq 3', () => {
    const batch = events.filter((e) => e.envelope.seq >= vectors.batch.from && e.envelope.seq <= vectors.batch.to);
    const leaves = batch.map((e) => fromHex(e.leaf));
    expect(toHex(merkleRoot(leaves))).toBe(vectors.batch.root);
    expect(inclusionProof(leaves, 3 - vectors.batch.from)).toEqual(vectors.bundle.inclusion);
  });

  it('hashes 0x00 ‖ salt ‖ canonical bytes', () => {
    const data = new Uint8Array([0, ...fromHex(events[2].salt), ...utf8(events[2].canonical)]);
    expect(toHex(eventLeaf(envelope3, events[2].salt))).toBe(toHex(sha256(data)));
  });

  it('refuses an envelope whose unit set is still a list', () => {
    const e = structuredClone(envelope3);
    e.event.epcList = ['https://id.gs1.org/01/09506000134352/21/SN-0005'];
    expect(codeOf(() => eventLeaf(e, events[2].salt))).toBe('INVALID_INPUT');
  });

  it('refuses a malformed envelope, naming the field', () => {
    const bad: [string, (e: Record<string, unknown>) => void][] = [
      ['envelope.participant', (e) => (e.participant = '0x5B38Da6a701c568545dCfcB03FcB875f56beddC4')],
      ['envelope.participant', (e) => (e.participant = '0x1234')],
      ['envelope.chainId', (e) => (e.chainId = '31337')],
      ['envelope.chainId', (e) => (e.chainId = 1.5)],
      ['envelope.seq', (e) => (e.seq = 0)],
      ['envelope.seq', (e) => (e.seq = 2.5)],
      ['envelope.prev', (e) => (e.prev = '0x00')],
      ['envelope.prev', (e) => (e.prev = (e.prev as string).toUpperCase().replace('0X', '0x'))],
      ['envelope.event', (e) => (e.event = [])],
      ['envelope.event.type', (e) => delete (e.event as Record<string, unknown>).type],
      ['envelope.event.epcList', (e) => ((e.event as Record<string, unknown>).epcList = { count: 12 })],
      ['envelope', (e) => (e.extra = 1)],
      ['envelope', (e) => delete e.prev],
    ];
    for (const [field, mutate] of bad) {
      const e = structuredClone(envelope3) as unknown as Record<string, unknown>;
      mutate(e);
      try {
        eventLeaf(e as unknown as LedgerEnvelope, events[2].salt);
        expect.unreachable(field);
      } catch (err) {
        expect(isMedtraceError(err, 'INVALID_INPUT'), String(err)).toBe(true);
        expect((err as { field: string }).field).toBe(field);
      }
    }
  });

  it('requires the zero prev for seq 1', () => {
    const e = { ...events[0].envelope, prev: events[1].envelope.prev };
    expect(codeOf(() => eventLeaf(e, events[0].salt))).toBe('INVALID_INPUT');
  });

  it('requires a 32-byte salt', () => {
    expect(codeOf(() => eventLeaf(envelope3, '0x1234'))).toBe('INVALID_INPUT');
    expect(codeOf(() => eventLeaf(envelope3, new Uint8Array(31)))).toBe('INVALID_INPUT');
  });
});
