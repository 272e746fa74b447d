// Recall routes:
// - POST /api/v1/recalls (issueRecalls, e-signature `recalled`), GET /api/v1/recalls,
//   GET /api/v1/recalls/{id} (readNetwork: the maker's view), POST /api/v1/recalls/{id}/status
//   (issueRecalls: close, withdraw or reopen on the board); {id} is the board's recall id;
// - GET /public/v1/recalls/{id}/notice (public): the notice document whose SHA-256 is on the
//   board ({id}: the local id in the notice URI);
// - POST /peer/v1/recall-notices and /peer/v1/recall-acks (peer): a supplier tells this node
//   of a recall; a customer acknowledges with counts (and relays its customers').
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeIdCursor, DEFAULT_PAGE_SIZE, encodeCursor, gtinSchema, lotSchema, pageOf, pageQuerySchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { peerAuth, requirePeer } from '../peers';
import { signatureSchema } from '../signatures/sign';
import { readRecall, RECALL_ACTIONS, RECALL_STATUSES } from './board';
import { assertGtinOwner, changeRecallStatus, issueRecall, readNotice, type IssueInput } from './issue';
import { ensureRecallProcessed, mirrorRecall, receiveAck, receiveNotice, type RecallAckMessage } from './process';
import { listRecalls, recallView } from './view';

const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address')
  .transform((value) => value.toLowerCase())
  .openapi({ type: 'string', example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' });

const NoticeText = z.strictObject({
  title: z.string().min(1).max(200),
  text: z.string().min(1).max(100_000),
});
const NoticeFile = z.strictObject({
  contentBase64: z.string().min(1).max(900_000).openapi({ description: 'the document, base64 (RFC 4648)' }),
  mediaType: z
    .string()
    .regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'must be a media type such as application/pdf')
    .max(100),
  filename: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\\r\n"]+$/, 'must be a file name without path or quotes'),
});

const IssueBody = z
  .strictObject({
    gtin: gtinSchema,
    lots: z.array(lotSchema).max(200).openapi({ description: 'the recalled lots; empty: every lot of the GTIN' }),
    recallClass: z.union([z.literal(1), z.literal(2), z.literal(3)]).openapi({ description: '1 class I (serious harm likely), 2 class II, 3 class III' }),
    action: z.enum(RECALL_ACTIONS).openapi({ description: 'return (or remove), correct in the field, destroy, or a safety notice only' }),
    notice: z.union([NoticeText, NoticeFile]).openapi({ description: '{ title, text } or a document { contentBase64, mediaType, filename }' }),
    signature: signatureSchema.openapi({ description: 'e-signature of the issuer (admin or qa) with meaning recalled' }),
    reason: reasonSchema,
  })
  .openapi('RecallIssue');

const StatusBody = z
  .strictObject({
    status: z.enum(RECALL_STATUSES).openapi({ description: 'closed (completed), withdrawn (published in error; final), or open again' }),
    reason: reasonSchema,
  })
  .openapi('RecallStatusChange');

const CompanySchema = z.object({
  company: z.string(),
  name: z.string(),
  role: z.string(),
  located: z.number().int(),
  quarantined: z.number().int(),
  inField: z.number().int(),
  awaiting: z.number().int().openapi({ description: 'of inField: units this company shipped to customers running a node that have not acknowledged yet' }),
  acknowledgedAt: z.string(),
  timeToAcknowledgeMs: z.number().int(),
  reportedBy: z.string(),
});

export const RecallViewSchema = z
  .object({
    id: z.number().int().openapi({ description: "the RecallBoard's recall id" }),
    issuer: z.string(),
    issuedHere: z.boolean(),
    gtin: z.string(),
    lots: z.array(z.string()),
    recallClass: z.number().int(),
    action: z.string(),
    status: z.enum(RECALL_STATUSES),
    noticeSha256: z.string(),
    noticeUri: z.string(),
    publishedAt: z.string(),
    publishedBlock: z.number().int(),
    txHash: z.string().nullable(),
    issued: z
      .object({ localId: z.number().int(), ledgerSeq: z.number().int().nullable(), signatureId: z.number().int().nullable(), issuedBy: z.string(), statusReason: z.string().nullable() })
      .nullable(),
    local: z.object({
      processedAt: z.string().nullable(),
      acknowledgedAt: z.string().nullable(),
      lots: z.array(z.object({ lot: z.string(), from: z.string(), held: z.number().int(), moved: z.number().int(), ledgerSeq: z.number().int() })),
      skipped: z.array(z.object({ lot: z.string(), reason: z.string() })),
      notified: z.array(z.object({ target: z.string(), shippedQuantity: z.number().int() })),
    }),
    companies: z.array(CompanySchema).openapi({ description: 'acknowledgements: per company, units located, quarantined, still in the field, time to acknowledge' }),
    awaiting: z.array(z.object({ company: z.string(), name: z.string(), shippedQuantity: z.number().int(), notifiedAt: z.string() })),
    totals: z.object({
      companies: z.number().int(),
      located: z.number().int(),
      quarantined: z.number().int(),
      inField: z.number().int(),
      awaiting: z.number().int().openapi({ description: 'units still waiting for a downstream acknowledgement, over every company: 0 when the reach is complete' }),
      maxTimeToAcknowledgeMs: z.number().int().nullable(),
    }),
  })
  .openapi('Recall');

const IdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a recall id (a positive integer)')
    .transform(Number)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '1' }),
});

const ListQuery = pageQuerySchema.extend({
  status: z.enum(RECALL_STATUSES).optional(),
  gtin: gtinSchema.optional(),
  issuedHere: z.enum(['true', 'false']).optional().openapi({ description: 'true: only recalls this node issued; false: only the others' }),
});

const AckEntrySchema = z.strictObject({
  company: addressSchema,
  located: z.number().int().min(0),
  quarantined: z.number().int().min(0),
  inField: z.number().int().min(0),
  awaiting: z.number().int().min(0).optional().openapi({ description: 'of inField: units shipped to customers running a node that have not acknowledged yet' }),
  acknowledgedAt: z.iso.datetime({ offset: true }),
  version: z.number().int().min(1),
});

const AckBody = AckEntrySchema.extend({
  chainRecallId: z.number().int().min(1),
  relayed: z.array(AckEntrySchema).max(10_000),
}).openapi('RecallAck', { description: "a customer's acknowledgement of a recall with counts, and those of its customers it relays" });

const NoticeBody = z
  .object({
    chainRecallId: z.number().int().min(1),
    issuer: addressSchema.optional(),
    gtin: z.string().optional(),
    lots: z.array(z.string()).optional(),
    recallClass: z.number().int().optional(),
    action: z.string().optional(),
    shippedQuantity: z.number().int().min(0).optional(),
  })
  .openapi('RecallNotice', { description: 'a supplier tells its customer of a recall; the board is read for the facts' });

const issueRoute = createRoute({
  method: 'post',
  path: '/api/v1/recalls',
  tags: ['recalls'],
  summary: 'Issue a recall of a GTIN this node owns onto the RecallBoard (e-signature with meaning recalled)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.issueRecalls)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: IssueBody } } } },
  responses: {
    201: { description: 'published; this node has processed it', content: { 'application/json': { schema: RecallViewSchema } } },
    ...problemResponses(400, 401, 403, 409, 415, 422),
  },
});

const statusRoute = createRoute({
  method: 'post',
  path: '/api/v1/recalls/{id}/status',
  tags: ['recalls'],
  summary: 'Close, withdraw or reopen a recall this node issued (reason required); the board is updated',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.issueRecalls)] as const,
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: StatusBody } } } },
  responses: {
    200: {
      description: 'changed',
      content: {
        'application/json': {
          schema: z.object({ id: z.number().int(), from: z.enum(RECALL_STATUSES), status: z.enum(RECALL_STATUSES), txHash: z.string(), blockNumber: z.number().int(), reason: z.string() }),
        },
      },
    },
    ...problemResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/recalls',
  tags: ['recalls'],
  summary: 'Recalls this node has seen on the board (newest first), with what it did and the acknowledgements it holds',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readNetwork)] as const,
  request: { query: ListQuery },
  responses: {
    200: { description: 'a page', content: { 'application/json': { schema: pageOf(RecallViewSchema) } } },
    ...problemResponses(401, 403, 422),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/recalls/{id}',
  tags: ['recalls'],
  summary: "A recall: for its issuer, per company and in total, units located, quarantined, still in the field, and time to acknowledge",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readNetwork)] as const,
  request: { params: IdParams },
  responses: {
    200: { description: 'the recall', content: { 'application/json': { schema: RecallViewSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

const noticeRoute = createRoute({
  method: 'get',
  path: '/public/v1/recalls/{id}/notice',
  tags: ['public'],
  summary: 'The notice document of a recall this node issued (its SHA-256 is on the RecallBoard)',
  request: { params: IdParams },
  responses: {
    200: {
      description: 'the document, with Repr-Digest sha-256',
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...problemResponses(404, 422),
  },
});

const peerNoticeRoute = (ctx: NodeContext) =>
  createRoute({
    method: 'post',
    path: '/peer/v1/recall-notices',
    tags: ['peer'],
    summary: 'A supplier tells this node of a recall of goods it shipped here: the recall is read from the board and processed now',
    security: peerAuth,
    middleware: [requirePeer(ctx)] as const,
    request: { body: { required: true, content: { 'application/json': { schema: NoticeBody } } } },
    responses: {
      200: {
        description: 'processed (again: a duplicate)',
        content: { 'application/json': { schema: z.object({ chainRecallId: z.number().int(), duplicate: z.boolean(), processedNow: z.boolean() }) } },
      },
      ...problemResponses(400, 401, 403, 404, 415, 422),
    },
  });

const peerAckRoute = (ctx: NodeContext) =>
  createRoute({
    method: 'post',
    path: '/peer/v1/recall-acks',
    tags: ['peer'],
    summary: "A customer acknowledges a recall with counts (and relays its own customers'); stored and relayed upward",
    security: peerAuth,
    middleware: [requirePeer(ctx)] as const,
    request: { body: { required: true, content: { 'application/json': { schema: AckBody } } } },
    responses: {
      200: {
        description: 'stored',
        content: { 'application/json': { schema: z.object({ chainRecallId: z.number().int(), stored: z.number().int(), forwarded: z.array(z.string()) }) } },
      },
      ...problemResponses(400, 401, 403, 404, 415, 422),
    },
  });

/** This node's public base URL: PUBLIC_URL, else the origin the request came to. */
function baseUrl(ctx: NodeContext, requestUrl: string): string {
  return ctx.config.publicUrl ?? new URL(requestUrl).origin;
}

export function recallRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(issueRoute, async (c) => {
    const input = c.req.valid('json');
    // The password is neither stored nor part of the idempotency fingerprint.
    const request = { ...input, signature: { username: input.signature.username, meaning: input.signature.meaning } };
    await assertGtinOwner(ctx, input.gtin);
    const result = await performWrite(c, ctx.sql, request, async (w) => {
      const issued = await issueRecall(w, ctx, input as IssueInput, baseUrl(ctx, c.req.url));
      return { status: 201, body: { chainRecallId: issued.chainRecallId, txHash: issued.txHash, blockNumber: issued.blockNumber } };
    });
    const id = result.body.chainRecallId;
    // Quarantine this node's own stock now rather than at the watcher's next round.
    try {
      const recall = await readRecall(ctx.chain, id);
      if (recall) await mirrorRecall(ctx.sql, recall, { blockNumber: result.body.blockNumber, txHash: result.body.txHash });
      await ensureRecallProcessed(ctx, id);
    } catch (error) {
      ctx.log.error('recall: processing the issued recall failed (the watcher retries)', { chainRecallId: id, error });
    }
    const view = await recallView(ctx, id);
    if (!view) throw new Error(`recall ${id} published but not mirrored`);
    return c.json(view, 201);
  });

  app.openapi(statusRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => ({ status: 200, body: await changeRecallStatus(w, ctx, id, input.status) }));
    return c.json(result.body, 200);
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const items = await listRecalls(ctx, {
      beforeId: decodeIdCursor(query.cursor),
      limit: limit + 1,
      status: query.status,
      gtin: query.gtin,
      issuedHere: query.issuedHere === undefined ? undefined : query.issuedHere === 'true',
    });
    const page = items.slice(0, limit);
    return c.json({ items: page, nextCursor: items.length > limit ? encodeCursor([String(page[page.length - 1].id)]) : null }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    let view = await recallView(ctx, id);
    if (!view) {
      // Not seen yet (the watcher lags a block): look on the board.
      await ensureRecallProcessed(ctx, id);
      view = await recallView(ctx, id);
    }
    if (!view) throw problems.notFound(`the RecallBoard has no recall ${id}`, 'id');
    return c.json(view, 200);
  });

  app.openapi(noticeRoute, async (c) => {
    const { id } = c.req.valid('param');
    const notice = await readNotice(ctx.sql, id);
    if (!notice || notice.chain_recall_id === null) throw problems.notFound(`no recall notice ${id} on this node`, 'id');
    const digest = Buffer.from(notice.notice_sha256.slice(2), 'hex').toString('base64');
    const headers: Record<string, string> = {
      'content-type': notice.notice_media_type,
      'repr-digest': `sha-256=:${digest}:`,
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    };
    if (notice.notice_filename) headers['content-disposition'] = `inline; filename="${notice.notice_filename}"`;
    return c.body(new Uint8Array(notice.notice_content), 200, headers) as never;
  });

  app.openapi(peerNoticeRoute(ctx), async (c) => {
    const body = c.req.valid('json');
    const sender = c.get('peer').address;
    const result = await receiveNotice(ctx, sender, body.chainRecallId);
    return c.json({ chainRecallId: body.chainRecallId, duplicate: result.duplicate, processedNow: result.outcome?.processedNow ?? false }, 200);
  });

  app.openapi(peerAckRoute(ctx), async (c) => {
    const body = c.req.valid('json') as RecallAckMessage;
    const sender = c.get('peer').address;
    if (body.company !== sender) {
      throw problems.invalidInput(`company: an acknowledgement is sent by the company itself (${sender}), not on behalf of ${body.company}`, 'company');
    }
    const result = await receiveAck(ctx, sender, body);
    return c.json({ chainRecallId: body.chainRecallId, ...result }, 200);
  });

  return app;
}
