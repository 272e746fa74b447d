// /audit/v1 answers auditor consoles served by other nodes: the CORS preflight
// allows the Authorization header from any origin, and every answer (a refusal
// too, so the console can show it) is readable cross-origin, without credentials.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { issueAuditorToken } from '../../node/auditors/tokens';
import { readProblem, startTestApp, type TestApp } from '../support/app';

const ORIGIN = 'https://auditor-console.example';

let node: TestApp;

beforeAll(async () => {
  node = await startTestApp({ register: false });
});
afterAll(async () => {
  await node?.close();
});

const auditorToken = async (scopes: ('ledger' | 'report' | 'export' | 'trace')[]) =>
  (await issueAuditorToken(node.db.sql, node.ctx, { auditor: 'CORS Auditor', scopes, ttlSeconds: 3600, issuedBy: 'admin' })).token;

describe('CORS on /audit/v1', () => {
  test('the preflight of a bearer-token GET is allowed from any origin, without credentials', async () => {
    for (const path of ['/audit/v1/events', '/audit/v1/events/1', '/audit/v1/report', '/audit/v1/export/epcis', '/audit/v1/anchors']) {
      const res = await node.call('OPTIONS', path, {
        as: null,
        headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-headers')?.split(',')).toContain('authorization');
      expect(res.headers.get('access-control-allow-methods')?.split(',')).toContain('GET');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  test('an answer to an auditor token is readable cross-origin', async () => {
    const token = await auditorToken(['ledger']);
    const res = await node.call('GET', '/audit/v1/events?limit=1', { as: null, headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  test('refusals are readable cross-origin: no token, a missing scope, bad input', async () => {
    const noToken = await node.call('GET', '/audit/v1/events', { as: null, headers: { origin: ORIGIN } });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('access-control-allow-origin')).toBe('*');

    const token = await auditorToken(['ledger']);
    const noScope = await node.call('GET', '/audit/v1/report', { as: null, headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get('access-control-allow-origin')).toBe('*');
    expect(await readProblem(noScope)).toMatchObject({ type: 'https://medtrace.dev/problems/auditor-scope', requiredScope: 'report' });

    const badQuery = await node.call('GET', '/audit/v1/events?limit=0', { as: null, headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
    expect(badQuery.status).toBe(422);
    expect(badQuery.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('the staff API stays same-origin', async () => {
    const res = await node.call('GET', '/api/v1/lots', { headers: { origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
