// The ledger as an EPCIS 2.0 JSON-LD document (DESIGN 4): each event as it was
// recorded, its unit sets expanded back into full EPC lists from
// ledger_unit_sets, with its ledger position (seq, leaf, anchor batch) under
// the medtrace: prefix so each event can be matched with its proof.
import type { EpcisEvent, UnitSetField } from '../../sdk';
import { UNIT_SET_FIELDS } from '../../sdk';
import type { Sql } from '../db';

export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
export const MEDTRACE_CONTEXT = { medtrace: 'https://medtrace.dev/ns/epcis#' };
/** At most this many events per document; ask again from `medtrace:range.nextFromSeq`. */
export const MAX_EXPORT_EVENTS = 10_000;

export interface EpcisExportOptions {
  participant: string;
  participantName: string;
  fromSeq: number;
  toSeq?: number;
  /** Only events naming one of these GTINs (an auditor token limited to them). */
  gtins?: string[];
}

export async function exportEpcis(sql: Sql, options: EpcisExportOptions): Promise<Record<string, unknown>> {
  const { participant, fromSeq } = options;
  const [head] = await sql<{ last: string }[]>`select coalesce(max(seq), 0) as last from ledger_events where participant = ${participant}`;
  const last = Number(head.last);
  const toSeq = Math.min(options.toSeq ?? last, last, fromSeq + MAX_EXPORT_EVENTS - 1);

  const rows =
    toSeq < fromSeq
      ? []
      : await sql<{ seq: string; leaf: string; recorded_at: Date; event: EpcisEvent; batch: string | null }[]>`
          select e.seq, e.leaf, e.recorded_at, e.envelope -> 'event' as event, b.batch
          from ledger_events e
          left join anchor_batches b on b.participant = e.participant and e.seq between b.from_seq and b.to_seq
          where e.participant = ${participant} and e.seq between ${fromSeq} and ${toSeq}
          order by e.seq`;
  const sets =
    toSeq < fromSeq
      ? []
      : await sql<{ seq: string; field: UnitSetField; uris: string[] }[]>`
          select seq, field, uris from ledger_unit_sets
          where participant = ${participant} and seq between ${fromSeq} and ${toSeq}`;
  const unitsOf = new Map<string, string[]>();
  for (const set of sets) unitsOf.set(`${set.seq}/${set.field}`, set.uris);

  const eventList: Record<string, unknown>[] = [];
  for (const row of rows) {
    const event: Record<string, unknown> = { ...row.event };
    for (const field of UNIT_SET_FIELDS) {
      if (event[field] === undefined) continue;
      event[field] = unitsOf.get(`${row.seq}/${field}`) ?? [];
    }
    if (options.gtins && !namesGtin(event, options.gtins)) continue;
    eventList.push({
      eventID: `urn:medtrace:event:${participant}:${row.seq}`,
      ...event,
      'medtrace:ledger': {
        participant,
        seq: Number(row.seq),
        leaf: row.leaf,
        batch: row.batch === null ? null : Number(row.batch),
        recordedAt: new Date(row.recorded_at).toISOString(),
      },
    });
  }

  return {
    '@context': [EPCIS_CONTEXT, MEDTRACE_CONTEXT],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    'medtrace:sender': { participant, name: options.participantName },
    'medtrace:range': { fromSeq, toSeq: Math.max(toSeq, fromSeq - 1), lastSeq: last, nextFromSeq: toSeq < last ? toSeq + 1 : null },
    epcisBody: { eventList },
  };
}

/** Whether an event names one of the GTINs (in an EPC, an EPC class or a medtrace: extension). */
function namesGtin(event: Record<string, unknown>, gtins: string[]): boolean {
  const text = JSON.stringify(event);
  return gtins.some((gtin) => text.includes(`/01/${gtin}`) || text.includes(`"gtin":"${gtin}"`));
}
