// Trace API (DESIGN 7): GET /api/v1/trace/unit?udi= (backward, verified hops
// with their bundles) and GET /api/v1/trace/lot?gtin=&lot= (forward, from this
// node's shipment records). Both readNetwork.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { bearerAuth, createRouter } from '../http/router';
import { gtinSchema, lotSchema, problemResponses } from '../http/schemas';
import { traceLot, traceUnit } from './trace';

const BundleSchema = z.record(z.string(), z.unknown()).openapi('TraceProofBundle', { description: 'a proof bundle (DESIGN 4.6)' });

const HopSchema = z
  .object({
    participant: z.string(),
    name: z.string(),
    role: z.string(),
    bizStep: z.string(),
    disposition: z.string().nullable(),
    eventTime: z.string(),
    seq: z.number().int(),
    batch: z.number().int().nullable(),
    blockNumber: z.number().int().nullable(),
    verified: z.boolean(),
    failure: z.string().optional().openapi({ description: '`proof-failed:<SDK code>` or `not-anchored`' }),
  })
  .openapi('TraceHop');

const UnitTraceSchema = z
  .object({
    unit: z.object({ gtin: z.string(), lot: z.string(), serial: z.string() }),
    verified: z.boolean().openapi({ description: 'every hop verified against the chain' }),
    hops: z.array(HopSchema),
    bundles: z.array(BundleSchema),
  })
  .openapi('UnitTrace');

const LotTraceSchema = z
  .object({
    gtin: z.string(),
    lot: z.string(),
    shipments: z.array(
      z.object({
        shipmentId: z.number().int(),
        orderId: z.number().int(),
        customer: z.object({ id: z.number().int(), code: z.string(), name: z.string(), participant: z.string().nullable() }),
        shippedAt: z.string(),
        ledgerSeq: z.number().int().nullable(),
        quantity: z.number().int(),
        serials: z.array(z.string()),
      }),
    ),
    totals: z.object({ shipped: z.number().int(), shipments: z.number().int(), customers: z.number().int() }),
  })
  .openapi('LotTrace');

const traceUnitRoute = createRoute({
  method: 'get',
  path: '/api/v1/trace/unit',
  tags: ['network'],
  summary: "Backward trace of a unit: every hop of its pedigree and this node's own events, each verified against the chain",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readNetwork)] as const,
  request: {
    query: z.object({
      udi: z.string().min(1).max(500).openapi({ description: 'the unit: Digital Link, element string (raw or bracketed) or EPC URI', example: '(01)09506000134352(21)SN1' }),
    }),
  },
  responses: {
    200: { description: 'the trace', content: { 'application/json': { schema: UnitTraceSchema } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const traceLotRoute = createRoute({
  method: 'get',
  path: '/api/v1/trace/lot',
  tags: ['network'],
  summary: "Forward trace of a lot: the shipments it left this node in (customer, quantity, units, dates, ledger seq)",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readNetwork)] as const,
  request: { query: z.object({ gtin: gtinSchema, lot: lotSchema }) },
  responses: {
    200: { description: 'the trace', content: { 'application/json': { schema: LotTraceSchema } } },
    ...problemResponses(401, 403, 422),
  },
});

export function traceRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(traceUnitRoute, async (c) => {
    const { udi } = c.req.valid('query');
    const trace = await traceUnit(ctx, udi);
    return c.json(trace as unknown as z.infer<typeof UnitTraceSchema>, 200);
  });

  app.openapi(traceLotRoute, async (c) => {
    const { gtin, lot } = c.req.valid('query');
    return c.json(await traceLot(ctx.sql, gtin, lot), 200);
  });

  return app;
}
