// Lot status API: release (passed inspection + QA e-signature meaning
// `released`), quarantine, block, unblock, reject and recall (reason
// required), the expiry run on demand, and a lot's status history with the
// signatures. Every change goes through changeLotStatus (./status).
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { gtinSchema, lotSchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { listSignatures, signatureSchema, SignatureSchema, signRecord } from '../signatures/sign';
import { expireLots, localDate } from './expiry';
import {
  assertReleasable,
  changeLotStatus,
  listLotStatusChanges,
  lockLot,
  LOT_STATUSES,
  releaseRecord,
  type LotStatusAction,
} from './status';

const LotParams = z.object({
  gtin: gtinSchema.openapi({ param: { name: 'gtin', in: 'path' } }),
  lot: lotSchema.openapi({ param: { name: 'lot', in: 'path' } }),
});

export const LotStatusChangeSchema = z
  .object({
    gtin: z.string(),
    lot: z.string(),
    from: z.enum(LOT_STATUSES),
    status: z.enum(LOT_STATUSES),
    reason: z.string().nullable(),
    signatureId: z.number().int().nullable(),
    ledgerSeq: z.number().int().openapi({ description: 'ledger seq of the status event' }),
    moved: z.object({ quantity: z.number().int(), toBin: z.string().nullable() }).openapi({ description: 'on-hand stock moved between zones' }),
    changedAt: z.string(),
    signature: SignatureSchema.optional(),
  })
  .openapi('LotStatusChange');

const ReleaseBody = z
  .strictObject({ signature: signatureSchema, reason: reasonSchema })
  .openapi('LotRelease', { description: "QA's e-signature (meaning released); the lot needs a passed inspection" });

const ReasonBody = z.strictObject({ reason: reasonSchema }).openapi('LotStatusReason', { description: 'why (or send X-Reason): required' });

const STATUS_ACTIONS: { action: Exclude<LotStatusAction, 'release' | 'expire'>; summary: string }[] = [
  { action: 'quarantine', summary: 'Put a lot back into quarantine (reason required); its on-hand stock moves to the quarantine bin' },
  { action: 'block', summary: 'Block a lot: nothing of it can be allocated or shipped (reason required)' },
  { action: 'unblock', summary: 'Unblock a lot: back to the status it had before it was blocked (reason required)' },
  { action: 'reject', summary: 'Reject a lot (reason required); its on-hand stock moves to the nonconforming bin' },
  { action: 'recall', summary: 'Recall a lot (reason required)' },
];

const releaseRoute = createRoute({
  method: 'post',
  path: '/api/v1/lots/{gtin}/{lot}/release',
  tags: ['lots'],
  summary: "Release a lot: needs a passed inspection (final if commissioned, incoming if received) and QA's e-signature",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.changeLotStatus)] as const,
  request: { params: LotParams, body: { required: true, content: { 'application/json': { schema: ReleaseBody } } } },
  responses: {
    200: { description: 'released', content: { 'application/json': { schema: LotStatusChangeSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

function statusRoute(action: (typeof STATUS_ACTIONS)[number]) {
  return createRoute({
    method: 'post',
    path: `/api/v1/lots/{gtin}/{lot}/${action.action}`,
    tags: ['lots'],
    summary: action.summary,
    security: bearerAuth,
    middleware: [requireRole(...ACCESS.changeLotStatus)] as const,
    request: { params: LotParams, body: { required: false, content: { 'application/json': { schema: ReasonBody } } } },
    responses: {
      200: { description: 'changed', content: { 'application/json': { schema: LotStatusChangeSchema } } },
      ...problemResponses(400, 401, 403, 404, 409, 415, 422),
    },
  });
}

const expireRoute = createRoute({
  method: 'post',
  path: '/api/v1/lots/expire',
  tags: ['lots'],
  summary: "Expire now every lot whose expiry date has come (the node also does this hourly)",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.changeLotStatus)] as const,
  responses: {
    200: {
      description: 'the lots expired by this run',
      content: {
        'application/json': {
          schema: z.object({
            today: z.string(),
            expired: z.array(z.object({ gtin: z.string(), lot: z.string(), expiry: z.string(), from: z.string(), ledgerSeq: z.number().int() })),
          }),
        },
      },
    },
    ...problemResponses(401, 403),
  },
});

const historyRoute = createRoute({
  method: 'get',
  path: '/api/v1/lots/{gtin}/{lot}/status-history',
  tags: ['lots'],
  summary: "A lot's status changes, oldest first, with the e-signatures made on the lot",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: LotParams },
  responses: {
    200: {
      description: 'the history',
      content: {
        'application/json': {
          schema: z.object({
            status: z.enum(LOT_STATUSES),
            changes: z.array(
              z.object({
                id: z.number().int(),
                from: z.enum(LOT_STATUSES),
                to: z.enum(LOT_STATUSES),
                reason: z.string().nullable(),
                actor: z.string(),
                signatureId: z.number().int().nullable(),
                ledgerSeq: z.number().int(),
                changedAt: z.string(),
              }),
            ),
            signatures: z.array(SignatureSchema),
          }),
        },
      },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function lotStatusRoutes(ctx: NodeContext) {
  const app = createRouter();
  const ledger = () => ({ participant: ctx.participant, chainId: ctx.chainId, eventTimeZoneOffset: ctx.config.eventTimeZoneOffset });

  app.openapi(releaseRoute, async (c) => {
    const { gtin, lot } = c.req.valid('param');
    const input = c.req.valid('json');
    // The password is not part of the idempotency fingerprint or anything stored.
    const request = { gtin, lot, signature: { username: input.signature.username, meaning: input.signature.meaning }, reason: input.reason };
    const result = await performWrite(c, ctx.sql, request, async (w) => {
      const locked = await lockLot(w.tx, gtin, lot);
      if (locked.status !== 'quarantined' && locked.status !== 'blocked') {
        throw problems.conflict('lot-status-transition', `lot ${lot} of GTIN ${gtin} is ${locked.status}; only a quarantined lot can be released`, {
          field: 'lot',
          lotStatus: locked.status,
        });
      }
      if (locked.status === 'blocked') {
        throw problems.conflict('lot-status-transition', `lot ${lot} of GTIN ${gtin} is blocked; unblock it (with a reason), it cannot be released`, {
          field: 'lot',
          lotStatus: locked.status,
        });
      }
      const inspection = await assertReleasable(w.tx, locked, localDate(ctx.config.eventTimeZoneOffset));
      const signature = await signRecord(
        w.tx,
        { ...input.signature, reason: w.reason },
        {
          entity: 'lot',
          entityId: `${gtin}/${lot}`,
          record: releaseRecord(locked, inspection),
          actor: w.actor,
          allowedRoles: ACCESS.changeLotStatus,
          meanings: ['released'],
        },
      );
      const changed = await changeLotStatus(w, ledger(), { gtin, lot, action: 'release', signature }, locked);
      return { status: 200, body: { ...changed, signature } };
    });
    return c.json(result.body, 200);
  });

  for (const action of STATUS_ACTIONS) {
    app.openapi(statusRoute(action), async (c) => {
      const { gtin, lot } = c.req.valid('param');
      const input = (c.req.valid('json') ?? {}) as { reason?: string };
      const result = await performWrite(c, ctx.sql, { gtin, lot, ...input }, async (w) => {
        const changed = await changeLotStatus(w, ledger(), { gtin, lot, action: action.action, reason: w.reason });
        return { status: 200, body: changed };
      });
      return c.json(result.body, 200);
    });
  }

  app.openapi(expireRoute, async (c) => {
    const today = localDate(ctx.config.eventTimeZoneOffset);
    const expired = await expireLots(ctx.sql, ledger(), today, { actor: c.get('user').username, requestId: c.get('requestId') });
    return c.json({ today, expired }, 200);
  });

  app.openapi(historyRoute, async (c) => {
    const { gtin, lot } = c.req.valid('param');
    const [row] = await ctx.sql<{ status: (typeof LOT_STATUSES)[number] }[]>`select status from lots where gtin = ${gtin} and lot = ${lot}`;
    if (!row) throw problems.notFound(`no lot ${lot} of GTIN ${gtin}`, 'lot');
    const [changes, signatures] = await Promise.all([listLotStatusChanges(ctx.sql, gtin, lot), listSignatures(ctx.sql, 'lot', `${gtin}/${lot}`)]);
    return c.json({ status: row.status, changes, signatures }, 200);
  });

  return app;
}
