// Notices other nodes pushed here: stored once per (sender, sender's shipment
// id) with the verdict of each line (checkNotice on arrival), listed and read
// by staff. A resend of the same shipment gets the stored notice back.
import { recordAudit } from '../auth/auditTrail';
import type { NodeContext } from '../context';
import type { Sql, Tx } from '../db';
import { checkNotice, type CheckNoticeOptions, type NoticeProblem } from './checkNotice';
import type { ShipmentNotice } from './notice';

export type NoticeStatus = 'verified' | 'failed';
export type NoticeLineState = 'expected' | 'received' | 'blocked' | 'resolved';

export interface InboundNoticeLine {
  lineNo: number;
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
  expiry: string;
  verdict: 'ok' | 'blocked';
  reason: string | null;
  state: NoticeLineState;
  receivedQuantity: number;
}

export interface InboundNoticeSummary {
  id: number;
  sender: string;
  /** The name of the partner linked to the sender (partners.participant), if any. */
  senderName: string | null;
  senderShipmentId: number;
  shippedAt: string;
  receivedAt: string;
  status: NoticeStatus;
  checkedAt: string;
  lineCount: number;
  blockedLines: number;
  quantity: number;
}

export interface InboundNotice extends InboundNoticeSummary {
  lines: InboundNoticeLine[];
  problems: NoticeProblem[];
  /** Bundles the notice carries: its shipping event and the pedigree. */
  bundleCount: number;
}

export interface ReceivedNotice {
  notice: InboundNotice;
  /** True when this (sender, shipment) was stored before: nothing was checked or written. */
  duplicate: boolean;
}

/**
 * Stores a notice `sender` pushed (already authenticated as that sender), checking it first;
 * a notice of the same (sender, shipmentId) already stored is returned as it is.
 */
export async function receiveNotice(
  ctx: Pick<NodeContext, 'sql' | 'chain' | 'directory' | 'config'>,
  notice: ShipmentNotice,
  options: CheckNoticeOptions & { requestId?: string } = {},
): Promise<ReceivedNotice> {
  const sql = ctx.sql;
  const sender = notice.sender.toLowerCase();
  const known = await findNoticeId(sql, sender, notice.shipmentId);
  if (known !== undefined) return { notice: (await findNotice(sql, known))!, duplicate: true };

  const check = await checkNotice(ctx, notice, options);
  const blocked = check.lines.filter((line) => line.verdict === 'blocked').length;
  const status: NoticeStatus = blocked === 0 && check.problems.length === 0 ? 'verified' : 'failed';
  const id = await sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into inbound_notices (sender, sender_shipment_id, notice, status, problems)
      values (${sender}, ${notice.shipmentId}, ${tx.json(notice as never)}, ${status}, ${tx.json(check.problems as never)})
      on conflict (sender, sender_shipment_id) do nothing
      returning id`;
    if (!row) return undefined; // stored meanwhile by a concurrent delivery
    const noticeId = Number(row.id);
    const rows = notice.lines.map((line, i) => ({
      notice_id: noticeId,
      line_no: i + 1,
      gtin: line.gtin,
      lot: line.lot,
      serial: line.serial ?? null,
      quantity: line.quantity,
      expiry: line.expiry,
      verdict: check.lines[i].verdict,
      reason: check.lines[i].reason,
    }));
    for (let i = 0; i < rows.length; i += 5_000) {
      await tx`insert into inbound_notice_lines ${tx(rows.slice(i, i + 5_000), 'notice_id', 'line_no', 'gtin', 'lot', 'serial', 'quantity', 'expiry', 'verdict', 'reason')}`;
    }
    await recordAudit(tx, {
      actor: `peer:${sender}`,
      action: 'notice.receive',
      entity: 'inbound_notice',
      entityId: String(noticeId),
      after: { sender, shipmentId: notice.shipmentId, status, lines: rows.length, blockedLines: blocked },
      requestId: options.requestId,
    });
    return noticeId;
  });
  if (id === undefined) {
    const stored = await findNoticeId(sql, sender, notice.shipmentId);
    return { notice: (await findNotice(sql, stored!))!, duplicate: true };
  }
  return { notice: (await findNotice(sql, id))!, duplicate: false };
}

export async function findNoticeId(sql: Sql | Tx, sender: string, shipmentId: number): Promise<number | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from inbound_notices where sender = ${sender.toLowerCase()} and sender_shipment_id = ${shipmentId}`;
  return row ? Number(row.id) : undefined;
}

interface SummaryRow {
  id: string;
  sender: string;
  sender_name: string | null;
  sender_shipment_id: string;
  shipped_at: string | null;
  received_at: Date;
  status: NoticeStatus;
  checked_at: Date;
  line_count: number;
  blocked_lines: number;
  quantity: number;
}

const summaryColumns = (sql: Sql | Tx) => sql`
  n.id, n.sender, n.sender_shipment_id, n.notice ->> 'shippedAt' as shipped_at, n.received_at, n.status, n.checked_at,
  (select p.name from partners p where p.participant = n.sender order by p.id limit 1) as sender_name,
  (select count(*)::int from inbound_notice_lines l where l.notice_id = n.id) as line_count,
  (select count(*)::int from inbound_notice_lines l where l.notice_id = n.id and l.verdict = 'blocked') as blocked_lines,
  (select coalesce(sum(l.quantity), 0)::int from inbound_notice_lines l where l.notice_id = n.id) as quantity`;

function toSummary(row: SummaryRow): InboundNoticeSummary {
  return {
    id: Number(row.id),
    sender: row.sender,
    senderName: row.sender_name,
    senderShipmentId: Number(row.sender_shipment_id),
    shippedAt: row.shipped_at ?? '',
    receivedAt: row.received_at.toISOString(),
    status: row.status,
    checkedAt: row.checked_at.toISOString(),
    lineCount: row.line_count,
    blockedLines: row.blocked_lines,
    quantity: row.quantity,
  };
}

export async function listNotices(
  sql: Sql | Tx,
  page: { status?: NoticeStatus; sender?: string; beforeId?: number; limit: number },
): Promise<InboundNoticeSummary[]> {
  const rows = await sql<SummaryRow[]>`
    select ${summaryColumns(sql)} from inbound_notices n
    where ${page.status === undefined ? sql`true` : sql`n.status = ${page.status}`}
      and ${page.sender === undefined ? sql`true` : sql`n.sender = ${page.sender.toLowerCase()}`}
      and ${page.beforeId === undefined ? sql`true` : sql`n.id < ${page.beforeId}`}
    order by n.id desc
    limit ${page.limit}`;
  return rows.map(toSummary);
}

export async function findNotice(sql: Sql | Tx, id: number): Promise<InboundNotice | undefined> {
  const [row] = await sql<(SummaryRow & { problems: NoticeProblem[]; bundle_count: number })[]>`
    select ${summaryColumns(sql)}, n.problems, 1 + coalesce(jsonb_array_length(n.notice -> 'pedigree'), 0) as bundle_count
    from inbound_notices n where n.id = ${id}`;
  if (!row) return undefined;
  const lines = await sql<{ line_no: number; gtin: string; lot: string; serial: string | null; quantity: number; expiry: string; verdict: 'ok' | 'blocked'; reason: string | null; state: NoticeLineState; received_quantity: number }[]>`
    select line_no, gtin, lot, serial, quantity, expiry::text as expiry, verdict, reason, state, received_quantity
    from inbound_notice_lines where notice_id = ${id} order by line_no`;
  return {
    ...toSummary(row),
    problems: row.problems,
    bundleCount: row.bundle_count,
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      gtin: l.gtin,
      lot: l.lot,
      serial: l.serial,
      quantity: l.quantity,
      expiry: l.expiry,
      verdict: l.verdict,
      reason: l.reason,
      state: l.state,
      receivedQuantity: l.received_quantity,
    })),
  };
}

/** The stored notice document of an inbound notice (for receiving and trace). */
export async function noticeDocument(sql: Sql | Tx, id: number): Promise<ShipmentNotice | undefined> {
  const [row] = await sql<{ notice: ShipmentNotice }[]>`select notice from inbound_notices where id = ${id}`;
  return row?.notice;
}
