// Expired stock is blocked automatically: every lot whose expiry date has come
// (expiry <= today, the node's local date) and that is still quarantined,
// released or blocked becomes `expired`, with its event, history row and audit
// entry — one transaction per lot, through changeLotStatus. Run on demand
// (POST /api/v1/lots/expire) and periodically by the node (main.ts).
import { recordAudit } from '../auth/auditTrail';
import type { Sql } from '../db';
import type { Logger } from '../http/logger';
import { ProblemError } from '../http/problem';
import { changeLotStatus, type LotStatusLedger } from './status';

export const EXPIRY_ACTOR = 'system';

/** Today (`YYYY-MM-DD`) at a UTC offset such as `+08:00`. */
export function localDate(offset: string, now: Date = new Date()): string {
  const match = /^([+-])(\d\d):(\d\d)$/.exec(offset);
  const minutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  return new Date(now.getTime() + minutes * 60_000).toISOString().slice(0, 10);
}

export interface ExpiredLot {
  gtin: string;
  lot: string;
  expiry: string;
  from: string;
  ledgerSeq: number;
}

/** Marks every lot whose expiry is on or before `today` as expired. Returns the lots it changed. */
export async function expireLots(sql: Sql, ledger: LotStatusLedger, today: string, options: { requestId?: string; actor?: string } = {}): Promise<ExpiredLot[]> {
  const actor = options.actor ?? EXPIRY_ACTOR;
  const due = await sql<{ gtin: string; lot: string; expiry: string }[]>`
    select gtin, lot, expiry::text as expiry from lots
    where expiry <= ${today} and status in ('quarantined', 'released', 'blocked')
    order by expiry, gtin, lot`;
  const expired: ExpiredLot[] = [];
  for (const lot of due) {
    const reason = `expiry date ${lot.expiry} reached (today ${today})`;
    try {
      const result = await sql.begin((tx) =>
        changeLotStatus(
          {
            tx,
            actor,
            reason,
            audit: (entry) => recordAudit(tx, { ...entry, actor, reason, requestId: options.requestId }),
          },
          ledger,
          { gtin: lot.gtin, lot: lot.lot, action: 'expire', reason },
        ),
      );
      expired.push({ gtin: lot.gtin, lot: lot.lot, expiry: lot.expiry, from: result.from, ledgerSeq: result.ledgerSeq });
    } catch (error) {
      // Another process expired it first, or someone recalled it meanwhile: nothing to do.
      if (error instanceof ProblemError && error.status === 409) continue;
      throw error;
    }
  }
  return expired;
}

export interface ExpiryJob {
  /** Runs one round now (also what the timer runs). */
  runOnce(): Promise<ExpiredLot[]>;
  stop(): Promise<void>;
}

/** Runs expireLots at start and every `intervalMs` (default hourly); a failed round is logged and retried next time. */
export function startExpiryJob(
  deps: { sql: Sql; ledger: LotStatusLedger; log?: Logger },
  options: { intervalMs?: number } = {},
): ExpiryJob {
  const intervalMs = options.intervalMs ?? 3_600_000;
  let running: Promise<ExpiredLot[]> | undefined;
  let stopped = false;
  const runOnce = () => {
    running ??= expireLots(deps.sql, deps.ledger, localDate(deps.ledger.eventTimeZoneOffset)).finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    if (stopped) return;
    runOnce().then(
      (lots) => {
        if (lots.length > 0) deps.log?.info('lots expired', { count: lots.length, lots: lots.map((l) => `${l.gtin}/${l.lot}`) });
      },
      (error: unknown) => deps.log?.error('expiry job failed', { error }),
    );
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  setImmediate(tick);
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
