// The commissioning event of a lot (DESIGN 4, vectors/bundle-v1.json): an
// EPCIS ObjectEvent ADD naming every unit by its EPC URI, with the lot's data.
import { unitUri, type EpcisEvent } from '../../sdk';

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
    epcList: lot.serials.map((serial) => unitUri(lot.gtin, serial)),
    'medtrace:lot': { gtin: lot.gtin, lot: lot.lot, productionDate: lot.productionDate, expiry: lot.expiry },
  };
}
