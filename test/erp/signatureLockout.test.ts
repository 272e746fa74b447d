// E-signature guessing through HTTP: every refused signature is counted and
// audited even though its write rolled back; after 5 refused attempts of one
// username within 15 minutes, signing is refused with 429 signature-locked
// (even with the right password) until the window passes; other signers are
// not affected.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_PASSWORD, readProblem, STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';

const GTIN = '09506000134352';
const lotPath = (lot: string, action = '') => `/api/v1/lots/${GTIN}/${lot}${action ? `/${action}` : ''}`;
const signature = (username: string, password: string) => ({ username, password, meaning: 'released' });

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
  expect((await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'Coronary stent', model: 'CS-2', deviceClass: 'III' } })).status).toBe(201);
  for (const lot of ['S1', 'S2']) {
    const res = await api.call('POST', '/api/v1/lots', { as: 'warehouse', body: { gtin: GTIN, lot, productionDate: '2026-01-10', expiry: '2030-01-10', serials: [`${lot}-1`] } });
    expect(res.status).toBe(201);
    expect((await api.call('POST', lotPath(lot, 'inspections'), { as: 'qa', body: { kind: 'final', result: 'pass', method: 'visual' } })).status).toBe(201);
  }
}, 120_000);
afterAll(async () => {
  await api?.close();
});

const release = (lot: string, as: 'qa' | 'admin', password: string) =>
  api.call('POST', lotPath(lot, 'release'), { as, body: { signature: signature(as, password) } });

describe('signature attempt limit', () => {
  test('each wrong password is 401 and leaves a failure row and an audit entry, though nothing of the write', async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await release('S1', 'qa', `wrong-${i}`);
      expect(res.status).toBe(401);
      expect((await readProblem(res)).type).toBe('https://medtrace.dev/problems/signature-invalid');
    }
    const failures = await api.db.sql`select username, request_id from signature_failures order by id`;
    expect(failures).toHaveLength(5);
    expect(failures.every((f) => f.username === 'qa' && typeof f.request_id === 'string')).toBe(true);
    const audits = await api.db.sql<{ actor: string; entity: string; entity_id: string; after: unknown }[]>`
      select actor, entity, entity_id, after from audit_trail where action = 'signature.fail' order by id`;
    expect(audits).toHaveLength(5);
    expect(audits[0]).toMatchObject({ actor: 'qa', entity: 'user', entity_id: 'qa', after: { meaning: 'released', entity: 'lot', entityId: `${GTIN}/S1` } });
    expect(await api.count('signatures')).toBe(0);
    expect((await (await api.call('GET', lotPath('S1'))).json()).status).toBe('quarantined');
  });

  test('the sixth attempt is 429 signature-locked, even with the right password, and is not counted', async () => {
    const res = await release('S1', 'qa', STAFF_PASSWORD);
    expect(res.status).toBe(429);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ type: 'https://medtrace.dev/problems/signature-locked', field: 'signature.username' });
    expect(problem.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect(problem.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    expect(problem.detail).toContain('5 signature attempts of qa failed within 15 minutes');
    expect(await api.count('signature_failures')).toBe(5);
    expect(await api.count('signatures')).toBe(0);
  });

  test('another signer is not locked', async () => {
    const res = await release('S2', 'admin', ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect((await res.json()).signature).toMatchObject({ signer: 'admin', meaning: 'released' });
  });

  test('once the oldest failure leaves the 15-minute window, the signer signs again', async () => {
    // Age the failures as a clock would: the oldest one 16 minutes ago.
    await api.db.sql`update signature_failures set failed_at = now() - interval '16 minutes' where id = (select min(id) from signature_failures)`;
    const res = await release('S1', 'qa', STAFF_PASSWORD);
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('released');
  });
});
