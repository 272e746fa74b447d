// The anchoring worker's reads and writes in Postgres: unanchored leaves,
// intents (signed transactions stored before broadcast) and recorded batches.
import type { Sql } from '../db';

export interface AnchorIntent {
  id: number;
  fromSeq: number;
  toSeq: number;
  root: string;
  txHash: string;
  rawTx: string;
  nonce: number;
}

export interface BatchRecord {
  batch: number;
  fromSeq: number;
  toSeq: number;
  root: string;
  txHash: string;
  blockNumber: number;
  /** Seconds since the epoch (the chain's block time). */
  anchoredAt: number;
  rootMatches?: boolean;
}

export async function headSeq(sql: Sql, participant: string): Promise<number> {
  const rows = await sql`select seq from ledger_heads where participant = ${participant}`;
  return rows.length === 0 ? 0 : Number(rows[0].seq);
}

/** Milliseconds since event `seq` was recorded (database clock), or null if there is no such event. */
export async function eventAgeMs(sql: Sql, participant: string, seq: number): Promise<number | null> {
  const rows = await sql`
    select (extract(epoch from (now() - recorded_at)) * 1000)::float8 as age
    from ledger_events where participant = ${participant} and seq = ${seq}`;
  return rows.length === 0 ? null : Number(rows[0].age);
}

/** The leaves of seq from..to in order; throws if any is missing (the ledger must be gapless). */
export async function leavesInRange(sql: Sql, participant: string, from: number, to: number): Promise<string[]> {
  const rows = await sql`
    select seq, leaf from ledger_events
    where participant = ${participant} and seq between ${from} and ${to}
    order by seq`;
  if (rows.length !== to - from + 1 || rows.some((row, i) => Number(row.seq) !== from + i)) {
    throw new Error(`ledger of ${participant} is missing events in ${from}..${to} (found ${rows.length})`);
  }
  return rows.map((row) => row.leaf as string);
}

export async function pendingIntent(sql: Sql, participant: string): Promise<AnchorIntent | null> {
  const rows = await sql`
    select id, from_seq, to_seq, root, tx_hash, raw_tx, nonce from anchor_intents
    where participant = ${participant} and state = 'pending'`;
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    id: Number(r.id),
    fromSeq: Number(r.from_seq),
    toSeq: Number(r.to_seq),
    root: r.root,
    txHash: r.tx_hash,
    rawTx: r.raw_tx,
    nonce: Number(r.nonce),
  };
}

export async function insertIntent(
  sql: Sql,
  intent: Omit<AnchorIntent, 'id'> & { participant: string; fromAddress: string; toAddress: string },
): Promise<number> {
  const rows = await sql`
    insert into anchor_intents (participant, from_address, to_address, from_seq, to_seq, root, tx_hash, raw_tx, nonce)
    values (${intent.participant}, ${intent.fromAddress}, ${intent.toAddress}, ${intent.fromSeq}, ${intent.toSeq},
            ${intent.root}, ${intent.txHash}, ${intent.rawTx}, ${intent.nonce})
    returning id`;
  return Number(rows[0].id);
}

export async function resolveIntent(sql: Sql, id: number, state: 'mined' | 'reverted' | 'dropped'): Promise<void> {
  await sql`update anchor_intents set state = ${state}, resolved_at = now() where id = ${id} and state = 'pending'`;
}

/** Records a batch (idempotent) and, when given, marks the intent that produced it mined, in one transaction. */
export async function recordBatch(sql: Sql, participant: string, batch: BatchRecord, intentId?: number): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      insert into anchor_batches (participant, batch, from_seq, to_seq, root, tx_hash, block_number, anchored_at, root_matches)
      values (${participant}, ${batch.batch}, ${batch.fromSeq}, ${batch.toSeq}, ${batch.root}, ${batch.txHash},
              ${batch.blockNumber}, to_timestamp(${batch.anchoredAt}), ${batch.rootMatches ?? true})
      on conflict (participant, batch) do nothing`;
    if (intentId !== undefined) {
      await tx`update anchor_intents set state = 'mined', resolved_at = now() where id = ${intentId} and state = 'pending'`;
    }
  });
}

/** Batch numbers of [0, count) not yet recorded locally. */
export async function missingBatches(sql: Sql, participant: string, count: number): Promise<number[]> {
  const [stats] = await sql`
    select count(*)::int as n, coalesce(max(batch), -1)::int as top from anchor_batches where participant = ${participant}`;
  const n = Number(stats.n);
  const top = Number(stats.top);
  if (n === top + 1) {
    const out: number[] = [];
    for (let b = top + 1; b < count; b++) out.push(b);
    return out;
  }
  const have = new Set((await sql`select batch from anchor_batches where participant = ${participant}`).map((r) => Number(r.batch)));
  const out: number[] = [];
  for (let b = 0; b < count; b++) if (!have.has(b)) out.push(b);
  return out;
}

export async function recordedBatchCount(sql: Sql, participant: string): Promise<number> {
  const [row] = await sql`select count(*)::int as n from anchor_batches where participant = ${participant}`;
  return Number(row.n);
}
