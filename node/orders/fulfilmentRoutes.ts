// Fulfilment API: allocate an order FEFO, pick it by scanning each item's UDI.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { allocateOrder } from './allocation';
import { findOrder, setOrderStatus, type Order } from './orders';
import { pickScan } from './picking';
import { IdParams, OrderSchema } from './schemas';

const AllocatedStockSchema = z.object({
  gtin: z.string(),
  lot: z.string(),
  serial: z.string().optional(),
  quantity: z.number().int(),
  binId: z.number().int(),
  expiry: z.string(),
});

const AllocationResult = z
  .object({
    order: OrderSchema,
    lines: z.array(z.object({ lineId: z.number().int(), allocated: z.array(AllocatedStockSchema), shortfall: z.number().int() })),
  })
  .openapi('OrderAllocation');

const PickBody = z
  .strictObject({
    scan: z.string().min(1).max(500).openapi({ description: 'the scanned UDI: Digital Link, (01)…(21)… or raw element string', example: '(01)09506000134352(10)L1(21)SN1' }),
    quantity: z.number().int().min(1).max(1_000_000).optional().openapi({ description: 'lot-controlled products: how many of the scanned lot (default 1; a case label scan picks its count)' }),
    reason: reasonSchema,
  })
  .openapi('PickScan');

const PickRecord = z.object({ id: z.number().int(), orderLineId: z.number().int(), gtin: z.string(), lot: z.string(), serial: z.string().nullable(), quantity: z.number().int() });

const PickResult = z
  .object({
    pick: PickRecord.openapi({ description: 'the (first) pick this scan made' }),
    picks: z.array(PickRecord).openapi({ description: 'every pick this scan made: one per order line served (a lot quantity may span lines)' }),
    order: OrderSchema,
  })
  .openapi('Pick');

const allocateRoute = createRoute({
  method: 'post',
  path: '/api/v1/orders/{id}/allocations',
  tags: ['orders'],
  summary: 'Allocate what the order still needs, FEFO, from released, unexpired, qualified stock (partial allocation reported)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.fulfilOrders)] as const,
  request: { params: IdParams },
  responses: {
    200: { description: 'allocated (see each line shortfall)', content: { 'application/json': { schema: AllocationResult } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const pickRoute = createRoute({
  method: 'post',
  path: '/api/v1/orders/{id}/picks',
  tags: ['orders'],
  summary: 'Pick by scanning a UDI: refused with the reason when it is not what the order was allocated',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.fulfilOrders)] as const,
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: PickBody } } } },
  responses: {
    201: { description: 'picked', content: { 'application/json': { schema: PickResult } } },
    ...problemResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

function assertFulfillable(order: Order, action: string): void {
  if (order.status === 'cancelled' || order.status === 'shipped') {
    throw new ProblemError(409, 'order-closed', 'Order closed', `order ${order.id} is ${order.status}; it cannot be ${action}`, { field: 'id' });
  }
}

/** allocated when every unit ordered is allocated (or beyond), picked when every unit is picked. */
export async function refreshFulfilmentStatus(tx: Parameters<typeof findOrder>[0], id: number): Promise<Order> {
  const order = (await findOrder(tx, id))!;
  if (order.status === 'cancelled' || order.status === 'shipped' || order.status === 'partially_shipped') return order;
  const all = (pick: (line: Order['lines'][number]) => number) => order.lines.every((line) => pick(line) >= line.quantity);
  const status = all((l) => l.picked) ? 'picked' : all((l) => l.allocated) ? 'allocated' : 'open';
  if (status === order.status) return order;
  await setOrderStatus(tx as never, id, status);
  return { ...order, status };
}

export function fulfilmentRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(allocateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const result = await performWrite(c, ctx.sql, { id }, async (w) => {
      const before = await findOrder(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no order ${id}`, 'id');
      assertFulfillable(before, 'allocated');
      const lines = await allocateOrder(w.tx, before, w.actor);
      const after = await refreshFulfilmentStatus(w.tx, id);
      await w.audit({ action: 'sales_order.allocate', entity: 'sales_order', entityId: String(id), before, after });
      return { status: 200, body: { order: after, lines } };
    });
    return c.json(result.body, 200);
  });

  app.openapi(pickRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const before = await findOrder(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no order ${id}`, 'id');
      assertFulfillable(before, 'picked');
      const picks = await pickScan(w.tx, before, input.scan, input.quantity, w.actor);
      const after = await refreshFulfilmentStatus(w.tx, id);
      await w.audit({ action: 'sales_order.pick', entity: 'sales_order', entityId: String(id), before: { status: before.status }, after: { status: after.status, picks } });
      return { status: 201, body: { pick: picks[0], picks, order: after } };
    });
    return c.json(result.body, 201);
  });

  return app;
}
