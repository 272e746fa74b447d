// Sales orders API: place an order (checked: customer qualified, products
// registered, credit limit), list and read orders, cancel one (its allocation
// released). Allocation, picking and shipping live beside it (fulfilment).
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems, ProblemError } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeIdCursor, DEFAULT_PAGE_SIZE, encodeCursor, pageOf, pageQuerySchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { releaseOrderStock } from './allocation';
import { findOrder, listOrders, ORDER_STATUSES, setOrderStatus } from './orders';
import { placeOrder } from './place';
import { IdParams, NewOrderBody, OrderSchema } from './schemas';

const createOrderRoute = createRoute({
  method: 'post',
  path: '/api/v1/orders',
  tags: ['orders'],
  summary: 'Place a sales order (customer qualified, products registered, within the credit limit)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeOrders)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: NewOrderBody } } } },
  responses: {
    201: { description: 'placed', content: { 'application/json': { schema: OrderSchema } } },
    ...problemResponses(400, 401, 403, 409, 415, 422),
  },
});

const listOrdersRoute = createRoute({
  method: 'get',
  path: '/api/v1/orders',
  tags: ['orders'],
  summary: 'List orders, newest first, optionally of one customer or status',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: {
    query: pageQuerySchema.extend({
      customerId: z.string().regex(/^\d{1,15}$/, 'must be a positive integer').transform(Number).optional(),
      status: z.enum(ORDER_STATUSES).optional(),
    }),
  },
  responses: {
    200: { description: 'a page of orders', content: { 'application/json': { schema: pageOf(OrderSchema) } } },
    ...problemResponses(401, 403, 422),
  },
});

const getOrderRoute = createRoute({
  method: 'get',
  path: '/api/v1/orders/{id}',
  tags: ['orders'],
  summary: 'Read an order with its lines (allocated, picked, shipped per line)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: IdParams },
  responses: {
    200: { description: 'the order', content: { 'application/json': { schema: OrderSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

const cancelOrderRoute = createRoute({
  method: 'post',
  path: '/api/v1/orders/{id}/cancel',
  tags: ['orders'],
  summary: 'Cancel an order that has not shipped; its allocated and picked stock goes back on hand (reason required)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeOrders)] as const,
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: z.strictObject({ reason: reasonSchema }) } } } },
  responses: {
    200: { description: 'cancelled', content: { 'application/json': { schema: OrderSchema } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function orderRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(createOrderRoute, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const order = await placeOrder(w, { source: 'api', customerId: input.customerId, currency: input.currency, customerReference: input.customerReference, lines: input.lines });
      return { status: 201, body: order };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listOrdersRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await listOrders(ctx.sql, { customerId: query.customerId, status: query.status, beforeId: decodeIdCursor(query.cursor), limit: limit + 1 });
    const items = rows.slice(0, limit);
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([String(items[items.length - 1].id)]) : null }, 200);
  });

  app.openapi(getOrderRoute, async (c) => {
    const { id } = c.req.valid('param');
    const order = await findOrder(ctx.sql, id);
    if (!order) throw problems.notFound(`no order ${id}`, 'id');
    return c.json(order, 200);
  });

  app.openapi(cancelOrderRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      if (w.reason === undefined) throw problems.invalidInput('reason: cancelling an order needs a reason (X-Reason header or reason field)', 'reason');
      const before = await findOrder(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no order ${id}`, 'id');
      if (before.status === 'shipped' || before.status === 'partially_shipped' || before.status === 'cancelled') {
        throw new ProblemError(409, 'order-not-cancellable', 'Order cannot be cancelled', `order ${id} is ${before.status}; only an order that has not shipped can be cancelled`, { field: 'id' });
      }
      await releaseOrderStock(w.tx, id, w.actor);
      await setOrderStatus(w.tx, id, 'cancelled');
      const after = (await findOrder(w.tx, id))!;
      await w.audit({ action: 'sales_order.cancel', entity: 'sales_order', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  return app;
}
