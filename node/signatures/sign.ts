// Electronic signatures in the 21 CFR Part 11 manner: the signer re-enters
// their credentials, states the meaning of the signature, and the signature is
// bound to the exact version of the record through the SHA-256 of its SDK
// canonical JSON. signRecord runs inside the caller's write transaction, so
// the signature row commits with the change it signs, or not at all.
// Guessing is bounded: after SIGNATURE_MAX_FAILURES refused attempts of one
// username within SIGNATURE_LOCK_WINDOW_MS, signing is refused (429
// signature-locked) until the oldest of them leaves the window. Each refused
// attempt is counted and audited after the refused write rolled back.
import { z } from '@hono/zod-openapi';
import { canonicalize, sha256, toHex } from '../../sdk';
import { recordAudit } from '../auth/auditTrail';
import { verifyPassword } from '../auth/passwords';
import { isRole, type Role } from '../auth/roles';
import type { Sql, Tx } from '../db';
import { ProblemError } from '../http/problem';
import type { AfterRollback } from '../http/writes';

export const SIGNATURE_MAX_FAILURES = 5;
export const SIGNATURE_LOCK_WINDOW_MS = 15 * 60 * 1000;

/** A refused signature (wrong credentials): 401, then counted and audited once the write rolled back. */
class SignatureRefused extends ProblemError implements AfterRollback {
  constructor(private readonly attempt: { username: string; meaning: string; entity: string; entityId: string }) {
    super(401, 'signature-invalid', 'Signature invalid', 'the signature credentials are wrong: re-enter your password to sign', {
      field: 'signature.password',
    });
  }

  async afterRollback(sql: Sql, request: { requestId: string }): Promise<void> {
    const { username, meaning, entity, entityId } = this.attempt;
    const { requestId } = request;
    await sql.begin(async (tx) => {
      await tx`insert into signature_failures (username, request_id) values (${username}, ${requestId ?? null})`;
      await recordAudit(tx, {
        actor: username,
        action: 'signature.fail',
        entity: 'user',
        entityId: username,
        after: { meaning, entity, entityId },
        requestId,
      });
    });
  }
}

/** 429 while `username` has SIGNATURE_MAX_FAILURES refused attempts inside the window. */
async function assertNotLocked(tx: Tx, username: string, field: string): Promise<void> {
  const windowSeconds = SIGNATURE_LOCK_WINDOW_MS / 1000;
  const [row] = await tx<{ failures: number; unlock_in: number | null }[]>`
    select count(*)::int as failures,
      ceil(extract(epoch from (min(failed_at) + make_interval(secs => ${windowSeconds}) - now())))::int as unlock_in
    from (
      select failed_at from signature_failures
      where username = ${username} and failed_at > now() - make_interval(secs => ${windowSeconds})
      order by failed_at desc limit ${SIGNATURE_MAX_FAILURES}
    ) recent`;
  if (row.failures >= SIGNATURE_MAX_FAILURES) {
    const retryAfterSeconds = Math.max(1, row.unlock_in ?? 1);
    throw new ProblemError(
      429,
      'signature-locked',
      'Signing locked',
      `${SIGNATURE_MAX_FAILURES} signature attempts of ${username} failed within ${windowSeconds / 60} minutes; signing is locked for ${retryAfterSeconds} more seconds`,
      { field, retryAfterSeconds },
    );
  }
}

/** The meanings a signature may state (the signatures table's check constraint). */
export const SIGNATURE_MEANINGS = ['approved', 'released', 'reviewed', 'rejected', 'closed', 'issued', 'verified', 'recalled'] as const;
export type SignatureMeaning = (typeof SIGNATURE_MEANINGS)[number];

/** The `signature` member of a request body that needs an e-signature. */
export const signatureSchema = z
  .strictObject({
    username: z.string().min(1).max(64).openapi({ description: 'the signer: must be the authenticated user', example: 'qa' }),
    password: z.string().min(1).max(1000).openapi({ description: "the signer's password, re-entered for this signature" }),
    meaning: z.enum(SIGNATURE_MEANINGS, `must be one of ${SIGNATURE_MEANINGS.join(', ')}`).openapi({ example: 'released' }),
  })
  .openapi('SignatureInput', { description: 'An electronic signature: the signer re-enters credentials and states a meaning' });

export type SignatureInput = z.infer<typeof signatureSchema>;

export const SignatureSchema = z
  .object({
    id: z.number().int(),
    signer: z.string(),
    meaning: z.enum(SIGNATURE_MEANINGS),
    entity: z.string(),
    entityId: z.string(),
    recordSha256: z.string().openapi({ description: 'SHA-256 of the canonical JSON of the signed record version' }),
    reason: z.string().nullable(),
    signedAt: z.string(),
  })
  .openapi('Signature');

export type Signature = z.infer<typeof SignatureSchema>;

export interface SignTarget {
  /** What is signed: `lot`, `capa`, `deviation`, … */
  entity: string;
  entityId: string;
  /** The exact record version signed: its canonical JSON is hashed (JSON form: Dates become ISO strings, undefined keys dropped). */
  record: unknown;
  /** The authenticated user making the request: the only one who may sign it. */
  actor: string;
  /** Roles any of which the signer must hold (e.g. ACCESS.changeLotStatus). */
  allowedRoles: readonly Role[];
  /** When set, the meanings this signature may state (release needs `released`). */
  meanings?: readonly SignatureMeaning[];
}

/** SHA-256 (0x hex) of the SDK canonical JSON of `record` in its JSON form. */
export function recordSha256(record: unknown): string {
  const json = JSON.parse(JSON.stringify(record ?? null)) as unknown;
  return toHex(sha256(canonicalize(json)));
}

/** What a ledger event carries of a signature: `medtrace:signature`. */
export function signatureEventExtension(signature: Pick<Signature, 'meaning' | 'recordSha256'>): { meaning: string; recordSha256: string } {
  return { meaning: signature.meaning, recordSha256: signature.recordSha256 };
}

interface SignatureRow {
  id: string | number;
  signer: string;
  meaning: SignatureMeaning;
  entity: string;
  entity_id: string;
  record_sha256: string;
  reason: string | null;
  signed_at: Date;
}

function toSignature(row: SignatureRow): Signature {
  return {
    id: Number(row.id),
    signer: row.signer,
    meaning: row.meaning,
    entity: row.entity,
    entityId: row.entity_id,
    recordSha256: row.record_sha256,
    reason: row.reason,
    signedAt: row.signed_at.toISOString(),
  };
}

const COLUMNS = 'id, signer, meaning, entity, entity_id, record_sha256, reason, signed_at';

/**
 * Checks the signer and records the signature of `target.record`:
 * - the signer must be the authenticated user (`actor`), else 403 `signature-signer-mismatch`;
 * - the password is re-checked against the signer's stored hash (a disabled or unknown
 *   account, or a wrong password, is 401 `signature-invalid`);
 * - the signer must hold one of `allowedRoles`, else 403 `signature-role-missing`;
 * - the meaning must be one of `target.meanings` when given, else 422 `signature-meaning`.
 * Problems name the field `signature.<member>`. Returns the stored signature.
 */
export async function signRecord(tx: Tx, input: SignatureInput & { reason?: string }, target: SignTarget): Promise<Signature> {
  if (input.username !== target.actor) {
    throw new ProblemError(
      403,
      'signature-signer-mismatch',
      'Signature refused',
      `a signature must be made by the signed-in user ${target.actor}, not ${input.username}`,
      { field: 'signature.username' },
    );
  }
  await assertNotLocked(tx, input.username, 'signature.username');
  const [user] = await tx<{ password_hash: string; roles: string[] }[]>`
    select u.password_hash, coalesce(array_agg(r.role) filter (where r.role is not null), '{}') as roles
    from users u left join user_roles r on r.user_id = u.id
    where u.username = ${input.username} and not u.disabled
    group by u.id`;
  if (!user || !(await verifyPassword(input.password, user.password_hash))) {
    throw new SignatureRefused({ username: input.username, meaning: input.meaning, entity: target.entity, entityId: target.entityId });
  }
  const roles = user.roles.filter(isRole);
  if (!roles.some((role) => target.allowedRoles.includes(role))) {
    throw new ProblemError(
      403,
      'signature-role-missing',
      'Signature refused',
      `signing ${target.entity} ${target.entityId} needs one of the roles ${target.allowedRoles.join(', ')}; ${input.username} has ${roles.join(', ') || 'none'}`,
      { field: 'signature.username', requiredRoles: target.allowedRoles },
    );
  }
  if (target.meanings && !target.meanings.includes(input.meaning)) {
    throw new ProblemError(
      422,
      'signature-meaning',
      'Wrong signature meaning',
      `this signature must mean ${target.meanings.join(' or ')}, not ${input.meaning}`,
      { field: 'signature.meaning' },
    );
  }
  const hash = recordSha256(target.record);
  const [row] = await tx<SignatureRow[]>`
    insert into signatures (signer, meaning, entity, entity_id, record_sha256, reason)
    values (${input.username}, ${input.meaning}, ${target.entity}, ${target.entityId}, ${hash}, ${input.reason ?? null})
    returning ${tx.unsafe(COLUMNS)}`;
  return toSignature(row);
}

export async function findSignature(sql: Sql | Tx, id: number): Promise<Signature | undefined> {
  const [row] = await sql<SignatureRow[]>`select ${sql.unsafe(COLUMNS)} from signatures where id = ${id}`;
  return row && toSignature(row);
}

/** The signatures of one record, oldest first. */
export async function listSignatures(sql: Sql | Tx, entity: string, entityId: string): Promise<Signature[]> {
  const rows = await sql<SignatureRow[]>`
    select ${sql.unsafe(COLUMNS)} from signatures where entity = ${entity} and entity_id = ${entityId} order by id`;
  return rows.map(toSignature);
}
