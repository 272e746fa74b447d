// The peer outbox: every message this node owes another node is a row of
// `peer_outbox`, written in the same transaction as the business fact it
// reports (a shipment, a reconciliation item, a recall notice), and delivered
// by one job: POST to the target's /peer/v1 path with a fresh peer token,
// retried with exponential backoff until the target answers 2xx, never again
// after that. Receivers deduplicate (a crash between their answer and our
// bookkeeping resends once). Rows are claimed with a short lease, so several
// processes sharing the database never deliver the same row at once.
//
// A shipment notice is enqueued without a body: it is built at delivery time,
// once the shipping event is anchored (its bundle cannot exist before), then
// stored in the row so every retry sends the same notice.
import type { NodeContext } from '../context';
import type { Sql, Tx } from '../db';
import type { Logger } from '../http/logger';
import { startPeriodic } from '../jobs/periodic';
import { peerFetch, PeerUnavailableError } from '../peers';
import { buildNotice, NOTICE_KIND, NOTICE_PATH } from './notice';

export interface PeerMessage {
  /** The receiving participant's address. */
  target: string;
  /** What the message is ('notice', 'reconciliation', 'recall-notice', 'recall-ack', …): [a-z][a-z0-9_-]*. */
  kind: string;
  /** Unique per kind: enqueueing the same (kind, ref) again is a no-op. */
  ref: string;
  /** The target's route, '/peer/v1/…'. */
  path: string;
  /** The JSON body POSTed. */
  body: unknown;
}

/**
 * Queues a message for another node, in the caller's transaction (so it is sent exactly when
 * the fact it reports is committed). Returns the row id and whether it was new.
 */
export async function enqueuePeerMessage(tx: Tx | Sql, message: PeerMessage): Promise<{ id: number; created: boolean }> {
  return enqueue(tx, { ...message, payload: message.body });
}

/**
 * Queues the notice of a shipment when its customer runs a node (partners.participant);
 * the notice itself is built when the shipping event is anchored. Returns whether one was queued.
 */
export async function enqueueShipmentNotice(tx: Tx | Sql, shipment: { shipmentId: number; customerId: number }): Promise<boolean> {
  const [partner] = await tx<{ participant: string | null }[]>`select participant from partners where id = ${shipment.customerId}`;
  if (!partner?.participant) return false;
  await enqueue(tx, { target: partner.participant, kind: NOTICE_KIND, ref: String(shipment.shipmentId), path: NOTICE_PATH, payload: null });
  return true;
}

async function enqueue(tx: Tx | Sql, message: Omit<PeerMessage, 'body'> & { payload: unknown }): Promise<{ id: number; created: boolean }> {
  const target = message.target.toLowerCase();
  if (!/^0x[0-9a-f]{40}$/.test(target)) throw new Error(`enqueuePeerMessage: target is not an address: ${message.target}`);
  if (!message.path.startsWith('/peer/v1/')) throw new Error(`enqueuePeerMessage: path must be under /peer/v1/: ${message.path}`);
  const payload = message.payload === null || message.payload === undefined ? null : tx.json(message.payload as never);
  const [row] = await tx<{ id: string }[]>`
    insert into peer_outbox (target, kind, ref, path, payload)
    values (${target}, ${message.kind}, ${message.ref}, ${message.path}, ${payload})
    on conflict (kind, ref) do nothing
    returning id`;
  if (row) return { id: Number(row.id), created: true };
  const [existing] = await tx<{ id: string }[]>`select id from peer_outbox where kind = ${message.kind} and ref = ${message.ref}`;
  return { id: Number(existing.id), created: false };
}

export type OutboxOutcome = 'delivered' | 'failed' | 'waiting';

export interface OutboxResult {
  id: number;
  kind: string;
  ref: string;
  target: string;
  outcome: OutboxOutcome;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** The parsed JSON answer of a delivery. */
  response?: unknown;
  error?: string;
}

export interface OutboxRound {
  delivered: number;
  failed: number;
  waiting: number;
  results: OutboxResult[];
}

export interface OutboxOptions {
  /** How often due rows are looked for (default 1 s). */
  pollMs?: number;
  /** Rows per round (default 20). */
  batchSize?: number;
  /** First retry delay; doubles per failed attempt (default 2 s). */
  baseBackoffMs?: number;
  /** Longest retry delay (default 10 min). */
  maxBackoffMs?: number;
  /** How long a claimed row is reserved for its delivery (default 60 s; longer than any request). */
  leaseMs?: number;
  /** Request timeout (default 10 s). */
  timeoutMs?: number;
  /** When a notice waits for its shipping event's anchoring, look again after this (default 1 s). */
  waitMs?: number;
  /** Start the timer (default true); false: only runOnce() delivers (tests). */
  autoStart?: boolean;
  log?: Logger;
}

export interface Outbox {
  /** One round now: claims due rows and delivers them (also what the timer runs). */
  runOnce(): Promise<OutboxRound>;
  stop(): Promise<void>;
}

type OutboxContext = Pick<NodeContext, 'sql' | 'chain' | 'participant' | 'signingKey' | 'directory'> & { log?: Logger };

interface OutboxRow {
  id: string;
  target: string;
  kind: string;
  ref: string;
  path: string;
  payload: unknown;
  attempts: number;
}

/** Retry delay after `attempts` failed attempts: base × 2^(attempts-1), capped. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

export function startOutbox(ctx: OutboxContext, options: OutboxOptions = {}): Outbox {
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 20;
  const baseBackoffMs = options.baseBackoffMs ?? 2_000;
  const maxBackoffMs = options.maxBackoffMs ?? 600_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const waitMs = options.waitMs ?? 1_000;
  const log = options.log ?? ctx.log;
  const sql = ctx.sql;

  const deliver = async (row: OutboxRow): Promise<OutboxResult> => {
    const id = Number(row.id);
    const base = { id, kind: row.kind, ref: row.ref, target: row.target };
    let payload = row.payload;
    try {
      if (payload === null && row.kind === NOTICE_KIND) {
        const notice = await buildNotice(ctx, Number(row.ref));
        if (!notice) {
          // Not anchored yet: look again soon; this is no failed attempt.
          await sql`update peer_outbox set next_attempt_at = now() + ${waitMs} * interval '1 millisecond' where id = ${id}`;
          return { ...base, outcome: 'waiting' };
        }
        payload = notice;
        await sql`update peer_outbox set payload = ${sql.json(notice as never)} where id = ${id}`;
      }
      if (payload === null) throw new Error(`outbox row ${id} (${row.kind}) has no body and no builder`);
      const res = await peerFetch(ctx, row.target, row.path, { method: 'POST', body: payload, timeoutMs });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: kept as text
      }
      if (res.status >= 200 && res.status < 300) {
        await sql`
          update peer_outbox set delivered_at = now(), attempts = attempts + 1, last_error = null,
            response = ${sql.json({ status: res.status, body } as never)}
          where id = ${id}`;
        return { ...base, outcome: 'delivered', status: res.status, response: body };
      }
      const problem = body as { type?: string; detail?: string } | null;
      const error = `HTTP ${res.status}${problem?.type ? ` ${problem.type}` : ''}${problem?.detail ? `: ${problem.detail}` : ''}`;
      await failed(id, row.attempts + 1, error);
      return { ...base, outcome: 'failed', status: res.status, response: body, error };
    } catch (cause) {
      const error = cause instanceof PeerUnavailableError ? cause.message : `${(cause as Error).name}: ${(cause as Error).message}`;
      await failed(id, row.attempts + 1, error);
      return { ...base, outcome: 'failed', error };
    }
  };

  const failed = async (id: number, attempts: number, error: string) => {
    const delay = backoffMs(attempts, baseBackoffMs, maxBackoffMs);
    await sql`
      update peer_outbox set attempts = ${attempts}, last_error = ${error.slice(0, 2000)},
        next_attempt_at = now() + ${delay} * interval '1 millisecond'
      where id = ${id}`;
  };

  const round = async (): Promise<OutboxRound> => {
    // Claim: the due rows get a lease (next_attempt_at pushed out) so no other process takes them.
    const rows = await sql<OutboxRow[]>`
      update peer_outbox set next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
      where id in (
        select id from peer_outbox where delivered_at is null and next_attempt_at <= now()
        order by next_attempt_at, id limit ${batchSize}
        for update skip locked)
      returning id, target, kind, ref, path, payload, attempts`;
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    const results: OutboxResult[] = [];
    for (const row of rows) {
      const result = await deliver(row);
      results.push(result);
      if (result.outcome === 'failed') log?.warn('peer message not delivered', { id: result.id, kind: result.kind, ref: result.ref, target: result.target, error: result.error });
      else if (result.outcome === 'delivered') log?.info('peer message delivered', { id: result.id, kind: result.kind, ref: result.ref, target: result.target });
    }
    return {
      delivered: results.filter((r) => r.outcome === 'delivered').length,
      failed: results.filter((r) => r.outcome === 'failed').length,
      waiting: results.filter((r) => r.outcome === 'waiting').length,
      results,
    };
  };

  return startPeriodic({
    round,
    pollMs,
    autoStart: options.autoStart,
    onError: (error) => log?.error('peer outbox round failed', { error }),
  });
}
