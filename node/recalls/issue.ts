// Issuing a recall (DESIGN 5-7): only for a GTIN whose company prefix this node
// holds on the registry; QA (or admin) signs it (meaning `recalled`); the
// notice document is stored and served publicly, its SHA-256 goes on the
// RecallBoard with its URI; the ledger records a `holding`/`recalled` event
// naming the board's recall id. One write transaction holds the signature, the
// recall row, the ledger event and the audit entry; the board transaction is
// sent and mined inside it (when the database then failed to commit, the board
// would hold a recall whose notice this node does not serve: the watcher still
// mirrors and processes it).
import { lotUri, sha256, toDigitalLink, toHex, type EpcisEvent } from '../../sdk';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import type { Tx } from '../db';
import { problems } from '../http/problem';
import type { WriteScope } from '../http/writes';
import { appendEvent } from '../ledger/append';
import { signatureEventExtension, signRecord, type Signature, type SignatureInput } from '../signatures/sign';
import { publishOnBoard, updateStatusOnBoard, type RecallAction, type RecallStatus } from './board';
import { mirrorStatus } from './process';

export type NoticeInput = { title: string; text: string } | { contentBase64: string; mediaType: string; filename: string };

export interface IssueInput {
  gtin: string;
  lots: string[];
  recallClass: 1 | 2 | 3;
  action: RecallAction;
  notice: NoticeInput;
  signature: SignatureInput;
}

export interface IssuedRecall {
  localId: number;
  chainRecallId: number;
  gtin: string;
  lots: string[];
  recallClass: number;
  action: RecallAction;
  noticeSha256: string;
  noticeUri: string;
  txHash: string;
  blockNumber: number;
  ledgerSeq: number;
  signature: Signature;
}

/** The notice document's bytes and media type: a text notice is `title`, a blank line, `text`. */
export function noticeDocument(notice: NoticeInput): { content: Buffer; mediaType: string; filename: string | null; title: string | null } {
  if ('text' in notice) {
    return { content: Buffer.from(`${notice.title}\n\n${notice.text}\n`, 'utf8'), mediaType: 'text/plain; charset=utf-8', filename: null, title: notice.title };
  }
  const content = Buffer.from(notice.contentBase64, 'base64');
  if (content.length === 0 || content.toString('base64').replace(/=+$/, '') !== notice.contentBase64.replace(/\s+/g, '').replace(/=+$/, '')) {
    throw problems.invalidInput('notice.contentBase64: not valid base64 (RFC 4648) of a non-empty document', 'notice.contentBase64');
  }
  return { content, mediaType: notice.mediaType, filename: notice.filename, title: null };
}

/** 409 `not-gtin-owner` unless the registry says this node holds the GTIN's company prefix. */
export async function assertGtinOwner(ctx: Pick<NodeContext, 'directory' | 'participant'>, gtin: string): Promise<void> {
  const owner = await ctx.directory.ownerOfGtin(gtin, { fresh: true });
  if (owner !== ctx.participant) {
    throw problems.conflict(
      'not-gtin-owner',
      `GTIN ${gtin} belongs to ${owner === undefined ? 'no registered participant' : `participant ${owner}`}, not to this node (${ctx.participant}): only the owner of a GTIN's company prefix recalls it`,
      { field: 'gtin', owner: owner ?? null },
    );
  }
}

/** Issues the recall inside performWrite's transaction `w`. `baseUrl`: this node's public URL. */
export async function issueRecall(w: WriteScope, ctx: Pick<NodeContext, 'chain' | 'participant' | 'chainId' | 'config'>, input: IssueInput, baseUrl: string): Promise<IssuedRecall> {
  const { tx } = w;
  const seen = new Set<string>();
  input.lots.forEach((lot, index) => {
    if (seen.has(lot)) throw problems.invalidInput(`lots.${index}: lot ${lot} is named twice`, `lots.${index}`);
    seen.add(lot);
  });
  const doc = noticeDocument(input.notice);
  const noticeSha256 = toHex(sha256(new Uint8Array(doc.content)));
  const [row] = await tx<{ id: string }[]>`
    insert into issued_recalls (gtin, lots, recall_class, action, notice_title, notice_media_type, notice_filename, notice_content,
                                notice_sha256, notice_uri, issued_by)
    values (${input.gtin}, ${tx.array(input.lots)}, ${input.recallClass}, ${input.action}, ${doc.title}, ${doc.mediaType}, ${doc.filename},
            ${doc.content}, ${noticeSha256}, '', ${w.actor})
    returning id`;
  const localId = Number(row.id);
  const noticeUri = `${baseUrl.replace(/\/+$/, '')}/public/v1/recalls/${localId}/notice`;
  const record = { issuer: ctx.participant, gtin: input.gtin, lots: input.lots, recallClass: input.recallClass, action: input.action, noticeSha256, noticeUri };
  const signature = await signRecord(
    tx,
    { ...input.signature, reason: w.reason },
    { entity: 'recall', entityId: String(localId), record, actor: w.actor, allowedRoles: ACCESS.issueRecalls, meanings: ['recalled'] },
  );
  const published = await publishOnBoard(ctx.chain, { gtin: input.gtin, lots: input.lots, recallClass: input.recallClass, action: input.action, noticeSha256, noticeUri });

  const event: EpcisEvent = {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'holding',
    disposition: 'recalled',
    eventTime: new Date().toISOString(),
    eventTimeZoneOffset: ctx.config.eventTimeZoneOffset,
    quantityList:
      input.lots.length === 0 ? [{ epcClass: toDigitalLink({ gtin: input.gtin }) }] : input.lots.map((lot) => ({ epcClass: lotUri(input.gtin, lot) })),
    'medtrace:recall': {
      chainRecallId: published.chainRecallId,
      class: input.recallClass,
      action: input.action,
      noticeSha256,
      noticeUri,
      lots: input.lots,
      txHash: published.txHash,
    },
    'medtrace:signature': signatureEventExtension(signature),
    ...(w.reason === undefined ? {} : { 'medtrace:reason': w.reason }),
  };
  const { seq } = await appendEvent(tx, { participant: ctx.participant, chainId: ctx.chainId }, event);
  await tx`
    update issued_recalls set chain_recall_id = ${published.chainRecallId}, notice_uri = ${noticeUri}, signature_id = ${signature.id},
      ledger_seq = ${seq}, tx_hash = ${published.txHash}, block_number = ${published.blockNumber}
    where id = ${localId}`;
  const issued: IssuedRecall = {
    localId,
    chainRecallId: published.chainRecallId,
    gtin: input.gtin,
    lots: input.lots,
    recallClass: input.recallClass,
    action: input.action,
    noticeSha256,
    noticeUri,
    txHash: published.txHash,
    blockNumber: published.blockNumber,
    ledgerSeq: seq,
    signature,
  };
  await w.audit({ action: 'recall.issue', entity: 'recall', entityId: String(published.chainRecallId), before: null, after: { ...issued, signature: signature.id }, ledgerSeq: seq });
  return issued;
}

/** Closes or withdraws (or reopens) a recall this node issued: the board first, then the local rows. */
export async function changeRecallStatus(
  w: WriteScope,
  ctx: Pick<NodeContext, 'chain' | 'sql'>,
  chainRecallId: number,
  status: RecallStatus,
): Promise<{ id: number; from: RecallStatus; status: RecallStatus; txHash: string; blockNumber: number; reason: string }> {
  const { tx } = w;
  if (w.reason === undefined) throw problems.invalidInput('reason: a reason is required to change the status of a recall', 'reason');
  const [row] = await tx<{ id: string; status: RecallStatus }[]>`
    select id, status from issued_recalls where chain_recall_id = ${chainRecallId} for update`;
  if (!row) throw problems.notFound(`this node issued no recall ${chainRecallId}`, 'id');
  if (row.status === status || row.status === 'withdrawn') {
    throw problems.conflict('recall-status-transition', `recall ${chainRecallId} is ${row.status}; it cannot become ${status}` + (row.status === 'withdrawn' ? ' (withdrawn is final)' : ''), {
      field: 'status',
      recallStatus: row.status,
    });
  }
  const sent = await updateStatusOnBoard(ctx.chain, chainRecallId, status);
  await tx`
    update issued_recalls set status = ${status}, status_reason = ${w.reason}, status_changed_at = now() where id = ${row.id}`;
  await mirrorStatus(tx, chainRecallId, status);
  await w.audit({
    action: `recall.${status === 'closed' ? 'close' : status === 'withdrawn' ? 'withdraw' : 'reopen'}`,
    entity: 'recall',
    entityId: String(chainRecallId),
    before: { status: row.status },
    after: { status, txHash: sent.txHash },
  });
  return { id: chainRecallId, from: row.status, status, txHash: sent.txHash, blockNumber: sent.blockNumber, reason: w.reason };
}

/** The stored notice document of issued recall `localId`. */
export async function readNotice(tx: Tx | import('../db').Sql, localId: number) {
  const [row] = await tx<{ notice_content: Buffer; notice_media_type: string; notice_filename: string | null; notice_sha256: string; chain_recall_id: string | null }[]>`
    select notice_content, notice_media_type, notice_filename, notice_sha256, chain_recall_id from issued_recalls where id = ${localId}`;
  return row;
}
