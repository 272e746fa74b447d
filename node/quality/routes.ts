// Quality API: record an inspection of a lot (row + inspecting ledger event in
// one transaction) and list a lot's inspections.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  gtinSchema,
  lotSchema,
  pageOf,
  pageQuerySchema,
  problemResponses,
  reasonSchema,
  sha256HexSchema,
} from '../http/schemas';
import { performWrite } from '../http/writes';
import { appendEvent } from '../ledger/append';
import { findLot } from '../lots/lots';
import { inspectingEvent } from './events';
import { INSPECTION_KINDS, INSPECTION_RESULTS, insertInspection, listInspections } from './inspections';

export const InspectionSchema = z
  .object({
    id: z.number().int(),
    gtin: z.string(),
    lot: z.string(),
    kind: z.enum(INSPECTION_KINDS),
    result: z.enum(INSPECTION_RESULTS),
    method: z.string(),
    reportSha256: z.string().nullable(),
    ledgerSeq: z.number().int().openapi({ description: 'ledger seq of the inspecting event' }),
    inspectedAt: z.string(),
    inspectedBy: z.string(),
  })
  .openapi('Inspection');

const NewInspection = z
  .strictObject({
    kind: z.enum(INSPECTION_KINDS, `must be one of ${INSPECTION_KINDS.join(', ')}`),
    result: z.enum(INSPECTION_RESULTS, `must be one of ${INSPECTION_RESULTS.join(', ')}`),
    method: z.string().trim().min(1, 'must not be empty').max(200).openapi({ example: 'visual+dimensional' }),
    reportSha256: sha256HexSchema.optional().openapi({ description: 'SHA-256 of the signed inspection report' }),
    reason: reasonSchema,
  })
  .openapi('NewInspection');

const LotParams = z.object({
  gtin: gtinSchema.openapi({ param: { name: 'gtin', in: 'path' } }),
  lot: lotSchema.openapi({ param: { name: 'lot', in: 'path' } }),
});

const recordInspection = createRoute({
  method: 'post',
  path: '/api/v1/lots/{gtin}/{lot}/inspections',
  tags: ['quality'],
  summary: 'Record an incoming or final inspection of a lot, with its inspecting event',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.recordInspections)] as const,
  request: { params: LotParams, body: { required: true, content: { 'application/json': { schema: NewInspection } } } },
  responses: {
    201: { description: 'recorded', content: { 'application/json': { schema: InspectionSchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

const listInspectionsRoute = createRoute({
  method: 'get',
  path: '/api/v1/lots/{gtin}/{lot}/inspections',
  tags: ['quality'],
  summary: "List a lot's inspections, oldest first",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: LotParams, query: pageQuerySchema },
  responses: {
    200: { description: 'a page of inspections', content: { 'application/json': { schema: pageOf(InspectionSchema) } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function qualityRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(recordInspection, async (c) => {
    const { gtin, lot } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { gtin, lot, ...input }, async (w) => {
      const found = await findLot(w.tx, gtin, lot);
      if (!found) throw problems.notFound(`no lot ${lot} of GTIN ${gtin}`, 'lot');
      const eventTime = new Date().toISOString();
      const reportSha256 = input.reportSha256 ?? null;
      const event = inspectingEvent(
        { gtin, lot, quantity: found.unitCount, result: input.result, method: input.method, reportSha256 },
        { eventTime, eventTimeZoneOffset: ctx.config.eventTimeZoneOffset },
      );
      const { seq } = await appendEvent(w.tx, { participant: ctx.participant, chainId: ctx.chainId }, event);
      const inspection = await insertInspection(
        w.tx,
        { gtin, lot, kind: input.kind, result: input.result, method: input.method, reportSha256, ledgerSeq: seq, inspectedAt: eventTime },
        w.actor,
      );
      await w.audit({ action: 'inspection.record', entity: 'inspection', entityId: String(inspection.id), after: inspection, ledgerSeq: seq });
      return { status: 201, body: inspection };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listInspectionsRoute, async (c) => {
    const { gtin, lot } = c.req.valid('param');
    const query = c.req.valid('query');
    if (!(await findLot(ctx.sql, gtin, lot))) throw problems.notFound(`no lot ${lot} of GTIN ${gtin}`, 'lot');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const cursor = decodeCursor(query.cursor, 1)?.[0];
    const afterId = cursor === undefined ? undefined : Number(cursor);
    if (afterId !== undefined && !Number.isSafeInteger(afterId)) throw problems.invalidInput('cursor: not a cursor this server returned', 'cursor');
    const rows = await listInspections(ctx.sql, gtin, lot, { afterId, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([String(items[items.length - 1].id)]) : null }, 200);
  });

  return app;
}
