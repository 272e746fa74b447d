// The commissioning event of a lot (DESIGN 4, vectors/bundle-v1.json): an
// EPCIS ObjectEvent ADD naming every unit by its EPC URI, with the lot's data.
import { encodeDigitalLinkValue, unitUri, type EpcisEvent } from '../../sdk';

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

export function commissioningEvent(
  lot: { gtin: string; lot: string; productionDate: string; expiry: string; serials: readonly string[] },
  time: { eventTime: string; eventTimeZoneOffset: string },
): EpcisEvent {
  return {
    type: 'ObjectEvent',
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    eventTime: time.eventTime,
    eventTimeZoneOffset: time.eventTimeZoneOffset,
    epcList: unitUris(lot.gtin, lot.serials),
    'medtrace:lot': { gtin: lot.gtin, lot: lot.lot, productionDate: lot.productionDate, expiry: lot.expiry },
  };
}
