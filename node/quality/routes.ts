// Quality API: inspections of a lot (row, test items and the inspecting ledger
// event in one transaction; a failed one opens a nonconformance), and the
// quality records' sub-apps (nonconformances, CAPA, deviations, complaints).
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { gtinSchema, lotSchema, pageOf, pageQuerySchema, problemResponses, reasonSchema, sha256HexSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { appendEvent } from '../ledger/append';
import { findLot } from '../lots/lots';
import { capaRoutes } from './capaRoutes';
import { complaintRoutes } from './complaintRoutes';
import { deviationRoutes } from './deviationRoutes';
import { inspectingEvent } from './events';
import {
  derivedResult,
  failureSummary,
  INSPECTION_KINDS,
  INSPECTION_RESULTS,
  insertInspection,
  listInspections,
  lockLotForInspection,
  NOT_INSPECTABLE_STATUSES,
} from './inspections';
import { nonconformanceRoutes } from './nonconformanceRoutes';
import { openNonconformance } from './nonconformances';
import { pageById, textSchema } from './paging';

const SamplingSchema = z
  .strictObject({
    lotSize: z.number().int('must be an integer').min(1),
    sampleSize: z.number().int('must be an integer').min(1),
    acceptanceNumber: z.number().int('must be an integer').min(0).openapi({ description: 'Ac: the most defects that still accept' }),
    defects: z.number().int('must be an integer').min(0).openapi({ description: 'defective units found in the sample' }),
  })
  .superRefine((value, ctx) => {
    if (value.sampleSize > value.lotSize) {
      ctx.addIssue({ code: 'custom', path: ['sampleSize'], message: `must not exceed lotSize ${value.lotSize}, got ${value.sampleSize}` });
    }
    if (value.acceptanceNumber >= value.sampleSize) {
      ctx.addIssue({ code: 'custom', path: ['acceptanceNumber'], message: `must be below sampleSize ${value.sampleSize}, got ${value.acceptanceNumber}` });
    }
    if (value.defects > value.sampleSize) {
      ctx.addIssue({ code: 'custom', path: ['defects'], message: `must not exceed sampleSize ${value.sampleSize}, got ${value.defects}` });
    }
  })
  .openapi('SamplingPlan', { description: 'ISO 2859-1 style figures chosen by the inspector' });

const ItemSchema = z
  .strictObject({
    name: textSchema(200).openapi({ example: 'outer diameter' }),
    spec: textSchema(500).openapi({ example: '3.00 ± 0.05 mm' }),
    measured: textSchema(500).openapi({ example: '3.02 mm' }),
    result: z.enum(INSPECTION_RESULTS, `must be one of ${INSPECTION_RESULTS.join(', ')}`),
  })
  .openapi('InspectionItem');

export const InspectionSchema = z
  .object({
    id: z.number().int(),
    gtin: z.string(),
    lot: z.string(),
    kind: z.enum(INSPECTION_KINDS),
    result: z.enum(INSPECTION_RESULTS),
    method: z.string(),
    reportSha256: z.string().nullable(),
    sampling: z
      .object({ lotSize: z.number().int(), sampleSize: z.number().int(), acceptanceNumber: z.number().int(), defects: z.number().int() })
      .nullable(),
    items: z.array(z.object({ name: z.string(), spec: z.string(), measured: z.string(), result: z.enum(INSPECTION_RESULTS) })),
    nonconformanceId: z.number().int().nullable().openapi({ description: 'the nonconformance a failed inspection opened' }),
    ledgerSeq: z.number().int().openapi({ description: 'ledger seq of the inspecting event' }),
    inspectedAt: z.string(),
    inspectedBy: z.string(),
  })
  .openapi('Inspection');

const NewInspection = z
  .strictObject({
    kind: z.enum(INSPECTION_KINDS, `must be one of ${INSPECTION_KINDS.join(', ')}`),
    result: z
      .enum(INSPECTION_RESULTS, `must be one of ${INSPECTION_RESULTS.join(', ')}`)
      .optional()
      .openapi({ description: 'derived from items and sampling when they are given (must then agree); required without them' }),
    method: z.string().trim().min(1, 'must not be empty').max(200).openapi({ example: 'visual+dimensional' }),
    reportSha256: sha256HexSchema.optional().openapi({ description: 'SHA-256 of the signed inspection report' }),
    sampling: SamplingSchema.optional(),
    items: z.array(ItemSchema).max(200).optional(),
    reason: reasonSchema,
  })
  .superRefine((value, ctx) => {
    if (value.result === undefined && value.sampling === undefined && (value.items ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['result'], message: 'is required when neither sampling nor items are given' });
    }
    const seen = new Set<string>();
    (value.items ?? []).forEach((item, index) => {
      if (seen.has(item.name)) ctx.addIssue({ code: 'custom', path: ['items', index, 'name'], message: `duplicate test item ${item.name}` });
      seen.add(item.name);
    });
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
  summary: 'Record an incoming or final inspection of a lot, with its inspecting event; a failed one opens a nonconformance',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.recordInspections)] as const,
  request: { params: LotParams, body: { required: true, content: { 'application/json': { schema: NewInspection } } } },
  responses: {
    201: { description: 'recorded', content: { 'application/json': { schema: InspectionSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
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
      const status = await lockLotForInspection(w.tx, gtin, lot);
      if (!status) throw problems.notFound(`no lot ${lot} of GTIN ${gtin}`, 'lot');
      if ((NOT_INSPECTABLE_STATUSES as readonly string[]).includes(status.status)) {
        throw problems.conflict('lot-not-inspectable', `lot ${lot} of GTIN ${gtin} is ${status.status}: a rejected, recalled or expired lot is not inspected`, {
          field: 'lot',
          lotStatus: status.status,
        });
      }
      const found = (await findLot(w.tx, gtin, lot))!;
      if (status.expired) {
        throw problems.conflict('lot-not-inspectable', `lot ${lot} of GTIN ${gtin} expired on ${found.expiry}: an expired lot is not inspected`, {
          field: 'lot',
          lotStatus: 'expired',
        });
      }
      const sampling = input.sampling ?? null;
      const items = input.items ?? [];
      const derived = derivedResult(sampling, items);
      if (derived !== undefined && input.result !== undefined && input.result !== derived) {
        throw new ProblemError(
          422,
          'inspection-result-mismatch',
          'Result contradicts the evidence',
          `result ${input.result} contradicts the test items and sampling plan, which give ${derived}` +
            (derived === 'fail' ? ` (${failureSummary(sampling, items)})` : ''),
          { field: 'result', derivedResult: derived },
        );
      }
      const overall = derived ?? input.result!;
      const eventTime = new Date().toISOString();
      const reportSha256 = input.reportSha256 ?? null;
      const event = inspectingEvent(
        { gtin, lot, quantity: found.unitCount, result: overall, method: input.method, reportSha256, sampling, items },
        { eventTime, eventTimeZoneOffset: ctx.config.eventTimeZoneOffset },
      );
      const { seq } = await appendEvent(w.tx, { participant: ctx.participant, chainId: ctx.chainId }, event);
      const recorded = await insertInspection(
        w.tx,
        { gtin, lot, kind: input.kind, result: overall, method: input.method, reportSha256, sampling, items, ledgerSeq: seq, inspectedAt: eventTime },
        w.actor,
      );
      await w.audit({ action: 'inspection.record', entity: 'inspection', entityId: String(recorded.id), after: recorded, ledgerSeq: seq });
      if (overall === 'fail') {
        const nc = await openNonconformance(
          w.tx,
          {
            source: 'inspection',
            gtin,
            lot,
            inspectionId: recorded.id,
            severity: 'major',
            description: `${input.kind} inspection ${recorded.id} (${input.method}) failed: ${failureSummary(sampling, items)}`,
          },
          w,
        );
        return { status: 201, body: { ...recorded, nonconformanceId: nc.id } };
      }
      return { status: 201, body: recorded };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listInspectionsRoute, async (c) => {
    const { gtin, lot } = c.req.valid('param');
    if (!(await findLot(ctx.sql, gtin, lot))) throw problems.notFound(`no lot ${lot} of GTIN ${gtin}`, 'lot');
    return c.json(await pageById(c.req.valid('query'), (page) => listInspections(ctx.sql, gtin, lot, page)), 200);
  });

  app.route('/', nonconformanceRoutes(ctx));
  app.route('/', capaRoutes(ctx));
  app.route('/', deviationRoutes(ctx));
  app.route('/', complaintRoutes(ctx));
  return app;
}
