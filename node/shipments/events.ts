// The shipping event (DESIGN 4): an EPCIS ObjectEvent OBSERVE, bizStep
// shipping, disposition in_transit. Serialised units are named one by one in
// epcList (their EPC URIs); lot-controlled stock is counted per lot in
// quantityList; `medtrace:lots` sums every lot shipped (units and quantities),
// and the order, the shipment and its invoice are the business transactions.
// No prices and nothing about patients.
import { lotUri, type EpcisEvent } from '../../sdk';
import { unitUris } from '../lots/events';

export interface ShippedLine {
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
}

export function shippingEvent(
  shipment: { orderId: number; shipmentId: number; invoiceNumber: string; lines: readonly ShippedLine[] },
  time: { eventTime: string; eventTimeZoneOffset: string },
): EpcisEvent {
  const units = new Map<string, string[]>();
  const quantities = new Map<string, { gtin: string; lot: string; quantity: number }>();
  const lots = new Map<string, { gtin: string; lot: string; quantity: number }>();
  for (const line of shipment.lines) {
    const key = `${line.gtin}\u0000${line.lot}`;
    const lot = lots.get(key) ?? { gtin: line.gtin, lot: line.lot, quantity: 0 };
    lot.quantity += line.quantity;
    lots.set(key, lot);
    if (line.serial !== null) {
      units.set(line.gtin, [...(units.get(line.gtin) ?? []), line.serial]);
    } else {
      const entry = quantities.get(key) ?? { gtin: line.gtin, lot: line.lot, quantity: 0 };
      entry.quantity += line.quantity;
      quantities.set(key, entry);
    }
  }
  const epcList = [...units].flatMap(([gtin, serials]) => unitUris(gtin, serials));
  const quantityList = [...quantities.values()].map((q) => ({ epcClass: lotUri(q.gtin, q.lot), quantity: q.quantity, uom: 'EA' }));
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    eventTime: time.eventTime,
    eventTimeZoneOffset: time.eventTimeZoneOffset,
    ...(epcList.length > 0 ? { epcList } : {}),
    ...(quantityList.length > 0 ? { quantityList } : {}),
    bizTransactionList: [
      { type: 'po', bizTransaction: `urn:medtrace:order:${shipment.orderId}` },
      { type: 'desadv', bizTransaction: `urn:medtrace:shipment:${shipment.shipmentId}` },
      { type: 'inv', bizTransaction: `urn:medtrace:invoice:${shipment.invoiceNumber}` },
    ],
    'medtrace:lots': [...lots.values()].map((l) => ({ epcClass: lotUri(l.gtin, l.lot), quantity: l.quantity, uom: 'EA' })),
  };
}
