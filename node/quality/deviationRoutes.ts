// Deviation API: request a planned deviation, approve it with QA's e-signature
// (meaning `approved`, not by its requester), read and list.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { gtinSchema, isoDateSchema, lotSchema, pageOf, pageQuerySchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { signatureSchema, signRecord } from '../signatures/sign';
import { approveDeviation, findDeviation, insertDeviation, listDeviations } from './deviations';
import { IdParams, pageById, textSchema } from './paging';
import { assertLotExists, assertProductExists } from './records';

/** Who may approve a deviation: QA (and admin, who may do everything). */
export const DEVIATION_APPROVERS = ACCESS.writeQualityRecords;

export const DeviationSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string(),
    gtin: z.string().nullable(),
    lot: z.string().nullable(),
    validFrom: z.string(),
    validUntil: z.string(),
    status: z.enum(['requested', 'approved']),
    approvalSignatureId: z.number().int().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    approvedAt: z.string().nullable(),
    approvedBy: z.string().nullable(),
  })
  .openapi('Deviation');

const NewDeviation = z
  .strictObject({
    title: textSchema(200),
    description: textSchema(4000),
    gtin: gtinSchema.optional(),
    lot: lotSchema.optional(),
    validFrom: isoDateSchema,
    validUntil: isoDateSchema,
    reason: reasonSchema,
  })
  .superRefine((value, ctx) => {
    if (value.lot !== undefined && value.gtin === undefined) ctx.addIssue({ code: 'custom', path: ['gtin'], message: 'is required with lot' });
    if (value.validUntil < value.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: `must not be before validFrom ${value.validFrom}, got ${value.validUntil}` });
    }
  })
  .openapi('NewDeviation');

const ApproveDeviation = z.strictObject({ signature: signatureSchema, reason: reasonSchema }).openapi('ApproveDeviation');

const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { 'application/json': { schema } } });

const createDeviationRoute = createRoute({
  method: 'post',
  path: '/api/v1/deviations',
  tags: ['quality'],
  summary: 'Request a planned deviation',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  request: { body: { required: true, ...json(NewDeviation) } },
  responses: { 201: { description: 'requested', ...json(DeviationSchema) }, ...problemResponses(400, 401, 403, 415, 422) },
});

const approveDeviationRoute = createRoute({
  method: 'post',
  path: '/api/v1/deviations/{id}/approve',
  tags: ['quality'],
  summary: "Approve a deviation with QA's e-signature (meaning approved; not by its requester)",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  request: { params: IdParams, body: { required: true, ...json(ApproveDeviation) } },
  responses: { 200: { description: 'approved', ...json(DeviationSchema) }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
});

const listDeviationsRoute = createRoute({
  method: 'get',
  path: '/api/v1/deviations',
  tags: ['quality'],
  summary: 'List deviations, oldest first',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: pageQuerySchema.extend({ status: z.enum(['requested', 'approved']).optional() }) },
  responses: { 200: { description: 'a page', ...json(pageOf(DeviationSchema)) }, ...problemResponses(401, 403, 422) },
});

const getDeviationRoute = createRoute({
  method: 'get',
  path: '/api/v1/deviations/{id}',
  tags: ['quality'],
  summary: 'Read one deviation',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: IdParams },
  responses: { 200: { description: 'the deviation', ...json(DeviationSchema) }, ...problemResponses(401, 403, 404, 422) },
});

export function deviationRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(createDeviationRoute, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      if (input.gtin !== undefined) await assertProductExists(w.tx, input.gtin);
      if (input.lot !== undefined) await assertLotExists(w.tx, input.gtin!, input.lot);
      const deviation = await insertDeviation(
        w.tx,
        { title: input.title, description: input.description, gtin: input.gtin ?? null, lot: input.lot ?? null, validFrom: input.validFrom, validUntil: input.validUntil },
        w.actor,
      );
      await w.audit({ action: 'deviation.request', entity: 'deviation', entityId: String(deviation.id), after: deviation });
      return { status: 201, body: deviation };
    });
    return c.json(result.body, 201);
  });

  app.openapi(approveDeviationRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    // The password never enters the idempotency fingerprint's stored request.
    const fingerprint = { id, signer: input.signature.username, meaning: input.signature.meaning, reason: input.reason };
    const result = await performWrite(c, ctx.sql, fingerprint, async (w) => {
      const before = await findDeviation(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no deviation ${id}`, 'id');
      if (before.status !== 'requested') throw problems.conflict('deviation-not-pending', `deviation ${id} is already ${before.status}`, { field: 'id' });
      if (before.createdBy === w.actor) {
        throw problems.conflict('deviation-self-approval', `deviation ${id} was requested by ${w.actor}: another person must approve it`, {
          field: 'signature.username',
        });
      }
      const [{ today }] = await w.tx<{ today: string }[]>`select current_date::text as today`;
      if (before.validUntil < today) {
        throw problems.conflict('deviation-expired', `deviation ${id} ended on ${before.validUntil}: an expired deviation is not approved`, {
          field: 'id',
        });
      }
      const signature = await signRecord(
        w.tx,
        { ...input.signature, reason: w.reason },
        { entity: 'deviation', entityId: String(id), record: before, actor: w.actor, allowedRoles: DEVIATION_APPROVERS, meanings: ['approved'] },
      );
      const after = await approveDeviation(w.tx, id, signature.id, w.actor);
      await w.audit({ action: 'deviation.approve', entity: 'deviation', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(listDeviationsRoute, async (c) => {
    const query = c.req.valid('query');
    return c.json(await pageById(query, (page) => listDeviations(ctx.sql, { status: query.status, ...page })), 200);
  });

  app.openapi(getDeviationRoute, async (c) => {
    const { id } = c.req.valid('param');
    const deviation = await findDeviation(ctx.sql, id);
    if (!deviation) throw problems.notFound(`no deviation ${id}`, 'id');
    return c.json(deviation, 200);
  });

  return app;
}
