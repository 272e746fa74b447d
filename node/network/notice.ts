// The advance shipment notice (ASN) one node pushes to its customer's node
// (DESIGN 7: pedigree travels with the goods): the shipment's lines, the
// sender's shipping event bundle disclosing every shipped unit, and the
// pedigree: for the shipped goods, every bundle the sender itself received
// with them (from the notices it booked), plus its own events about them —
// its receiving event, or as the maker its commissioning event (the shipped
// units disclosed; for lot-controlled goods the lot-level commissioning that
// names the lot's class and quantity) and its release of the lot. Only the shipped units are
// disclosed anywhere; the rest of each event stays behind its unit-set root.
import { lotUri, unitUri } from '../../sdk';
import type { ProofBundle } from '../../sdk';
import type { NodeContext } from '../context';
import type { Sql, Tx } from '../db';
import { buildBundle } from '../ledger/bundles';
import { mergeBundles, pedigreeOfLot } from './evidence';

export const NOTICE_VERSION = 1;
/** The outbox kind of a shipment notice (ref: the shipment id). */
export const NOTICE_KIND = 'notice';
export const NOTICE_PATH = '/peer/v1/notices';

export interface NoticeLine {
  /** GTIN-14. */
  gtin: string;
  lot: string;
  /** Serialised goods: one line per unit (quantity 1). Omitted for lot-controlled goods. */
  serial?: string;
  quantity: number;
  /** YYYY-MM-DD. */
  expiry: string;
}

export interface ShipmentNotice {
  version: 1;
  /** Lowercase address of the shipping participant. */
  sender: string;
  /** Lowercase address of the receiving participant. */
  receiver: string;
  /** The sender's shipment id (unique per sender). */
  shipmentId: number;
  /** ISO timestamp of the shipping event. */
  shippedAt: string;
  lines: NoticeLine[];
  /** The sender's shipping event, disclosing every shipped unit. */
  shipping: ProofBundle;
  /** Upstream and own evidence about the shipped goods (one bundle per event). */
  pedigree: ProofBundle[];
}

type BuildContext = Pick<NodeContext, 'sql' | 'chain'>;

/**
 * The notice of shipment `shipmentId` of this node, or null while its shipping event is not
 * anchored yet (no bundle exists before). Throws when the shipment is unknown or its customer
 * runs no node.
 */
export async function buildNotice(ctx: BuildContext, shipmentId: number): Promise<ShipmentNotice | null> {
  const sql = ctx.sql;
  const [shipment] = await sql<{ shipped_at: Date; ledger_seq: string | null; participant: string | null }[]>`
    select s.shipped_at, s.ledger_seq, p.participant
    from shipments s join partners p on p.id = s.customer_id where s.id = ${shipmentId}`;
  if (!shipment) throw new Error(`shipment ${shipmentId} does not exist`);
  if (!shipment.participant) throw new Error(`the customer of shipment ${shipmentId} runs no node (partner without participant)`);
  if (shipment.ledger_seq === null) throw new Error(`shipment ${shipmentId} has no shipping event`);

  const lines = await noticeLines(sql, shipmentId);
  const shippedUris = lines.filter((line) => line.serial !== undefined).map((line) => unitUri(line.gtin, line.serial!));
  const shipping = await buildBundle(sql, ctx.chain, Number(shipment.ledger_seq), shippedUris);
  if (!shipping) return null;

  const pedigree: ProofBundle[] = [];
  for (const group of groupByLot(lines)) {
    const bundles = await lotEvidence(ctx, group);
    if (bundles === null) return null;
    pedigree.push(...bundles);
  }
  return {
    version: NOTICE_VERSION,
    sender: ctx.chain.address.toLowerCase(),
    receiver: shipment.participant,
    shipmentId,
    shippedAt: shipment.shipped_at.toISOString(),
    lines,
    shipping,
    pedigree: mergeBundles(pedigree),
  };
}

/** A shipment's lines as a notice names them: one per unit, one per lot of lot-controlled goods. */
export async function noticeLines(sql: Sql | Tx, shipmentId: number): Promise<NoticeLine[]> {
  const rows = await sql<{ gtin: string; lot: string; serial: string | null; quantity: number; expiry: string }[]>`
    select sl.gtin, sl.lot, sl.serial, sum(sl.quantity)::int as quantity, l.expiry::text as expiry
    from shipment_lines sl join lots l on l.gtin = sl.gtin and l.lot = sl.lot
    where sl.shipment_id = ${shipmentId}
    group by sl.gtin, sl.lot, sl.serial, l.expiry
    order by sl.gtin, sl.lot, sl.serial nulls first`;
  return rows.map((row) => ({
    gtin: row.gtin,
    lot: row.lot,
    ...(row.serial === null ? {} : { serial: row.serial }),
    quantity: row.quantity,
    expiry: row.expiry,
  }));
}

interface LotGroup {
  gtin: string;
  lot: string;
  /** Serials shipped of this lot (empty for lot-controlled goods). */
  serials: string[];
}

function groupByLot(lines: readonly NoticeLine[]): LotGroup[] {
  const groups = new Map<string, LotGroup>();
  for (const line of lines) {
    const key = `${line.gtin}\u0000${line.lot}`;
    const group = groups.get(key) ?? { gtin: line.gtin, lot: line.lot, serials: [] };
    if (line.serial !== undefined) group.serials.push(line.serial);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * The evidence about the shipped goods of one lot: upstream bundles received with them,
 * this node's commissioning (the shipped units disclosed; a lot-controlled lot's
 * commissioning names the lot in its quantityList and discloses no unit), its latest release of the lot, and its
 * receiving events naming the goods. Null while one of its own events is not anchored.
 */
async function lotEvidence(ctx: BuildContext, group: LotGroup): Promise<ProofBundle[] | null> {
  const sql = ctx.sql;
  const participant = ctx.chain.address.toLowerCase();
  const uris = group.serials.map((serial) => unitUri(group.gtin, serial));
  const serialised = uris.length > 0;
  const bundles: ProofBundle[] = await pedigreeOfLot(sql, { gtin: group.gtin, lot: group.lot, serials: serialised ? group.serials : undefined });

  const own: { seq: number; units: string[] }[] = [];
  const [lot] = await sql<{ commissioning_seq: string | null }[]>`select commissioning_seq from lots where gtin = ${group.gtin} and lot = ${group.lot}`;
  if (lot?.commissioning_seq) {
    const commissioned = serialised
      ? await sql<{ uri: string }[]>`
          select uri from ledger_unit_sets, unnest(uris) as uri
          where participant = ${participant} and seq = ${lot.commissioning_seq} and field = 'epcList' and uri = any(${uris}::text[])`
      : [];
    own.push({ seq: Number(lot.commissioning_seq), units: commissioned.map((row) => row.uri) });
  }
  const [release] = await sql<{ ledger_seq: string }[]>`
    select ledger_seq from lot_status_changes where gtin = ${group.gtin} and lot = ${group.lot} and to_status = 'released'
    order by id desc limit 1`;
  if (release) own.push({ seq: Number(release.ledger_seq), units: [] });
  own.push(...(await receivingEvents(sql, participant, group, uris)));

  for (const event of own) {
    const bundle = await buildBundle(sql, ctx.chain, event.seq, event.units);
    if (!bundle) return null;
    bundles.push(bundle);
  }
  return bundles;
}

/** This node's receiving events naming the goods: serialised units (in an epcList unit set) or the lot's quantity. */
async function receivingEvents(sql: Sql, participant: string, group: LotGroup, uris: readonly string[]): Promise<{ seq: number; units: string[] }[]> {
  if (uris.length > 0) {
    const rows = await sql<{ seq: string; hits: string[] }[]>`
      select e.seq, array(select unnest(us.uris) intersect select unnest(${uris as string[]}::text[])) as hits
      from ledger_events e join ledger_unit_sets us on us.participant = e.participant and us.seq = e.seq and us.field = 'epcList'
      where e.participant = ${participant} and e.envelope -> 'event' ->> 'bizStep' = 'receiving' and us.uris && ${uris as string[]}::text[]
      order by e.seq`;
    return rows.map((row) => ({ seq: Number(row.seq), units: row.hits }));
  }
  const lotClass = lotUri(group.gtin, group.lot);
  const rows = await sql<{ seq: string }[]>`
    select seq from ledger_events
    where participant = ${participant} and envelope -> 'event' ->> 'bizStep' = 'receiving'
      and envelope -> 'event' -> 'quantityList' @> ${sql.json([{ epcClass: lotClass }])}
    order by seq`;
  return rows.map((row) => ({ seq: Number(row.seq), units: [] }));
}
