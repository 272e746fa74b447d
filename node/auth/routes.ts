// Staff sign-in (token issuance) and user administration.
import { createRoute, z } from '@hono/zod-openapi';
import type { NodeContext } from '../context';
import { STAFF_ROLES } from '../http/env';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, pageOf, pageQuerySchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { recordAudit } from './auditTrail';
import { hashPassword, verifyPassword } from './passwords';
import { requireRole } from './requireRole';
import { ACCESS } from './roles';
import { findActiveUser } from './tokens';
import { getUser, insertUser, listUsers } from './users';

const TokenRequest = z
  .strictObject({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
  })
  .openapi('TokenRequest');

const TokenResponse = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'seconds' }),
    username: z.string(),
    roles: z.array(z.enum(STAFF_ROLES)),
  })
  .openapi('TokenResponse');

const User = z
  .object({
    username: z.string(),
    displayName: z.string().nullable(),
    roles: z.array(z.enum(STAFF_ROLES)),
    disabled: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('User');

const NewUser = z
  .strictObject({
    username: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 of a-z 0-9 . _ - starting with a letter or digit'),
    password: z.string().min(12, 'must be at least 12 characters').max(1024),
    roles: z.array(z.enum(STAFF_ROLES)).min(1, 'must name at least one role'),
    displayName: z.string().min(1).max(200).optional(),
    reason: reasonSchema,
  })
  .openapi('NewUser');

const issueToken = createRoute({
  method: 'post',
  path: '/api/v1/auth/token',
  tags: ['auth'],
  summary: 'Exchange a staff username and password for a bearer token (JWT, HS256)',
  request: { body: { required: true, content: { 'application/json': { schema: TokenRequest } } } },
  responses: { 200: { description: 'a token', content: { 'application/json': { schema: TokenResponse } } }, ...problemResponses(400, 401, 422) },
});

const whoAmI = createRoute({
  method: 'get',
  path: '/api/v1/auth/me',
  tags: ['auth'],
  summary: 'The authenticated user',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  responses: { 200: { description: 'the user', content: { 'application/json': { schema: User } } }, ...problemResponses(401) },
});

const createUser = createRoute({
  method: 'post',
  path: '/api/v1/users',
  tags: ['auth'],
  summary: 'Create a staff user with roles',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.manageUsers)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: NewUser } } } },
  responses: { 201: { description: 'created', content: { 'application/json': { schema: User } } }, ...problemResponses(401, 403, 409, 422) },
});

const listUsersRoute = createRoute({
  method: 'get',
  path: '/api/v1/users',
  tags: ['auth'],
  summary: 'List staff users',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.manageUsers)] as const,
  request: { query: pageQuerySchema },
  responses: { 200: { description: 'a page of users', content: { 'application/json': { schema: pageOf(User) } } }, ...problemResponses(401, 403, 422) },
});

// Compared against when the user does not exist, so timing does not reveal usernames.
let decoyHash: Promise<string> | undefined;

export function authRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(issueToken, async (c) => {
    const { username, password } = c.req.valid('json');
    const user = await findActiveUser(ctx.sql, username);
    decoyHash ??= hashPassword('decoy password that matches nothing');
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
    // Every sign-in and every refused one lands in the audit trail (21 CFR 11.300(d): attempts at
    // unauthorised use are detected and reported); a refused one names the username as typed.
    const requestId = c.get('requestId');
    if (!user || !ok) {
      await ctx.sql.begin((tx) => recordAudit(tx, { actor: username, action: 'user.signin_refused', entity: 'user', entityId: username, requestId }));
      throw new ProblemError(401, 'invalid-credentials', 'Invalid credentials', 'wrong username or password');
    }
    const token = await c.get('auth').issueToken(user);
    await ctx.sql.begin((tx) =>
      recordAudit(tx, { actor: user.username, action: 'user.signin', entity: 'user', entityId: user.username, after: { roles: user.roles }, requestId }),
    );
    return c.json({ ...token, username: user.username, roles: user.roles }, 200);
  });

  app.openapi(whoAmI, async (c) => {
    const user = await getUser(ctx.sql, c.get('user').username);
    if (!user) throw problems.unauthorized('the user no longer exists');
    return c.json(user, 200);
  });

  app.openapi(createUser, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      await insertUser(w.tx, input);
      const created = (await getUser(w.tx, input.username))!;
      await w.audit({ action: 'user.create', entity: 'user', entityId: input.username, after: { username: created.username, roles: created.roles } });
      return { status: 201, body: created };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listUsersRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 1)?.[0];
    const items = await listUsers(ctx.sql, { after, limit: limit + 1 });
    const page = items.slice(0, limit);
    const nextCursor = items.length > limit ? encodeCursor([page[page.length - 1].username]) : null;
    return c.json({ items: page, nextCursor }, 200);
  });

  return app;
}
