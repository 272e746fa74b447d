// The lot status life cycle, in one place: which transitions are allowed,
// what each one requires, the stock it moves between zones, its ledger event,
// its history row and its audit entry. Every status change of a lot — by hand
// (release, quarantine, block, unblock, reject, recall), by a quality record
// (H3 blocks a nonconforming lot) or by the expiry job — goes through
// changeLotStatus inside the caller's write transaction.
import { lotUri, type EpcisEvent } from '../../sdk';
import type { AuditEntry } from '../auth/auditTrail';
import type { Tx } from '../db';
import { ProblemError, problems } from '../http/problem';
import { assertBinAccepts, findBin } from '../inventory';
import { appendEvent, type LedgerContext } from '../ledger/append';
import { signatureEventExtension, type Signature } from '../signatures/sign';

export const LOT_STATUSES = ['quarantined', 'released', 'rejected', 'blocked', 'recalled', 'expired'] as const;
export type LotStatus = (typeof LOT_STATUSES)[number];

/** What may follow each status (0004: quarantined → released | rejected; released ⇄ blocked; any → recalled; → expired). */
export const LOT_TRANSITIONS: Readonly<Record<LotStatus, readonly LotStatus[]>> = {
  quarantined: ['released', 'rejected', 'blocked', 'recalled', 'expired'],
  released: ['quarantined', 'blocked', 'rejected', 'recalled', 'expired'],
  blocked: ['released', 'quarantined', 'rejected', 'recalled', 'expired'],
  rejected: ['recalled'],
  expired: ['recalled'],
  recalled: [],
};

/** The verbs of the API and the audit trail (`lot.release`, …). */
export type LotStatusAction = 'release' | 'quarantine' | 'block' | 'unblock' | 'reject' | 'recall' | 'expire';

const ACTION_TARGET: Record<Exclude<LotStatusAction, 'unblock'>, LotStatus> = {
  release: 'released',
  quarantine: 'quarantined',
  block: 'blocked',
  reject: 'rejected',
  recall: 'recalled',
  expire: 'expired',
};

// EPCIS business step and disposition of the event each target status writes (DESIGN 4).
const EVENT_OF: Record<LotStatus, { bizStep: string; disposition: string }> = {
  released: { bizStep: 'urn:medtrace:bizstep:releasing', disposition: 'sellable_accessible' },
  quarantined: { bizStep: 'holding', disposition: 'non_sellable_other' },
  blocked: { bizStep: 'holding', disposition: 'non_sellable_other' },
  rejected: { bizStep: 'holding', disposition: 'non_sellable_other' },
  recalled: { bizStep: 'holding', disposition: 'recalled' },
  expired: { bizStep: 'holding', disposition: 'expired' },
};

// Where on-hand stock goes on a change: from bins of these zones to the default bin of that zone.
const STOCK_MOVE_OF: Partial<Record<LotStatus, { from: readonly string[]; to: string }>> = {
  released: { from: ['quarantine'], to: 'qualified' },
  quarantined: { from: ['qualified'], to: 'quarantine' },
  rejected: { from: ['quarantine', 'qualified'], to: 'nonconforming' },
  // A recall (node/recalls) takes released stock off the shelf: back into quarantine.
  recalled: { from: ['qualified'], to: 'quarantine' },
};

/** The write scope changeLotStatus needs: performWrite's WriteScope fits. */
export interface LotStatusScope {
  tx: Tx;
  actor: string;
  reason?: string;
  audit(entry: Omit<AuditEntry, 'actor' | 'reason' | 'requestId'>): Promise<void>;
}

export interface LotStatusLedger extends LedgerContext {
  eventTimeZoneOffset: string;
}

export interface LotStatusChange {
  gtin: string;
  lot: string;
  action: LotStatusAction;
  /** Required for every change but a release (which carries a signature) and an expiry. */
  reason?: string;
  /** The release e-signature (signRecord with meaning `released`). */
  signature?: Signature;
  /** Status the caller read before signing: refused with 409 if the lot moved on meanwhile. */
  expectedStatus?: LotStatus;
}

export interface LotStatusResult {
  gtin: string;
  lot: string;
  from: LotStatus;
  status: LotStatus;
  reason: string | null;
  signatureId: number | null;
  /** Seq of the ledger event this change wrote. */
  ledgerSeq: number;
  /** On-hand stock moved between zones: units and lot-controlled quantity. */
  moved: { quantity: number; toBin: string | null };
  changedAt: string;
}

export interface LockedLot {
  gtin: string;
  lot: string;
  status: LotStatus;
  origin: 'commissioned' | 'received';
  productionDate: string;
  expiry: string;
  supplierLot: string | null;
  statusChangedAt: string;
}

/** Reads and row-locks a lot for a status change (404 problem when absent). */
export async function lockLot(tx: Tx, gtin: string, lot: string): Promise<LockedLot> {
  const [row] = await tx<
    { gtin: string; lot: string; status: LotStatus; origin: LockedLot['origin']; production_date: string; expiry: string; supplier_lot: string | null; status_changed_at: Date }[]
  >`
    select gtin, lot, status, origin, production_date::text as production_date, expiry::text as expiry, supplier_lot, status_changed_at
    from lots where gtin = ${gtin} and lot = ${lot} for update`;
  if (!row) throw problems.notFound(`no lot ${lot} of GTIN ${gtin}`, 'lot');
  return {
    gtin: row.gtin,
    lot: row.lot,
    status: row.status,
    origin: row.origin,
    productionDate: row.production_date,
    expiry: row.expiry,
    supplierLot: row.supplier_lot,
    statusChangedAt: row.status_changed_at.toISOString(),
  };
}

/** The inspection a release needs: final for a commissioned lot, incoming for a received one. */
export function requiredInspectionKind(origin: LockedLot['origin']): 'final' | 'incoming' {
  return origin === 'received' ? 'incoming' : 'final';
}

export interface PassedInspection {
  id: number;
  kind: 'final' | 'incoming';
  result: 'pass';
  ledgerSeq: number;
}

/**
 * The latest inspection of the kind a release needs, which must have passed:
 * 409 `lot-not-inspected` when there is none, 409 `inspection-failed` when the latest failed.
 */
export async function assertReleasable(tx: Tx, lot: LockedLot, today: string): Promise<PassedInspection> {
  if (lot.expiry <= today) {
    throw problems.conflict('lot-expired', `lot ${lot.lot} of GTIN ${lot.gtin} expired on ${lot.expiry}; an expired lot cannot be released`, { field: 'lot' });
  }
  const kind = requiredInspectionKind(lot.origin);
  const [inspection] = await tx<{ id: string; result: 'pass' | 'fail'; ledger_seq: string }[]>`
    select id, result, ledger_seq from inspections
    where gtin = ${lot.gtin} and lot = ${lot.lot} and kind = ${kind}
    order by id desc limit 1`;
  if (!inspection) {
    throw problems.conflict(
      'lot-not-inspected',
      `lot ${lot.lot} of GTIN ${lot.gtin} has no ${kind} inspection; a ${lot.origin} lot is released only after a passed ${kind} inspection`,
      { field: 'lot', requiredInspection: kind },
    );
  }
  if (inspection.result !== 'pass') {
    throw problems.conflict(
      'inspection-failed',
      `the latest ${kind} inspection of lot ${lot.lot} (#${inspection.id}) failed; a lot is released only after a passed ${kind} inspection`,
      { field: 'lot', inspectionId: Number(inspection.id) },
    );
  }
  // A nonconformance still open on the lot (no disposition decided yet) stops the release.
  const open = await tx<{ id: string; severity: string; description: string }[]>`
    select id, severity, description from nonconformances
    where gtin = ${lot.gtin} and lot = ${lot.lot} and status = 'open'
    order by id`;
  if (open.length > 0) {
    const ids = open.map((nc) => Number(nc.id));
    throw problems.conflict(
      'open-nonconformance',
      `lot ${lot.lot} of GTIN ${lot.gtin} has open nonconformance ${ids.map((id) => `#${id}`).join(', ')} (${open[0].severity}: ${open[0].description.slice(0, 200)}); disposition it before the lot is released`,
      { field: 'lot', nonconformanceId: ids[0], nonconformanceIds: ids },
    );
  }
  return { id: Number(inspection.id), kind, result: 'pass', ledgerSeq: Number(inspection.ledger_seq) };
}

/** The lot record a release signature is bound to (its exact version, and the inspection it rests on). */
export function releaseRecord(lot: LockedLot, inspection: PassedInspection) {
  return {
    gtin: lot.gtin,
    lot: lot.lot,
    status: lot.status,
    statusChangedAt: lot.statusChangedAt,
    origin: lot.origin,
    productionDate: lot.productionDate,
    expiry: lot.expiry,
    supplierLot: lot.supplierLot,
    inspection: { id: inspection.id, kind: inspection.kind, result: inspection.result, ledgerSeq: inspection.ledgerSeq },
  };
}

/** The status `unblock` returns to: the one the lot had before it was blocked (released or quarantined). */
async function statusBeforeBlock(tx: Tx, gtin: string, lot: string): Promise<LotStatus> {
  const [row] = await tx<{ from_status: LotStatus }[]>`
    select from_status from lot_status_changes
    where gtin = ${gtin} and lot = ${lot} and to_status = 'blocked'
    order by id desc limit 1`;
  return row?.from_status === 'released' ? 'released' : 'quarantined';
}

/**
 * Changes a lot's status: checks the transition and its requirements, moves
 * on-hand stock between zones (release: quarantine → default qualified bin;
 * back to quarantine: qualified → default quarantine bin; reject: → default
 * nonconforming bin), appends the status event, writes the history row, the
 * stock journal and the audit entry (`lot.<action>`). Refusals are problems
 * and happen before anything is written. A release must come with the
 * signature (the route checks the inspection with assertReleasable and signs).
 */
export async function changeLotStatus(
  w: LotStatusScope,
  ledger: LotStatusLedger,
  change: LotStatusChange,
  locked?: LockedLot,
): Promise<LotStatusResult> {
  const { tx } = w;
  const lot = locked ?? (await lockLot(tx, change.gtin, change.lot));
  const reason = change.reason?.trim() || w.reason?.trim() || undefined;
  if (change.action !== 'release' && change.action !== 'expire' && reason === undefined) {
    throw problems.invalidInput(`reason: a reason is required to ${change.action} a lot (X-Reason header or reason field)`, 'reason');
  }
  if (change.action === 'release' && !change.signature) {
    throw new ProblemError(422, 'signature-required', 'Signature required', 'releasing a lot needs the e-signature of QA with meaning released', {
      field: 'signature',
    });
  }
  if (change.expectedStatus !== undefined && change.expectedStatus !== lot.status) {
    throw problems.conflict('lot-status-changed', `lot ${lot.lot} is now ${lot.status}, not ${change.expectedStatus}`, { field: 'lot', lotStatus: lot.status });
  }
  let to: LotStatus;
  if (change.action === 'unblock') {
    if (lot.status !== 'blocked') {
      throw problems.conflict('lot-status-transition', `lot ${lot.lot} of GTIN ${lot.gtin} is ${lot.status}, not blocked; only a blocked lot can be unblocked`, {
        field: 'lot',
        lotStatus: lot.status,
      });
    }
    to = await statusBeforeBlock(tx, lot.gtin, lot.lot);
  } else {
    to = ACTION_TARGET[change.action];
  }
  if (!LOT_TRANSITIONS[lot.status].includes(to)) {
    const allowed = LOT_TRANSITIONS[lot.status];
    throw problems.conflict(
      'lot-status-transition',
      `lot ${lot.lot} of GTIN ${lot.gtin} is ${lot.status}; it cannot become ${to}` +
        (allowed.length === 0 ? ` (${lot.status} is final)` : ` (from ${lot.status}: ${allowed.join(', ')})`),
      { field: 'lot', lotStatus: lot.status, allowed },
    );
  }

  // Where the stock goes, checked before anything is written.
  const plan = STOCK_MOVE_OF[to];
  const targetBin = plan ? await defaultBinPlan(tx, lot, plan) : undefined;

  const quantity = await heldQuantity(tx, lot.gtin, lot.lot);
  const eventTime = new Date().toISOString();
  const event: EpcisEvent = {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    ...EVENT_OF[to],
    eventTime,
    eventTimeZoneOffset: ledger.eventTimeZoneOffset,
    quantityList: [quantity > 0 ? { epcClass: lotUri(lot.gtin, lot.lot), quantity, uom: 'EA' } : { epcClass: lotUri(lot.gtin, lot.lot) }],
    'medtrace:lotStatus': { from: lot.status, to },
    ...(reason === undefined ? {} : { 'medtrace:reason': reason }),
    ...(change.signature ? { 'medtrace:signature': signatureEventExtension(change.signature) } : {}),
  };
  const { seq } = await appendEvent(tx, { participant: ledger.participant, chainId: ledger.chainId }, event);

  const moved = targetBin ? await moveOnHand(tx, lot, targetBin, { actor: w.actor, kind: `lot_${change.action}`, reason, ledgerSeq: seq }) : 0;

  const signatureId = change.signature?.id ?? null;
  await tx`
    update lots set status = ${to}, status_changed_at = ${eventTime},
      release_signature_id = ${to === 'released' ? signatureId : tx`release_signature_id`}
    where gtin = ${lot.gtin} and lot = ${lot.lot}`;
  await tx`
    insert into lot_status_changes (gtin, lot, from_status, to_status, reason, actor, signature_id, ledger_seq, changed_at)
    values (${lot.gtin}, ${lot.lot}, ${lot.status}, ${to}, ${reason ?? null}, ${w.actor}, ${signatureId}, ${seq}, ${eventTime})`;

  const result: LotStatusResult = {
    gtin: lot.gtin,
    lot: lot.lot,
    from: lot.status,
    status: to,
    reason: reason ?? null,
    signatureId,
    ledgerSeq: seq,
    moved: { quantity: moved, toBin: targetBin && moved > 0 ? targetBin.code : null },
    changedAt: eventTime,
  };
  await w.audit({
    action: `lot.${change.action}`,
    entity: 'lot',
    entityId: `${lot.gtin}/${lot.lot}`,
    before: { status: lot.status, statusChangedAt: lot.statusChangedAt },
    after: { status: to, statusChangedAt: eventTime, signatureId, movedQuantity: moved },
    ledgerSeq: seq,
  });
  return result;
}

/** Units and lot-controlled quantity of the lot still held by the node (not shipped, scrapped or consumed). */
async function heldQuantity(tx: Tx, gtin: string, lot: string): Promise<number> {
  const [row] = await tx<{ n: string }[]>`
    select (select count(*) from units where gtin = ${gtin} and lot = ${lot} and state in ('on_hand', 'allocated', 'picked', 'returned'))
         + (select coalesce(sum(quantity), 0) from lot_stock where gtin = ${gtin} and lot = ${lot}) as n`;
  return Number(row.n);
}

interface TargetBin {
  /** per source bin: where its stock goes */
  bySource: Map<number, { id: number; code: string }>;
  fromZones: readonly string[];
  code: string;
}

// The default bin of the target zone in each warehouse holding on-hand stock of the lot in a source zone.
async function defaultBinPlan(tx: Tx, lot: LockedLot, plan: { from: readonly string[]; to: string }): Promise<TargetBin> {
  const sources = await tx<{ bin_id: string; warehouse: string; target_id: string | null; target_code: string | null }[]>`
    with held as (
      select bin_id from units where gtin = ${lot.gtin} and lot = ${lot.lot} and state = 'on_hand' and bin_id is not null
      union
      select bin_id from lot_stock where gtin = ${lot.gtin} and lot = ${lot.lot} and state = 'on_hand'
    )
    select b.id as bin_id, b.warehouse, t.id as target_id, t.code as target_code
    from held h join bins b on b.id = h.bin_id
    left join bins t on t.warehouse = b.warehouse and t.zone = ${plan.to} and t.is_default
    where b.zone in ${tx(plan.from as string[])}`;
  const bySource = new Map<number, { id: number; code: string }>();
  for (const source of sources) {
    if (source.target_id === null) {
      throw problems.conflict('no-default-bin', `warehouse ${source.warehouse} has no default ${plan.to} bin to move lot ${lot.lot} into`, {
        field: 'lot',
        warehouse: source.warehouse,
      });
    }
    // H4's one rule: a bin never mixes lots unless configured to.
    await assertBinAccepts(tx, await findBin(tx, Number(source.target_id)), lot.gtin, lot.lot, 'lot');
    bySource.set(Number(source.bin_id), { id: Number(source.target_id), code: `${source.warehouse}/${source.target_code}` });
  }
  const codes = [...new Set([...bySource.values()].map((bin) => bin.code))];
  return { bySource, fromZones: plan.from, code: codes.join(', ') };
}

// Moves the lot's on-hand units and quantities from each source bin to its target, with one journal row per bin pair and kind.
async function moveOnHand(
  tx: Tx,
  lot: LockedLot,
  target: TargetBin,
  journal: { actor: string; kind: string; reason?: string; ledgerSeq: number },
): Promise<number> {
  let total = 0;
  for (const [sourceId, to] of target.bySource) {
    const units = await tx`
      update units set bin_id = ${to.id}
      where gtin = ${lot.gtin} and lot = ${lot.lot} and state = 'on_hand' and bin_id = ${sourceId}`;
    const [stock] = await tx<{ quantity: number | null }[]>`
      delete from lot_stock where gtin = ${lot.gtin} and lot = ${lot.lot} and state = 'on_hand' and bin_id = ${sourceId}
      returning quantity`;
    const bulk = stock?.quantity ?? 0;
    if (bulk > 0) {
      await tx`
        insert into lot_stock (gtin, lot, bin_id, state, quantity) values (${lot.gtin}, ${lot.lot}, ${to.id}, 'on_hand', ${bulk})
        on conflict (gtin, lot, bin_id, state, coalesce(order_line_id, 0)) do update set quantity = lot_stock.quantity + excluded.quantity`;
    }
    const quantity = units.count + bulk;
    if (quantity === 0) continue;
    total += quantity;
    await tx`
      insert into stock_moves (actor, kind, gtin, lot, quantity, from_bin_id, to_bin_id, from_state, to_state, reason, ref_type, ref_id, ledger_seq)
      values (${journal.actor}, ${journal.kind}, ${lot.gtin}, ${lot.lot}, ${quantity}, ${sourceId}, ${to.id}, 'on_hand', 'on_hand',
              ${journal.reason ?? null}, 'lot', ${`${lot.gtin}/${lot.lot}`}, ${journal.ledgerSeq})`;
  }
  return total;
}

export interface LotStatusHistoryEntry {
  id: number;
  from: LotStatus;
  to: LotStatus;
  reason: string | null;
  actor: string;
  signatureId: number | null;
  ledgerSeq: number;
  changedAt: string;
}

export async function listLotStatusChanges(tx: Tx | import('../db').Sql, gtin: string, lot: string): Promise<LotStatusHistoryEntry[]> {
  const rows = await tx<
    { id: string; from_status: LotStatus; to_status: LotStatus; reason: string | null; actor: string; signature_id: string | null; ledger_seq: string; changed_at: Date }[]
  >`
    select id, from_status, to_status, reason, actor, signature_id, ledger_seq, changed_at
    from lot_status_changes where gtin = ${gtin} and lot = ${lot} order by id`;
  return rows.map((row) => ({
    id: Number(row.id),
    from: row.from_status,
    to: row.to_status,
    reason: row.reason,
    actor: row.actor,
    signatureId: row.signature_id === null ? null : Number(row.signature_id),
    ledgerSeq: Number(row.ledger_seq),
    changedAt: row.changed_at.toISOString(),
  }));
}
