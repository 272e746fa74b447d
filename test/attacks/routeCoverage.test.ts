// The role matrix (test/erp/roleMatrix.test.ts) checks every operation of the
// OpenAPI document, and fails for a documented route it does not list. A route
// registered on the app but left out of the document would escape it: this
// suite lists every route the app registers and requires each to be in the
// document or in UNDOCUMENTED below, a short list of public routes (the
// operational endpoints, the API description, the web pages and their assets,
// CORS preflights) each answering without a token, below 500, and with no data
// a token guards.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { operationsOf, type OpenApiDocument } from './support/openapi';

/** Routes outside the OpenAPI document, each public by design, with a path to try it. */
const UNDOCUMENTED: Record<string, string> = {
  'GET /metrics': '/metrics',
  'GET /openapi.json': '/openapi.json',
  'GET /docs': '/docs',
  'GET /assets/{file}': '/assets/nothing.js',
  'GET /verify': '/verify',
  'GET /verify/': '/verify/',
  'GET /verify/*': '/verify/anything',
  'GET /console': '/console',
  'GET /console/': '/console/',
  'GET /console/*': '/console/anything',
  'GET /auditor': '/auditor',
  'GET /auditor/': '/auditor/',
  'GET /auditor/*': '/auditor/anything',
  'OPTIONS /audit/v1/*': '/audit/v1/events',
  'OPTIONS /public/v1/chain-rpc': '/public/v1/chain-rpc',
};

let api: TestApp;
let documented: Set<string>;
let registered: string[];

beforeAll(async () => {
  api = await startTestApp({ register: false });
  const doc = (await (await api.call('GET', '/openapi.json', { as: null })).json()) as OpenApiDocument;
  documented = new Set(operationsOf(doc).map((op) => op.key));
  // Hono lists every handler: app.use() middleware as method ALL, a route's own middleware beside it.
  registered = [
    ...new Set(
      api.app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method} ${route.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`),
    ),
  ].sort();
}, 120_000);

afterAll(async () => {
  await api?.close();
});

describe('every registered route is accounted for', () => {
  test('each is in the OpenAPI document (and so in the role matrix) or listed here as public', () => {
    expect(registered.filter((key) => !documented.has(key) && !(key in UNDOCUMENTED)), 'routes neither documented nor listed as public').toEqual([]);
    expect(Object.keys(UNDOCUMENTED).filter((key) => !registered.includes(key)), 'listed routes the app no longer has').toEqual([]);
    expect(registered.length).toBeGreaterThan(documented.size);
  });

  test('the undocumented routes answer without a token, below 500, and hand out nothing a token guards', async () => {
    for (const [key, path] of Object.entries(UNDOCUMENTED)) {
      const method = key.split(' ')[0];
      const res = await api.call(method, path, { as: null, headers: { origin: 'https://auditor.example', 'access-control-request-method': 'GET' } });
      const text = await res.text();
      expect({ key, status: res.status < 500 && res.status !== 401 && res.status !== 403 }).toEqual({ key, status: true });
      // No bearer token, no password hash, no ledger salt, no signing key.
      for (const secret of [api.tokens.admin, 'scrypt$', '"salt"', '"d":']) expect(text.includes(secret), `${key} shows ${secret}`).toBe(false);
    }
  });
});
