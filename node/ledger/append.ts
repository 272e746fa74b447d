// Appends one event to the participant's ledger (DESIGN 4.1-4.3) inside the
// caller's transaction, so a business row and its event commit together or not at all.
import { randomBytes } from 'node:crypto';
import { envelopeCanonicalBytes, eventLeaf, replaceUnitSets, toHex, ZERO_HASH } from '../../sdk';
import type { EpcisEvent, LedgerEnvelope } from '../../sdk';
import type { Tx } from '../db';

export interface LedgerContext {
  /** Lowercase 0x address of the participant's chain key. */
  participant: string;
  chainId: number;
}

export interface AppendedEvent {
  seq: number;
  /** 0x leaf hash of the event (DESIGN 4.3). */
  leaf: string;
}

const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

/**
 * Records `event` as the participant's next ledger entry: replaces its unit sets by
 * `{ count, root }` (the sorted URIs are kept beside it for unit proofs), draws a fresh
 * 32-byte salt, and takes the next seq under a row lock on the participant's ledger head,
 * which keeps seq gapless and `prev` chained whatever the concurrency. Runs entirely in `tx`.
 */
export async function appendEvent(tx: Tx, ctx: LedgerContext, event: EpcisEvent): Promise<AppendedEvent> {
  const participant = ctx.participant.toLowerCase();
  if (!ADDRESS_RE.test(participant)) throw new Error(`appendEvent: participant must be a 0x address, got ${ctx.participant}`);
  if (!Number.isSafeInteger(ctx.chainId) || ctx.chainId <= 0) throw new Error(`appendEvent: bad chainId ${ctx.chainId}`);

  // Hash the unit sets before taking the lock: big sets (100,000 URIs) cost
  // tens of milliseconds and must not serialise other writers.
  const { event: hashedEvent, sets } = replaceUnitSets(event);
  const salt = new Uint8Array(randomBytes(32));

  const head = await lockHead(tx, participant);
  const seq = head.seq + 1;
  const envelope: LedgerEnvelope = { participant, chainId: ctx.chainId, seq, prev: head.leaf, event: hashedEvent };
  const canonical = envelopeCanonicalBytes(envelope);
  const leaf = toHex(eventLeaf(envelope, salt));
  const saltHex = toHex(salt);

  await tx`
    insert into ledger_events (participant, seq, envelope, canonical, salt, leaf, prev)
    values (${participant}, ${seq}, ${tx.json(envelope as never)}, ${Buffer.from(canonical)}, ${saltHex}, ${leaf}, ${head.leaf})`;
  for (const [field, set] of Object.entries(sets)) {
    if (!set) continue;
    await tx`
      insert into ledger_unit_sets (participant, seq, field, count, root, uris)
      values (${participant}, ${seq}, ${field}, ${set.count}, ${set.root}, ${tx.array(set.sortedUris)})`;
  }
  await tx`update ledger_heads set seq = ${seq}, leaf = ${leaf}, updated_at = now() where participant = ${participant}`;
  return { seq, leaf };
}

interface HeadRow {
  seq: string;
  leaf: string;
}

/** Locks (creating it on first use) the participant's head row for the rest of `tx`. */
async function lockHead(tx: Tx, participant: string): Promise<{ seq: number; leaf: string }> {
  let rows = await tx<HeadRow[]>`select seq, leaf from ledger_heads where participant = ${participant} for update`;
  if (rows.length === 0) {
    // Concurrent first writers: one inserts, the others wait on the key and do nothing.
    await tx`insert into ledger_heads (participant, seq, leaf) values (${participant}, 0, ${ZERO_HASH}) on conflict do nothing`;
    rows = await tx<HeadRow[]>`select seq, leaf from ledger_heads where participant = ${participant} for update`;
  }
  return { seq: Number(rows[0].seq), leaf: rows[0].leaf };
}
