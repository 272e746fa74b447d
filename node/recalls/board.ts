// The RecallBoard on the chain (DESIGN 5): publishing a recall and changing its
// status (this node's transactions), reading a recall, and decoding its events.
// Codes on the chain: class 1-3; action 1 return, 2 correct, 3 destroy, 4 notice;
// status 1 open, 2 closed, 3 withdrawn.
import { getAddress, isError, type Contract, type Log, type EventLog } from 'ethers';
import type { ChainClient } from '../chain/client';
import { sendAndWait } from '../chain/transactions';
import { ProblemError, problems } from '../http/problem';

export const RECALL_ACTIONS = ['return', 'correct', 'destroy', 'notice'] as const;
export type RecallAction = (typeof RECALL_ACTIONS)[number];
export const RECALL_STATUSES = ['open', 'closed', 'withdrawn'] as const;
export type RecallStatus = (typeof RECALL_STATUSES)[number];

export function actionCode(action: RecallAction): number {
  return RECALL_ACTIONS.indexOf(action) + 1;
}
export function actionName(code: number): RecallAction {
  return RECALL_ACTIONS[code - 1] ?? 'notice';
}
export function statusCode(status: RecallStatus): number {
  return RECALL_STATUSES.indexOf(status) + 1;
}
export function statusName(code: number): RecallStatus {
  return RECALL_STATUSES[code - 1] ?? 'open';
}

/** A recall as the board holds it. */
export interface BoardRecall {
  chainRecallId: number;
  issuer: string;
  gtin: string;
  /** Empty: every lot of the GTIN. */
  lots: string[];
  recallClass: number;
  action: RecallAction;
  status: RecallStatus;
  noticeSha256: string;
  noticeUri: string;
  /** ISO time of the block that published it. */
  publishedAt: string;
  updatedAt: string;
}

type Chain = Pick<ChainClient, 'wallet' | 'contracts' | 'deployment' | 'provider'>;

/** Recall `id` read from the board (undefined when it does not exist). */
export async function readRecall(chain: Pick<ChainClient, 'contracts'>, id: number): Promise<BoardRecall | undefined> {
  const board = chain.contracts.recallBoard;
  const count = Number(await board.recallCount());
  if (!Number.isSafeInteger(id) || id < 1 || id > count) return undefined;
  const r = await board.getRecall(id);
  return {
    chainRecallId: id,
    issuer: String(r.issuer).toLowerCase(),
    gtin: String(r.gtin14),
    lots: (r.lots as string[]).map(String),
    recallClass: Number(r.recallClass),
    action: actionName(Number(r.action)),
    status: statusName(Number(r.status)),
    noticeSha256: String(r.noticeSha256).toLowerCase(),
    noticeUri: String(r.noticeUri),
    publishedAt: new Date(Number(r.publishedAt) * 1000).toISOString(),
    updatedAt: new Date(Number(r.updatedAt) * 1000).toISOString(),
  };
}

/** The ids of the recalls concerning `lot` of `gtin` (those naming it and the all-lots ones). */
export async function recallIdsFor(chain: Pick<ChainClient, 'contracts'>, gtin: string, lot: string): Promise<number[]> {
  return ((await chain.contracts.recallBoard.recallsFor(gtin, lot)) as bigint[]).map(Number);
}

/** The ids of the OPEN recalls concerning `lot` of `gtin` (lot-specific and all-lots ones). */
export async function openRecallIdsFor(chain: Pick<ChainClient, 'contracts'>, gtin: string, lot: string): Promise<number[]> {
  const open: number[] = [];
  for (const id of await recallIdsFor(chain, gtin, lot)) {
    const recall = await chain.contracts.recallBoard.getRecall(id);
    if (Number(recall.status) === statusCode('open')) open.push(id);
  }
  return open;
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
