// CAPA API: open a CAPA (for a nonconformance or a complaint) with its
// actions, record root cause and effectiveness check, add and complete
// actions, and close it with an e-signature (meaning `closed`) once complete.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import type { Tx } from '../db';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { isoDateSchema, pageOf, pageQuerySchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { signatureSchema, signRecord } from '../signatures/sign';
import {
  capaClosingGaps,
  completeCapaAction,
  findCapa,
  insertCapa,
  insertCapaAction,
  listCapas,
  markCapaClosed,
  updateCapa,
  userExists,
} from './capas';
import { IdParams, pageById, textSchema } from './paging';
import { requireReason } from './records';

/** Who may sign a CAPA closed. */
export const CAPA_CLOSERS = ACCESS.writeQualityRecords;

const ActionSchema = z
  .object({
    id: z.number().int(),
    description: z.string(),
    owner: z.string(),
    dueDate: z.string(),
    status: z.enum(['open', 'done']),
    doneAt: z.string().nullable(),
    doneBy: z.string().nullable(),
    note: z.string().nullable(),
  })
  .openapi('CapaAction');

export const CapaSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    nonconformanceId: z.number().int().nullable(),
    complaintId: z.number().int().nullable(),
    rootCause: z.string().nullable(),
    effectivenessCheck: z.string().nullable(),
    effective: z.boolean().nullable(),
    status: z.enum(['open', 'closed']),
    closeSignatureId: z.number().int().nullable(),
    actions: z.array(ActionSchema),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
  })
  .openapi('Capa');

const NewAction = z
  .strictObject({
    description: textSchema(2000),
    owner: z.string().min(1).max(64).openapi({ description: 'the username of the user who owns the action', example: 'qa' }),
    dueDate: isoDateSchema,
  })
  .openapi('NewCapaAction');

const NewCapa = z
  .strictObject({
    title: textSchema(200),
    nonconformanceId: z.number().int().min(1).optional(),
    complaintId: z.number().int().min(1).optional(),
    rootCause: textSchema(4000).optional(),
    actions: z.array(NewAction).max(100).optional(),
    reason: reasonSchema,
  })
  .openapi('NewCapa');

const CapaChange = z
  .strictObject({
    rootCause: textSchema(4000).optional(),
    effectivenessCheck: textSchema(4000).optional().openapi({ description: 'how effectiveness was checked and what was found' }),
    effective: z.boolean().optional().openapi({ description: 'the verdict of the effectiveness check' }),
    reason: reasonSchema.openapi({ description: 'required when a recorded value is changed (a correction)' }),
  })
  .superRefine((value, ctx) => {
    if ((value.effectivenessCheck === undefined) !== (value.effective === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['effective'], message: 'effectivenessCheck and effective go together' });
    }
    if (value.rootCause === undefined && value.effectivenessCheck === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rootCause'], message: 'give rootCause or effectivenessCheck' });
    }
  })
  .openapi('CapaChange');

const CompleteAction = z.strictObject({ note: textSchema(4000).optional(), reason: reasonSchema }).openapi('CompleteCapaAction');
const CloseCapa = z.strictObject({ signature: signatureSchema, reason: reasonSchema }).openapi('CloseCapa');

const ActionParams = IdParams.extend({
  actionId: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be an action id')
    .transform(Number)
    .openapi({ param: { name: 'actionId', in: 'path' }, type: 'string', example: '1' }),
});

const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { 'application/json': { schema } } });
const capaResponses = {
  ok: { 200: { description: 'the CAPA', ...json(CapaSchema) }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
  created: { 201: { description: 'the CAPA', ...json(CapaSchema) }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
};
const writeAccess = { tags: ['quality'], security: bearerAuth };

const createCapaRoute = createRoute({
  ...writeAccess,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  method: 'post',
  path: '/api/v1/capas',
  summary: 'Open a CAPA, for a nonconformance or a complaint, with its actions',
  request: { body: { required: true, ...json(NewCapa) } },
  responses: capaResponses.created,
});

const changeCapaRoute = createRoute({
  ...writeAccess,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  method: 'patch',
  path: '/api/v1/capas/{id}',
  summary: 'Record the root cause or the effectiveness check (a reason to change a recorded value)',
  request: { params: IdParams, body: { required: true, ...json(CapaChange) } },
  responses: capaResponses.ok,
});

const addActionRoute = createRoute({
  ...writeAccess,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  method: 'post',
  path: '/api/v1/capas/{id}/actions',
  summary: 'Add an action with its owner and due date',
  request: { params: IdParams, body: { required: true, ...json(NewAction.extend({ reason: reasonSchema })) } },
  responses: capaResponses.created,
});

const completeActionRoute = createRoute({
  ...writeAccess,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  method: 'post',
  path: '/api/v1/capas/{id}/actions/{actionId}/complete',
  summary: 'Mark an action done',
  request: { params: ActionParams, body: { required: true, ...json(CompleteAction) } },
  responses: capaResponses.ok,
});

const closeCapaRoute = createRoute({
  ...writeAccess,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  method: 'post',
  path: '/api/v1/capas/{id}/close',
  summary: 'Close a CAPA with an e-signature (meaning closed): root cause, every action done, effectiveness check found effective',
  request: { params: IdParams, body: { required: true, ...json(CloseCapa) } },
  responses: capaResponses.ok,
});

const listCapasRoute = createRoute({
  method: 'get',
  path: '/api/v1/capas',
  tags: ['quality'],
  summary: 'List CAPAs with their actions, oldest first',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: pageQuerySchema.extend({ status: z.enum(['open', 'closed']).optional() }) },
  responses: { 200: { description: 'a page', ...json(pageOf(CapaSchema)) }, ...problemResponses(401, 403, 422) },
});

const getCapaRoute = createRoute({
  method: 'get',
  path: '/api/v1/capas/{id}',
  tags: ['quality'],
  summary: 'Read one CAPA with its actions',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: IdParams },
  responses: { 200: { description: 'the CAPA', ...json(CapaSchema) }, ...problemResponses(401, 403, 404, 422) },
});

async function checkAction(tx: Tx, action: z.infer<typeof NewAction>, field: string): Promise<void> {
  if (!(await userExists(tx, action.owner))) throw problems.invalidInput(`${field}.owner: no active user ${action.owner}`, `${field}.owner`);
  const [{ today }] = await tx<{ today: string }[]>`select current_date::text as today`;
  if (action.dueDate < today) throw problems.invalidInput(`${field}.dueDate: ${action.dueDate} is in the past (today is ${today})`, `${field}.dueDate`);
}

async function openCapa(tx: Tx, id: number) {
  const capa = await findCapa(tx, id, { lock: true });
  if (!capa) throw problems.notFound(`no CAPA ${id}`, 'id');
  if (capa.status === 'closed') throw problems.conflict('capa-closed', `CAPA ${id} is closed: it no longer changes`, { field: 'id' });
  return capa;
}

export function capaRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(createCapaRoute, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      if (input.nonconformanceId !== undefined && (await w.tx`select 1 from nonconformances where id = ${input.nonconformanceId}`).length === 0) {
        throw problems.invalidInput(`nonconformanceId: no nonconformance ${input.nonconformanceId}`, 'nonconformanceId');
      }
      if (input.complaintId !== undefined && (await w.tx`select 1 from complaints where id = ${input.complaintId}`).length === 0) {
        throw problems.invalidInput(`complaintId: no complaint ${input.complaintId}`, 'complaintId');
      }
      const actions = input.actions ?? [];
      for (const [index, action] of actions.entries()) await checkAction(w.tx, action, `actions.${index}`);
      const id = await insertCapa(
        w.tx,
        { title: input.title, nonconformanceId: input.nonconformanceId ?? null, complaintId: input.complaintId ?? null, rootCause: input.rootCause ?? null },
        w.actor,
      );
      for (const action of actions) await insertCapaAction(w.tx, id, action);
      const capa = (await findCapa(w.tx, id))!;
      await w.audit({ action: 'capa.open', entity: 'capa', entityId: String(id), after: capa });
      return { status: 201, body: capa };
    });
    return c.json(result.body, 201);
  });

  app.openapi(changeCapaRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const before = await openCapa(w.tx, id);
      const corrects =
        (input.rootCause !== undefined && before.rootCause !== null && before.rootCause !== input.rootCause) ||
        (input.effectivenessCheck !== undefined &&
          before.effectivenessCheck !== null &&
          (before.effectivenessCheck !== input.effectivenessCheck || before.effective !== input.effective));
      if (corrects) requireReason(w, 'changing a recorded root cause or effectiveness check');
      await updateCapa(w.tx, id, input);
      const after = (await findCapa(w.tx, id))!;
      await w.audit({ action: 'capa.update', entity: 'capa', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(addActionRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const before = await openCapa(w.tx, id);
      await checkAction(w.tx, input, 'body');
      await insertCapaAction(w.tx, id, { description: input.description, owner: input.owner, dueDate: input.dueDate });
      const after = (await findCapa(w.tx, id))!;
      await w.audit({ action: 'capa.add_action', entity: 'capa', entityId: String(id), before, after });
      return { status: 201, body: after };
    });
    return c.json(result.body, 201);
  });

  app.openapi(completeActionRoute, async (c) => {
    const { id, actionId } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, actionId, ...input }, async (w) => {
      const before = await openCapa(w.tx, id);
      const action = before.actions.find((a) => a.id === actionId);
      if (!action) throw problems.notFound(`CAPA ${id} has no action ${actionId}`, 'actionId');
      if (action.status === 'done') throw problems.conflict('capa-action-done', `action ${actionId} was already done by ${action.doneBy}`, { field: 'actionId' });
      await completeCapaAction(w.tx, actionId, input.note ?? null, w.actor);
      const after = (await findCapa(w.tx, id))!;
      await w.audit({ action: 'capa.complete_action', entity: 'capa', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(closeCapaRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    // The password stays out of the stored idempotency fingerprint.
    const fingerprint = { id, signer: input.signature.username, meaning: input.signature.meaning, reason: input.reason };
    const result = await performWrite(c, ctx.sql, fingerprint, async (w) => {
      const before = await openCapa(w.tx, id);
      const gaps = capaClosingGaps(before);
      if (gaps.length > 0) {
        throw problems.conflict('capa-incomplete', `CAPA ${id} cannot close: ${gaps.join('; ')}`, { field: 'id', gaps });
      }
      const signature = await signRecord(
        w.tx,
        { ...input.signature, reason: w.reason },
        { entity: 'capa', entityId: String(id), record: before, actor: w.actor, allowedRoles: CAPA_CLOSERS, meanings: ['closed'] },
      );
      await markCapaClosed(w.tx, id, signature.id, w.actor);
      const after = (await findCapa(w.tx, id))!;
      await w.audit({ action: 'capa.close', entity: 'capa', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(listCapasRoute, async (c) => {
    const query = c.req.valid('query');
    return c.json(await pageById(query, (page) => listCapas(ctx.sql, { status: query.status, ...page })), 200);
  });

  app.openapi(getCapaRoute, async (c) => {
    const { id } = c.req.valid('param');
    const capa = await findCapa(ctx.sql, id);
    if (!capa) throw problems.notFound(`no CAPA ${id}`, 'id');
    return c.json(capa, 200);
  });

  return app;
}
