// Deviations: a planned, time-boxed departure from a procedure or
// specification (optionally for one product or lot), in force once QA has
// approved it with an e-signature. A nonconformance may be used as is only
// under an approved deviation that covers it (a concession).
import type { Sql, Tx } from '../db';

export interface Deviation {
  id: number;
  title: string;
  description: string;
  gtin: string | null;
  lot: string | null;
  validFrom: string;
  validUntil: string;
  status: 'requested' | 'approved';
  approvalSignatureId: number | null;
  createdAt: string;
  createdBy: string;
  approvedAt: string | null;
  approvedBy: string | null;
}

interface DeviationRow {
  id: number;
  title: string;
  description: string;
  gtin: string | null;
  lot: string | null;
  valid_from: string;
  valid_until: string;
  status: Deviation['status'];
  approval_signature_id: number | null;
  created_at: Date;
  created_by: string;
  approved_at: Date | null;
  approved_by: string | null;
}

function toDeviation(row: DeviationRow): Deviation {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    gtin: row.gtin,
    lot: row.lot,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    status: row.status,
    approvalSignatureId: row.approval_signature_id,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    approvedAt: row.approved_at === null ? null : row.approved_at.toISOString(),
    approvedBy: row.approved_by,
  };
}

const COLUMNS = `id, title, description, gtin, lot, valid_from::text as valid_from, valid_until::text as valid_until, status,
  approval_signature_id, created_at, created_by, approved_at, approved_by`;

export async function insertDeviation(
  tx: Tx,
  deviation: Pick<Deviation, 'title' | 'description' | 'gtin' | 'lot' | 'validFrom' | 'validUntil'>,
  actor: string,
): Promise<Deviation> {
  const [row] = await tx<DeviationRow[]>`
    insert into deviations (title, description, gtin, lot, valid_from, valid_until, created_by)
    values (${deviation.title}, ${deviation.description}, ${deviation.gtin}, ${deviation.lot}, ${deviation.validFrom},
            ${deviation.validUntil}, ${actor})
    returning ${tx.unsafe(COLUMNS)}`;
  return toDeviation(row);
}

export async function findDeviation(sql: Sql | Tx, id: number, options: { lock?: boolean } = {}): Promise<Deviation | undefined> {
  const [row] = await sql<DeviationRow[]>`
    select ${sql.unsafe(COLUMNS)} from deviations where id = ${id} ${options.lock ? sql`for update` : sql``}`;
  return row && toDeviation(row);
}

export async function approveDeviation(tx: Tx, id: number, signatureId: number, actor: string): Promise<Deviation> {
  const [row] = await tx<DeviationRow[]>`
    update deviations set status = 'approved', approval_signature_id = ${signatureId}, approved_at = now(), approved_by = ${actor}
    where id = ${id}
    returning ${tx.unsafe(COLUMNS)}`;
  return toDeviation(row);
}

export async function listDeviations(sql: Sql, filter: { status?: Deviation['status']; afterId?: number; limit: number }): Promise<Deviation[]> {
  const rows = await sql<DeviationRow[]>`
    select ${sql.unsafe(COLUMNS)} from deviations
    where ${filter.status === undefined ? sql`true` : sql`status = ${filter.status}`}
      and ${filter.afterId === undefined ? sql`true` : sql`id > ${filter.afterId}`}
    order by id
    limit ${filter.limit}`;
  return rows.map(toDeviation);
}

/** Whether deviation `id` is approved, in force today and covers the product/lot; if not, why (words after "deviation N "). */
export async function findApplicableDeviation(
  sql: Sql | Tx,
  id: number,
  subject: { gtin: string | null; lot: string | null },
): Promise<{ ok: true; deviation: Deviation } | { ok: false; why: string }> {
  const [row] = await sql<(DeviationRow & { today: string })[]>`
    select ${sql.unsafe(COLUMNS)}, current_date::text as today from deviations where id = ${id}`;
  if (!row) return { ok: false, why: 'does not exist' };
  const deviation = toDeviation(row);
  if (deviation.status !== 'approved') return { ok: false, why: 'is not approved' };
  if (row.today < deviation.validFrom || row.today > deviation.validUntil) {
    return { ok: false, why: `is in force from ${deviation.validFrom} to ${deviation.validUntil}, not today ${row.today}` };
  }
  if (deviation.gtin !== null && deviation.gtin !== subject.gtin) return { ok: false, why: `covers GTIN ${deviation.gtin} only` };
  if (deviation.lot !== null && deviation.lot !== subject.lot) return { ok: false, why: `covers lot ${deviation.lot} only` };
  return { ok: true, deviation };
}
