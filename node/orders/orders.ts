// Sales orders and their lines: the queries. An order's money is numeric in
// SQL and a decimal string in JSON ("12.50"), never a float.
import type { Sql, Tx } from '../db';

export const ORDER_STATUSES = ['open', 'allocated', 'picked', 'partially_shipped', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** Orders that still count against the customer's credit limit. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['open', 'allocated', 'picked', 'partially_shipped'];

export interface OrderLine {
  id: number;
  lineNo: number;
  gtin: string;
  lot: string | null;
  quantity: number;
  unitPrice: string;
  allocated: number;
  picked: number;
  shipped: number;
}

export interface Order {
  id: number;
  customerId: number;
  source: 'api' | 'webhook';
  externalId: string | null;
  status: OrderStatus;
  currency: string;
  total: string;
  customerReference: string | null;
  createdAt: string;
  createdBy: string;
  lines: OrderLine[];
}

export interface NewOrder {
  customerId: number;
  source: 'api' | 'webhook';
  externalId?: string;
  currency: string;
  customerReference?: string;
  lines: { gtin: string; lot?: string; quantity: number; unitPrice: string }[];
}

interface OrderRow {
  id: string;
  customer_id: string;
  source: 'api' | 'webhook';
  external_id: string | null;
  status: OrderStatus;
  currency: string;
  total: string;
  customer_reference: string | null;
  created_at: Date;
  created_by: string;
}

interface LineRow {
  id: string;
  order_id: string;
  line_no: number;
  gtin: string;
  lot: string | null;
  quantity: number;
  unit_price: string;
  allocated: number;
  picked: number;
  shipped: number;
}

/** The order's total: Σ quantity × unit price, rounded to cents by the database (numeric, no float). */
export async function insertOrder(tx: Tx, order: NewOrder, createdBy: string): Promise<number> {
  const lines = order.lines.map((line, index) => ({ ...line, lineNo: index + 1 }));
  const [row] = await tx<{ id: string }[]>`
    insert into sales_orders (customer_id, source, external_id, currency, total, customer_reference, created_by)
    values (${order.customerId}, ${order.source}, ${order.externalId ?? null}, ${order.currency},
            (select coalesce(round(sum(q::numeric * p::numeric), 2), 0)
             from unnest(${tx.array(lines.map((l) => l.quantity))}::int[], ${tx.array(lines.map((l) => l.unitPrice))}::text[]) as t(q, p)),
            ${order.customerReference ?? null}, ${createdBy})
    returning id`;
  const id = Number(row.id);
  await tx`
    insert into order_lines (order_id, line_no, gtin, lot, quantity, unit_price)
    select ${id}, line_no, gtin, nullif(lot, ''), quantity, unit_price::numeric
    from unnest(${tx.array(lines.map((l) => l.lineNo))}::int[], ${tx.array(lines.map((l) => l.gtin))}::text[],
                ${tx.array(lines.map((l) => l.lot ?? ''))}::text[], ${tx.array(lines.map((l) => l.quantity))}::int[],
                ${tx.array(lines.map((l) => l.unitPrice))}::text[]) as t(line_no, gtin, lot, quantity, unit_price)`;
  return id;
}

/** Σ totals of the customer's open orders (not shipped, not cancelled), as a decimal string. */
export async function openOrderExposure(tx: Tx | Sql, customerId: number): Promise<string> {
  const [row] = await tx<{ exposure: string }[]>`
    select coalesce(sum(total), 0)::text as exposure from sales_orders
    where customer_id = ${customerId} and status in ${tx(OPEN_STATUSES as OrderStatus[])}`;
  return row.exposure;
}

function toLine(row: LineRow): OrderLine {
  return {
    id: Number(row.id),
    lineNo: row.line_no,
    gtin: row.gtin,
    lot: row.lot,
    quantity: row.quantity,
    unitPrice: row.unit_price,
    allocated: row.allocated,
    picked: row.picked,
    shipped: row.shipped,
  };
}

function toOrder(row: OrderRow, lines: LineRow[]): Order {
  return {
    id: Number(row.id),
    customerId: Number(row.customer_id),
    source: row.source,
    externalId: row.external_id,
    status: row.status,
    currency: row.currency,
    total: row.total,
    customerReference: row.customer_reference,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    lines: lines.map(toLine),
  };
}

/**
 * The lines with their allocated / picked / shipped counts, read from where
 * the stock is (units and lot_stock by order line) and from the shipment lines.
 */
async function linesOf(sql: Sql | Tx, orderIds: number[]): Promise<LineRow[]> {
  if (orderIds.length === 0) return [];
  return sql<LineRow[]>`
    select l.id, l.order_id, l.line_no, l.gtin, l.lot, l.quantity, l.unit_price::text as unit_price,
      (coalesce((select count(*) from units u where u.order_line_id = l.id and u.state in ('allocated', 'picked')), 0)
       + coalesce((select sum(s.quantity) from lot_stock s where s.order_line_id = l.id and s.state in ('allocated', 'picked')), 0)
       + coalesce((select sum(sl.quantity) from shipment_lines sl where sl.order_line_id = l.id), 0))::int as allocated,
      (coalesce((select sum(p.quantity) from picks p where p.order_line_id = l.id), 0))::int as picked,
      (coalesce((select sum(sl.quantity) from shipment_lines sl where sl.order_line_id = l.id), 0))::int as shipped
    from order_lines l where l.order_id in ${sql(orderIds)}
    order by l.order_id, l.line_no`;
}

const orderColumns = (sql: Sql | Tx) =>
  sql`id, customer_id, source, external_id, status, currency, total::text as total, customer_reference, created_at, created_by`;

export async function findOrder(sql: Sql | Tx, id: number, options: { lock?: boolean } = {}): Promise<Order | undefined> {
  const [row] = await sql<OrderRow[]>`
    select ${orderColumns(sql)} from sales_orders where id = ${id} ${options.lock ? sql`for update` : sql``}`;
  if (!row) return undefined;
  return toOrder(row, await linesOf(sql, [id]));
}

export async function findOrderByExternalId(sql: Sql | Tx, externalId: string): Promise<Order | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from sales_orders where source = 'webhook' and external_id = ${externalId}`;
  return row && findOrder(sql, Number(row.id));
}

/** Orders newest first (by id, descending) after a keyset cursor, optionally of one customer or status. */
export async function listOrders(
  sql: Sql,
  page: { customerId?: number; status?: OrderStatus; beforeId?: number; limit: number },
): Promise<Order[]> {
  const rows = await sql<OrderRow[]>`
    select ${orderColumns(sql)} from sales_orders
    where ${page.customerId === undefined ? sql`true` : sql`customer_id = ${page.customerId}`}
      and ${page.status === undefined ? sql`true` : sql`status = ${page.status}`}
      and ${page.beforeId === undefined ? sql`true` : sql`id < ${page.beforeId}`}
    order by id desc
    limit ${page.limit}`;
  const lines = await linesOf(sql, rows.map((row) => Number(row.id)));
  return rows.map((row) => toOrder(row, lines.filter((line) => line.order_id === row.id)));
}

export async function setOrderStatus(tx: Tx, id: number, status: OrderStatus): Promise<void> {
  await tx`update sales_orders set status = ${status}, updated_at = now() where id = ${id}`;
}
