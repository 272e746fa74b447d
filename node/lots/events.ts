// The commissioning event of a lot (DESIGN 4, vectors/bundle-v1.json): an
// EPCIS ObjectEvent ADD naming every unit by its EPC URI, with the lot's data.
import { encodeDigitalLinkValue, lotUri, unitUri, type EpcisEvent } from '../../sdk';

/**
 * The units' EPC URIs (`unitUri`). unitUri re-checks the GTIN and the serial on every call;
 * for a lot of 100,000 serials already checked, the SDK's prefix for this GTIN is taken
 * once from the first URI and each serial encoded by the SDK's own encoder.
 */
export function unitUris(gtin: string, serials: readonly string[]): string[] {
  if (serials.length === 0) return [];
  const first = unitUri(gtin, serials[0]);
  const prefix = first.slice(0, first.length - encodeDigitalLinkValue(serials[0]).length);
  if (!prefix.endsWith(`/01/${gtin}/21/`)) throw new Error(`unexpected unit URI layout: ${first}`);
  return serials.map((serial) => prefix + encodeDigitalLinkValue(serial));
}

/**
 * What an event names: serialised goods as an `epcList` of unit EPC URIs, lot-controlled
 * goods as a `quantityList` of the lot's class.
 */
export function unitsOrLotQuantity(
  gtin: string,
  lot: string,
  goods: { serials?: readonly string[]; quantity: number },
): Pick<EpcisEvent, 'epcList' | 'quantityList'> {
  return goods.serials && goods.serials.length > 0
    ? { epcList: unitUris(gtin, goods.serials) }
    : { quantityList: [{ epcClass: lotUri(gtin, lot), quantity: goods.quantity, uom: 'EA' }] };
}

/**
 * The commissioning event of a lot: an ObjectEvent ADD naming every unit of a serialised
 * lot in its `epcList`, or, for a lot-controlled product, the lot's class and quantity in
 * its `quantityList` (the lot-level evidence a customer's node checks a notice line against).
 */
export function commissioningEvent(
  lot: { gtin: string; lot: string; productionDate: string; expiry: string } & ({ serials: readonly string[] } | { quantity: number }),
  time: { eventTime: string; eventTimeZoneOffset: string },
): EpcisEvent {
  return {
    type: 'ObjectEvent',
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    eventTime: time.eventTime,
    eventTimeZoneOffset: time.eventTimeZoneOffset,
    ...('serials' in lot
      ? { epcList: unitUris(lot.gtin, lot.serials) }
      : { quantityList: [{ epcClass: lotUri(lot.gtin, lot.lot), quantity: lot.quantity, uom: 'EA' }] }),
    'medtrace:lot': { gtin: lot.gtin, lot: lot.lot, productionDate: lot.productionDate, expiry: lot.expiry },
  };
}
