// The jti store: every accepted peer token's id, kept until the token could no
// longer pass the expiry check, so a captured token is never accepted twice.
// Expired rows are pruned opportunistically (at most once a minute per process).
import type { Sql } from '../db';
import { PEER_CLOCK_SKEW_S } from './token';

const PRUNE_EVERY_MS = 60_000;
const lastPrune = new WeakMap<object, number>();

/** Records `jti` of `issuer`; false when it was already there (a replay). */
export async function claimJti(sql: Sql, token: { iss: string; jti: string; exp: number }): Promise<boolean> {
  const expiresAt = new Date((token.exp + PEER_CLOCK_SKEW_S) * 1000);
  const rows = await sql`
    insert into peer_token_jtis (issuer, jti, expires_at)
    values (${token.iss}, ${token.jti}, ${expiresAt})
    on conflict (issuer, jti) do nothing
    returning jti`;
  await maybePrune(sql);
  return rows.length === 1;
}

/** Deletes the ids of tokens past their expiry (and the skew); returns how many. */
export async function pruneJtis(sql: Sql, now: Date = new Date()): Promise<number> {
  const rows = await sql`delete from peer_token_jtis where expires_at < ${now} returning jti`;
  return rows.length;
}

async function maybePrune(sql: Sql): Promise<void> {
  const now = Date.now();
  if (now - (lastPrune.get(sql) ?? 0) < PRUNE_EVERY_MS) return;
  lastPrune.set(sql, now);
  try {
    await pruneJtis(sql);
  } catch {
    // pruning is housekeeping: the next token tries again in a minute
  }
}
