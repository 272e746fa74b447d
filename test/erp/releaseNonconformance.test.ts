// Release and nonconformances through HTTP: a lot with a nonconformance that is
// still open (no disposition decided) is not released, even after a passed
// re-inspection; the refusal names the nonconformance and writes nothing. Once
// QA dispositions it, the release goes through.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readProblem, STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';

const GTIN = '09506000134352';
const LOT = 'NC1';
const qaSignature = { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' };
const lotPath = (action = '') => `/api/v1/lots/${GTIN}/${LOT}${action ? `/${action}` : ''}`;

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
  expect((await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'Coronary stent', model: 'CS-2', deviceClass: 'III' } })).status).toBe(201);
  const lot = await api.call('POST', '/api/v1/lots', {
    as: 'warehouse',
    body: { gtin: GTIN, lot: LOT, productionDate: '2026-01-10', expiry: '2030-01-10', serials: ['NC1-1', 'NC1-2'] },
  });
  expect(lot.status).toBe(201);
}, 120_000);
afterAll(async () => {
  await api?.close();
});

async function inspect(result: 'pass' | 'fail') {
  const res = await api.call('POST', lotPath('inspections'), { as: 'qa', body: { kind: 'final', result, method: 'visual' } });
  expect(res.status).toBe(201);
}

describe('release with a nonconformance', () => {
  let ncId: number;

  test('a failed inspection opens a nonconformance; a passed re-inspection does not release the lot while it is open', async () => {
    await inspect('fail');
    await inspect('pass');
    const [nc] = await api.db.sql<{ id: string }[]>`select id from nonconformances where gtin = ${GTIN} and lot = ${LOT} and status = 'open'`;
    ncId = Number(nc.id);
    const before = await Promise.all(['signatures', 'lot_status_changes', 'ledger_events', 'audit_trail'].map((t) => api.count(t)));
    const res = await api.call('POST', lotPath('release'), { as: 'qa', body: { signature: qaSignature } });
    expect(res.status).toBe(409);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ type: 'https://medtrace.dev/problems/open-nonconformance', field: 'lot', nonconformanceId: ncId, nonconformanceIds: [ncId] });
    expect(problem.detail).toContain(`#${ncId}`);
    expect(problem.detail).toContain('disposition it');
    expect(await Promise.all(['signatures', 'lot_status_changes', 'ledger_events', 'audit_trail'].map((t) => api.count(t)))).toEqual(before);
    expect((await (await api.call('GET', lotPath())).json()).status).toBe('quarantined');
  });

  test('a second nonconformance opened by hand is named too', async () => {
    const opened = await api.call('POST', '/api/v1/nonconformances', {
      as: 'qa',
      body: { gtin: GTIN, lot: LOT, severity: 'minor', description: 'label smudged on two cartons' },
    });
    expect(opened.status).toBe(201);
    const second = (await opened.json()).id as number;
    const res = await api.call('POST', lotPath('release'), { as: 'qa', body: { signature: qaSignature } });
    expect(res.status).toBe(409);
    expect((await readProblem(res)).nonconformanceIds).toEqual([ncId, second]);
    const decided = await api.call('POST', `/api/v1/nonconformances/${second}/disposition`, { as: 'qa', body: { disposition: 'rework', reason: 'labels reprinted' } });
    expect(decided.status).toBe(200);
  });

  test('once QA has dispositioned every nonconformance, the release goes through', async () => {
    const decided = await api.call('POST', `/api/v1/nonconformances/${ncId}/disposition`, { as: 'qa', body: { disposition: 'rework', reason: 'reworked and re-inspected' } });
    expect(decided.status).toBe(200);
    const res = await api.call('POST', lotPath('release'), { as: 'qa', body: { signature: qaSignature, reason: 're-inspection passed' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'released', from: 'quarantined' });
  });
});
