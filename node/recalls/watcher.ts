// The recall watcher: reads RecallPublished and RecallStatusUpdated logs of the
// RecallBoard from where it stopped (chain_cursors, so a restart neither misses
// nor redoes a block), 1,000 blocks per eth_getLogs call (Besu's cap), mirrors
// every recall and processes it (./process: quarantine, notify, acknowledge).
// The cursor only moves past blocks whose recalls were all processed.
import { queryLogsPaged } from '../chain/logs';
import type { Sql } from '../db';
import { startPeriodic } from '../jobs/periodic';
import { readRecall, decodeBoardLog, type BoardLog } from './board';
import { mirrorRecall, mirrorStatus, processRecall, type RecallContext, type RecallOutcome } from './process';

export const RECALL_CURSOR = 'recall-board';

export interface RecallWatcherRound {
  fromBlock: number;
  toBlock: number;
  published: number;
  statusChanges: number;
  outcomes: RecallOutcome[];
}

export interface RecallWatcher {
  /** One round now (what the timer runs): every board log since the cursor. */
  runOnce(): Promise<RecallWatcherRound | undefined>;
  stop(): Promise<void>;
}

export interface RecallWatcherOptions {
  /** How often the chain is asked (default 1 s). */
  pollMs?: number;
  /** Start the timer (default true); false: only runOnce() (tests). */
  autoStart?: boolean;
}

/** The last block a watcher has fully processed (undefined: never ran). */
export async function readCursor(sql: Sql, name: string): Promise<number | undefined> {
  const [row] = await sql<{ block: string }[]>`select block from chain_cursors where name = ${name}`;
  return row ? Number(row.block) : undefined;
}

export async function writeCursor(sql: Sql, name: string, block: number): Promise<void> {
  await sql`
    insert into chain_cursors (name, block) values (${name}, ${block})
    on conflict (name) do update set block = excluded.block, updated_at = now()
    where chain_cursors.block < excluded.block`;
}

/** Processes the board logs of blocks (cursor, latest]; returns undefined when there was nothing new. */
export async function watchOnce(ctx: RecallContext): Promise<RecallWatcherRound | undefined> {
  const cursor = await readCursor(ctx.sql, RECALL_CURSOR);
  const fromBlock = cursor === undefined ? ctx.chain.deployment.deployBlock ?? 0 : cursor + 1;
  const toBlock = await ctx.chain.provider.getBlockNumber();
  if (toBlock < fromBlock) return undefined;
  const board = ctx.chain.contracts.recallBoard;
  const [published, updated] = await Promise.all([
    queryLogsPaged(board, 'RecallPublished', fromBlock, toBlock),
    queryLogsPaged(board, 'RecallStatusUpdated', fromBlock, toBlock),
  ]);
  const logs = [...published, ...updated]
    .map((log) => decodeBoardLog(board, log))
    .filter((log): log is BoardLog => log !== undefined)
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  const round: RecallWatcherRound = { fromBlock, toBlock, published: 0, statusChanges: 0, outcomes: [] };
  for (const log of logs) {
    if (log.kind === 'published') {
      // The board's current state (status may have moved on since the log).
      const recall = await readRecall(ctx.chain, log.recall.chainRecallId);
      if (!recall) continue;
      await mirrorRecall(ctx.sql, recall, { blockNumber: log.blockNumber, txHash: log.txHash });
      round.outcomes.push(await processRecall(ctx, recall.chainRecallId));
      round.published++;
    } else {
      await mirrorStatus(ctx.sql, log.chainRecallId, log.status);
      round.statusChanges++;
    }
  }
  await writeCursor(ctx.sql, RECALL_CURSOR, toBlock);
  return round;
}

/** Starts watching the board every `pollMs`; a failed round is logged and retried from the same cursor. */
export function startRecallWatcher(ctx: RecallContext, options: RecallWatcherOptions = {}): RecallWatcher {
  return startPeriodic({
    round: () => watchOnce(ctx),
    pollMs: options.pollMs ?? 1_000,
    autoStart: options.autoStart,
    onResult: (round) => {
      if (round && round.published + round.statusChanges > 0) {
        ctx.log.info('recall board read', { fromBlock: round.fromBlock, toBlock: round.toBlock, published: round.published, statusChanges: round.statusChanges });
      }
    },
    onError: (error) => ctx.log.error('recall watcher failed', { error }),
  });
}
