// Inspections of a lot (incoming or final), each bound to its inspecting event.
import type { Sql, Tx } from '../db';

export const INSPECTION_KINDS = ['incoming', 'final'] as const;
export const INSPECTION_RESULTS = ['pass', 'fail'] as const;

export interface Inspection {
  id: number;
  gtin: string;
  lot: string;
  kind: (typeof INSPECTION_KINDS)[number];
  result: (typeof INSPECTION_RESULTS)[number];
  method: string;
  reportSha256: string | null;
  /** Ledger seq of the inspecting event. */
  ledgerSeq: number;
  inspectedAt: string;
  inspectedBy: string;
}

interface InspectionRow {
  id: number;
  gtin: string;
  lot: string;
  kind: Inspection['kind'];
  result: Inspection['result'];
  method: string;
  report_sha256: string | null;
  ledger_seq: number;
  inspected_at: Date;
  inspected_by: string;
}

function toInspection(row: InspectionRow): Inspection {
  return {
    id: row.id,
    gtin: row.gtin,
    lot: row.lot,
    kind: row.kind,
    result: row.result,
    method: row.method,
    reportSha256: row.report_sha256,
    ledgerSeq: row.ledger_seq,
    inspectedAt: row.inspected_at.toISOString(),
    inspectedBy: row.inspected_by,
  };
}

export async function insertInspection(
  tx: Tx,
  inspection: Omit<Inspection, 'id' | 'inspectedAt' | 'inspectedBy'> & { inspectedAt: string },
  inspectedBy: string,
): Promise<Inspection> {
  const [row] = await tx<InspectionRow[]>`
    insert into inspections (gtin, lot, kind, result, method, report_sha256, ledger_seq, inspected_at, inspected_by)
    values (${inspection.gtin}, ${inspection.lot}, ${inspection.kind}, ${inspection.result}, ${inspection.method},
            ${inspection.reportSha256}, ${inspection.ledgerSeq}, ${inspection.inspectedAt}, ${inspectedBy})
    returning id, gtin, lot, kind, result, method, report_sha256, ledger_seq, inspected_at, inspected_by`;
  return toInspection(row);
}

export async function listInspections(sql: Sql, gtin: string, lot: string, page: { afterId?: number; limit: number }): Promise<Inspection[]> {
  const rows = await sql<InspectionRow[]>`
    select id, gtin, lot, kind, result, method, report_sha256, ledger_seq, inspected_at, inspected_by
    from inspections
    where gtin = ${gtin} and lot = ${lot}
      and ${page.afterId === undefined ? sql`true` : sql`id > ${page.afterId}`}
    order by id
    limit ${page.limit}`;
  return rows.map(toInspection);
}
