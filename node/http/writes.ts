// Every API write goes through performWrite: one transaction holding the
// business rows, the ledger event, the audit trail entry and the stored
// Idempotency-Key response, so they commit together or not at all.
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { recordAudit, type AuditEntry } from '../auth/auditTrail';
import type { Sql, Tx } from '../db';
import type { AppEnv } from './env';
import { ProblemError, problems } from './problem';

const KEY_RE = /^[\x21-\x7e]{1,255}$/;

export interface WriteScope {
  tx: Tx;
  actor: string;
  /** Why: the `X-Reason` header, else the body's `reason`. */
  reason?: string;
  requestId: string;
  /** Adds an audit trail entry (actor, reason and request id filled in). */
  audit(entry: Omit<AuditEntry, 'actor' | 'reason' | 'requestId'>): Promise<void>;
}

export interface WriteResult<T> {
  status: 200 | 201;
  body: T;
}

export interface WriteOptions<T> {
  /**
   * What an Idempotency-Key keeps of the response for a replay (default: all of it). A
   * response carrying a secret shown only once (a bearer token) keeps it out of the database.
   */
  storedResponse?: (body: T) => unknown;
}

// Thrown inside the transaction when another request already holds the key.
class KeyTaken extends Error {}

/**
 * An error with work to do after its write rolled back, on its own connection: what must
 * outlive the refusal (a failed e-signature attempt is counted and audited even though the
 * write it was meant for never happened).
 */
export interface AfterRollback {
  afterRollback(sql: Sql, request: { actor: string; requestId: string }): Promise<void>;
}

function hasAfterRollback(error: unknown): error is AfterRollback {
  return typeof error === 'object' && error !== null && typeof (error as Partial<AfterRollback>).afterRollback === 'function';
}

/**
 * Runs `work` in one transaction for the authenticated user. With an
 * `Idempotency-Key` header, a repeat of the same request (method, path, body)
 * gets the stored response back (`Idempotent-Replayed: true`) and writes
 * nothing; the same key with a different request is a 422 problem.
 */
export async function performWrite<T>(
  c: Context<AppEnv>,
  sql: Sql,
  request: unknown,
  work: (scope: WriteScope) => Promise<WriteResult<T>>,
  options: WriteOptions<T> = {},
): Promise<WriteResult<T>> {
  const actor = c.get('user').username;
  const requestId = c.get('requestId');
  const reason = readReason(c, request);
  const key = c.req.header('idempotency-key');
  if (key !== undefined && !KEY_RE.test(key)) {
    throw problems.badRequest('Idempotency-Key must be 1-255 visible ASCII characters', 'Idempotency-Key');
  }
  const fingerprint = key === undefined ? '' : requestFingerprint(c.req.method, c.req.path, request);

  if (key !== undefined) {
    const replay = await storedResponse<T>(c, sql, actor, key, fingerprint);
    if (replay) return replay;
  }

  try {
    return await sql.begin(async (tx) => {
      if (key !== undefined) {
        // Taking the key first: a concurrent twin waits here and then finds it taken.
        const claimed = await tx`
          insert into idempotency_keys (actor, key, method, path, request_sha256)
          values (${actor}, ${key}, ${c.req.method}, ${c.req.path}, ${fingerprint})
          on conflict (actor, key) do nothing
          returning key`;
        if (claimed.length === 0) throw new KeyTaken();
      }
      const scope: WriteScope = {
        tx,
        actor,
        reason,
        requestId,
        audit: (entry) => recordAudit(tx, { ...entry, actor, reason, requestId }),
      };
      const result = await work(scope);
      if (key !== undefined) {
        await tx`
          update idempotency_keys set status = ${result.status}, response = ${tx.json((options.storedResponse ? options.storedResponse(result.body) : result.body) as never)}
          where actor = ${actor} and key = ${key}`;
      }
      return result;
    }) as WriteResult<T>;
  } catch (error) {
    if (hasAfterRollback(error)) await error.afterRollback(sql, { actor, requestId });
    if (!(error instanceof KeyTaken) || key === undefined) throw error;
    const replay = await storedResponse<T>(c, sql, actor, key, fingerprint);
    if (replay) return replay;
    throw problems.conflict('idempotency-key-in-use', 'a request with this Idempotency-Key is still being processed', {
      field: 'Idempotency-Key',
    });
  }
}

async function storedResponse<T>(
  c: Context<AppEnv>,
  sql: Sql,
  actor: string,
  key: string,
  fingerprint: string,
): Promise<WriteResult<T> | undefined> {
  const [row] = await sql<{ request_sha256: string; status: number | null; response: T | null }[]>`
    select request_sha256, status, response from idempotency_keys where actor = ${actor} and key = ${key}`;
  if (!row) return undefined;
  if (row.request_sha256 !== fingerprint) {
    throw new ProblemError(
      422,
      'idempotency-key-reused',
      'Idempotency-Key reused',
      'this Idempotency-Key was already used with a different request; use a new key for a new request',
      { field: 'Idempotency-Key' },
    );
  }
  if (row.status === null) return undefined;
  c.header('idempotent-replayed', 'true');
  return { status: row.status as 200 | 201, body: row.response as T };
}

function requestFingerprint(method: string, path: string, request: unknown): string {
  // The validated request: its keys come out in schema order, so equal requests hash equally.
  const text = `${method} ${path}\n${JSON.stringify(request ?? null)}`;
  return '0x' + createHash('sha256').update(text).digest('hex');
}

function readReason(c: Context, request: unknown): string | undefined {
  const header = c.req.header('x-reason');
  if (header !== undefined && header.trim() !== '') return header.trim().slice(0, 1000);
  const fromBody = (request as { reason?: unknown } | null)?.reason;
  return typeof fromBody === 'string' && fromBody.trim() !== '' ? fromBody.trim() : undefined;
}
