// Complaint API: record a customer complaint about a unit or a lot (optionally
// opening a nonconformance for it), read, list, and close with a resolution.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { gtinSchema, isoDateSchema, lotSchema, pageOf, pageQuerySchema, problemResponses, reasonSchema, serialSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { closeComplaint, findComplaint, insertComplaint, linkNonconformance, listComplaints } from './complaints';
import { findNonconformance, NC_SEVERITIES, openNonconformance } from './nonconformances';
import { IdParams, pageById, textSchema } from './paging';
import { assertLotExists, assertProductExists, lotOfUnit, requireReason } from './records';

export const ComplaintSchema = z
  .object({
    id: z.number().int(),
    gtin: z.string(),
    lot: z.string().nullable(),
    serial: z.string().nullable(),
    customerId: z.number().int().nullable(),
    receivedOn: z.string(),
    description: z.string(),
    reportable: z.boolean(),
    status: z.enum(['open', 'closed']),
    resolution: z.string().nullable(),
    nonconformanceId: z.number().int().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
  })
  .openapi('Complaint');

const NewComplaint = z
  .strictObject({
    gtin: gtinSchema,
    lot: lotSchema.optional(),
    serial: serialSchema.optional().openapi({ description: 'the unit complained about; its lot is filled in' }),
    customerId: z.number().int().min(1).optional().openapi({ description: 'the complaining customer (a partner)' }),
    receivedOn: isoDateSchema.openapi({ description: 'when the customer reported it' }),
    description: textSchema(4000).openapi({ description: 'what happened; no patient data' }),
    reportable: z.boolean().optional().openapi({ description: 'a serious incident to report to the authority' }),
    openNonconformance: z
      .strictObject({ severity: z.enum(NC_SEVERITIES, `must be one of ${NC_SEVERITIES.join(', ')}`) })
      .optional()
      .openapi({ description: 'also open a nonconformance on the product, lot or unit' }),
    reason: reasonSchema,
  })
  .openapi('NewComplaint');

const CloseComplaint = z.strictObject({ resolution: textSchema(4000), reason: reasonSchema }).openapi('CloseComplaint');

const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { 'application/json': { schema } } });

const createComplaintRoute = createRoute({
  method: 'post',
  path: '/api/v1/complaints',
  tags: ['quality'],
  summary: 'Record a customer complaint about a unit or a lot (optionally opening a nonconformance)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  request: { body: { required: true, ...json(NewComplaint) } },
  responses: { 201: { description: 'recorded', ...json(ComplaintSchema) }, ...problemResponses(400, 401, 403, 415, 422) },
});

const closeComplaintRoute = createRoute({
  method: 'post',
  path: '/api/v1/complaints/{id}/close',
  tags: ['quality'],
  summary: 'Close a complaint with its resolution (reason required; its nonconformance must be closed)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  request: { params: IdParams, body: { required: true, ...json(CloseComplaint) } },
  responses: { 200: { description: 'closed', ...json(ComplaintSchema) }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
});

const listComplaintsRoute = createRoute({
  method: 'get',
  path: '/api/v1/complaints',
  tags: ['quality'],
  summary: 'List complaints, oldest first, by status, product or lot',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: pageQuerySchema.extend({ status: z.enum(['open', 'closed']).optional(), gtin: gtinSchema.optional(), lot: lotSchema.optional() }) },
  responses: { 200: { description: 'a page', ...json(pageOf(ComplaintSchema)) }, ...problemResponses(401, 403, 422) },
});

const getComplaintRoute = createRoute({
  method: 'get',
  path: '/api/v1/complaints/{id}',
  tags: ['quality'],
  summary: 'Read one complaint',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: IdParams },
  responses: { 200: { description: 'the complaint', ...json(ComplaintSchema) }, ...problemResponses(401, 403, 404, 422) },
});

export function complaintRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(createComplaintRoute, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      await assertProductExists(w.tx, input.gtin);
      let lot = input.lot ?? null;
      if (input.serial !== undefined) lot = await lotOfUnit(w.tx, input.gtin, input.serial, input.lot);
      else if (lot !== null) await assertLotExists(w.tx, input.gtin, lot);
      if (input.customerId !== undefined) {
        const rows = await w.tx`select 1 from partners where id = ${input.customerId} and is_customer`;
        if (rows.length === 0) throw problems.invalidInput(`customerId: no customer ${input.customerId}`, 'customerId');
      }
      const [{ today }] = await w.tx<{ today: string }[]>`select current_date::text as today`;
      if (input.receivedOn > today) throw problems.invalidInput(`receivedOn: ${input.receivedOn} is in the future (today is ${today})`, 'receivedOn');
      let complaint = await insertComplaint(
        w.tx,
        {
          gtin: input.gtin,
          lot,
          serial: input.serial ?? null,
          customerId: input.customerId ?? null,
          receivedOn: input.receivedOn,
          description: input.description,
          reportable: input.reportable ?? false,
        },
        w.actor,
      );
      if (input.openNonconformance) {
        const subject = input.serial !== undefined ? `unit ${input.serial}` : lot !== null ? `lot ${lot}` : `GTIN ${input.gtin}`;
        const nc = await openNonconformance(
          w.tx,
          {
            source: 'complaint',
            gtin: input.gtin,
            lot,
            complaintId: complaint.id,
            severity: input.openNonconformance.severity,
            description: `complaint ${complaint.id} about ${subject}: ${input.description}`,
          },
          w,
        );
        complaint = await linkNonconformance(w.tx, complaint.id, nc.id);
      }
      await w.audit({ action: 'complaint.record', entity: 'complaint', entityId: String(complaint.id), after: complaint });
      return { status: 201, body: complaint };
    });
    return c.json(result.body, 201);
  });

  app.openapi(closeComplaintRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const before = await findComplaint(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no complaint ${id}`, 'id');
      if (before.status === 'closed') throw problems.conflict('complaint-closed', `complaint ${id} is already closed`, { field: 'id' });
      if (before.nonconformanceId !== null) {
        const nc = await findNonconformance(w.tx, before.nonconformanceId);
        if (nc && nc.status !== 'closed') {
          throw problems.conflict(
            'complaint-nonconformance-open',
            `complaint ${id} has nonconformance ${nc.id} still ${nc.status}: close it first`,
            { field: 'id', nonconformanceId: nc.id },
          );
        }
      }
      requireReason(w, 'closing a complaint');
      const after = await closeComplaint(w.tx, id, input.resolution, w.actor);
      await w.audit({ action: 'complaint.close', entity: 'complaint', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(listComplaintsRoute, async (c) => {
    const query = c.req.valid('query');
    return c.json(await pageById(query, (page) => listComplaints(ctx.sql, { ...query, ...page })), 200);
  });

  app.openapi(getComplaintRoute, async (c) => {
    const { id } = c.req.valid('param');
    const complaint = await findComplaint(ctx.sql, id);
    if (!complaint) throw problems.notFound(`no complaint ${id}`, 'id');
    return c.json(complaint, 200);
  });

  return app;
}
