// Shipping an order: everything picked and not yet shipped leaves in one
// shipment (units → shipped, lot quantities out of stock), with its shipping
// ledger event and a simple invoice (numeric money), in the caller's transaction.
import type { Tx, Sql } from '../db';
import { ProblemError } from '../http/problem';
import { todayDate } from '../inventory/availability';
import type { LedgerContext } from '../ledger/append';
import { appendEvent } from '../ledger/append';
import type { Order } from '../orders/orders';
import { enqueueShipmentNotice } from '../network/outbox';
import { shippingEvent, type ShippedLine } from './events';

export interface Shipment {
  id: number;
  orderId: number;
  customerId: number;
  shippedAt: string;
  shippedBy: string;
  ledgerSeq: number;
  invoiceId: number;
  lines: (ShippedLine & { orderLineId: number })[];
}

export interface Invoice {
  id: number;
  number: string;
  orderId: number;
  shipmentId: number;
  customerId: number;
  currency: string;
  total: string;
  issuedAt: string;
  issuedBy: string;
  lines: { lineNo: number; orderLineId: number; gtin: string; quantity: number; unitPrice: string; amount: string }[];
}

interface PickRow {
  id: string;
  order_line_id: string;
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
  status: string;
  expiry: string;
}

export async function shipOrder(
  tx: Tx,
  order: Order,
  options: { actor: string; ledger: LedgerContext; eventTimeZoneOffset: string; today?: string },
): Promise<Shipment> {
  const today = options.today ?? todayDate();
  const picks = await tx<PickRow[]>`
    select p.id, p.order_line_id, p.gtin, p.lot, p.serial, p.quantity, l.status, l.expiry::text as expiry
    from picks p join lots l on l.gtin = p.gtin and l.lot = p.lot
    where p.order_id = ${order.id} and p.shipment_id is null
    order by p.id`;
  if (picks.length === 0) {
    throw new ProblemError(409, 'nothing-to-ship', 'Nothing to ship', `order ${order.id} has no picked stock waiting to ship; pick it first`, { field: 'id' });
  }
  // The lot may have been blocked, recalled or may have expired since it was picked.
  for (const pick of picks) {
    if (pick.status === 'expired' || pick.expiry <= today) {
      throw new ProblemError(409, 'lot-expired', 'Lot expired', `lot ${pick.lot} of GTIN ${pick.gtin} expired on ${pick.expiry}; it cannot be shipped`, { field: 'id', gtin: pick.gtin, lot: pick.lot });
    }
    if (pick.status !== 'released') {
      throw new ProblemError(409, 'lot-not-released', 'Lot not released', `lot ${pick.lot} of GTIN ${pick.gtin} is ${pick.status}; only released stock is shipped`, {
        field: 'id',
        gtin: pick.gtin,
        lot: pick.lot,
        lotStatus: pick.status,
      });
    }
  }

  const [shipment] = await tx<{ id: string; shipped_at: Date }[]>`
    insert into shipments (order_id, customer_id, shipped_by) values (${order.id}, ${order.customerId}, ${options.actor})
    returning id, shipped_at`;
  const shipmentId = Number(shipment.id);
  await tx`update picks set shipment_id = ${shipmentId} where order_id = ${order.id} and shipment_id is null`;
  await tx`
    insert into shipment_lines (shipment_id, order_line_id, gtin, lot, serial, quantity)
    select ${shipmentId}, order_line_id, gtin, lot, serial, sum(quantity)::int from picks where shipment_id = ${shipmentId}
    group by order_line_id, gtin, lot, serial`;

  // Units leave the warehouse (no bin); lot quantities leave lot_stock.
  const moved = await tx<{ gtin: string; lot: string; serial: string | null; bin_id: number | null; order_line_id: string; quantity: number }[]>`
    with units_out as (
      update units u set state = 'shipped', bin_id = null
      from shipment_lines sl, units was
      where sl.shipment_id = ${shipmentId} and sl.serial is not null and u.gtin = sl.gtin and u.serial = sl.serial
        and was.gtin = u.gtin and was.serial = u.serial
      returning u.gtin, u.lot, u.serial, sl.order_line_id, 1 as quantity, was.bin_id
    ),
    lots_out as (
      delete from lot_stock s using order_lines ol
      where s.order_line_id = ol.id and ol.order_id = ${order.id} and s.state = 'picked'
      returning s.gtin, s.lot, null::text as serial, s.bin_id, s.order_line_id, s.quantity
    )
    select gtin, lot, serial, bin_id, order_line_id, quantity from units_out
    union all select gtin, lot, serial, bin_id, order_line_id, quantity from lots_out`;
  for (const row of moved) {
    await tx`
      insert into stock_moves (actor, kind, gtin, lot, serial, quantity, from_bin_id, from_state, to_state, ref_type, ref_id)
      values (${options.actor}, 'ship', ${row.gtin}, ${row.lot}, ${row.serial}, ${row.quantity}, ${row.bin_id}, 'picked', 'shipped', 'shipment', ${String(shipmentId)})`;
  }

  const invoice = await issueInvoice(tx, { orderId: order.id, shipmentId, customerId: order.customerId, currency: order.currency, actor: options.actor });
  const lines = await shipmentLines(tx, shipmentId);
  const event = shippingEvent(
    { orderId: order.id, shipmentId, invoiceNumber: invoice.number, lines },
    { eventTime: shipment.shipped_at.toISOString(), eventTimeZoneOffset: options.eventTimeZoneOffset },
  );
  const { seq } = await appendEvent(tx, options.ledger, event);
  await tx`update shipments set ledger_seq = ${seq} where id = ${shipmentId}`;
  await tx`update stock_moves set ledger_seq = ${seq} where ref_type = 'shipment' and ref_id = ${String(shipmentId)}`;
  // A customer running a node gets the shipment notice (ASN) with pedigree, once the event is anchored.
  await enqueueShipmentNotice(tx, { shipmentId, customerId: order.customerId });
  return {
    id: shipmentId,
    orderId: order.id,
    customerId: order.customerId,
    shippedAt: shipment.shipped_at.toISOString(),
    shippedBy: options.actor,
    ledgerSeq: seq,
    invoiceId: invoice.id,
    lines,
  };
}

async function shipmentLines(sql: Sql | Tx, shipmentId: number): Promise<Shipment['lines']> {
  const rows = await sql<{ order_line_id: string; gtin: string; lot: string; serial: string | null; quantity: number }[]>`
    select order_line_id, gtin, lot, serial, quantity from shipment_lines where shipment_id = ${shipmentId} order by order_line_id, lot, serial`;
  return rows.map((row) => ({ orderLineId: Number(row.order_line_id), gtin: row.gtin, lot: row.lot, serial: row.serial, quantity: row.quantity }));
}

/** One invoice per shipment: a line per order line shipped, quantity × unit price rounded to cents. */
async function issueInvoice(
  tx: Tx,
  input: { orderId: number; shipmentId: number; customerId: number; currency: string; actor: string },
): Promise<{ id: number; number: string }> {
  const number = `INV-${String(input.shipmentId).padStart(6, '0')}`;
  const [invoice] = await tx<{ id: string }[]>`
    insert into invoices (number, order_id, shipment_id, customer_id, currency, total, issued_by)
    values (${number}, ${input.orderId}, ${input.shipmentId}, ${input.customerId}, ${input.currency}, 0, ${input.actor})
    returning id`;
  const id = Number(invoice.id);
  await tx`
    insert into invoice_lines (invoice_id, line_no, order_line_id, gtin, quantity, unit_price, amount)
    select ${id}, row_number() over (order by ol.line_no)::int, ol.id, ol.gtin, s.quantity, ol.unit_price, round(s.quantity * ol.unit_price, 2)
    from (select order_line_id, sum(quantity)::int as quantity from shipment_lines where shipment_id = ${input.shipmentId} group by order_line_id) s
    join order_lines ol on ol.id = s.order_line_id`;
  await tx`update invoices set total = (select coalesce(sum(amount), 0) from invoice_lines where invoice_id = ${id}) where id = ${id}`;
  return { id, number };
}

export async function findShipment(sql: Sql | Tx, id: number): Promise<Shipment | undefined> {
  const [row] = await sql<{ id: string; order_id: string; customer_id: string; shipped_at: Date; shipped_by: string; ledger_seq: string; invoice_id: string }[]>`
    select s.id, s.order_id, s.customer_id, s.shipped_at, s.shipped_by, s.ledger_seq, i.id as invoice_id
    from shipments s join invoices i on i.shipment_id = s.id where s.id = ${id}`;
  if (!row) return undefined;
  return {
    id: Number(row.id),
    orderId: Number(row.order_id),
    customerId: Number(row.customer_id),
    shippedAt: row.shipped_at.toISOString(),
    shippedBy: row.shipped_by,
    ledgerSeq: Number(row.ledger_seq),
    invoiceId: Number(row.invoice_id),
    lines: await shipmentLines(sql, id),
  };
}

export async function findInvoice(sql: Sql | Tx, id: number): Promise<Invoice | undefined> {
  const [row] = await sql<{ id: string; number: string; order_id: string; shipment_id: string; customer_id: string; currency: string; total: string; issued_at: Date; issued_by: string }[]>`
    select id, number, order_id, shipment_id, customer_id, currency, total::text as total, issued_at, issued_by from invoices where id = ${id}`;
  if (!row) return undefined;
  const lines = await sql<{ line_no: number; order_line_id: string; gtin: string; quantity: number; unit_price: string; amount: string }[]>`
    select line_no, order_line_id, gtin, quantity, unit_price::text as unit_price, amount::text as amount
    from invoice_lines where invoice_id = ${id} order by line_no`;
  return {
    id: Number(row.id),
    number: row.number,
    orderId: Number(row.order_id),
    shipmentId: Number(row.shipment_id),
    customerId: Number(row.customer_id),
    currency: row.currency,
    total: row.total,
    issuedAt: row.issued_at.toISOString(),
    issuedBy: row.issued_by,
    lines: lines.map((l) => ({ lineNo: l.line_no, orderLineId: Number(l.order_line_id), gtin: l.gtin, quantity: l.quantity, unitPrice: l.unit_price, amount: l.amount })),
  };
}
