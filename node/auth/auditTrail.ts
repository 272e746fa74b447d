// The audit trail (21 CFR 11 / ISO 13485 style): who did what, when, to which
// record, from what to what, and why. Rows are append-only (a trigger refuses
// update and delete) and written in the same transaction as the change.
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

export async function recordAudit(tx: Tx | Sql, entry: AuditEntry): Promise<void> {
  await tx`
    insert into audit_trail (actor, action, entity, entity_id, before, after, reason, request_id, ledger_seq)
    values (${entry.actor}, ${entry.action}, ${entry.entity}, ${entry.entityId},
            ${entry.before === undefined ? null : tx.json(entry.before as never)},
            ${entry.after === undefined ? null : tx.json(entry.after as never)},
            ${entry.reason ?? null}, ${entry.requestId ?? null}, ${entry.ledgerSeq ?? null})`;
}
