// Shared checks of what a participant did on chain: its batches are contiguous
// and cover 1..N exactly once, and every transaction it sent succeeded.
import { expect } from 'vitest';
import { Contract, getAddress } from 'ethers';
import { ANCHOR_LOG_ABI } from '../../sdk';
import type { TestChain, TestNode } from '../support';

export interface ChainBatchView {
  batch: number;
  root: string;
  from: number;
  to: number;
}

export async function chainBatches(chain: TestChain, participant: string): Promise<ChainBatchView[]> {
  const anchorLog = new Contract(chain.deployment.anchorLog, ANCHOR_LOG_ABI, chain.provider);
  const count = Number(await anchorLog.batchCount(getAddress(participant)));
  const out: ChainBatchView[] = [];
  for (let batch = 0; batch < count; batch++) {
    const [root, from, to] = await anchorLog.getBatch(getAddress(participant), batch);
    out.push({ batch, root: String(root).toLowerCase(), from: Number(from), to: Number(to) });
  }
  return out;
}

/** Asserts the batches cover seq 1..n, each exactly once, in order. */
export function expectExactCover(batches: ChainBatchView[], n: number): void {
  let next = 1;
  for (const batch of batches) {
    expect(batch.from, `batch ${batch.batch} starts right after the previous one`).toBe(next);
    expect(batch.to).toBeGreaterThanOrEqual(batch.from);
    next = batch.to + 1;
  }
  expect(next - 1, 'the batches end at the last event').toBe(n);
}

/** Every transaction `participant` ever sent: one per batch, none reverted. */
export async function expectOneSuccessfulTxPerBatch(chain: TestChain, participant: string, batchCount: number): Promise<void> {
  const address = getAddress(participant);
  expect(await chain.provider.getTransactionCount(address), 'transactions sent = batches').toBe(batchCount);
  const head = await chain.provider.getBlockNumber();
  let seen = 0;
  for (let n = chain.deployment.deployBlock; n <= head; n++) {
    const block = await chain.provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (getAddress(tx.from) !== address) continue;
      seen++;
      const receipt = await chain.provider.getTransactionReceipt(tx.hash);
      expect(receipt?.status, `transaction ${tx.hash} succeeded`).toBe(1);
    }
  }
  expect(seen).toBe(batchCount);
}

/** The node's participant address (lowercase), as /ready reports it. */
export async function ledgerParticipant(node: TestNode): Promise<string> {
  const body = (await (await fetch(`${node.url}/ready`)).json()) as { participant: string };
  return body.participant.toLowerCase();
}
