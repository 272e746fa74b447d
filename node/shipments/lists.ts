// The shipment, invoice and RMA lists: keyset pages by id (oldest first, like
// every list of the node), filtered by customer, order and a date range on when
// the record was made (shipped, issued, authorised).
import { z } from '@hono/zod-openapi';
import type { Sql } from '../db';
import { problems } from '../http/problem';
import { isoDateSchema, pageQuerySchema } from '../http/schemas';

const idFilter = (description: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a record id')
    .transform(Number)
    .optional()
    .openapi({ type: 'string', description, example: '1' });

export const SalesListQuery = pageQuerySchema
  .extend({
    customerId: idFilter('only this customer'),
    orderId: idFilter('only this sales order'),
    from: isoDateSchema.optional().openapi({ description: 'on or after this day (UTC)' }),
    to: isoDateSchema.optional().openapi({ description: 'on or before this day (UTC)' }),
  });

/** The date range the query names, refused when it ends before it starts. */
export function salesListFilter(query: z.infer<typeof SalesListQuery>): SalesListFilter {
  if (query.from !== undefined && query.to !== undefined && query.to < query.from) {
    throw problems.invalidInput(`to: ${query.to} is before from ${query.from}`, 'to');
  }
  return { customerId: query.customerId, orderId: query.orderId, from: query.from, to: query.to };
}

export type SalesListFilter = { customerId?: number; orderId?: number; from?: string; to?: string };
interface Page {
  afterId?: number;
  limit: number;
}

export const ShipmentSummarySchema = z
  .object({
    id: z.number().int(),
    orderId: z.number().int(),
    customerId: z.number().int(),
    shippedAt: z.string(),
    shippedBy: z.string(),
    ledgerSeq: z.number().int().nullable(),
    invoiceId: z.number().int().nullable(),
    lines: z.number().int().openapi({ description: 'shipment lines' }),
    quantity: z.number().int().openapi({ description: 'units and lot quantities shipped' }),
  })
  .openapi('ShipmentSummary');

export const InvoiceSummarySchema = z
  .object({
    id: z.number().int(),
    number: z.string(),
    orderId: z.number().int(),
    shipmentId: z.number().int(),
    customerId: z.number().int(),
    currency: z.string(),
    total: z.string().openapi({ example: '250.00' }),
    issuedAt: z.string(),
    issuedBy: z.string(),
  })
  .openapi('InvoiceSummary');

export const RmaSummarySchema = z
  .object({
    id: z.number().int(),
    customerId: z.number().int(),
    orderIds: z.array(z.number().int()).openapi({ description: 'the orders whose shipments the returned goods left with' }),
    status: z.enum(['authorized', 'received', 'closed']),
    reason: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    lines: z.number().int(),
    quantity: z.number().int().openapi({ description: 'units and lot quantities on the RMA' }),
  })
  .openapi('RmaSummary');

const dayRange = (sql: Sql, column: string, filter: SalesListFilter) => sql`
  ${filter.from === undefined ? sql`true` : sql`${sql(column)} >= (${filter.from}::date)::timestamp at time zone 'UTC'`}
  and ${filter.to === undefined ? sql`true` : sql`${sql(column)} < (${filter.to}::date + 1)::timestamp at time zone 'UTC'`}`;

export async function listShipments(sql: Sql, filter: SalesListFilter, page: Page): Promise<z.infer<typeof ShipmentSummarySchema>[]> {
  const rows = await sql<
    { id: string; order_id: string; customer_id: string; shipped_at: Date; shipped_by: string; ledger_seq: string | null; invoice_id: string | null; lines: number; quantity: number }[]
  >`
    select s.id, s.order_id, s.customer_id, s.shipped_at, s.shipped_by, s.ledger_seq, i.id as invoice_id,
      (select count(*)::int from shipment_lines sl where sl.shipment_id = s.id) as lines,
      (select coalesce(sum(sl.quantity), 0)::int from shipment_lines sl where sl.shipment_id = s.id) as quantity
    from shipments s left join invoices i on i.shipment_id = s.id
    where ${filter.customerId === undefined ? sql`true` : sql`s.customer_id = ${filter.customerId}`}
      and ${filter.orderId === undefined ? sql`true` : sql`s.order_id = ${filter.orderId}`}
      and ${dayRange(sql, 's.shipped_at', filter)}
      and ${page.afterId === undefined ? sql`true` : sql`s.id > ${page.afterId}`}
    order by s.id
    limit ${page.limit}`;
  return rows.map((r) => ({
    id: Number(r.id),
    orderId: Number(r.order_id),
    customerId: Number(r.customer_id),
    shippedAt: r.shipped_at.toISOString(),
    shippedBy: r.shipped_by,
    ledgerSeq: r.ledger_seq === null ? null : Number(r.ledger_seq),
    invoiceId: r.invoice_id === null ? null : Number(r.invoice_id),
    lines: r.lines,
    quantity: r.quantity,
  }));
}

export async function listInvoices(sql: Sql, filter: SalesListFilter, page: Page): Promise<z.infer<typeof InvoiceSummarySchema>[]> {
  const rows = await sql<
    { id: string; number: string; order_id: string; shipment_id: string; customer_id: string; currency: string; total: string; issued_at: Date; issued_by: string }[]
  >`
    select id, number, order_id, shipment_id, customer_id, currency, total::text as total, issued_at, issued_by
    from invoices i
    where ${filter.customerId === undefined ? sql`true` : sql`i.customer_id = ${filter.customerId}`}
      and ${filter.orderId === undefined ? sql`true` : sql`i.order_id = ${filter.orderId}`}
      and ${dayRange(sql, 'i.issued_at', filter)}
      and ${page.afterId === undefined ? sql`true` : sql`i.id > ${page.afterId}`}
    order by i.id
    limit ${page.limit}`;
  return rows.map((r) => ({
    id: Number(r.id),
    number: r.number,
    orderId: Number(r.order_id),
    shipmentId: Number(r.shipment_id),
    customerId: Number(r.customer_id),
    currency: r.currency,
    total: r.total,
    issuedAt: r.issued_at.toISOString(),
    issuedBy: r.issued_by,
  }));
}

/** RMAs; the order filter finds an RMA through the shipments its goods left with. */
export async function listRmas(sql: Sql, filter: SalesListFilter, page: Page): Promise<z.infer<typeof RmaSummarySchema>[]> {
  const rows = await sql<
    { id: string; customer_id: string; status: 'authorized' | 'received' | 'closed'; reason: string; created_at: Date; created_by: string; order_ids: string[]; lines: number; quantity: number }[]
  >`
    select r.id, r.customer_id, r.status, r.reason, r.created_at, r.created_by,
      coalesce(array_agg(distinct s.order_id) filter (where s.order_id is not null), '{}') as order_ids,
      count(rl.id)::int as lines, coalesce(sum(rl.quantity), 0)::int as quantity
    from rmas r
      left join rma_lines rl on rl.rma_id = r.id
      left join shipments s on s.id = rl.shipment_id
    where ${filter.customerId === undefined ? sql`true` : sql`r.customer_id = ${filter.customerId}`}
      and ${filter.orderId === undefined ? sql`true` : sql`exists (select 1 from rma_lines x join shipments y on y.id = x.shipment_id where x.rma_id = r.id and y.order_id = ${filter.orderId})`}
      and ${dayRange(sql, 'r.created_at', filter)}
      and ${page.afterId === undefined ? sql`true` : sql`r.id > ${page.afterId}`}
    group by r.id
    order by r.id
    limit ${page.limit}`;
  return rows.map((r) => ({
    id: Number(r.id),
    customerId: Number(r.customer_id),
    orderIds: r.order_ids.map(Number).sort((a, b) => a - b),
    status: r.status,
    reason: r.reason,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    lines: r.lines,
    quantity: r.quantity,
  }));
}
