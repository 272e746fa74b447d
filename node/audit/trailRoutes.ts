// Audit trail API: the trail itself (who, when, what before/after, why), filtered
// and paginated, and the verification of its hash chain and ledger checkpoints.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, pageOf, pageQuerySchema, problemResponses } from '../http/schemas';
import { verifyAuditChain } from './trailChain';

const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string().openapi({ example: 'lot.release' }),
    entity: z.string(),
    entityId: z.string(),
    before: z.unknown().openapi({ description: 'the record before the change (null when created)' }),
    after: z.unknown().openapi({ description: 'the record after the change' }),
    reason: z.string().nullable(),
    requestId: z.string().nullable(),
    ledgerSeq: z.number().int().nullable(),
    entrySha256: z.string().nullable().openapi({ description: 'SHA-256 of the canonical JSON of the entry' }),
    chainSeq: z.number().int().nullable().openapi({ description: 'position in the hash chain (null until committed, or before the chain)' }),
    hash: z.string().nullable().openapi({ description: 'sha256(previous hash ‖ entrySha256)' }),
  })
  .openapi('AuditEntry');

const isoTime = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) && !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date or date-time')
  .openapi({ type: 'string', example: '2026-01-31T00:00:00Z' });

const TrailQuery = pageQuerySchema.extend({
  entity: z.string().min(1).max(100).optional().openapi({ example: 'lot' }),
  entityId: z.string().min(1).max(500).optional(),
  actor: z.string().min(1).max(100).optional(),
  action: z.string().min(1).max(100).optional().openapi({ example: 'lot.release' }),
  from: isoTime.optional().openapi({ description: 'entries at or after this time' }),
  to: isoTime.optional().openapi({ description: 'entries before this time' }),
});

const Failure = z.object({
  problem: z.string(),
  chainSeq: z.number().int().optional(),
  auditId: z.number().int().optional(),
  ledgerSeq: z.number().int().optional(),
  detail: z.string(),
});

const Verification = z
  .object({
    valid: z.boolean(),
    entries: z.number().int(),
    head: z.object({ chainSeq: z.number().int(), hash: z.string(), auditId: z.number().int().nullable() }),
    legacyEntries: z.number().int().openapi({ description: 'entries written before the chain existed' }),
    checkpoints: z.object({
      checked: z.number().int(),
      lastLedgerSeq: z.number().int().nullable(),
      lastChainSeq: z.number().int().nullable(),
      anchoredChainSeq: z.number().int().nullable().openapi({ description: 'the last chain position whose checkpoint event is anchored' }),
    }),
    failures: z.array(Failure),
  })
  .openapi('AuditChainVerification');

const listTrail = createRoute({
  method: 'get',
  path: '/api/v1/audit-trail',
  tags: ['audit'],
  summary: 'The audit trail: who did what, when, before/after and why; filtered, oldest first',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readReports)] as const,
  request: { query: TrailQuery },
  responses: {
    200: { description: 'a page of entries', content: { 'application/json': { schema: pageOf(AuditEntrySchema) } } },
    ...problemResponses(401, 403, 422),
  },
});

const verifyTrail = createRoute({
  method: 'get',
  path: '/api/v1/audit-trail/verify',
  tags: ['audit'],
  summary: 'Recomputes the audit trail hash chain and compares it with the ledger checkpoints',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readReports)] as const,
  responses: {
    200: { description: 'the verification (valid false lists the failures)', content: { 'application/json': { schema: Verification } } },
    ...problemResponses(401, 403),
  },
});

export function auditTrailRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(verifyTrail, async (c) => c.json(await verifyAuditChain(ctx.sql, ctx.participant), 200));

  app.openapi(listTrail, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = Number(decodeCursor(query.cursor, 1)?.[0] ?? 0);
    if (!Number.isSafeInteger(after)) throw problems.invalidInput('cursor: not a cursor this server returned', 'cursor');
    const sql = ctx.sql;
    const rows = await sql`
      select a.id, a.at, a.actor, a.action, a.entity, a.entity_id, a.before, a.after, a.reason, a.request_id, a.ledger_seq,
             a.entry_sha256, c.chain_seq, c.hash
      from audit_trail a left join audit_chain c on c.audit_id = a.id
      where a.id > ${after}
        ${query.entity === undefined ? sql`` : sql`and a.entity = ${query.entity}`}
        ${query.entityId === undefined ? sql`` : sql`and a.entity_id = ${query.entityId}`}
        ${query.actor === undefined ? sql`` : sql`and a.actor = ${query.actor}`}
        ${query.action === undefined ? sql`` : sql`and a.action = ${query.action}`}
        ${query.from === undefined ? sql`` : sql`and a.at >= ${new Date(query.from)}`}
        ${query.to === undefined ? sql`` : sql`and a.at < ${new Date(query.to)}`}
      order by a.id
      limit ${limit + 1}`;
    const items = rows.slice(0, limit).map((row) => ({
      id: Number(row.id),
      at: new Date(row.at as string).toISOString(),
      actor: row.actor as string,
      action: row.action as string,
      entity: row.entity as string,
      entityId: row.entity_id as string,
      before: row.before as unknown,
      after: row.after as unknown,
      reason: row.reason as string | null,
      requestId: row.request_id as string | null,
      ledgerSeq: row.ledger_seq === null ? null : Number(row.ledger_seq),
      entrySha256: row.entry_sha256 as string | null,
      chainSeq: row.chain_seq === null ? null : Number(row.chain_seq),
      hash: row.hash as string | null,
    }));
    const nextCursor = rows.length > limit ? encodeCursor([String(items[items.length - 1].id)]) : null;
    return c.json({ items, nextCursor }, 200);
  });

  return app;
}
