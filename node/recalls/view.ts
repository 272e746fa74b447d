// A recall as this node sees it: the board's facts, what this node did, and the
// acknowledgements with counts — for the issuer, every company the goods
// reached (its own row, its customers' and those they relayed), with totals and
// time to acknowledge (acknowledged - published).
import type { NodeContext } from '../context';
import type { Sql } from '../db';
import type { RecallStatus } from './board';
import { actionName } from './board';

export interface CompanyReach {
  company: string;
  name: string;
  role: string;
  located: number;
  quarantined: number;
  inField: number;
  /** Of inField: units it shipped to customers running a node that have not acknowledged yet. */
  awaiting: number;
  acknowledgedAt: string;
  timeToAcknowledgeMs: number;
  /** Who delivered the acknowledgement: the company itself or a customer relaying it. */
  reportedBy: string;
}

export interface RecallView {
  id: number;
  issuer: string;
  issuedHere: boolean;
  gtin: string;
  lots: string[];
  recallClass: number;
  action: string;
  status: RecallStatus;
  noticeSha256: string;
  noticeUri: string;
  publishedAt: string;
  publishedBlock: number;
  txHash: string | null;
  /** Only for a recall issued here. */
  issued: { localId: number; ledgerSeq: number | null; signatureId: number | null; issuedBy: string; statusReason: string | null } | null;
  local: {
    processedAt: string | null;
    acknowledgedAt: string | null;
    lots: { lot: string; from: string; held: number; moved: number; ledgerSeq: number }[];
    skipped: { lot: string; reason: string }[];
    notified: { target: string; shippedQuantity: number }[];
  };
  companies: CompanyReach[];
  /** Customers this node told that have not acknowledged yet. */
  awaiting: { company: string; name: string; shippedQuantity: number; notifiedAt: string }[];
  totals: { companies: number; located: number; quarantined: number; inField: number; awaiting: number; maxTimeToAcknowledgeMs: number | null };
}

interface Row {
  chain_recall_id: string;
  issuer: string;
  gtin: string;
  lots: string[];
  recall_class: number;
  action: number;
  status: RecallStatus;
  notice_sha256: string;
  notice_uri: string;
  published_at: Date;
  published_block: string;
  tx_hash: string | null;
  processed_at: Date | null;
  acknowledged_at: Date | null;
  outcome: { lots: RecallView['local']['lots']; skipped: RecallView['local']['skipped']; notified: RecallView['local']['notified'] } | null;
  local_id: string | null;
  ledger_seq: string | null;
  signature_id: string | null;
  issued_by: string | null;
  status_reason: string | null;
}

const SELECT = (sql: Sql) => sql`
  select b.chain_recall_id, b.issuer, b.gtin, b.lots, b.recall_class, b.action, b.status, b.notice_sha256, b.notice_uri, b.published_at,
         b.published_block, b.tx_hash, b.processed_at, b.acknowledged_at, b.outcome,
         i.id as local_id, i.ledger_seq, i.signature_id, i.issued_by, i.status_reason
  from recall_board b left join issued_recalls i on i.chain_recall_id = b.chain_recall_id`;

type Ctx = Pick<NodeContext, 'sql' | 'participant' | 'directory'>;

async function nameOf(ctx: Ctx, address: string): Promise<{ name: string; role: string }> {
  try {
    const info = await ctx.directory.get(address);
    return { name: info.name, role: info.role };
  } catch {
    return { name: '', role: 'unknown' };
  }
}

export async function recallView(ctx: Ctx, chainRecallId: number): Promise<RecallView | undefined> {
  const [row] = await ctx.sql<Row[]>`${SELECT(ctx.sql)} where b.chain_recall_id = ${chainRecallId}`;
  if (!row) return undefined;
  return toView(ctx, row, true);
}

export async function listRecalls(
  ctx: Ctx,
  options: { beforeId?: number; limit: number; status?: RecallStatus; gtin?: string; issuedHere?: boolean },
): Promise<RecallView[]> {
  const sql = ctx.sql;
  const rows = await sql<Row[]>`${SELECT(sql)}
    where true
      ${options.beforeId === undefined ? sql`` : sql`and b.chain_recall_id < ${options.beforeId}`}
      ${options.status === undefined ? sql`` : sql`and b.status = ${options.status}`}
      ${options.gtin === undefined ? sql`` : sql`and b.gtin = ${options.gtin}`}
      ${options.issuedHere === undefined ? sql`` : options.issuedHere ? sql`and b.issuer = ${ctx.participant}` : sql`and b.issuer <> ${ctx.participant}`}
    order by b.chain_recall_id desc limit ${options.limit}`;
  return Promise.all(rows.map((row) => toView(ctx, row, true)));
}

async function toView(ctx: Ctx, row: Row, withCompanies: boolean): Promise<RecallView> {
  const id = Number(row.chain_recall_id);
  const publishedAt = row.published_at;
  // Time to acknowledge counts from publication: the block's time, or this node's own processing of
  // the recall when that came first (a Hardhat chain mining on demand runs its block clock ahead of
  // the wall clock, one second per block).
  const since = row.processed_at !== null && row.processed_at < publishedAt ? row.processed_at : publishedAt;
  const acks = withCompanies
    ? await ctx.sql<{ company: string; reported_by: string; located: number; quarantined: number; in_field: number; awaiting: number; acknowledged_at: Date }[]>`
        select company, reported_by, located, quarantined, in_field, awaiting, acknowledged_at from recall_acks
        where chain_recall_id = ${id} order by acknowledged_at, company`
    : [];
  const companies = await Promise.all(
    acks.map(async (a) => ({
      company: a.company,
      ...(await nameOf(ctx, a.company)),
      located: a.located,
      quarantined: a.quarantined,
      inField: a.in_field,
      awaiting: a.awaiting,
      acknowledgedAt: a.acknowledged_at.toISOString(),
      timeToAcknowledgeMs: Math.max(0, a.acknowledged_at.getTime() - since.getTime()),
      reportedBy: a.reported_by,
    })),
  );
  const waiting = await ctx.sql<{ target: string; shipped_quantity: number; notified_at: Date }[]>`
    select n.target, n.shipped_quantity, n.notified_at from recall_notifications n
    where n.chain_recall_id = ${id} and not exists (select 1 from recall_acks a where a.chain_recall_id = n.chain_recall_id and a.company = n.target)
    order by n.target`;
  const awaiting = await Promise.all(
    waiting.map(async (w) => ({ company: w.target, name: (await nameOf(ctx, w.target)).name, shippedQuantity: w.shipped_quantity, notifiedAt: w.notified_at.toISOString() })),
  );
  const sum = (pick: (c: CompanyReach) => number) => companies.reduce((total, c) => total + pick(c), 0);
  return {
    id,
    issuer: row.issuer,
    issuedHere: row.issuer === ctx.participant,
    gtin: row.gtin,
    lots: row.lots,
    recallClass: Number(row.recall_class),
    action: actionName(Number(row.action)),
    status: row.status,
    noticeSha256: row.notice_sha256,
    noticeUri: row.notice_uri,
    publishedAt: publishedAt.toISOString(),
    publishedBlock: Number(row.published_block),
    txHash: row.tx_hash,
    issued:
      row.local_id === null
        ? null
        : {
            localId: Number(row.local_id),
            ledgerSeq: row.ledger_seq === null ? null : Number(row.ledger_seq),
            signatureId: row.signature_id === null ? null : Number(row.signature_id),
            issuedBy: row.issued_by ?? '',
            statusReason: row.status_reason,
          },
    local: {
      processedAt: row.processed_at?.toISOString() ?? null,
      acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
      lots: row.outcome?.lots ?? [],
      skipped: row.outcome?.skipped ?? [],
      notified: row.outcome?.notified ?? [],
    },
    companies,
    awaiting,
    totals: {
      companies: companies.length,
      located: sum((c) => c.located),
      quarantined: sum((c) => c.quarantined),
      inField: sum((c) => c.inField),
      awaiting: sum((c) => c.awaiting),
      maxTimeToAcknowledgeMs: companies.length === 0 ? null : Math.max(...companies.map((c) => c.timeToAcknowledgeMs)),
    },
  };
}
