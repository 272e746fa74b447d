// The audit trail's hash chain (migration 0009): verification from the rows,
// and the checkpoint that puts the chain's head into the ledger, so the
// anchored ledger commits to the trail.
//
//   entry digest  = sha256(canonical(auditEntryRecord(row)))       (SDK, RFC 8785)
//   hash(n)       = sha256(hash(n - 1) ‖ entry digest(n)), hash(0) = ZERO_HASH
//   checkpoint    = ledger event `medtrace:auditCheckpoint` { chainSeq, hash, auditId }
import { ZERO_HASH, type EpcisEvent } from '../../sdk';
import { auditChainHash, auditEntryDigest, auditEntryRecord } from '../auth/auditTrail';
import type { Sql } from '../db';
import { appendEvent, type LedgerContext } from '../ledger/append';
import type { Logger } from '../http/logger';

export const AUDIT_CHECKPOINT_BIZSTEP = 'urn:medtrace:bizstep:audit_checkpoint';
export const AUDIT_CHECKPOINT_KEY = 'medtrace:auditCheckpoint';

export type ChainProblem =
  | 'entry-altered'
  | 'entry-missing'
  | 'link-broken'
  | 'hash-mismatch'
  | 'seq-gap'
  | 'head-mismatch'
  | 'unchained-entry'
  | 'checkpoint-mismatch';

export interface ChainFailure {
  problem: ChainProblem;
  chainSeq?: number;
  auditId?: number;
  ledgerSeq?: number;
  detail: string;
}

export interface ChainVerification {
  valid: boolean;
  /** Entries in the chain (checked one by one). */
  entries: number;
  head: { chainSeq: number; hash: string; auditId: number | null };
  /** Entries written before the chain existed (migration 0009), outside it. */
  legacyEntries: number;
  /** Ledger checkpoints compared with the recomputed chain. */
  checkpoints: {
    checked: number;
    lastLedgerSeq: number | null;
    lastChainSeq: number | null;
    /** The last chain position whose checkpoint is anchored on chain: entries up to it cannot change unnoticed. */
    anchoredChainSeq: number | null;
  };
  /** The first failures found (at most 50), in chain order. */
  failures: ChainFailure[];
}

const BATCH = 2000;
const MAX_FAILURES = 50;

interface ChainRow {
  chain_seq: number;
  audit_id: number;
  chain_entry: string;
  prev_hash: string;
  hash: string;
  id: number | null;
  at: Date | null;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  request_id: string | null;
  ledger_seq: number | null;
  entry_sha256: string | null;
}

/**
 * Recomputes the whole chain from the audit rows: each entry's digest, each
 * link, the head, that every entry since the chain began is in it, and that
 * every checkpoint in the ledger matches the recomputed hash at its position.
 */
export async function verifyAuditChain(sql: Sql, participant: string): Promise<ChainVerification> {
  const failures: ChainFailure[] = [];
  const fail = (failure: ChainFailure) => {
    if (failures.length < MAX_FAILURES) failures.push(failure);
  };
  const [head] = await sql<{ chain_seq: number; hash: string; audit_id: number | null; legacy_max_id: number }[]>`
    select chain_seq, hash, audit_id, legacy_max_id from audit_chain_head`;

  // The ledger's checkpoints (the ledger event is the authority, not the index table).
  const checkpointRows = await sql<{ ledger_seq: number; checkpoint: { chainSeq: number; hash: string; auditId: number } | null }[]>`
    select e.seq as ledger_seq, e.envelope -> 'event' -> ${AUDIT_CHECKPOINT_KEY} as checkpoint
    from audit_checkpoints k
    left join ledger_events e on e.participant = ${participant} and e.seq = k.ledger_seq
    order by k.chain_seq`;
  const checkpoints = new Map<number, { ledgerSeq: number; hash: string; auditId: number }>();
  for (const row of checkpointRows) {
    if (!row.checkpoint) {
      fail({ problem: 'checkpoint-mismatch', ledgerSeq: row.ledger_seq ?? undefined, detail: 'a recorded checkpoint has no matching ledger event' });
      continue;
    }
    checkpoints.set(Number(row.checkpoint.chainSeq), { ledgerSeq: row.ledger_seq, hash: row.checkpoint.hash, auditId: Number(row.checkpoint.auditId) });
  }

  let prev = ZERO_HASH;
  let expectedSeq = 1;
  let entries = 0;
  let checked = 0;
  let lastCheckpoint: { ledgerSeq: number; chainSeq: number } | null = null;
  for (;;) {
    const rows = await sql<ChainRow[]>`
      select c.chain_seq, c.audit_id, c.entry_sha256 as chain_entry, c.prev_hash, c.hash,
             a.id, a.at, a.actor, a.action, a.entity, a.entity_id, a.before, a.after, a.reason, a.request_id, a.ledger_seq, a.entry_sha256
      from audit_chain c left join audit_trail a on a.id = c.audit_id
      where c.chain_seq >= ${expectedSeq}
      order by c.chain_seq
      limit ${BATCH}`;
    for (const row of rows) {
      const at = { chainSeq: row.chain_seq, auditId: row.audit_id };
      if (row.chain_seq !== expectedSeq) {
        fail({ problem: 'seq-gap', ...at, detail: `chain position ${expectedSeq} is missing (next is ${row.chain_seq})` });
      }
      if (row.prev_hash !== prev) fail({ problem: 'link-broken', ...at, detail: `prev_hash does not equal the hash of the entry before` });
      if (row.id === null) {
        fail({ problem: 'entry-missing', ...at, detail: `audit entry ${row.audit_id} is gone` });
      } else {
        const digest = auditEntryDigest(
          auditEntryRecord({
            at: row.at!,
            actor: row.actor,
            action: row.action,
            entity: row.entity,
            entityId: row.entity_id,
            before: row.before,
            after: row.after,
            reason: row.reason,
            requestId: row.request_id,
            ledgerSeq: row.ledger_seq,
          }),
        );
        if (digest !== row.chain_entry || row.entry_sha256 !== row.chain_entry) {
          fail({ problem: 'entry-altered', ...at, detail: `audit entry ${row.audit_id} (${row.action} ${row.entity} ${row.entity_id}) differs from what was chained` });
        }
      }
      const recomputed = auditChainHash(prev, row.chain_entry);
      if (recomputed !== row.hash) fail({ problem: 'hash-mismatch', ...at, detail: `the stored hash is not sha256(prev ‖ entry)` });
      // Continue from the recomputed value: everything after a bad link stays suspect.
      prev = recomputed;
      const checkpoint = checkpoints.get(row.chain_seq);
      if (checkpoint) {
        checked++;
        lastCheckpoint = { ledgerSeq: checkpoint.ledgerSeq, chainSeq: row.chain_seq };
        if (checkpoint.hash !== recomputed || checkpoint.auditId !== row.audit_id) {
          fail({
            problem: 'checkpoint-mismatch',
            ...at,
            ledgerSeq: checkpoint.ledgerSeq,
            detail: `the ledger checkpoint at seq ${checkpoint.ledgerSeq} committed to another hash at chain position ${row.chain_seq}`,
          });
        }
      }
      expectedSeq = row.chain_seq + 1;
      entries++;
    }
    if (rows.length < BATCH) break;
  }
  for (const [chainSeq, checkpoint] of checkpoints) {
    if (chainSeq >= expectedSeq) {
      fail({ problem: 'checkpoint-mismatch', chainSeq, ledgerSeq: checkpoint.ledgerSeq, detail: `the ledger checkpoint at seq ${checkpoint.ledgerSeq} names chain position ${chainSeq}, beyond the chain` });
    }
  }
  if (head.chain_seq !== expectedSeq - 1 || head.hash !== prev) {
    fail({ problem: 'head-mismatch', chainSeq: head.chain_seq, detail: `the head (${head.chain_seq}, ${head.hash}) is not the end of the recomputed chain (${expectedSeq - 1}, ${prev})` });
  }

  // Every entry written since the chain began must be in it.
  const unchained = await sql<{ id: number }[]>`
    select a.id from audit_trail a
    where a.id > ${head.legacy_max_id} and not exists (select 1 from audit_chain c where c.audit_id = a.id)
    order by a.id limit ${MAX_FAILURES}`;
  for (const row of unchained) fail({ problem: 'unchained-entry', auditId: row.id, detail: `audit entry ${row.id} is not in the chain` });
  const [legacy] = await sql<{ n: number }[]>`select count(*)::int as n from audit_trail where id <= ${head.legacy_max_id}`;
  const [anchored] = await sql<{ to_seq: number | null }[]>`select max(to_seq) as to_seq from anchor_batches where participant = ${participant}`;
  let anchoredChainSeq: number | null = null;
  for (const [chainSeq, checkpoint] of checkpoints) {
    if (anchored.to_seq !== null && checkpoint.ledgerSeq <= anchored.to_seq && chainSeq < expectedSeq) anchoredChainSeq = Math.max(anchoredChainSeq ?? 0, chainSeq);
  }

  return {
    valid: failures.length === 0,
    entries,
    head: { chainSeq: head.chain_seq, hash: head.hash, auditId: head.audit_id },
    legacyEntries: legacy.n,
    checkpoints: { checked, lastLedgerSeq: lastCheckpoint?.ledgerSeq ?? null, lastChainSeq: lastCheckpoint?.chainSeq ?? null, anchoredChainSeq },
    failures,
  };
}

export interface AuditCheckpoint {
  chainSeq: number;
  hash: string;
  auditId: number;
  ledgerSeq: number;
}

/** The checkpoint ledger event of a chain head. */
export function auditCheckpointEvent(head: { chainSeq: number; hash: string; auditId: number }, time: { eventTime: string; eventTimeZoneOffset: string }): EpcisEvent {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: AUDIT_CHECKPOINT_BIZSTEP,
    eventTime: time.eventTime,
    eventTimeZoneOffset: time.eventTimeZoneOffset,
    [AUDIT_CHECKPOINT_KEY]: { chainSeq: head.chainSeq, hash: head.hash, auditId: head.auditId },
  };
}

class AlreadyCheckpointed extends Error {}

/**
 * Appends a `medtrace:auditCheckpoint` event with the chain's head when the
 * trail moved since the last checkpoint; undefined when there was nothing new.
 * Not itself audited (it would move the trail it records).
 */
export async function appendAuditCheckpoint(sql: Sql, ledger: LedgerContext & { eventTimeZoneOffset: string }): Promise<AuditCheckpoint | undefined> {
  try {
    return await sql.begin(async (tx) => {
      const [head] = await tx<{ chain_seq: number; hash: string; audit_id: number | null }[]>`select chain_seq, hash, audit_id from audit_chain_head`;
      const [last] = await tx<{ chain_seq: number }[]>`select coalesce(max(chain_seq), 0) as chain_seq from audit_checkpoints`;
      if (head.chain_seq === 0 || head.audit_id === null || last.chain_seq >= head.chain_seq) return undefined;
      const checkpoint = { chainSeq: head.chain_seq, hash: head.hash, auditId: head.audit_id };
      const event = auditCheckpointEvent(checkpoint, { eventTime: new Date().toISOString(), eventTimeZoneOffset: ledger.eventTimeZoneOffset });
      const { seq } = await appendEvent(tx, ledger, event);
      const inserted = await tx`
        insert into audit_checkpoints (chain_seq, hash, audit_id, ledger_seq)
        values (${checkpoint.chainSeq}, ${checkpoint.hash}, ${checkpoint.auditId}, ${seq})
        on conflict do nothing returning chain_seq`;
      // Another process checkpointed this head meanwhile: drop ours (and its event).
      if (inserted.length === 0) throw new AlreadyCheckpointed();
      return { ...checkpoint, ledgerSeq: seq };
    });
  } catch (error) {
    if (error instanceof AlreadyCheckpointed) return undefined;
    throw error;
  }
}

export interface AuditCheckpointJob {
  /** One checkpoint now (what the timer does). */
  runOnce(): Promise<AuditCheckpoint | undefined>;
  stop(): Promise<void>;
}

/** Checkpoints the trail every `intervalMs` (default 60 s) while it moves. */
export function startAuditCheckpoints(
  sql: Sql,
  ledger: LedgerContext & { eventTimeZoneOffset: string },
  options: { intervalMs?: number; log?: Logger } = {},
): AuditCheckpointJob {
  const intervalMs = options.intervalMs ?? 60_000;
  const log = options.log?.child({ component: 'audit-checkpoints' });
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const runOnce = async () => {
    const checkpoint = await appendAuditCheckpoint(sql, ledger);
    if (checkpoint) log?.debug('audit trail checkpointed', { ...checkpoint });
    return checkpoint;
  };
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = runOnce()
      .catch((error: unknown) => log?.warn('audit checkpoint failed; retrying next round', { error }))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
