// Dispensing (DESIGN 4: "unit used on a patient"): a hospital scans the UDI of
// a unit as it is used. The unit must be on hand here, its lot released, not
// expired and not recalled (the lot's status, and the RecallBoard itself, so a
// recall published a moment ago counts even before the watcher has run). The
// unit is then consumed and a `dispensing`/`dispensed` event names it. Nothing
// about the patient is recorded anywhere.
import { parseGs1, unitUri, type EpcisEvent } from '../../sdk';
import type { ChainClient } from '../chain/client';
import type { Tx } from '../db';
import { ProblemError } from '../http/problem';
import { todayDate } from '../inventory/availability';
import { appendEvent, type LedgerContext } from '../ledger/append';
import { openRecallIdsFor } from '../recalls/board';

export interface Dispensation {
  id: number;
  gtin: string;
  lot: string;
  serial: string;
  uri: string;
  dispensedAt: string;
  dispensedBy: string;
  ledgerSeq: number;
}

const refuse = (status: number, slug: string, title: string, detail: string, extras: Record<string, unknown> = {}) =>
  new ProblemError(status, slug, title, detail, { field: 'scan', ...extras });

export function dispensingEvent(unit: { gtin: string; lot: string; serial: string }, time: { eventTime: string; eventTimeZoneOffset: string }): EpcisEvent {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'dispensing',
    disposition: 'dispensed',
    eventTime: time.eventTime,
    eventTimeZoneOffset: time.eventTimeZoneOffset,
    epcList: [unitUri(unit.gtin, unit.serial)],
    'medtrace:lot': { gtin: unit.gtin, lot: unit.lot },
  };
}

/**
 * Consumes the scanned unit. Refusals (409, field `scan`, nothing written):
 * `unit-unknown` (404), `scan-wrong-lot`, `unit-not-on-hand` (naming its state),
 * `lot-expired`, `lot-recalled` (lot status or an open recall on the board),
 * `lot-not-released`; a code without a serial is 422 `scan-serial-missing`.
 */
export async function dispenseUnit(
  tx: Tx,
  scan: string,
  options: { actor: string; ledger: LedgerContext; eventTimeZoneOffset: string; chain: Pick<ChainClient, 'contracts'>; today?: string },
): Promise<Dispensation> {
  const today = options.today ?? todayDate();
  const data = parseGs1(scan.trim());
  if (data.serial === undefined) {
    throw refuse(422, 'scan-serial-missing', 'Serial missing', `a dispensed unit is scanned with its serial (AI 21); ${scan} names none`);
  }
  const serial = data.serial;
  const [unit] = await tx<{ lot: string; state: string; status: string; expiry: string; bin_id: string | null }[]>`
    select u.lot, u.state, l.status, l.expiry::text as expiry, u.bin_id
    from units u join lots l on l.gtin = u.gtin and l.lot = u.lot
    where u.gtin = ${data.gtin} and u.serial = ${serial}
    for update of u`;
  const at = { gtin: data.gtin, serial };
  if (!unit) throw refuse(404, 'unit-unknown', 'Unknown unit', `no unit ${serial} of GTIN ${data.gtin} is known here`, at);
  if (data.lot !== undefined && data.lot !== unit.lot) {
    throw refuse(409, 'scan-wrong-lot', 'Wrong lot', `the label says lot ${data.lot} but unit ${serial} belongs to lot ${unit.lot}`, { ...at, lot: unit.lot });
  }
  if (unit.state !== 'on_hand') {
    throw refuse(409, 'unit-not-on-hand', 'Unit not on hand', `unit ${serial} of GTIN ${data.gtin} is ${unit.state}; only a unit on hand can be dispensed`, {
      ...at,
      state: unit.state,
    });
  }
  if (unit.status === 'expired' || unit.expiry <= today) {
    throw refuse(409, 'lot-expired', 'Lot expired', `lot ${unit.lot} of GTIN ${data.gtin} expired on ${unit.expiry}; it is not dispensed`, { ...at, lot: unit.lot, expiry: unit.expiry });
  }
  if (unit.status === 'recalled') {
    throw refuse(409, 'lot-recalled', 'Lot recalled', `lot ${unit.lot} of GTIN ${data.gtin} is recalled; it is not dispensed`, { ...at, lot: unit.lot });
  }
  const recalls = await openRecallIdsFor(options.chain, data.gtin, unit.lot);
  if (recalls.length > 0) {
    throw refuse(409, 'lot-recalled', 'Lot recalled', `lot ${unit.lot} of GTIN ${data.gtin} is under recall ${recalls.join(', ')} on the RecallBoard; it is not dispensed`, {
      ...at,
      lot: unit.lot,
      recalls,
    });
  }
  if (unit.status !== 'released') {
    throw refuse(409, 'lot-not-released', 'Lot not released', `lot ${unit.lot} of GTIN ${data.gtin} is ${unit.status}; only released stock is dispensed`, {
      ...at,
      lot: unit.lot,
      lotStatus: unit.status,
    });
  }

  const [row] = await tx<{ id: string; dispensed_at: Date }[]>`
    insert into dispensations (gtin, lot, serial, scan, dispensed_by, ledger_seq)
    values (${data.gtin}, ${unit.lot}, ${serial}, ${scan}, ${options.actor}, 1)
    returning id, dispensed_at`;
  const event = dispensingEvent(
    { gtin: data.gtin, lot: unit.lot, serial },
    { eventTime: row.dispensed_at.toISOString(), eventTimeZoneOffset: options.eventTimeZoneOffset },
  );
  const { seq } = await appendEvent(tx, options.ledger, event);
  await tx`update dispensations set ledger_seq = ${seq} where id = ${row.id}`;
  await tx`update units set state = 'consumed', bin_id = null, order_line_id = null where gtin = ${data.gtin} and serial = ${serial}`;
  await tx`
    insert into stock_moves (actor, kind, gtin, lot, serial, quantity, from_bin_id, from_state, to_state, ref_type, ref_id, ledger_seq)
    values (${options.actor}, 'dispense', ${data.gtin}, ${unit.lot}, ${serial}, 1, ${unit.bin_id}, 'on_hand', 'consumed', 'dispensation', ${String(row.id)}, ${seq})`;
  return {
    id: Number(row.id),
    gtin: data.gtin,
    lot: unit.lot,
    serial,
    uri: unitUri(data.gtin, serial),
    dispensedAt: row.dispensed_at.toISOString(),
    dispensedBy: options.actor,
    ledgerSeq: seq,
  };
}
