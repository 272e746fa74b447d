// A recall as the RecallBoard itself holds it, read from this browser through
// the network's read-only RPC (the console's own check of the node's view).
import { Contract } from 'ethers';
import { RECALL_BOARD_ABI } from '../../../../sdk';
import type { NetworkInfo } from '../../../lib/network';
import { chainOf } from './browserCheck';

export interface ChainRecall {
  gtin: string;
  lots: string[];
  recallClass: number;
  /** Board status codes 1-3 as names (contracts/RecallBoard: open, closed, withdrawn). */
  status: 'open' | 'closed' | 'withdrawn';
  issuer: string;
  noticeSha256: string;
}

const STATUS = ['open', 'closed', 'withdrawn'] as const;

/** Recall `id` on the board, or undefined when the board has none with that id. */
export async function readBoardRecall(network: NetworkInfo, id: number): Promise<ChainRecall | undefined> {
  const board = new Contract(network.contracts.recallBoard, RECALL_BOARD_ABI, chainOf(network).provider);
  const count = Number(await board.recallCount());
  if (id < 1 || id > count) return undefined;
  const r = await board.getRecall(id);
  return {
    gtin: r.gtin14 as string,
    lots: [...(r.lots as string[])],
    recallClass: Number(r.recallClass),
    status: STATUS[Number(r.status) - 1] ?? 'open',
    issuer: (r.issuer as string).toLowerCase(),
    noticeSha256: (r.noticeSha256 as string).toLowerCase(),
  };
}
