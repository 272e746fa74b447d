// Recalls (DESIGN 5-7): issuing onto the RecallBoard with an e-signature, the
// chain watcher that quarantines affected stock, notifies customers and
// acknowledges upstream, and the issuer's view of the recall's reach.
export { actionCode, actionName, decodeBoardLog, publishOnBoard, readRecall, recallIdsFor, updateStatusOnBoard, RECALL_ACTIONS, RECALL_STATUSES } from './board';
export type { BoardLog, BoardRecall, RecallAction, RecallStatus } from './board';
export { assertGtinOwner, changeRecallStatus, issueRecall, noticeDocument, readNotice } from './issue';
export type { IssuedRecall, IssueInput, NoticeInput } from './issue';
export {
  acknowledge,
  countOwn,
  ensureRecallProcessed,
  mirrorRecall,
  mirrorStatus,
  processRecall,
  receiveAck,
  receiveNotice,
  storeAck,
  RECALL_ACK_KIND,
  RECALL_ACK_PATH,
  RECALL_ACTOR,
  RECALL_NOTICE_KIND,
  RECALL_NOTICE_PATH,
} from './process';
export type { AckEntry, OwnAck, RecallAckMessage, RecallContext, RecallOutcome } from './process';
export { readCursor, startRecallWatcher, watchOnce, writeCursor, RECALL_CURSOR } from './watcher';
export type { RecallWatcher, RecallWatcherOptions, RecallWatcherRound } from './watcher';
export { recallRoutes, RecallViewSchema } from './routes';
export { listRecalls, recallView } from './view';
export type { CompanyReach, RecallView } from './view';
