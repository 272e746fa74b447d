// The audit trail (21 CFR 11 / ISO 13485 style): who did what, when, to which
// record, from what to what, and why. Rows are append-only (a trigger refuses
// update and delete) and written in the same transaction as the change.
//
// Hash chain (migration 0009): each entry carries entry_sha256, the SHA-256 of
// the SDK canonical JSON (RFC 8785) of `auditEntryRecord(entry)`; at commit a
// deferred trigger links it: hash = sha256(prev_hash ‖ entry_sha256). Anyone
// holding the rows can recompute both with the SDK (node/audit/trailChain.ts).
import { canonicalize, concatBytes, fromHex, sha256, toHex } from '../../sdk';
import type { Sql, Tx } from '../db';

export interface AuditEntry {
  actor: string;
  /** `entity.verb`, e.g. `lot.commission`. */
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
  requestId?: string;
  ledgerSeq?: number;
}

/** The hashed form of an entry, exactly as stored and read back (absent values are null). */
export interface AuditEntryRecord {
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  ledgerSeq: number | null;
}

/** The record whose canonical JSON an entry's digest is taken over. */
export function auditEntryRecord(row: {
  at: Date | string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  requestId?: string | null;
  ledgerSeq?: number | string | null;
}): AuditEntryRecord {
  return {
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    entityId: row.entityId,
    before: row.before ?? null,
    after: row.after ?? null,
    reason: row.reason ?? null,
    requestId: row.requestId ?? null,
    ledgerSeq: row.ledgerSeq === null || row.ledgerSeq === undefined ? null : Number(row.ledgerSeq),
  };
}

/** 0x SHA-256 of the canonical JSON of the entry record. */
export function auditEntryDigest(record: AuditEntryRecord): string {
  return toHex(sha256(canonicalize(record)));
}

/** The chain step: 0x sha256(prev ‖ entry digest), both 32-byte hashes. */
export function auditChainHash(prevHash: string, entryDigest: string): string {
  return toHex(sha256(concatBytes(fromHex(prevHash, 32), fromHex(entryDigest, 32))));
}

// JSON as jsonb will hold it: what JSON.stringify keeps (Dates as strings, no undefined).
function asStoredJson(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

export async function recordAudit(tx: Tx | Sql, entry: AuditEntry): Promise<void> {
  const before = asStoredJson(entry.before);
  const after = asStoredJson(entry.after);
  const at = new Date();
  const digest = auditEntryDigest(
    auditEntryRecord({ ...entry, at, before, after, reason: entry.reason ?? null, requestId: entry.requestId ?? null, ledgerSeq: entry.ledgerSeq ?? null }),
  );
  await tx`
    insert into audit_trail (at, actor, action, entity, entity_id, before, after, reason, request_id, ledger_seq, entry_sha256)
    values (${at}, ${entry.actor}, ${entry.action}, ${entry.entity}, ${entry.entityId},
            ${before === null ? null : tx.json(before as never)},
            ${after === null ? null : tx.json(after as never)},
            ${entry.reason ?? null}, ${entry.requestId ?? null}, ${entry.ledgerSeq ?? null}, ${digest})`;
}

/**
 * Many entries in few statements (bulk imports: one round trip per 1,000
 * entries instead of one each), written and chained in the order given.
 */
export async function recordAudits(tx: Tx | Sql, entries: readonly AuditEntry[]): Promise<void> {
  const at = new Date();
  const rows = entries.map((entry) => {
    const before = asStoredJson(entry.before);
    const after = asStoredJson(entry.after);
    const reason = entry.reason ?? null;
    const requestId = entry.requestId ?? null;
    const ledgerSeq = entry.ledgerSeq ?? null;
    const digest = auditEntryDigest(auditEntryRecord({ ...entry, at, before, after, reason, requestId, ledgerSeq }));
    return { actor: entry.actor, action: entry.action, entity: entry.entity, entity_id: entry.entityId, before, after, reason, request_id: requestId, ledger_seq: ledgerSeq, entry_sha256: digest };
  });
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await tx`
      insert into audit_trail (at, actor, action, entity, entity_id, before, after, reason, request_id, ledger_seq, entry_sha256)
      select ${at}, r.actor, r.action, r.entity, r.entity_id, r.before, r.after, r.reason, r.request_id, r.ledger_seq, r.entry_sha256
      from rows from (jsonb_to_recordset(${tx.json(chunk as never)}::jsonb)
        as (actor text, action text, entity text, entity_id text, before jsonb, after jsonb,
            reason text, request_id text, ledger_seq bigint, entry_sha256 text)) with ordinality
        as r(actor, action, entity, entity_id, before, after, reason, request_id, ledger_seq, entry_sha256, n)
      order by r.n`;
  }
}
