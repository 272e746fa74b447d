// The inspecting event of a lot (DESIGN 4, vectors/bundle-v1.json): an EPCIS
// ObjectEvent OBSERVE over the lot's quantity, conformant when it passed. The
// sampling plan and the test items' verdicts go along when they were given.
import { lotUri, type EpcisEvent } from '../../sdk';
import type { InspectionItem, SamplingPlan } from './inspections';

export function inspectingEvent(
  inspection: {
    gtin: string;
    lot: string;
    quantity: number;
    result: 'pass' | 'fail';
    method: string;
    reportSha256: string | null;
    sampling?: SamplingPlan | null;
    items?: readonly InspectionItem[];
  },
  time: { eventTime: string; eventTimeZoneOffset: string },
): EpcisEvent {
  const items = inspection.items ?? [];
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'inspecting',
    disposition: inspection.result === 'pass' ? 'conformant' : 'non_conformant',
    eventTime: time.eventTime,
    eventTimeZoneOffset: time.eventTimeZoneOffset,
    quantityList: [{ epcClass: lotUri(inspection.gtin, inspection.lot), quantity: inspection.quantity, uom: 'EA' }],
    'medtrace:inspection': {
      result: inspection.result,
      method: inspection.method,
      ...(inspection.reportSha256 === null ? {} : { reportSha256: inspection.reportSha256 }),
      ...(inspection.sampling ? { sampling: { ...inspection.sampling } } : {}),
      ...(items.length > 0 ? { items: items.map((item) => ({ name: item.name, result: item.result })) } : {}),
    },
  };
}
