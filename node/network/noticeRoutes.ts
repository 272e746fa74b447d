// Shipment notices between nodes: POST /peer/v1/notices (another node pushes
// the notice of a shipment to this node; checked against the chain and stored
// once per sender and shipment), and the staff's view of the notices received.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  gtinSchema,
  isoDateSchema,
  lotSchema,
  pageOf,
  pageQuerySchema,
  problemResponses,
  serialSchema,
} from '../http/schemas';
import { peerAuth, requirePeer } from '../peers';
import { findNotice, listNotices, receiveNotice, type InboundNotice } from './inbound';
import type { ShipmentNotice } from './notice';

/** Most lines (units or lots) one notice may carry. */
export const MAX_NOTICE_LINES = 100_000;
export const MAX_PEDIGREE_BUNDLES = 10_000;

const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a participant address (0x and 40 hex digits)')
  .transform((value) => value.toLowerCase())
  .openapi({ type: 'string', example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' });

const bundleSchema = z
  .record(z.string(), z.unknown())
  .openapi({ type: 'object', description: 'a proof bundle (DESIGN 4.6), verified against the chain on arrival' });

const NoticeBody = z
  .object({
    version: z.literal(1),
    sender: addressSchema,
    receiver: addressSchema,
    shipmentId: z.number().int().min(1),
    shippedAt: z.string().datetime({ offset: true, message: 'must be an ISO 8601 timestamp' }),
    lines: z
      .array(
        z.object({
          gtin: gtinSchema,
          lot: lotSchema,
          serial: serialSchema.optional(),
          quantity: z.number().int().min(1).max(10_000_000),
          expiry: isoDateSchema,
        }),
      )
      .min(1, 'must hold at least one line')
      .max(MAX_NOTICE_LINES),
    shipping: bundleSchema,
    pedigree: z.array(bundleSchema).max(MAX_PEDIGREE_BUNDLES),
  })
  .openapi('ShipmentNotice');

const verdictSchema = z.enum(['ok', 'blocked']);
const NoticeProblemSchema = z.object({ line: z.number().int().optional(), bundle: z.string().optional(), reason: z.string(), detail: z.string() });

const NoticeSummarySchema = z
  .object({
    id: z.number().int(),
    sender: z.string(),
    senderName: z.string().nullable(),
    senderShipmentId: z.number().int(),
    shippedAt: z.string(),
    receivedAt: z.string(),
    status: z.enum(['verified', 'failed']).openapi({ description: 'verified: every line passed its checks on arrival' }),
    checkedAt: z.string(),
    lineCount: z.number().int(),
    blockedLines: z.number().int(),
    quantity: z.number().int(),
  })
  .openapi('InboundNoticeSummary');

const NoticeSchema = NoticeSummarySchema.extend({
  lines: z.array(
    z.object({
      lineNo: z.number().int(),
      gtin: z.string(),
      lot: z.string(),
      serial: z.string().nullable(),
      quantity: z.number().int(),
      expiry: z.string(),
      verdict: verdictSchema,
      reason: z.string().nullable().openapi({ description: 'why the line is blocked (unit-not-shipped, lot-recalled, proof-failed:<CODE>, …)' }),
      state: z.enum(['expected', 'received', 'blocked', 'resolved']),
      receivedQuantity: z.number().int(),
    }),
  ),
  problems: z.array(NoticeProblemSchema),
  bundleCount: z.number().int(),
}).openapi('InboundNotice');

const NoticeReceipt = z
  .object({
    id: z.number().int().openapi({ description: "the receiver's notice id (the same for a resend)" }),
    duplicate: z.boolean(),
    status: z.enum(['verified', 'failed']),
    lines: z.array(z.object({ lineNo: z.number().int(), verdict: verdictSchema, reason: z.string().nullable() })),
    problems: z.array(NoticeProblemSchema),
  })
  .openapi('NoticeReceipt');

const postNotice = (ctx: NodeContext) =>
  createRoute({
    method: 'post',
    path: '/peer/v1/notices',
    tags: ['network'],
    summary: "Receive a shipment notice (ASN) with its pedigree from the sender's node",
    description:
      'Checked against the chain line by line and stored once per (sender, shipmentId): a resend answers 200 with the same notice id. ' +
      'The sender must be the calling participant and the receiver this node.',
    security: peerAuth,
    middleware: [requirePeer(ctx)] as const,
    request: { body: { content: { 'application/json': { schema: NoticeBody } }, required: true } },
    responses: {
      201: { description: 'stored, with the verdict of each line', content: { 'application/json': { schema: NoticeReceipt } } },
      200: { description: 'already stored (a resend)', content: { 'application/json': { schema: NoticeReceipt } } },
      ...problemResponses(400, 401, 403, 413, 415, 422),
    },
  });

const NoticeListQuery = pageQuerySchema.extend({
  status: z.enum(['verified', 'failed']).optional(),
  sender: addressSchema.optional(),
});

const listNoticesRoute = createRoute({
  method: 'get',
  path: '/api/v1/notices',
  tags: ['network'],
  summary: 'List the shipment notices received from other nodes, newest first',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readNetwork)] as const,
  request: { query: NoticeListQuery },
  responses: {
    200: { description: 'a page of notices', content: { 'application/json': { schema: pageOf(NoticeSummarySchema) } } },
    ...problemResponses(401, 403, 422),
  },
});

const getNoticeRoute = createRoute({
  method: 'get',
  path: '/api/v1/notices/{id}',
  tags: ['network'],
  summary: 'Read a received shipment notice with the verdict of each line',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readNetwork)] as const,
  request: { params: z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a notice id').transform(Number) }) },
  responses: {
    200: { description: 'the notice', content: { 'application/json': { schema: NoticeSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

function receipt(notice: InboundNotice, duplicate: boolean) {
  return {
    id: notice.id,
    duplicate,
    status: notice.status,
    lines: notice.lines.map((line) => ({ lineNo: line.lineNo, verdict: line.verdict, reason: line.reason })),
    problems: notice.problems,
  };
}

export function noticeRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(postNotice(ctx), async (c) => {
    const peer = c.get('peer');
    const body = c.req.valid('json');
    if (body.sender !== peer.address) {
      throw new ProblemError(403, 'wrong-sender', 'Wrong sender', `the notice names sender ${body.sender}, but the caller is ${peer.address}; a node sends only its own notices`, {
        field: 'sender',
      });
    }
    if (body.receiver !== ctx.participant) {
      throw new ProblemError(422, 'wrong-receiver', 'Wrong receiver', `the notice is addressed to ${body.receiver}, not to this node (${ctx.participant})`, { field: 'receiver' });
    }
    const { notice, duplicate } = await receiveNotice(ctx, body as unknown as ShipmentNotice, { requestId: c.get('requestId') });
    return c.json(receipt(notice, duplicate), duplicate ? 200 : 201);
  });

  app.openapi(listNoticesRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 1);
    const beforeId = after === undefined ? undefined : Number(after[0]);
    if (beforeId !== undefined && !Number.isSafeInteger(beforeId)) throw problems.invalidInput('cursor: not a cursor this server returned', 'cursor');
    const items = await listNotices(ctx.sql, { status: query.status, sender: query.sender, beforeId, limit });
    const nextCursor = items.length === limit ? encodeCursor([String(items[items.length - 1].id)]) : null;
    return c.json({ items, nextCursor }, 200);
  });

  app.openapi(getNoticeRoute, async (c) => {
    const { id } = c.req.valid('param');
    const notice = await findNotice(ctx.sql, id);
    if (!notice) throw problems.notFound(`no notice ${id}`, 'id');
    return c.json(notice, 200);
  });

  return app;
}
