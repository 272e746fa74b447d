// Reports API: the ERP's key figures (GET /api/v1/kpis), for admin, QA and viewers.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { bearerAuth, createRouter } from '../http/router';
import { isoDateSchema, problemResponses } from '../http/schemas';
import { computeKpis } from './kpis';

const KpiQuery = z.object({
  asOf: isoDateSchema.optional().openapi({ description: 'the day the figures are taken on (default today, UTC)' }),
  shipWithinDays: z
    .string()
    .regex(/^\d{1,3}$/, 'must be an integer 0-365')
    .transform(Number)
    .refine((n) => n <= 365, 'must be an integer 0-365')
    .optional()
    .openapi({ type: 'string', description: 'an order ships on time within this many days (default 2)', example: '2' }),
});

const Figure = z.object({
  quantity: z.number().int(),
  value: z.string().openapi({ description: 'at standard cost, 2 decimals', example: '1250.00' }),
  unvaluedQuantity: z.number().int().openapi({ description: 'stock of products without a standard cost' }),
});
const Rate = z.number().nullable().openapi({ description: 'a ratio 0-1 (4 decimals); null without data' });

const KpisSchema = z
  .object({
    asOf: z.string(),
    stock: z.object({
      total: Figure,
      byLotStatus: z.array(Figure.extend({ status: z.string() })),
      byState: z.array(Figure.extend({ state: z.string() })),
    }),
    expiring: z.array(Figure.extend({ withinDays: z.number().int(), lots: z.number().int() })),
    expired: Figure.extend({ lots: z.number().int() }),
    inspections: z.object({
      total: z.number().int(),
      passed: z.number().int(),
      passRate: Rate,
      byKind: z.array(z.object({ kind: z.string(), total: z.number().int(), passed: z.number().int(), passRate: Rate })),
    }),
    shipments: z.object({
      shipWithinDays: z.number().int(),
      shippedOrders: z.number().int(),
      onTime: z.number().int(),
      onTimeRate: Rate,
      openOverdue: z.number().int(),
      basis: z.string(),
    }),
    quality: z.object({
      openNonconformances: z.number().int(),
      dispositionedNonconformances: z.number().int(),
      openCapas: z.number().int(),
      overdueCapaActions: z.number().int(),
    }),
    suppliers: z.array(
      z.object({
        partnerId: z.number().int(),
        code: z.string(),
        name: z.string(),
        receipts: z.number().int(),
        onTimeReceipts: z.number().int(),
        onTimeRate: Rate,
        incomingInspections: z.number().int(),
        passedInspections: z.number().int(),
        qualityRate: Rate,
        nonconformances: z.number().int(),
        score: Rate,
      }),
    ),
  })
  .openapi('Kpis');

const getKpis = createRoute({
  method: 'get',
  path: '/api/v1/kpis',
  tags: ['reports'],
  summary: 'Key figures: stock by status and value, expiring stock, inspection pass rate, on-time shipments, open NCs and CAPAs, supplier scores',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readReports)] as const,
  request: { query: KpiQuery },
  responses: {
    200: { description: 'the figures', content: { 'application/json': { schema: KpisSchema } } },
    ...problemResponses(401, 403, 422),
  },
});

export function reportRoutes(ctx: NodeContext) {
  const app = createRouter();
  app.openapi(getKpis, async (c) => {
    const query = c.req.valid('query');
    return c.json(await computeKpis(ctx.sql, { asOf: query.asOf, shipWithinDays: query.shipWithinDays }), 200);
  });
  return app;
}
