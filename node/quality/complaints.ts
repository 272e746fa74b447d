// Customer complaints about a unit or a lot of a product: an internal record
// (no ledger event; no personal data of patients), which may open a
// nonconformance and is closed with its resolution.
import type { Sql, Tx } from '../db';

export interface Complaint {
  id: number;
  gtin: string;
  lot: string | null;
  serial: string | null;
  customerId: number | null;
  receivedOn: string;
  description: string;
  reportable: boolean;
  status: 'open' | 'closed';
  resolution: string | null;
  nonconformanceId: number | null;
  createdAt: string;
  createdBy: string;
  closedAt: string | null;
  closedBy: string | null;
}

interface ComplaintRow {
  id: number;
  gtin: string;
  lot: string | null;
  serial: string | null;
  customer_id: number | null;
  received_on: string;
  description: string;
  reportable: boolean;
  status: Complaint['status'];
  resolution: string | null;
  nonconformance_id: number | null;
  created_at: Date;
  created_by: string;
  closed_at: Date | null;
  closed_by: string | null;
}

function toComplaint(row: ComplaintRow): Complaint {
  return {
    id: row.id,
    gtin: row.gtin,
    lot: row.lot,
    serial: row.serial,
    customerId: row.customer_id,
    receivedOn: row.received_on,
    description: row.description,
    reportable: row.reportable,
    status: row.status,
    resolution: row.resolution,
    nonconformanceId: row.nonconformance_id,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    closedAt: row.closed_at === null ? null : row.closed_at.toISOString(),
    closedBy: row.closed_by,
  };
}

const COLUMNS = `id, gtin, lot, serial, customer_id, received_on::text as received_on, description, reportable, status, resolution,
  nonconformance_id, created_at, created_by, closed_at, closed_by`;

export async function insertComplaint(
  tx: Tx,
  complaint: Pick<Complaint, 'gtin' | 'lot' | 'serial' | 'customerId' | 'receivedOn' | 'description' | 'reportable'>,
  actor: string,
): Promise<Complaint> {
  const [row] = await tx<ComplaintRow[]>`
    insert into complaints (gtin, lot, serial, customer_id, received_on, description, reportable, created_by)
    values (${complaint.gtin}, ${complaint.lot}, ${complaint.serial}, ${complaint.customerId}, ${complaint.receivedOn},
            ${complaint.description}, ${complaint.reportable}, ${actor})
    returning ${tx.unsafe(COLUMNS)}`;
  return toComplaint(row);
}

export async function linkNonconformance(tx: Tx, id: number, nonconformanceId: number): Promise<Complaint> {
  const [row] = await tx<ComplaintRow[]>`
    update complaints set nonconformance_id = ${nonconformanceId} where id = ${id} returning ${tx.unsafe(COLUMNS)}`;
  return toComplaint(row);
}

export async function closeComplaint(tx: Tx, id: number, resolution: string, actor: string): Promise<Complaint> {
  const [row] = await tx<ComplaintRow[]>`
    update complaints set status = 'closed', resolution = ${resolution}, closed_at = now(), closed_by = ${actor}
    where id = ${id} returning ${tx.unsafe(COLUMNS)}`;
  return toComplaint(row);
}

export async function findComplaint(sql: Sql | Tx, id: number, options: { lock?: boolean } = {}): Promise<Complaint | undefined> {
  const [row] = await sql<ComplaintRow[]>`
    select ${sql.unsafe(COLUMNS)} from complaints where id = ${id} ${options.lock ? sql`for update` : sql``}`;
  return row && toComplaint(row);
}

export async function listComplaints(
  sql: Sql,
  filter: { status?: Complaint['status']; gtin?: string; lot?: string; afterId?: number; limit: number },
): Promise<Complaint[]> {
  const rows = await sql<ComplaintRow[]>`
    select ${sql.unsafe(COLUMNS)} from complaints
    where ${filter.status === undefined ? sql`true` : sql`status = ${filter.status}`}
      and ${filter.gtin === undefined ? sql`true` : sql`gtin = ${filter.gtin}`}
      and ${filter.lot === undefined ? sql`true` : sql`lot = ${filter.lot}`}
      and ${filter.afterId === undefined ? sql`true` : sql`id > ${filter.afterId}`}
    order by id
    limit ${filter.limit}`;
  return rows.map(toComplaint);
}
