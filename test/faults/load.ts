// The write load of the fault runs: concurrent clients recording inspections of
// one lot and, now and then, commissioning a new lot of a few serials, each
// write tagged so it can be found again. Every answered write is kept (what the
// node promised); every other outcome is counted by kind, and the first few
// unexpected answers are kept whole for the assertion messages.
import type { TestNode } from '../support';

export type Ack =
  | { kind: 'inspection'; marker: string; seq: number; id: number; replayed: boolean }
  | { kind: 'lot'; marker: string; seq: number; gtin: string; lot: string; units: number; replayed: boolean };

export interface LoadResult {
  /** 2xx answers: writes the node acknowledged. */
  acked: Ack[];
  /** Requests without an HTTP answer (connection refused or cut, or none within REQUEST_TIMEOUT_MS); in one-attempt mode such a client stops. */
  unanswered: number;
  /** Of those, requests still unanswered after REQUEST_TIMEOUT_MS. */
  timedOut: number;
  /** 503 database-unavailable problems with a Retry-After header. */
  retryable: number;
  /** Any other answer: status and body (first 20). */
  unexpected: Array<{ status: number; body: string }>;
  unexpectedCount: number;
  /** Logical writes given up unanswered when the load stopped (idempotent mode): outcome unknown. */
  abandoned: number;
}

export interface LoadOptions {
  /** The node each request goes to (asked again before every request: the node may be replaced). */
  target: () => TestNode;
  clients: number;
  gtin: string;
  /** The lot the inspections are recorded on (it must exist). */
  lot: string;
  /** Unique per load (markers, new lots and their serial prefixes start with it); at most 4 characters of [A-Z0-9]. */
  tag: string;
  /** Every n-th write of a client commissions a new lot instead (default 8; 0: never). */
  lotEvery?: number;
  /** Pause between a client's writes (default 0). */
  pauseMs?: number;
  /**
   * Retry each write with the same Idempotency-Key until it is answered with something other
   * than 503 or no answer (default false: one attempt each).
   */
  idempotent?: boolean;
}

export interface Load {
  /** Writes acknowledged so far. */
  readonly ackedCount: number;
  /** Snapshot of the outcome so far. */
  snapshot(): LoadResult;
  /** Stops the clients (an idempotent write in flight is retried for up to `graceMs`, default 20 s) and returns the outcome. */
  stop(graceMs?: number): Promise<LoadResult>;
}

/** A request unanswered this long counts as unanswered (above the node's 30 s cut of a stuck transaction). */
export const REQUEST_TIMEOUT_MS = 60_000;

export function startLoad(options: LoadOptions): Load {
  if (!/^[A-Z0-9]{1,4}$/.test(options.tag)) throw new Error(`load tag must be 1-4 characters of A-Z0-9, got ${options.tag}`);
  const result: LoadResult = { acked: [], unanswered: 0, timedOut: 0, retryable: 0, unexpected: [], unexpectedCount: 0, abandoned: 0 };
  const lotEvery = options.lotEvery ?? 8;
  let stopped = false;
  let graceUntil = Infinity;

  const unexpected = (status: number, body: string) => {
    result.unexpectedCount++;
    if (result.unexpected.length < 20) result.unexpected.push({ status, body: body.slice(0, 500) });
  };

  /** One logical write: false when it got no answer in one-attempt mode (the client stops: its node is gone). */
  async function write(client: number, n: number): Promise<boolean> {
    const marker = `${options.tag}C${client}N${n}`;
    const isLot = lotEvery > 0 && n % lotEvery === lotEvery - 1;
    const path = isLot ? '/api/v1/lots' : `/api/v1/lots/${options.gtin}/${options.lot}/inspections`;
    const units = 3;
    const body = isLot
      ? { gtin: options.gtin, lot: marker, productionDate: '2026-01-15', expiry: '2029-01-31', serialCount: units, serialPrefix: marker }
      : { kind: 'final', result: 'pass', method: marker };
    const headers: Record<string, string> = options.idempotent ? { 'idempotency-key': marker } : {};
    for (;;) {
      let res: Response;
      try {
        res = await options.target().request(path, { body, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      } catch (error) {
        result.unanswered++;
        if ((error as Error).name === 'TimeoutError') result.timedOut++;
        if (!options.idempotent) return false;
        if (Date.now() > graceUntil) {
          result.abandoned++;
          return true;
        }
        await sleep(100);
        continue;
      }
      const text = await res.text();
      if (res.status === 201) {
        const answer = JSON.parse(text) as { id?: number; ledgerSeq?: number; commissioningSeq?: number };
        const replayed = res.headers.get('idempotent-replayed') === 'true';
        if (isLot) result.acked.push({ kind: 'lot', marker, seq: answer.commissioningSeq!, gtin: options.gtin, lot: marker, units, replayed });
        else result.acked.push({ kind: 'inspection', marker, seq: answer.ledgerSeq!, id: answer.id!, replayed });
        return true;
      }
      const retryAfter = Number(res.headers.get('retry-after'));
      if (res.status === 503 && retryAfter > 0 && /database-unavailable/.test(text) && res.headers.get('content-type')?.startsWith('application/problem+json')) {
        result.retryable++;
        if (!options.idempotent) return true;
        if (Date.now() > graceUntil) {
          result.abandoned++;
          return true;
        }
        // Retry-After is the node's advice; a shorter pause keeps the load on during the fault.
        await sleep(Math.min(retryAfter * 1000, 500));
        continue;
      }
      unexpected(res.status, text);
      return true;
    }
  }

  const clients = Array.from({ length: options.clients }, async (_, client) => {
    for (let n = 0; !stopped; n++) {
      if (!(await write(client, n))) return;
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  });

  const snapshot = (): LoadResult => ({ ...result, acked: [...result.acked], unexpected: [...result.unexpected] });
  return {
    get ackedCount() {
      return result.acked.length;
    },
    snapshot,
    async stop(graceMs = 20_000) {
      stopped = true;
      graceUntil = Date.now() + graceMs;
      await Promise.all(clients);
      return snapshot();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
