// Authentication, authorisation, and the operational endpoints, through HTTP.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../node/app';
import { ADMIN_PASSWORD, readProblem, startApiFixture, type ApiFixture } from './fixture';

let api: ApiFixture;
beforeAll(async () => {
  api = await startApiFixture();
});
afterAll(async () => {
  await api?.close();
});

describe('staff authentication', () => {
  test('issues a bearer token for the right password', async () => {
    const res = await api.call('POST', '/api/v1/auth/token', { as: null, body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ tokenType: 'Bearer', username: 'admin', roles: ['admin'], expiresIn: 28800 });
    const me = await api.call('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${body.accessToken}` }, as: null });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'admin', roles: ['admin'] });
  });

  test('refuses a wrong password and an unknown user alike with 401', async () => {
    for (const credentials of [
      { username: 'admin', password: 'not the password' },
      { username: 'nobody', password: ADMIN_PASSWORD },
    ]) {
      const res = await api.call('POST', '/api/v1/auth/token', { as: null, body: credentials });
      expect(res.status).toBe(401);
      expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/invalid-credentials', status: 401 });
    }
  });

  test('every sign-in, and every refused one, is in the audit trail with its request id; the chain stays valid', async () => {
    const signIn = (username: string, password: string, requestId: string) =>
      api.call('POST', '/api/v1/auth/token', { as: null, body: { username, password }, headers: { 'x-request-id': requestId } });
    expect((await signIn('qa', 'guessed wrong', 'signin-wrong-1')).status).toBe(401);
    expect((await signIn('nobody-at-all', ADMIN_PASSWORD, 'signin-unknown-1')).status).toBe(401);
    expect((await signIn('admin', ADMIN_PASSWORD, 'signin-right-1')).status).toBe(200);

    const trail = async (action: string) =>
      ((await (await api.call('GET', `/api/v1/audit-trail?action=${action}&limit=200`)).json()) as { items: { actor: string; entityId: string; requestId: string; after: unknown }[] }).items;
    const refused = (await trail('user.signin_refused')).filter((e) => e.requestId.startsWith('signin-'));
    expect(refused.map((e) => [e.actor, e.entityId, e.requestId]).sort()).toEqual([
      ['nobody-at-all', 'nobody-at-all', 'signin-unknown-1'],
      ['qa', 'qa', 'signin-wrong-1'],
    ]);
    const accepted = (await trail('user.signin')).find((e) => e.requestId === 'signin-right-1');
    expect(accepted).toMatchObject({ actor: 'admin', entityId: 'admin', after: { roles: ['admin'] } });
    const verification = await (await api.call('GET', '/api/v1/audit-trail/verify')).json();
    expect(verification.valid).toBe(true);
  });

  test('a protected route without a token is 401 problem+json with WWW-Authenticate', async () => {
    const res = await api.call('GET', '/api/v1/products', { as: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/unauthorized' });
  });

  test('a forged or tampered token is 401', async () => {
    const [h, p, s] = api.tokens.viewer.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = [h, Buffer.from(JSON.stringify({ ...payload, sub: 'admin', roles: ['admin'] })).toString('base64url'), s].join('.');
    const res = await api.call('GET', '/api/v1/users', { as: null, headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });

  test('a role outside the matrix is 403 naming the roles needed', async () => {
    const res = await api.call('POST', '/api/v1/products', {
      as: 'sales',
      body: { gtin: '09506000134352', name: 'n', model: 'm', deviceClass: 'III' },
    });
    expect(res.status).toBe(403);
    const problem = await readProblem(res);
    expect(problem.type).toBe('https://medtrace.dev/problems/forbidden');
    expect(problem.detail).toMatch(/admin, qa/);
    expect(await api.count('products')).toBe(0);
  });

  test('the admin creates users with roles; a duplicate username is 409; others may not create users', async () => {
    const user = { username: 'inspector.two', password: 'long enough password', roles: ['qa'] };
    const created = await api.call('POST', '/api/v1/users', { body: user, headers: { 'x-reason': 'new QA hire' } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ username: 'inspector.two', roles: ['qa'], disabled: false });
    const [audit] = await api.db.sql`select actor, action, reason from audit_trail where entity = 'user' and entity_id = 'inspector.two'`;
    expect(audit).toMatchObject({ actor: 'admin', action: 'user.create', reason: 'new QA hire' });

    const duplicate = await api.call('POST', '/api/v1/users', { body: user });
    expect(duplicate.status).toBe(409);
    expect(await readProblem(duplicate)).toMatchObject({ type: 'https://medtrace.dev/problems/user-exists', field: 'username' });

    const byQa = await api.call('POST', '/api/v1/users', { as: 'qa', body: { ...user, username: 'sneaky' } });
    expect(byQa.status).toBe(403);

    const token = await api.call('POST', '/api/v1/auth/token', { as: null, body: { username: 'inspector.two', password: 'long enough password' } });
    expect(token.status).toBe(200);
  });

  test('a disabled user’s token stops working at once', async () => {
    await api.db.sql`update users set disabled = true where username = 'viewer'`;
    try {
      const res = await api.call('GET', '/api/v1/products', { as: 'viewer' });
      expect(res.status).toBe(401);
    } finally {
      await api.db.sql`update users set disabled = false where username = 'viewer'`;
    }
  });
});

describe('operational endpoints', () => {
  test('/health answers and /ready checks the database and the chain', async () => {
    expect(await (await api.call('GET', '/health', { as: null })).json()).toEqual({ status: 'ok' });
    const ready = await api.call('GET', '/ready', { as: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: 'ok', chain: 'ok' },
      participant: api.ctx.participant,
      chainId: 31337,
    });
  });

  test('every response carries a request id, echoing a sane X-Request-Id', async () => {
    const res = await api.call('GET', '/health', { as: null, headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    const fresh = await api.call('GET', '/nowhere', { as: null, headers: { 'x-request-id': 'bad id with spaces' } });
    expect(fresh.status).toBe(404);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readProblem(fresh)).toMatchObject({ type: 'https://medtrace.dev/problems/not-found', status: 404 });
  });

  test('/metrics exposes the request latency histogram in Prometheus format', async () => {
    await api.call('GET', '/health', { as: null });
    const res = await api.call('GET', '/metrics', { as: null });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/);
  });

  test('/metrics wants the scraper token when METRICS_TOKEN is set', async () => {
    const token = 'scraper-token-0123456789';
    const guarded = createApp({ ...api.ctx, config: { ...api.ctx.config, metricsToken: token } });
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${token}`, `Bearer ${token}x`]) {
      const res = await guarded.request('/metrics', { headers: authorization ? { authorization } : {} });
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/unauthorized', detail: expect.stringContaining('METRICS_TOKEN') });
    }
    const ok = await guarded.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('# TYPE http_request_duration_seconds histogram');
  });

  test('/openapi.json is OpenAPI 3.1 listing every API operation with its schemas', async () => {
    const doc = await (await api.call('GET', '/openapi.json', { as: null })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/token',
        '/api/v1/products',
        '/api/v1/products/{gtin}',
        '/api/v1/lots',
        '/api/v1/lots/{gtin}/{lot}',
        '/api/v1/lots/{gtin}/{lot}/inspections',
        '/health',
        '/ready',
      ]),
    );
    expect(doc.paths['/api/v1/lots'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.schemas).toHaveProperty('NewLot');
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  test('/docs is a self-contained HTML page reading /openapi.json', async () => {
    const res = await api.call('GET', '/docs', { as: null });
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('./openapi.json');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });
});
