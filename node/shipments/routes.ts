// Shipments API: ship everything an order has picked (shipping event and
// invoice in the same transaction), read and list shipments and invoices.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { pageOf, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { findOrder, setOrderStatus } from '../orders/orders';
import { IdParams, OrderSchema } from '../orders/schemas';
import { pageById } from '../quality/paging';
import { InvoiceSummarySchema, listInvoices, listShipments, SalesListQuery, salesListFilter, ShipmentSummarySchema } from './lists';
import { findInvoice, findShipment, shipOrder } from './shipments';

const ShipmentSchema = z
  .object({
    id: z.number().int(),
    orderId: z.number().int(),
    customerId: z.number().int(),
    shippedAt: z.string(),
    shippedBy: z.string(),
    ledgerSeq: z.number().int().openapi({ description: 'ledger seq of the shipping event' }),
    invoiceId: z.number().int(),
    lines: z.array(z.object({ orderLineId: z.number().int(), gtin: z.string(), lot: z.string(), serial: z.string().nullable(), quantity: z.number().int() })),
  })
  .openapi('Shipment');

const InvoiceSchema = InvoiceSummarySchema.extend({
  lines: z.array(
    z.object({ lineNo: z.number().int(), orderLineId: z.number().int(), gtin: z.string(), quantity: z.number().int(), unitPrice: z.string(), amount: z.string() }),
  ),
}).openapi('Invoice');

const shipRoute = createRoute({
  method: 'post',
  path: '/api/v1/orders/{id}/shipments',
  tags: ['orders'],
  summary: 'Ship everything picked: units shipped, a shipping ledger event and an invoice',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.fulfilOrders)] as const,
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: z.strictObject({ reason: reasonSchema }) } } } },
  responses: {
    201: { description: 'shipped', content: { 'application/json': { schema: z.object({ shipment: ShipmentSchema, order: OrderSchema }).openapi('ShippedOrder') } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const getShipmentRoute = createRoute({
  method: 'get',
  path: '/api/v1/shipments/{id}',
  tags: ['orders'],
  summary: 'Read a shipment with its lines',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: IdParams },
  responses: { 200: { description: 'the shipment', content: { 'application/json': { schema: ShipmentSchema } } }, ...problemResponses(401, 403, 404, 422) },
});

const getInvoiceRoute = createRoute({
  method: 'get',
  path: '/api/v1/invoices/{id}',
  tags: ['orders'],
  summary: 'Read an invoice (money as decimal strings)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: IdParams },
  responses: { 200: { description: 'the invoice', content: { 'application/json': { schema: InvoiceSchema } } }, ...problemResponses(401, 403, 404, 422) },
});

const listShipmentsRoute = createRoute({
  method: 'get',
  path: '/api/v1/shipments',
  tags: ['orders'],
  summary: 'List shipments, oldest first, by customer, order and shipping day (keyset pages)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: SalesListQuery },
  responses: { 200: { description: 'a page of shipments', content: { 'application/json': { schema: pageOf(ShipmentSummarySchema) } } }, ...problemResponses(401, 403, 422) },
});

const listInvoicesRoute = createRoute({
  method: 'get',
  path: '/api/v1/invoices',
  tags: ['orders'],
  summary: 'List invoices, oldest first, by customer, order and issue day (keyset pages; money as decimal strings)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: SalesListQuery },
  responses: { 200: { description: 'a page of invoices', content: { 'application/json': { schema: pageOf(InvoiceSummarySchema) } } }, ...problemResponses(401, 403, 422) },
});

export function shipmentRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(listShipmentsRoute, async (c) => {
    const query = c.req.valid('query');
    const filter = salesListFilter(query);
    return c.json(await pageById(query, (page) => listShipments(ctx.sql, filter, page)), 200);
  });

  app.openapi(listInvoicesRoute, async (c) => {
    const query = c.req.valid('query');
    const filter = salesListFilter(query);
    return c.json(await pageById(query, (page) => listInvoices(ctx.sql, filter, page)), 200);
  });

  app.openapi(shipRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const before = await findOrder(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no order ${id}`, 'id');
      if (before.status === 'cancelled' || before.status === 'shipped') {
        throw new ProblemError(409, 'order-closed', 'Order closed', `order ${id} is ${before.status}; it cannot be shipped`, { field: 'id' });
      }
      const shipment = await shipOrder(w.tx, before, {
        actor: w.actor,
        ledger: { participant: ctx.participant, chainId: ctx.chainId },
        eventTimeZoneOffset: ctx.config.eventTimeZoneOffset,
      });
      const shipped = (await findOrder(w.tx, id))!;
      const status = shipped.lines.every((line) => line.shipped >= line.quantity) ? 'shipped' : 'partially_shipped';
      await setOrderStatus(w.tx, id, status);
      const after = { ...shipped, status } as const;
      await w.audit({ action: 'shipment.create', entity: 'shipment', entityId: String(shipment.id), after: shipment, ledgerSeq: shipment.ledgerSeq });
      await w.audit({ action: 'sales_order.ship', entity: 'sales_order', entityId: String(id), before: { status: before.status }, after: { status }, ledgerSeq: shipment.ledgerSeq });
      return { status: 201, body: { shipment, order: after } };
    });
    return c.json(result.body, 201);
  });

  app.openapi(getShipmentRoute, async (c) => {
    const { id } = c.req.valid('param');
    const shipment = await findShipment(ctx.sql, id);
    if (!shipment) throw problems.notFound(`no shipment ${id}`, 'id');
    return c.json(shipment, 200);
  });

  app.openapi(getInvoiceRoute, async (c) => {
    const { id } = c.req.valid('param');
    const invoice = await findInvoice(ctx.sql, id);
    if (!invoice) throw problems.notFound(`no invoice ${id}`, 'id');
    return c.json(invoice, 200);
  });

  return app;
}
