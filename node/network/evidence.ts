// Evidence about goods that came from other companies: the proof bundles this
// node received with the notices of shipments it booked (pedigreeOf), and the
// small bundle helpers the notice builder, the checker and the trace share:
// which bundles concern an item, restricting a bundle's disclosed units to the
// items at hand (each unit proof stands alone, so a subset still verifies), and
// merging the same event seen in several notices.
import { lotUri, unitUri } from '../../sdk';
import type { EpcisEvent, ProofBundle } from '../../sdk';
import type { Sql, Tx } from '../db';

/** The goods a question is about: unit EPC URIs (serialised goods) and lot classes (lotUri). */
export interface ItemKeys {
  uris: ReadonlySet<string>;
  lotClasses: ReadonlySet<string>;
}

export function itemKeys(items: readonly { gtin: string; lot: string; serial?: string | null }[]): ItemKeys {
  const uris = new Set<string>();
  const lotClasses = new Set<string>();
  for (const item of items) {
    lotClasses.add(lotUri(item.gtin, item.lot));
    if (item.serial) uris.add(unitUri(item.gtin, item.serial));
  }
  return { uris, lotClasses };
}

interface QuantityElement {
  epcClass?: unknown;
  quantity?: unknown;
}

/** Lot classes an event names: quantityList, medtrace:lots (a shipment's lots) and medtrace:lot (a commissioned lot). */
export function eventLotClasses(event: EpcisEvent): Set<string> {
  const classes = new Set<string>();
  const add = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const element of list as QuantityElement[]) if (typeof element?.epcClass === 'string') classes.add(element.epcClass);
  };
  add(event.quantityList);
  add(event['medtrace:lots']);
  const lot = event['medtrace:lot'] as { gtin?: unknown; lot?: unknown } | undefined;
  if (lot && typeof lot.gtin === 'string' && typeof lot.lot === 'string') {
    try {
      classes.add(lotUri(lot.gtin, lot.lot));
    } catch {
      // not a valid GTIN/lot: names nothing
    }
  }
  return classes;
}

/** The quantity a quantity list (quantityList or medtrace:lots) holds for a lot class (summed; undefined when absent). */
export function quantityOf(list: unknown, lotClass: string): number | undefined {
  if (!Array.isArray(list)) return undefined;
  let total: number | undefined;
  for (const element of list as QuantityElement[]) {
    if (element?.epcClass !== lotClass) continue;
    total = (total ?? 0) + (typeof element.quantity === 'number' ? element.quantity : 0);
  }
  return total;
}

/** Whether a bundle is about any of the items: a disclosed unit among `uris`, or a lot class named by its event. */
export function concerns(bundle: ProofBundle, keys: ItemKeys): boolean {
  if (bundle.units.some((unit) => keys.uris.has(unit.uri))) return true;
  for (const lotClass of eventLotClasses(bundle.envelope.event)) if (keys.lotClasses.has(lotClass)) return true;
  return false;
}

/** The bundle with only the disclosed units among `uris` (the rest of the event stays hidden behind its unit-set root). */
export function restrictBundle(bundle: ProofBundle, uris: ReadonlySet<string>): ProofBundle {
  const units = bundle.units.filter((unit) => uris.has(unit.uri));
  return units.length === bundle.units.length ? bundle : { ...bundle, units };
}

const bundleKey = (bundle: ProofBundle) => `${bundle.envelope.participant}:${bundle.envelope.seq}:${bundle.salt}`;

/** One bundle per event (participant, seq, salt), with the union of the units the copies disclose; first-seen order. */
export function mergeBundles(bundles: readonly ProofBundle[]): ProofBundle[] {
  const merged = new Map<string, ProofBundle>();
  for (const bundle of bundles) {
    const key = bundleKey(bundle);
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, bundle);
      continue;
    }
    const known = new Set(seen.units.map((unit) => `${unit.field}\u0000${unit.uri}`));
    const extra = bundle.units.filter((unit) => !known.has(`${unit.field}\u0000${unit.uri}`));
    if (extra.length > 0) merged.set(key, { ...seen, units: [...seen.units, ...extra] });
  }
  return [...merged.values()];
}

/** The bundles of a notice (its shipping bundle first, then its pedigree) that concern the items, restricted to them. */
export function noticeBundlesFor(notice: { shipping: ProofBundle; pedigree: readonly ProofBundle[] }, keys: ItemKeys): ProofBundle[] {
  return [notice.shipping, ...notice.pedigree].filter((bundle) => concerns(bundle, keys)).map((bundle) => restrictBundle(bundle, keys.uris));
}

/** Line states of a booked notice line (its goods were received here). */
export const BOOKED_LINE_STATES = ['received'] as const;

/**
 * Every bundle this node received with the notices it booked covering the goods: for
 * serialised items, lines naming one of `serials`; without serials, every booked line
 * of the lot. The bundles are restricted to those goods and merged (one per event).
 */
export async function pedigreeOfLot(sql: Sql | Tx, item: { gtin: string; lot: string; serials?: readonly string[] }): Promise<ProofBundle[]> {
  const serials = item.serials === undefined ? null : [...item.serials];
  if (serials !== null && serials.length === 0) return [];
  const rows = await sql<{ notice: { shipping: ProofBundle; pedigree: ProofBundle[] }; serials: (string | null)[] }[]>`
    select n.notice, array_agg(l.serial) as serials
    from inbound_notices n join inbound_notice_lines l on l.notice_id = n.id
    where l.gtin = ${item.gtin} and l.lot = ${item.lot} and l.state in ${sql(BOOKED_LINE_STATES)}
      and (${serials}::text[] is null or l.serial = any(${serials}::text[]))
    group by n.id order by n.id`;
  const bundles: ProofBundle[] = [];
  for (const row of rows) {
    const keys = itemKeys(row.serials.map((serial) => ({ gtin: item.gtin, lot: item.lot, serial })));
    bundles.push(...noticeBundlesFor(row.notice, keys));
  }
  return mergeBundles(bundles);
}

/**
 * The pedigree of one item (a unit, or a lot when `serial` is omitted): the bundles received
 * with booked notices covering it (upstream shipping events, their receiving, commissioning
 * and release evidence), disclosing only this item's units.
 */
export function pedigreeOf(sql: Sql | Tx, item: { gtin: string; lot: string; serial?: string | null }): Promise<ProofBundle[]> {
  return pedigreeOfLot(sql, { gtin: item.gtin, lot: item.lot, serials: item.serial ? [item.serial] : undefined });
}
