// Nonconformance API: open one by hand (internal, or linked to a goods receipt
// or a complaint), read and list them, disposition (rework, scrap, use as is
// under an approved deviation, return to supplier) and close.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { gtinSchema, lotSchema, pageOf, pageQuerySchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite, type WriteScope } from '../http/writes';
import { changeLotStatus } from '../lots/status';
import { findApplicableDeviation } from './deviations';
import {
  closeNonconformance,
  findNonconformance,
  listNonconformances,
  type Nonconformance,
  NC_DISPOSITIONS,
  NC_SEVERITIES,
  NC_SOURCES,
  NC_STATUSES,
  openNonconformance,
  setDisposition,
} from './nonconformances';
import { IdParams, pageById, textSchema } from './paging';
import { assertLotExists, assertProductExists, requireReason } from './records';

export const NonconformanceSchema = z
  .object({
    id: z.number().int(),
    source: z.enum(NC_SOURCES),
    gtin: z.string().nullable(),
    lot: z.string().nullable(),
    inspectionId: z.number().int().nullable(),
    receiptId: z.number().int().nullable(),
    complaintId: z.number().int().nullable(),
    severity: z.enum(NC_SEVERITIES),
    description: z.string(),
    status: z.enum(NC_STATUSES),
    disposition: z.enum(NC_DISPOSITIONS).nullable(),
    dispositionNote: z.string().nullable(),
    dispositionedAt: z.string().nullable(),
    dispositionedBy: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
  })
  .openapi('Nonconformance');

const NewNonconformance = z
  .strictObject({
    gtin: gtinSchema.optional(),
    lot: lotSchema.optional(),
    receiptId: z.number().int().min(1).optional().openapi({ description: 'the goods receipt found nonconforming' }),
    complaintId: z.number().int().min(1).optional().openapi({ description: 'the complaint that revealed it' }),
    severity: z.enum(NC_SEVERITIES, `must be one of ${NC_SEVERITIES.join(', ')}`),
    description: textSchema(4000),
    blockLot: z.boolean().optional().openapi({ description: 'also block the lot (lot status blocked, with its ledger event; reason required)' }),
    reason: reasonSchema,
  })
  .superRefine((value, ctx) => {
    if (value.blockLot && value.lot === undefined) ctx.addIssue({ code: 'custom', path: ['blockLot'], message: 'needs the lot to block' });
    if (value.lot !== undefined && value.gtin === undefined) ctx.addIssue({ code: 'custom', path: ['gtin'], message: 'is required with lot' });
    if (value.gtin === undefined && value.receiptId === undefined && value.complaintId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['gtin'], message: 'link the nonconformance to a product or lot, a receipt or a complaint' });
    }
    if (value.receiptId !== undefined && value.complaintId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['complaintId'], message: 'give a receipt or a complaint, not both' });
    }
  })
  .openapi('NewNonconformance');

const DispositionInput = z
  .strictObject({
    disposition: z.enum(NC_DISPOSITIONS, `must be one of ${NC_DISPOSITIONS.join(', ')}`),
    note: textSchema(4000).optional(),
    deviationId: z.number().int().min(1).optional().openapi({ description: 'use_as_is: the approved deviation (concession) that allows it' }),
    reason: reasonSchema,
  })
  .openapi('NonconformanceDisposition');

const BlockLotInput = z.strictObject({ reason: reasonSchema }).openapi('BlockNonconformingLot');

export const NonconformanceWithLotSchema = NonconformanceSchema.extend({
  lotStatus: z
    .object({ from: z.string(), status: z.string(), ledgerSeq: z.number().int() })
    .nullable()
    .openapi({ description: 'the lot status change this write made (blocked), with its ledger event' }),
}).openapi('NonconformanceWithLotStatus');

const CloseInput = z.strictObject({ reason: reasonSchema }).openapi('CloseNonconformance');

const ListQuery = pageQuerySchema.extend({
  status: z.enum(NC_STATUSES).optional(),
  gtin: gtinSchema.optional(),
  lot: lotSchema.optional(),
});

const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { 'application/json': { schema } } });
const ncResponses = {
  ok: { 200: { description: 'the nonconformance', ...json(NonconformanceSchema) }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
  created: { 201: { description: 'the nonconformance', ...json(NonconformanceSchema) }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
};
const writeAccess = { tags: ['quality'], security: bearerAuth };

const createNc = createRoute({
  ...writeAccess,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  method: 'post',
  path: '/api/v1/nonconformances',
  summary: 'Open a nonconformance (linked to a product or lot, a receipt or a complaint)',
  request: { body: { required: true, ...json(NewNonconformance) } },
  responses: {
    201: { description: 'opened', ...json(NonconformanceWithLotSchema) },
    ...problemResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

const dispositionNc = createRoute({
  ...writeAccess,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  method: 'post',
  path: '/api/v1/nonconformances/{id}/disposition',
  summary: 'Decide what is done with the nonconforming goods (reason required; use_as_is under an approved deviation)',
  request: { params: IdParams, body: { required: true, ...json(DispositionInput) } },
  responses: ncResponses.ok,
});

const blockLotNc = createRoute({
  ...writeAccess,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  method: 'post',
  path: '/api/v1/nonconformances/{id}/block-lot',
  summary: "Block the nonconformance's lot (lot status blocked with its ledger event; reason required)",
  request: { params: IdParams, body: { required: true, ...json(BlockLotInput) } },
  responses: { 200: { description: 'blocked', ...json(NonconformanceWithLotSchema) }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
});

const closeNc = createRoute({
  ...writeAccess,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  method: 'post',
  path: '/api/v1/nonconformances/{id}/close',
  summary: 'Close a dispositioned nonconformance (reason required)',
  request: { params: IdParams, body: { required: true, ...json(CloseInput) } },
  responses: ncResponses.ok,
});

const listNc = createRoute({
  method: 'get',
  path: '/api/v1/nonconformances',
  tags: ['quality'],
  summary: 'List nonconformances, oldest first, by status, product or lot',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: ListQuery },
  responses: { 200: { description: 'a page', ...json(pageOf(NonconformanceSchema)) }, ...problemResponses(401, 403, 422) },
});

const getNc = createRoute({
  method: 'get',
  path: '/api/v1/nonconformances/{id}',
  tags: ['quality'],
  summary: 'Read one nonconformance',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: IdParams },
  responses: { 200: { description: 'the nonconformance', ...json(NonconformanceSchema) }, ...problemResponses(401, 403, 404, 422) },
});

async function receiptExists(tx: Parameters<typeof assertProductExists>[0], id: number): Promise<boolean> {
  return (await tx`select 1 from receipts where id = ${id}`).length > 0;
}

export function nonconformanceRoutes(ctx: NodeContext) {
  const app = createRouter();
  const ledger = () => ({ participant: ctx.participant, chainId: ctx.chainId, eventTimeZoneOffset: ctx.config.eventTimeZoneOffset });
  // Blocks the lot through the lot life cycle (its checks, event, history and audit entry).
  const blockLot = async (w: WriteScope, nc: Nonconformance) => {
    const reason = requireReason(w, 'blocking a lot');
    const changed = await changeLotStatus(w, ledger(), { gtin: nc.gtin!, lot: nc.lot!, action: 'block', reason: `${reason} (nonconformance ${nc.id})` });
    return { from: changed.from, status: changed.status, ledgerSeq: changed.ledgerSeq };
  };

  app.openapi(createNc, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      if (input.gtin !== undefined) await assertProductExists(w.tx, input.gtin);
      if (input.lot !== undefined) await assertLotExists(w.tx, input.gtin!, input.lot);
      if (input.receiptId !== undefined && !(await receiptExists(w.tx, input.receiptId))) {
        throw problems.invalidInput(`receiptId: no goods receipt ${input.receiptId}`, 'receiptId');
      }
      if (input.complaintId !== undefined && (await w.tx`select 1 from complaints where id = ${input.complaintId}`).length === 0) {
        throw problems.invalidInput(`complaintId: no complaint ${input.complaintId}`, 'complaintId');
      }
      const source = input.complaintId !== undefined ? 'complaint' : input.receiptId !== undefined ? 'receipt' : 'internal';
      const nc = await openNonconformance(
        w.tx,
        { source, gtin: input.gtin, lot: input.lot, receiptId: input.receiptId, complaintId: input.complaintId, severity: input.severity, description: input.description },
        w,
      );
      const lotStatus = input.blockLot ? await blockLot(w, nc) : null;
      return { status: 201, body: { ...nc, lotStatus } };
    });
    return c.json(result.body, 201);
  });

  app.openapi(dispositionNc, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const before = await findNonconformance(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no nonconformance ${id}`, 'id');
      if (before.status !== 'open') {
        throw problems.conflict('nonconformance-not-open', `nonconformance ${id} is ${before.status}: only an open one gets a disposition`, { field: 'id' });
      }
      requireReason(w, 'a disposition');
      let note = input.note ?? null;
      if (input.disposition === 'use_as_is') {
        if (input.deviationId === undefined) {
          throw new ProblemError(422, 'deviation-required', 'Deviation required', 'use_as_is needs an approved deviation (concession): give deviationId', {
            field: 'deviationId',
          });
        }
        const deviation = await findApplicableDeviation(w.tx, input.deviationId, { gtin: before.gtin, lot: before.lot });
        if (!deviation.ok) {
          throw new ProblemError(422, 'deviation-not-applicable', 'Deviation does not apply', `deviation ${input.deviationId} ${deviation.why}`, {
            field: 'deviationId',
          });
        }
        note = `${note === null ? '' : `${note}; `}under deviation ${input.deviationId}`;
      } else if (input.deviationId !== undefined) {
        throw problems.invalidInput('deviationId: only goes with the use_as_is disposition', 'deviationId');
      }
      const after = await setDisposition(w.tx, id, { disposition: input.disposition, note }, w.actor);
      await w.audit({ action: 'nonconformance.disposition', entity: 'nonconformance', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(blockLotNc, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const nc = await findNonconformance(w.tx, id, { lock: true });
      if (!nc) throw problems.notFound(`no nonconformance ${id}`, 'id');
      if (nc.lot === null) {
        throw problems.conflict('nonconformance-without-lot', `nonconformance ${id} names no lot: there is no lot to block`, { field: 'id' });
      }
      if (nc.status === 'closed') throw problems.conflict('nonconformance-closed', `nonconformance ${id} is closed`, { field: 'id' });
      const lotStatus = await blockLot(w, nc);
      return { status: 200, body: { ...nc, lotStatus } };
    });
    return c.json(result.body, 200);
  });

  app.openapi(closeNc, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const before = await findNonconformance(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no nonconformance ${id}`, 'id');
      if (before.status === 'closed') throw problems.conflict('nonconformance-closed', `nonconformance ${id} is already closed`, { field: 'id' });
      if (before.status === 'open') {
        throw problems.conflict('nonconformance-not-dispositioned', `nonconformance ${id} has no disposition yet: decide one before closing`, {
          field: 'id',
        });
      }
      requireReason(w, 'closing a nonconformance');
      const after = await closeNonconformance(w.tx, id, w.actor);
      await w.audit({ action: 'nonconformance.close', entity: 'nonconformance', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(listNc, async (c) => {
    const query = c.req.valid('query');
    return c.json(await pageById(query, (page) => listNonconformances(ctx.sql, { ...query, ...page })), 200);
  });

  app.openapi(getNc, async (c) => {
    const { id } = c.req.valid('param');
    const nc = await findNonconformance(ctx.sql, id);
    if (!nc) throw problems.notFound(`no nonconformance ${id}`, 'id');
    return c.json(nc, 200);
  });

  return app;
}
