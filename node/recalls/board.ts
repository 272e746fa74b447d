// The RecallBoard on the chain (DESIGN 5): publishing a recall and changing its
// status (this node's transactions), reading a recall, and decoding its events.
// Codes on the chain: class 1-3; action 1 return, 2 correct, 3 destroy, 4 notice;
// status 1 open, 2 closed, 3 withdrawn.
import { getAddress, isError, type Contract, type Log, type EventLog } from 'ethers';
import {
  boardRecallIds,
  boardRecallsFor,
  readBoardRecall,
  recallActionCode,
  recallActionName,
  recallStatusCode,
  recallStatusName,
  type BoardRecall,
  type RecallAction,
  type RecallStatus,
} from '../../sdk';
import type { ChainClient } from '../chain/client';
import { sendAndWait } from '../chain/transactions';
import { ProblemError, problems } from '../http/problem';

export { RECALL_ACTIONS, RECALL_STATUSES, type BoardRecall, type RecallAction, type RecallStatus } from '../../sdk';

export const actionCode = recallActionCode;
export const actionName = recallActionName;
export const statusCode = recallStatusCode;
export const statusName = recallStatusName;

type Chain = Pick<ChainClient, 'wallet' | 'contracts' | 'deployment' | 'provider'>;

/** Recall `id` read from the board (undefined when it does not exist): the SDK's reading. */
export async function readRecall(chain: Pick<ChainClient, 'contracts'>, id: number): Promise<BoardRecall | undefined> {
  return readBoardRecall(chain.contracts.recallBoard, id);
}

/** The ids of the recalls concerning `lot` of `gtin` (those naming it and the all-lots ones). */
export async function recallIdsFor(chain: Pick<ChainClient, 'contracts'>, gtin: string, lot: string): Promise<number[]> {
  return boardRecallIds(chain.contracts.recallBoard, { gtin, lot });
}

/** The ids of the OPEN recalls concerning `lot` of `gtin` (lot-specific and all-lots ones). */
export async function openRecallIdsFor(chain: Pick<ChainClient, 'contracts'>, gtin: string, lot: string): Promise<number[]> {
  const recalls = await boardRecallsFor(chain.contracts.recallBoard, { gtin, lot });
  return recalls.filter((r) => r.status === 'open').map((r) => r.chainRecallId);
}

export interface PublishInput {
  gtin: string;
  lots: string[];
  recallClass: number;
  action: RecallAction;
  noticeSha256: string;
  noticeUri: string;
}

/** Publishes a recall; answers its board id and the transaction. Board refusals become problems. */
export async function publishOnBoard(chain: Chain, input: PublishInput): Promise<{ chainRecallId: number; txHash: string; blockNumber: number }> {
  const board = chain.contracts.recallBoard;
  const data = board.interface.encodeFunctionData('publishRecall', [
    input.gtin,
    input.lots,
    input.recallClass,
    actionCode(input.action),
    input.noticeSha256,
    input.noticeUri,
  ]);
  const sent = await sendBoardTx(chain, data);
  const receipt = await chain.provider.getTransactionReceipt(sent.hash);
  const address = getAddress(chain.deployment.recallBoard);
  for (const log of receipt?.logs ?? []) {
    if (getAddress(log.address) !== address) continue;
    const parsed = board.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === 'RecallPublished') return { chainRecallId: Number(parsed.args.id), ...sent };
  }
  throw new Error(`transaction ${sent.hash} published no recall`);
}

/** Changes a recall's status on the board. */
export async function updateStatusOnBoard(chain: Chain, id: number, status: RecallStatus): Promise<{ txHash: string; blockNumber: number }> {
  const data = chain.contracts.recallBoard.interface.encodeFunctionData('updateStatus', [id, statusCode(status)]);
  return sendBoardTx(chain, data);
}

// The anchoring worker sends from the same key: a nonce taken by it meanwhile is retried.
async function sendBoardTx(chain: Chain, data: string): Promise<{ txHash: string; blockNumber: number; hash: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const sent = await sendAndWait(chain.wallet, { to: chain.deployment.recallBoard, data });
      return { txHash: sent.hash, hash: sent.hash, blockNumber: sent.blockNumber };
    } catch (error) {
      const refusal = boardRefusal(chain.contracts.recallBoard, error);
      if (refusal) throw refusal;
      const nonceClash = isError(error, 'NONCE_EXPIRED') || isError(error, 'REPLACEMENT_UNDERPRICED') || /nonce/i.test(String((error as Error).message));
      if (!nonceClash || attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

// A revert of the board, decoded into the problem it means for the caller.
function boardRefusal(board: Contract, error: unknown): ProblemError | undefined {
  const data = (error as { data?: unknown; info?: { error?: { data?: unknown } } }).data ?? (error as { info?: { error?: { data?: unknown } } }).info?.error?.data;
  if (typeof data !== 'string' || data.length < 10) return undefined;
  let parsed;
  try {
    parsed = board.interface.parseError(data);
  } catch {
    return undefined;
  }
  if (!parsed) return undefined;
  const args = parsed.args.map((arg: unknown) => String(arg));
  switch (parsed.name) {
    case 'RecallBoardNotPrefixOwner':
      return problems.conflict('not-gtin-owner', `this participant does not hold the company prefix of GTIN ${args[0]} on the registry`, { field: 'gtin' });
    case 'RecallBoardInactiveParticipant':
      return problems.conflict('participant-not-active', `participant ${args[0]} is not active on the registry: the board refuses its recalls`, { field: 'participant' });
    case 'RecallBoardInvalidLot':
      return problems.invalidInput(`lots.${args[0]}: '${args[1]}' is not a lot the board accepts (1-20 characters)`, `lots.${args[0]}`);
    case 'RecallBoardDuplicateLot':
      return problems.invalidInput(`lots: '${args[0]}' is named twice`, 'lots');
    case 'RecallBoardInvalidStatusChange':
      return problems.conflict('recall-status-transition', `recall ${args[0]} cannot go from status ${statusName(Number(args[1]))} to ${statusName(Number(args[2]))} (withdrawn is final)`, {
        field: 'status',
      });
    case 'RecallBoardNotIssuer':
      return problems.conflict('not-recall-issuer', `recall ${args[0]} was not published by this participant`, { field: 'id' });
    default:
      return new ProblemError(409, 'recall-board-refused', 'Conflict', `the RecallBoard refused: ${parsed.name}(${args.join(', ')})`, {});
  }
}

/** A RecallPublished or RecallStatusUpdated log, decoded. */
export type BoardLog =
  | { kind: 'published'; recall: Omit<BoardRecall, 'publishedAt' | 'updatedAt' | 'status'>; blockNumber: number; logIndex: number; txHash: string }
  | { kind: 'status'; chainRecallId: number; previous: RecallStatus; status: RecallStatus; blockNumber: number; logIndex: number; txHash: string };

export function decodeBoardLog(board: Contract, log: Log | EventLog): BoardLog | undefined {
  const parsed = board.interface.parseLog({ topics: [...log.topics], data: log.data });
  if (!parsed) return undefined;
  const at = { blockNumber: log.blockNumber, logIndex: log.index, txHash: log.transactionHash };
  if (parsed.name === 'RecallPublished') {
    const a = parsed.args;
    return {
      kind: 'published',
      recall: {
        chainRecallId: Number(a.id),
        issuer: String(a.issuer).toLowerCase(),
        gtin: String(a.gtin14),
        lots: (a.lots as string[]).map(String),
        recallClass: Number(a.recallClass),
        action: actionName(Number(a.action)),
        noticeSha256: String(a.noticeSha256).toLowerCase(),
        noticeUri: String(a.noticeUri),
      },
      ...at,
    };
  }
  if (parsed.name === 'RecallStatusUpdated') {
    return { kind: 'status', chainRecallId: Number(parsed.args.id), previous: statusName(Number(parsed.args.previousStatus)), status: statusName(Number(parsed.args.status)), ...at };
  }
  return undefined;
}
