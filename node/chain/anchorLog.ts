// Typed reads of AnchorLog for one participant: the chain is the source of
// truth for what is anchored.
import type { Contract, EventLog, Log, TransactionReceipt } from 'ethers';
import { getAddress } from 'ethers';
import { MAX_LOG_RANGE } from './logs';

export interface ChainBatch {
  batch: number;
  root: string;
  from: number;
  to: number;
  /** Seconds since the epoch. */
  anchoredAt: number;
}

export interface AnchoredEvent {
  batch: number;
  root: string;
  from: number;
  to: number;
  txHash: string;
  blockNumber: number;
}

export async function batchCount(anchorLog: Contract, participant: string): Promise<number> {
  return Number(await anchorLog.batchCount(getAddress(participant)));
}

export async function getBatch(anchorLog: Contract, participant: string, batch: number): Promise<ChainBatch> {
  const [root, from, to, anchoredAt] = await anchorLog.getBatch(getAddress(participant), batch);
  return { batch, root: String(root).toLowerCase(), from: Number(from), to: Number(to), anchoredAt: Number(anchoredAt) };
}

/** The last seq anchored by `participant` (0 when none). */
export async function lastAnchoredTo(anchorLog: Contract, participant: string): Promise<{ count: number; lastTo: number }> {
  const count = await batchCount(anchorLog, participant);
  if (count === 0) return { count, lastTo: 0 };
  return { count, lastTo: (await getBatch(anchorLog, participant, count - 1)).to };
}

/** The Anchored events of `participant` in a mined receipt. */
export function anchoredInReceipt(anchorLog: Contract, participant: string, receipt: TransactionReceipt): AnchoredEvent[] {
  const out: AnchoredEvent[] = [];
  const address = getAddress(String(anchorLog.target));
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== address) continue;
    const parsed = anchorLog.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed || parsed.name !== 'Anchored') continue;
    if (getAddress(parsed.args.participant) !== getAddress(participant)) continue;
    out.push(toAnchored(parsed.args as unknown as AnchoredArgs, receipt.hash, receipt.blockNumber));
  }
  return out;
}

/**
 * Finds the Anchored event of (participant, batch), scanning back from the chain head
 * in pages of 1,000 blocks (recent batches are found in the first pages).
 */
export async function findAnchoredEvent(
  anchorLog: Contract,
  participant: string,
  batch: number,
  deployBlock: number,
): Promise<AnchoredEvent | null> {
  const provider = anchorLog.runner?.provider;
  if (!provider) throw new Error('findAnchoredEvent: the contract has no provider');
  const head = await provider.getBlockNumber();
  const filter = anchorLog.filters.Anchored(getAddress(participant), batch);
  for (let end = head; end >= deployBlock; end -= MAX_LOG_RANGE) {
    const start = Math.max(deployBlock, end - MAX_LOG_RANGE + 1);
    const logs: Array<EventLog | Log> = await anchorLog.queryFilter(filter, start, end);
    for (const log of logs) {
      if ('args' in log && log.args) return toAnchored(log.args as unknown as AnchoredArgs, log.transactionHash, log.blockNumber);
    }
  }
  return null;
}

interface AnchoredArgs {
  batch: bigint;
  root: string;
  from: bigint;
  to: bigint;
}

function toAnchored(args: AnchoredArgs, txHash: string, blockNumber: number): AnchoredEvent {
  return {
    batch: Number(args.batch),
    root: String(args.root).toLowerCase(),
    from: Number(args.from),
    to: Number(args.to),
    txHash: txHash.toLowerCase(),
    blockNumber,
  };
}
