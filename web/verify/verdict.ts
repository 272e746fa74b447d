// The verdict in plain words: which message, how serious, from an Outcome.
// Kept apart from the DOM so its rules read (and are tested) on their own.
import type { BoardRecall } from '../../sdk';
import type { Outcome } from './check';

export type Tone = 'ok' | 'warn' | 'bad';

export interface Verdict {
  tone: Tone;
  /** Message keys: verdict.<key>.title and verdict.<key>.detail. */
  key: string;
}

/** A warning is shown from this many days before the expiry date. */
export const EXPIRY_WARNING_DAYS = 90;

export interface ExpiryStatus {
  state: 'expired' | 'soon' | 'ok';
  /** Days from today to the expiry date (negative once past). */
  days: number;
}

/**
 * The rule the nodes apply (node/public/verify.ts): a device is expired from its
 * expiry date on; within 90 days of it, a warning.
 */
export function expiryStatus(expiry: string, today: string): ExpiryStatus {
  const days = Math.round((Date.parse(`${expiry}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  return { state: days <= 0 ? 'expired' : days <= EXPIRY_WARNING_DAYS ? 'soon' : 'ok', days };
}

/** Today's date where the reader is, ISO. */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function openRecalls(recalls: BoardRecall[]): BoardRecall[] {
  return recalls.filter((r) => r.status === 'open');
}

/** Lot statuses at the maker that mean "do not use" even after a release. */
const HELD = new Set(['quarantined', 'blocked', 'rejected', 'recalled', 'expired']);

export function verdictOf(outcome: Outcome, today: string): Verdict {
  const recalled = openRecalls(outcome.recalls).length > 0;
  switch (outcome.state) {
    case 'malformed':
      return { tone: 'bad', key: 'malformed' };
    case 'chainUnavailable':
      return { tone: 'warn', key: 'chainUnavailable' };
    case 'unknownGtin':
      return { tone: 'bad', key: 'unknownGtin' };
    case 'productOnly':
      return recalled ? { tone: 'bad', key: 'productRecalled' } : { tone: 'warn', key: 'productOnly' };
    case 'makerUnreachable':
      return recalled ? { tone: 'bad', key: 'unreachableRecalled' } : { tone: 'warn', key: 'makerUnreachable' };
    case 'suspect':
      return { tone: 'bad', key: 'suspect' };
    case 'pending':
      return { tone: 'warn', key: 'pending' };
    case 'proofFailed':
      return { tone: 'bad', key: 'proofFailed' };
    case 'verified': {
      if (recalled) return { tone: 'bad', key: 'recalled' };
      if (outcome.expiry && expiryStatus(outcome.expiry, today).state === 'expired') return { tone: 'bad', key: 'expired' };
      if (!outcome.evidence.release) return { tone: 'warn', key: 'notReleased' };
      if (outcome.answer?.data.lotStatus && HELD.has(outcome.answer.data.lotStatus)) return { tone: 'warn', key: 'held' };
      if (outcome.maker && outcome.maker.status !== 'active') return { tone: 'warn', key: 'makerInactive' };
      return { tone: 'ok', key: outcome.code?.serial === undefined ? 'genuineLot' : 'genuine' };
    }
  }
}
