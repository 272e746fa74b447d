// Auditor tokens as the participant's admins manage them: issue (the token is
// shown once), list, revoke. The /audit/v1 routes that accept them live in
// ./auditRoutes.ts (and node/audit/routes.ts for the ledger itself).
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import type { Sql, Tx } from '../db';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeIdCursor, DEFAULT_PAGE_SIZE, encodeCursor, gtinSchema, pageOf, pageQuerySchema, problemResponses } from '../http/schemas';
import { performWrite } from '../http/writes';
import { AUDITOR_SCOPES, issueAuditorToken } from './tokens';

const NewAuditorToken = z
  .strictObject({
    auditor: z.string().trim().min(1).max(200).openapi({ description: 'who the token is for (a firm, a person)', example: 'Notified Body 0123' }),
    scopes: z
      .array(z.enum(AUDITOR_SCOPES))
      .min(1)
      .max(AUDITOR_SCOPES.length)
      .refine((scopes) => new Set(scopes).size === scopes.length, 'must not repeat a scope')
      .openapi({ description: 'ledger: events, bundles, anchors; report: the verification report; export: EPCIS; trace: forward trace' }),
    expiresInHours: z.number().int().min(1, 'must be 1-720 hours').max(720, 'must be 1-720 hours').openapi({ example: 72 }),
    gtins: z.array(gtinSchema).min(1).max(100).optional().openapi({ description: 'only these GTINs (trace, export); all when omitted' }),
    reason: z.string().min(1).max(1000).optional(),
  })
  .openapi('NewAuditorToken');

const IssuedToken = z
  .object({
    id: z.number().int(),
    token: z
      .string()
      .nullable()
      .openapi({ description: 'the bearer token; shown only in this answer (null when an Idempotency-Key replays it: the token is never stored)' }),
    expiresAt: z.string(),
    auditor: z.string(),
    scopes: z.array(z.enum(AUDITOR_SCOPES)),
    gtins: z.array(z.string()).nullable(),
  })
  .openapi('IssuedAuditorToken');

const AuditorTokenSchema = z
  .object({
    id: z.number().int(),
    auditor: z.string(),
    scopes: z.array(z.enum(AUDITOR_SCOPES)),
    gtins: z.array(z.string()).nullable(),
    status: z.enum(['active', 'expired', 'revoked']),
    issuedBy: z.string(),
    issuedAt: z.string(),
    expiresAt: z.string(),
    revokedAt: z.string().nullable(),
    revokedBy: z.string().nullable(),
    revokeReason: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('AuditorToken');
type AuditorToken = z.infer<typeof AuditorTokenSchema>;

const IdParam = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a positive integer')
    .transform(Number)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '1' }),
});

const route = <T extends Parameters<typeof createRoute>[0]>(config: T) => createRoute({ tags: ['auditors'], security: bearerAuth, ...config });

const issue = route({
  method: 'post',
  path: '/api/v1/auditor-tokens',
  summary: 'Issue an auditor a scoped, expiring token for /audit/v1',
  middleware: [requireRole(...ACCESS.manageNetwork)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: NewAuditorToken } } } },
  responses: {
    201: { description: 'issued', content: { 'application/json': { schema: IssuedToken } } },
    ...problemResponses(400, 401, 403, 415, 422),
  },
});

const list = route({
  method: 'get',
  path: '/api/v1/auditor-tokens',
  summary: 'The auditor tokens issued, newest first (never the tokens themselves)',
  middleware: [requireRole(...ACCESS.manageNetwork)] as const,
  request: { query: pageQuerySchema },
  responses: {
    200: { description: 'a page of tokens', content: { 'application/json': { schema: pageOf(AuditorTokenSchema) } } },
    ...problemResponses(401, 403, 422),
  },
});

const revoke = route({
  method: 'post',
  path: '/api/v1/auditor-tokens/{id}/revoke',
  summary: 'Revoke an auditor token (a reason is required)',
  middleware: [requireRole(...ACCESS.manageNetwork)] as const,
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: z.strictObject({ reason: z.string().trim().min(1).max(1000) }) } } },
  },
  responses: {
    200: { description: 'revoked', content: { 'application/json': { schema: AuditorTokenSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

export function auditorTokenRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(issue, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const issued = await issueAuditorToken(w.tx, ctx, {
        auditor: input.auditor,
        scopes: input.scopes,
        ttlSeconds: input.expiresInHours * 3600,
        gtins: input.gtins,
        issuedBy: w.actor,
      });
      const token = (await findToken(w.tx, issued.id))!;
      // The audit trail records the grant, never the bearer token.
      await w.audit({ action: 'auditor_token.issue', entity: 'auditor_token', entityId: String(issued.id), after: token });
      return {
        status: 201,
        body: { id: issued.id, token: issued.token as string | null, expiresAt: issued.expiresAt, auditor: token.auditor, scopes: token.scopes, gtins: token.gtins },
      };
    }, { storedResponse: (body) => ({ ...body, token: null }) });
    return c.json(result.body, 201);
  });

  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const before = decodeIdCursor(query.cursor);
    const rows = await ctx.sql`
      select ${ctx.sql.unsafe(COLUMNS)} from auditor_tokens
      where ${before !== undefined ? ctx.sql`id < ${before}` : ctx.sql`true`}
      order by id desc
      limit ${limit + 1}`;
    const items = rows.slice(0, limit).map(toToken);
    const nextCursor = rows.length > limit ? encodeCursor([String(items[items.length - 1].id)]) : null;
    return c.json({ items, nextCursor }, 200);
  });

  app.openapi(revoke, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const before = await findToken(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no auditor token ${id}`, 'id');
      if (before.status === 'revoked') {
        throw new ProblemError(409, 'auditor-token-revoked', 'Already revoked', `auditor token ${id} was revoked at ${before.revokedAt}`, { field: 'id' });
      }
      await w.tx`update auditor_tokens set revoked_at = now(), revoked_by = ${w.actor}, revoke_reason = ${input.reason} where id = ${id}`;
      const after = (await findToken(w.tx, id))!;
      await w.audit({ action: 'auditor_token.revoke', entity: 'auditor_token', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  return app;
}

const COLUMNS = 'id, auditor, scopes, gtins, issued_by, issued_at, expires_at, revoked_at, revoked_by, revoke_reason, last_used_at';

async function findToken(sql: Sql | Tx, id: number, options: { lock?: boolean } = {}): Promise<AuditorToken | undefined> {
  const [row] = await sql`select ${sql.unsafe(COLUMNS)} from auditor_tokens where id = ${id} ${options.lock ? sql`for update` : sql``}`;
  return row ? toToken(row) : undefined;
}

const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());

function toToken(row: Record<string, unknown>): AuditorToken {
  const expiresAt = new Date(row.expires_at as string);
  return {
    id: Number(row.id),
    auditor: row.auditor as string,
    scopes: row.scopes as AuditorToken['scopes'],
    gtins: (row.gtins as string[] | null) ?? null,
    status: row.revoked_at ? 'revoked' : expiresAt.getTime() <= Date.now() ? 'expired' : 'active',
    issuedBy: row.issued_by as string,
    issuedAt: iso(row.issued_at)!,
    expiresAt: expiresAt.toISOString(),
    revokedAt: iso(row.revoked_at),
    revokedBy: (row.revoked_by as string | null) ?? null,
    revokeReason: (row.revoke_reason as string | null) ?? null,
    lastUsedAt: iso(row.last_used_at),
  };
}
