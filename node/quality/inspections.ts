// Inspections of a lot (incoming or final), each bound to its inspecting event:
// an optional sampling plan (figures given by the inspector, ISO 2859-1 style)
// and a result per test item, from which the overall result is derived.
import type { Sql, Tx } from '../db';

export const INSPECTION_KINDS = ['incoming', 'final'] as const;
export const INSPECTION_RESULTS = ['pass', 'fail'] as const;

export type InspectionResult = (typeof INSPECTION_RESULTS)[number];

/** Lot statuses under which a lot may no longer be inspected. */
export const NOT_INSPECTABLE_STATUSES = ['rejected', 'recalled', 'expired'] as const;

export interface SamplingPlan {
  lotSize: number;
  sampleSize: number;
  /** The most defective units in the sample that still accept the lot (Ac). */
  acceptanceNumber: number;
  /** Defective units found in the sample. */
  defects: number;
}

export interface InspectionItem {
  name: string;
  spec: string;
  measured: string;
  result: InspectionResult;
}

export interface Inspection {
  id: number;
  gtin: string;
  lot: string;
  kind: (typeof INSPECTION_KINDS)[number];
  result: InspectionResult;
  method: string;
  reportSha256: string | null;
  sampling: SamplingPlan | null;
  items: InspectionItem[];
  /** The nonconformance a failed inspection opened. */
  nonconformanceId: number | null;
  /** Ledger seq of the inspecting event. */
  ledgerSeq: number;
  inspectedAt: string;
  inspectedBy: string;
}

/**
 * The overall result the evidence gives: fail when any test item failed or the
 * sample holds more defects than the acceptance number; undefined when there
 * is no evidence (neither items nor a sampling plan).
 */
export function derivedResult(sampling: SamplingPlan | null, items: readonly InspectionItem[]): InspectionResult | undefined {
  if (sampling === null && items.length === 0) return undefined;
  if (items.some((item) => item.result === 'fail')) return 'fail';
  if (sampling !== null && sampling.defects > sampling.acceptanceNumber) return 'fail';
  return 'pass';
}

/** Why an inspection failed, in words, for the nonconformance it opens. */
export function failureSummary(sampling: SamplingPlan | null, items: readonly InspectionItem[]): string {
  const reasons: string[] = [];
  const failed = items.filter((item) => item.result === 'fail');
  if (failed.length > 0) {
    reasons.push(`test items failed: ${failed.map((item) => `${item.name} (spec ${item.spec}, measured ${item.measured})`).join('; ')}`);
  }
  if (sampling !== null && sampling.defects > sampling.acceptanceNumber) {
    reasons.push(`${sampling.defects} defects in a sample of ${sampling.sampleSize} exceed the acceptance number ${sampling.acceptanceNumber}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : 'recorded as failed';
}

interface InspectionRow {
  id: number;
  gtin: string;
  lot: string;
  kind: Inspection['kind'];
  result: InspectionResult;
  method: string;
  report_sha256: string | null;
  lot_size: number | null;
  sample_size: number | null;
  acceptance_number: number | null;
  defects: number | null;
  items: InspectionItem[] | null;
  nonconformance_id: number | null;
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
    sampling:
      row.lot_size === null
        ? null
        : { lotSize: row.lot_size, sampleSize: row.sample_size!, acceptanceNumber: row.acceptance_number!, defects: row.defects! },
    items: row.items ?? [],
    nonconformanceId: row.nonconformance_id,
    ledgerSeq: row.ledger_seq,
    inspectedAt: row.inspected_at.toISOString(),
    inspectedBy: row.inspected_by,
  };
}

function selectInspections(sql: Sql | Tx) {
  return sql`
    select i.id, i.gtin, i.lot, i.kind, i.result, i.method, i.report_sha256, i.lot_size, i.sample_size,
           i.acceptance_number, i.defects, i.ledger_seq, i.inspected_at, i.inspected_by,
           (select json_agg(json_build_object('name', t.name, 'spec', t.spec, 'measured', t.measured, 'result', t.result)
                            order by t.position)
            from inspection_items t where t.inspection_id = i.id) as items,
           (select n.id from nonconformances n where n.inspection_id = i.id) as nonconformance_id
    from inspections i`;
}

/** The lot's status for an inspection, locked against a concurrent status change; undefined when no such lot. */
export async function lockLotForInspection(tx: Tx, gtin: string, lot: string): Promise<{ status: string; expired: boolean } | undefined> {
  const [row] = await tx<{ status: string; expired: boolean }[]>`
    select status, expiry < current_date as expired from lots where gtin = ${gtin} and lot = ${lot} for share`;
  return row;
}

export async function insertInspection(
  tx: Tx,
  inspection: Omit<Inspection, 'id' | 'inspectedAt' | 'inspectedBy' | 'nonconformanceId'> & { inspectedAt: string },
  inspectedBy: string,
): Promise<Inspection> {
  const s = inspection.sampling;
  const [{ id }] = await tx<{ id: number }[]>`
    insert into inspections (gtin, lot, kind, result, method, report_sha256, lot_size, sample_size, acceptance_number, defects,
                             ledger_seq, inspected_at, inspected_by)
    values (${inspection.gtin}, ${inspection.lot}, ${inspection.kind}, ${inspection.result}, ${inspection.method},
            ${inspection.reportSha256}, ${s?.lotSize ?? null}, ${s?.sampleSize ?? null}, ${s?.acceptanceNumber ?? null},
            ${s?.defects ?? null}, ${inspection.ledgerSeq}, ${inspection.inspectedAt}, ${inspectedBy})
    returning id`;
  if (inspection.items.length > 0) {
    await tx`
      insert into inspection_items (inspection_id, position, name, spec, measured, result)
      select ${id}, position, name, spec, measured, result
      from unnest(${tx.array(inspection.items.map((_, i) => i + 1))}::int[],
                  ${tx.array(inspection.items.map((item) => item.name))}::text[],
                  ${tx.array(inspection.items.map((item) => item.spec))}::text[],
                  ${tx.array(inspection.items.map((item) => item.measured))}::text[],
                  ${tx.array(inspection.items.map((item) => item.result))}::text[])
        as t (position, name, spec, measured, result)`;
  }
  return (await findInspection(tx, id))!;
}

export async function findInspection(sql: Sql | Tx, id: number): Promise<Inspection | undefined> {
  const [row] = await sql<InspectionRow[]>`${selectInspections(sql)} where i.id = ${id}`;
  return row && toInspection(row);
}

export async function listInspections(sql: Sql, gtin: string, lot: string, page: { afterId?: number; limit: number }): Promise<Inspection[]> {
  const rows = await sql<InspectionRow[]>`
    ${selectInspections(sql)}
    where i.gtin = ${gtin} and i.lot = ${lot}
      and ${page.afterId === undefined ? sql`true` : sql`i.id > ${page.afterId}`}
    order by i.id
    limit ${page.limit}`;
  return rows.map(toInspection);
}
