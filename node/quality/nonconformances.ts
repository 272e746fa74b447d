// Nonconformances: what did not conform (a lot, a receipt, a complaint's
// subject), how bad, and what is done with it (the disposition). An internal
// record: its history is the audit trail; it writes no ledger event itself.
import type { Sql, Tx } from '../db';

export const NC_SOURCES = ['inspection', 'receipt', 'complaint', 'internal'] as const;
export const NC_SEVERITIES = ['minor', 'major', 'critical'] as const;
export const NC_STATUSES = ['open', 'dispositioned', 'closed'] as const;
export const NC_DISPOSITIONS = ['rework', 'scrap', 'use_as_is', 'return'] as const;

export interface Nonconformance {
  id: number;
  source: (typeof NC_SOURCES)[number];
  gtin: string | null;
  lot: string | null;
  inspectionId: number | null;
  receiptId: number | null;
  complaintId: number | null;
  severity: (typeof NC_SEVERITIES)[number];
  description: string;
  status: (typeof NC_STATUSES)[number];
  disposition: (typeof NC_DISPOSITIONS)[number] | null;
  dispositionNote: string | null;
  dispositionedAt: string | null;
  dispositionedBy: string | null;
  createdAt: string;
  createdBy: string;
  closedAt: string | null;
  closedBy: string | null;
}

export type NewNonconformance = Pick<Nonconformance, 'source' | 'severity' | 'description'> &
  Partial<Pick<Nonconformance, 'gtin' | 'lot' | 'inspectionId' | 'receiptId' | 'complaintId'>>;

interface NcRow {
  id: number;
  source: Nonconformance['source'];
  gtin: string | null;
  lot: string | null;
  inspection_id: number | null;
  receipt_id: number | null;
  complaint_id: number | null;
  severity: Nonconformance['severity'];
  description: string;
  status: Nonconformance['status'];
  disposition: Nonconformance['disposition'];
  disposition_note: string | null;
  dispositioned_at: Date | null;
  dispositioned_by: string | null;
  created_at: Date;
  created_by: string;
  closed_at: Date | null;
  closed_by: string | null;
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

function toNonconformance(row: NcRow): Nonconformance {
  return {
    id: row.id,
    source: row.source,
    gtin: row.gtin,
    lot: row.lot,
    inspectionId: row.inspection_id,
    receiptId: row.receipt_id,
    complaintId: row.complaint_id,
    severity: row.severity,
    description: row.description,
    status: row.status,
    disposition: row.disposition,
    dispositionNote: row.disposition_note,
    dispositionedAt: iso(row.dispositioned_at),
    dispositionedBy: row.dispositioned_by,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    closedAt: iso(row.closed_at),
    closedBy: row.closed_by,
  };
}

const COLUMNS = `id, source, gtin, lot, inspection_id, receipt_id, complaint_id, severity, description, status, disposition,
  disposition_note, dispositioned_at, dispositioned_by, created_at, created_by, closed_at, closed_by`;

/**
 * Opens a nonconformance inside the caller's transaction (a failed inspection,
 * a complaint, a receipt, or by hand) and records its audit entry. The caller
 * has checked that what it links to exists.
 */
export async function openNonconformance(
  tx: Tx,
  nc: NewNonconformance,
  by: { actor: string; audit: (entry: { action: string; entity: string; entityId: string; after: unknown }) => Promise<void> },
): Promise<Nonconformance> {
  const [row] = await tx<NcRow[]>`
    insert into nonconformances (source, gtin, lot, inspection_id, receipt_id, complaint_id, severity, description, created_by)
    values (${nc.source}, ${nc.gtin ?? null}, ${nc.lot ?? null}, ${nc.inspectionId ?? null}, ${nc.receiptId ?? null},
            ${nc.complaintId ?? null}, ${nc.severity}, ${nc.description}, ${by.actor})
    returning ${tx.unsafe(COLUMNS)}`;
  const opened = toNonconformance(row);
  await by.audit({ action: 'nonconformance.open', entity: 'nonconformance', entityId: String(opened.id), after: opened });
  return opened;
}

export async function findNonconformance(sql: Sql | Tx, id: number, options: { lock?: boolean } = {}): Promise<Nonconformance | undefined> {
  const [row] = await sql<NcRow[]>`
    select ${sql.unsafe(COLUMNS)} from nonconformances where id = ${id} ${options.lock ? sql`for update` : sql``}`;
  return row && toNonconformance(row);
}

export async function setDisposition(
  tx: Tx,
  id: number,
  disposition: { disposition: NonNullable<Nonconformance['disposition']>; note: string | null },
  actor: string,
): Promise<Nonconformance> {
  const [row] = await tx<NcRow[]>`
    update nonconformances
    set status = 'dispositioned', disposition = ${disposition.disposition}, disposition_note = ${disposition.note},
        dispositioned_at = now(), dispositioned_by = ${actor}
    where id = ${id}
    returning ${tx.unsafe(COLUMNS)}`;
  return toNonconformance(row);
}

export async function closeNonconformance(tx: Tx, id: number, actor: string): Promise<Nonconformance> {
  const [row] = await tx<NcRow[]>`
    update nonconformances set status = 'closed', closed_at = now(), closed_by = ${actor}
    where id = ${id}
    returning ${tx.unsafe(COLUMNS)}`;
  return toNonconformance(row);
}

/** Nonconformances not yet closed on a lot (a release may want to know). */
export async function openNonconformancesOfLot(sql: Sql | Tx, gtin: string, lot: string): Promise<Nonconformance[]> {
  const rows = await sql<NcRow[]>`
    select ${sql.unsafe(COLUMNS)} from nonconformances where gtin = ${gtin} and lot = ${lot} and status <> 'closed' order by id`;
  return rows.map(toNonconformance);
}

export async function listNonconformances(
  sql: Sql,
  filter: { status?: Nonconformance['status']; gtin?: string; lot?: string; afterId?: number; limit: number },
): Promise<Nonconformance[]> {
  const rows = await sql<NcRow[]>`
    select ${sql.unsafe(COLUMNS)} from nonconformances
    where ${filter.status === undefined ? sql`true` : sql`status = ${filter.status}`}
      and ${filter.gtin === undefined ? sql`true` : sql`gtin = ${filter.gtin}`}
      and ${filter.lot === undefined ? sql`true` : sql`lot = ${filter.lot}`}
      and ${filter.afterId === undefined ? sql`true` : sql`id > ${filter.afterId}`}
    order by id
    limit ${filter.limit}`;
  return rows.map(toNonconformance);
}
