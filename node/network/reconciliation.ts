// Reconciliation (DESIGN 7): what was shipped against what was received, item
// by item, on both sides of a shipment. The receiver opens items (a blocked
// line, a scan the notice does not name, a line never received or short) and
// sends them to the sender, who keeps mirrors; whoever resolves an item tells
// the other side (peer outbox, retried until delivered), so both agree.
//
// Ids: on the receiver's side `remote_id` is the sender's mirror id (learnt
// when the sender resolves); on the sender's side it is the receiver's item id.
// A message names its own id and the other side's (when known); the receiving
// side looks the item up among its items with that counterpart.
import { ProblemError, problems } from '../http/problem';
import type { Sql, Tx } from '../db';
import { enqueuePeerMessage } from './outbox';

export const RECONCILIATION_PATH = '/peer/v1/reconciliation';
/** Outbox kinds: a receipt's new items, and one item's resolution. */
export const RECONCILIATION_ITEMS_KIND = 'reconciliation';
export const RECONCILIATION_RESOLUTION_KIND = 'reconciliation-resolution';

export type ReconciliationRole = 'receiver' | 'sender';

export interface ReconciliationItem {
  id: number;
  counterpart: string;
  counterpartName: string | null;
  role: ReconciliationRole;
  shipmentRef: string;
  noticeId: number | null;
  shipmentId: number | null;
  gtin: string;
  lot: string | null;
  serial: string | null;
  expected: number;
  received: number;
  reason: string;
  status: 'open' | 'resolved';
  resolution: string | null;
  note: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  remoteId: number | null;
  createdAt: string;
}

/** The shipment reference both sides use: urn:medtrace:shipment:<sender>:<sender's shipment id>. */
export function shipmentRef(sender: string, shipmentId: number): string {
  return `urn:medtrace:shipment:${sender.toLowerCase()}:${shipmentId}`;
}

interface ItemRow {
  id: string;
  counterpart: string;
  counterpart_name: string | null;
  role: ReconciliationRole;
  shipment_ref: string;
  notice_id: string | null;
  shipment_id: string | null;
  gtin: string;
  lot: string | null;
  serial: string | null;
  expected: number;
  received: number;
  reason: string;
  status: 'open' | 'resolved';
  resolution: string | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  remote_id: string | null;
  created_at: Date;
}

const num = (value: string | null) => (value === null ? null : Number(value));

function toItem(row: ItemRow): ReconciliationItem {
  return {
    id: Number(row.id),
    counterpart: row.counterpart,
    counterpartName: row.counterpart_name,
    role: row.role,
    shipmentRef: row.shipment_ref,
    noticeId: num(row.notice_id),
    shipmentId: num(row.shipment_id),
    gtin: row.gtin,
    lot: row.lot,
    serial: row.serial,
    expected: row.expected,
    received: row.received,
    reason: row.reason,
    status: row.status,
    resolution: row.resolution,
    note: row.note,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    remoteId: num(row.remote_id),
    createdAt: row.created_at.toISOString(),
  };
}

const itemColumns = (sql: Sql | Tx) => sql`
  r.id, r.counterpart, (select p.name from partners p where p.participant = r.counterpart order by p.id limit 1) as counterpart_name,
  r.role, r.shipment_ref, r.notice_id, r.shipment_id, r.gtin, r.lot, r.serial, r.expected, r.received, r.reason, r.status,
  r.resolution, r.note, r.resolved_by, r.resolved_at, r.remote_id, r.created_at`;

export async function findItem(sql: Sql | Tx, id: number, opts: { lock?: boolean } = {}): Promise<ReconciliationItem | undefined> {
  const [row] = await sql<ItemRow[]>`select ${itemColumns(sql)} from reconciliation_items r where r.id = ${id} ${opts.lock ? sql`for update` : sql``}`;
  return row && toItem(row);
}

export interface NewItem {
  counterpart: string;
  shipmentRef: string;
  noticeId?: number;
  shipmentId?: number;
  gtin: string;
  lot?: string | null;
  serial?: string | null;
  expected: number;
  received: number;
  reason: string;
  /** One item per fact: the same key again returns the existing item. */
  key: string;
}

/** Opens an item as `role` (idempotent by key). */
export async function openItem(tx: Tx, role: ReconciliationRole, item: NewItem, remoteId?: number): Promise<{ item: ReconciliationItem; created: boolean }> {
  const counterpart = item.counterpart.toLowerCase();
  const [row] = await tx<{ id: string }[]>`
    insert into reconciliation_items (counterpart, role, shipment_ref, notice_id, shipment_id, gtin, lot, serial, expected, received, reason, remote_id, item_key)
    values (${counterpart}, ${role}, ${item.shipmentRef}, ${item.noticeId ?? null}, ${item.shipmentId ?? null}, ${item.gtin}, ${item.lot ?? null},
            ${item.serial ?? null}, ${item.expected}, ${item.received}, ${item.reason}, ${remoteId ?? null}, ${item.key})
    on conflict (role, counterpart, item_key) do nothing
    returning id`;
  if (row) return { item: (await findItem(tx, Number(row.id)))!, created: true };
  const [existing] = await tx<{ id: string }[]>`
    select id from reconciliation_items where role = ${role} and counterpart = ${counterpart} and item_key = ${item.key}`;
  return { item: (await findItem(tx, Number(existing.id)))!, created: false };
}

/** The item as the other side receives it. */
function wireItem(item: ReconciliationItem) {
  return {
    id: item.id,
    gtin: item.gtin,
    lot: item.lot,
    serial: item.serial,
    expected: item.expected,
    received: item.received,
    reason: item.reason,
  };
}

export type WireItem = ReturnType<typeof wireItem>;

export interface ItemsMessage {
  type: 'items';
  shipmentId: number;
  shipmentRef: string;
  items: WireItem[];
}

export interface ResolutionMessage {
  type: 'resolution';
  /** The sender's own item id. */
  id: number;
  /** The receiving side's id of the item, when the sender knows it. */
  remoteId: number | null;
  resolution: string;
  note: string | null;
  resolvedBy: string;
  resolvedAt: string;
}

/** Queues the receiver's new items for the sender (one message per receipt). */
export async function sendItems(tx: Tx, target: string, ref: string, shipment: { shipmentId: number; shipmentRef: string }, items: readonly ReconciliationItem[]): Promise<void> {
  if (items.length === 0) return;
  const body: ItemsMessage = { type: 'items', shipmentId: shipment.shipmentId, shipmentRef: shipment.shipmentRef, items: items.map(wireItem) };
  await enqueuePeerMessage(tx, { target, kind: RECONCILIATION_ITEMS_KIND, ref, path: RECONCILIATION_PATH, body });
}

/**
 * The sender's side of an items message from `peer`: the shipment must be one of ours, shipped
 * to a customer whose participant is `peer` (else 403 `not-your-shipment`). Stores mirrors
 * (once per remote id) and answers their ids.
 */
export async function receiveItems(tx: Tx, peer: string, message: ItemsMessage): Promise<{ items: { remoteId: number; id: number }[] }> {
  const [shipment] = await tx<{ participant: string | null }[]>`
    select p.participant from shipments s join partners p on p.id = s.customer_id where s.id = ${message.shipmentId}`;
  if (!shipment || shipment.participant !== peer) {
    throw new ProblemError(403, 'not-your-shipment', 'Not your shipment', `shipment ${message.shipmentId} was not shipped to ${peer}`, { field: 'shipmentId' });
  }
  const out: { remoteId: number; id: number }[] = [];
  for (const item of message.items) {
    const { item: mirror } = await openItem(
      tx,
      'sender',
      {
        counterpart: peer,
        shipmentRef: message.shipmentRef,
        shipmentId: message.shipmentId,
        gtin: item.gtin,
        lot: item.lot,
        serial: item.serial,
        expected: item.expected,
        received: item.received,
        reason: item.reason,
        key: `remote:${item.id}`,
      },
      item.id,
    );
    out.push({ remoteId: item.id, id: mirror.id });
  }
  return { items: out };
}

/**
 * Resolves item `id` here and tells the other side. 404 unknown; 409 `item-resolved` when it
 * already is (by either side).
 */
export async function resolveItem(tx: Tx, id: number, input: { resolution: string; note?: string }, actor: string): Promise<{ before: ReconciliationItem; after: ReconciliationItem }> {
  const before = await findItem(tx, id, { lock: true });
  if (!before) throw problems.notFound(`no reconciliation item ${id}`, 'id');
  if (before.status === 'resolved') {
    throw new ProblemError(409, 'item-resolved', 'Already resolved', `reconciliation item ${id} was resolved by ${before.resolvedBy} (${before.resolution})`, { field: 'id' });
  }
  const [row] = await tx<{ resolved_at: Date }[]>`
    update reconciliation_items set status = 'resolved', resolution = ${input.resolution}, note = ${input.note ?? null},
      resolved_by = ${actor}, resolved_at = now()
    where id = ${id} returning resolved_at`;
  const message: ResolutionMessage = {
    type: 'resolution',
    id,
    remoteId: before.remoteId,
    resolution: input.resolution,
    note: input.note ?? null,
    resolvedBy: actor,
    resolvedAt: row.resolved_at.toISOString(),
  };
  await enqueuePeerMessage(tx, { target: before.counterpart, kind: RECONCILIATION_RESOLUTION_KIND, ref: String(id), path: RECONCILIATION_PATH, body: message });
  return { before, after: (await findItem(tx, id))! };
}

/**
 * A resolution from `peer`: the item here with that counterpart whose id is the message's
 * remoteId, or whose remote id is the message's id. 409 `item-unknown` while it is not here
 * (the items message may still be on its way: the sender retries). Already resolved: no change.
 */
export async function receiveResolution(tx: Tx, peer: string, message: ResolutionMessage): Promise<{ id: number; changed: boolean }> {
  const [row] = await tx<{ id: string; status: string; remote_id: string | null }[]>`
    select id, status, remote_id from reconciliation_items
    where counterpart = ${peer} and (id = ${message.remoteId ?? -1} or remote_id = ${message.id})
    order by id limit 1 for update`;
  if (!row) {
    throw new ProblemError(409, 'item-unknown', 'Unknown item', `no reconciliation item with ${peer} matches its item ${message.id}`, { field: 'id' });
  }
  if (row.remote_id === null) await tx`update reconciliation_items set remote_id = ${message.id} where id = ${row.id}`;
  if (row.status === 'resolved') return { id: Number(row.id), changed: false };
  await tx`
    update reconciliation_items set status = 'resolved', resolution = ${message.resolution}, note = ${message.note},
      resolved_by = ${`${message.resolvedBy}@${peer}`}, resolved_at = ${message.resolvedAt}
    where id = ${row.id}`;
  return { id: Number(row.id), changed: true };
}

export interface ItemFilter {
  /** A participant address, or the code of a partner linked to one. */
  company?: string;
  /** A shipment ref (urn:medtrace:shipment:…) or this node's shipment id. */
  shipment?: string;
  status?: 'open' | 'resolved';
  role?: ReconciliationRole;
}

async function companyAddress(sql: Sql | Tx, company: string): Promise<string> {
  if (/^0x[0-9a-fA-F]{40}$/.test(company)) return company.toLowerCase();
  const [partner] = await sql<{ participant: string | null }[]>`select participant from partners where code = ${company}`;
  return partner?.participant ?? '0x-none';
}

function whereOf(sql: Sql | Tx, filter: ItemFilter, company: string | undefined) {
  const shipment = filter.shipment;
  return sql`
    ${company === undefined ? sql`true` : sql`r.counterpart = ${company}`}
    and ${filter.status === undefined ? sql`true` : sql`r.status = ${filter.status}`}
    and ${filter.role === undefined ? sql`true` : sql`r.role = ${filter.role}`}
    and ${
      shipment === undefined
        ? sql`true`
        : /^\d{1,18}$/.test(shipment)
          ? sql`r.shipment_id = ${Number(shipment)}`
          : sql`r.shipment_ref = ${shipment}`
    }`;
}

export async function listItems(
  sql: Sql | Tx,
  filter: ItemFilter,
  page: { limit: number; afterId?: number },
): Promise<ReconciliationItem[]> {
  const company = filter.company === undefined ? undefined : await companyAddress(sql, filter.company);
  const rows = await sql<ItemRow[]>`
    select ${itemColumns(sql)} from reconciliation_items r
    where ${whereOf(sql, filter, company)} and ${page.afterId === undefined ? sql`true` : sql`r.id > ${page.afterId}`}
    order by r.id limit ${page.limit}`;
  return rows.map(toItem);
}

export interface CompanyTotals {
  counterpart: string;
  name: string | null;
  open: number;
  resolved: number;
  expected: number;
  received: number;
}

export interface ShipmentTotals {
  shipmentRef: string;
  counterpart: string;
  role: ReconciliationRole;
  /** Quantity the notice (receiver) or the shipment (sender) holds. */
  shipped: number;
  /** Quantity booked here (receiver), or as the receiver reported it: shipped minus the shortfall of its items on shipped lines (sender). */
  received: number;
  open: number;
  resolved: number;
}

/** Totals of the filtered items by company and by shipment (shipped vs received). */
export async function reconciliationTotals(sql: Sql | Tx, filter: ItemFilter): Promise<{ byCompany: CompanyTotals[]; byShipment: ShipmentTotals[] }> {
  const company = filter.company === undefined ? undefined : await companyAddress(sql, filter.company);
  const where = whereOf(sql, filter, company);
  const byCompany = await sql<{ counterpart: string; name: string | null; open: number; resolved: number; expected: number; received: number }[]>`
    select r.counterpart, (select p.name from partners p where p.participant = r.counterpart order by p.id limit 1) as name,
           count(*) filter (where r.status = 'open')::int as open, count(*) filter (where r.status = 'resolved')::int as resolved,
           sum(r.expected)::int as expected, sum(r.received)::int as received
    from reconciliation_items r where ${where}
    group by r.counterpart order by r.counterpart`;
  const byShipment = await sql<
    { shipment_ref: string; counterpart: string; role: ReconciliationRole; notice_id: string | null; shipment_id: string | null; open: number; resolved: number; shortfall: number }[]
  >`
    select r.shipment_ref, r.counterpart, r.role, min(r.notice_id) as notice_id, min(r.shipment_id) as shipment_id,
           count(*) filter (where r.status = 'open')::int as open, count(*) filter (where r.status = 'resolved')::int as resolved,
           coalesce(sum(r.expected - r.received) filter (where r.expected > 0), 0)::int as shortfall
    from reconciliation_items r where ${where}
    group by r.shipment_ref, r.counterpart, r.role order by r.shipment_ref, r.role`;
  const shipments: ShipmentTotals[] = [];
  for (const row of byShipment) {
    let shipped = 0;
    let received = 0;
    if (row.role === 'receiver' && row.notice_id !== null) {
      const [t] = await sql<{ shipped: number; received: number }[]>`
        select coalesce(sum(quantity), 0)::int as shipped, coalesce(sum(received_quantity), 0)::int as received
        from inbound_notice_lines where notice_id = ${row.notice_id}`;
      shipped = t.shipped;
      received = t.received;
    } else if (row.shipment_id !== null) {
      const [t] = await sql<{ shipped: number }[]>`select coalesce(sum(quantity), 0)::int as shipped from shipment_lines where shipment_id = ${row.shipment_id}`;
      shipped = t.shipped;
      received = Math.max(0, shipped - row.shortfall);
    }
    shipments.push({ shipmentRef: row.shipment_ref, counterpart: row.counterpart, role: row.role, shipped, received, open: row.open, resolved: row.resolved });
  }
  return { byCompany, byShipment: shipments };
}
