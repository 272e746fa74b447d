// Bad input never gets in: each malformed GTIN, date, lot, serial, JSON body or
// oversized body is a 4xx problem+json naming the field, and nothing is written
// (no business row, no ledger event, no audit entry, no idempotency key).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { readProblem, startApiFixture, type ApiFixture } from './fixture';

const GTIN = '09506000134352';
const TABLES = ['products', 'lots', 'units', 'inspections', 'ledger_events', 'audit_trail', 'idempotency_keys'] as const;

let api: ApiFixture;
let counts: number[];

async function allCounts(): Promise<number[]> {
  return Promise.all(TABLES.map((table) => api.count(table)));
}

beforeAll(async () => {
  api = await startApiFixture();
  const product = await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'Stent', model: 'S', deviceClass: 'III' } });
  expect(product.status).toBe(201);
  const lot = await api.call('POST', '/api/v1/lots', {
    body: { gtin: GTIN, lot: 'GOOD-1', productionDate: '2026-01-10', expiry: '2028-01-31', serials: ['A1'] },
  });
  expect(lot.status).toBe(201);
});
afterAll(async () => {
  await api?.close();
});
beforeEach(async () => {
  counts = await allCounts();
});

const goodLot = { gtin: GTIN, lot: 'L-NEW', productionDate: '2026-02-01', expiry: '2028-02-29', serials: ['S1', 'S2'] };

/** Sends the request with an Idempotency-Key and expects a problem of `status` naming `field`; nothing changes. */
async function expectRefused(
  method: string,
  url: string,
  body: unknown,
  expected: { status: number; field: string; detail?: RegExp; type?: string },
  headers: Record<string, string> = {},
) {
  const res = await api.call(method, url, { body, headers: { 'idempotency-key': `bad-${Math.random()}`, ...headers } });
  expect(res.status).toBe(expected.status);
  const problem = await readProblem(res);
  expect(problem.status).toBe(expected.status);
  expect(problem.field).toBe(expected.field);
  expect(problem.type).toMatch(/^https:\/\/medtrace\.dev\/problems\/[a-z-]+$/);
  if (expected.type) expect(problem.type).toBe(`https://medtrace.dev/problems/${expected.type}`);
  if (expected.detail) expect(problem.detail).toMatch(expected.detail);
  expect(await allCounts()).toEqual(counts);
  return problem;
}

describe('malformed GTIN', () => {
  test('a wrong check digit is refused for a product, naming gtin and the rule', async () => {
    await expectRefused(
      'POST',
      '/api/v1/products',
      { gtin: '09506000134353', name: 'n', model: 'm', deviceClass: 'III' },
      { status: 422, field: 'gtin', detail: /^gtin: wrong check digit: 3, expected 2$/ },
    );
  });

  test('a wrong check digit is refused for a lot', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, gtin: '09506000134353' }, { status: 422, field: 'gtin', detail: /check digit/ });
  });

  test('letters or a bad length are refused, in a path too', async () => {
    await expectRefused('POST', '/api/v1/products', { gtin: '0950600013435X', name: 'n', model: 'm', deviceClass: 'I' }, { status: 422, field: 'gtin', detail: /only digits/ });
    await expectRefused('POST', '/api/v1/products', { gtin: '123456789', name: 'n', model: 'm', deviceClass: 'I' }, { status: 422, field: 'gtin', detail: /8, 12, 13 or 14 digits/ });
    const res = await api.call('GET', '/api/v1/products/09506000134353');
    expect(res.status).toBe(422);
    expect(await readProblem(res)).toMatchObject({ field: 'gtin' });
  });

  test('a lot of a GTIN with no product is refused', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, gtin: '09506000134369' }, { status: 422, field: 'gtin', detail: /no product/ });
  });
});

describe('bad dates', () => {
  test('month 13 in the expiry', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, expiry: '2028-13-01' }, { status: 422, field: 'expiry', detail: /not a calendar date/ });
  });

  test('a day that does not exist in the production date', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, productionDate: '2026-02-29' }, { status: 422, field: 'productionDate' });
  });

  test('an expiry before (or on) the production date', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, expiry: '2025-12-31' }, { status: 422, field: 'expiry', detail: /after productionDate 2026-02-01/ });
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, expiry: goodLot.productionDate }, { status: 422, field: 'expiry' });
  });

  test('a date that is not YYYY-MM-DD', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, expiry: '300228' }, { status: 422, field: 'expiry', detail: /YYYY-MM-DD/ });
  });
});

describe('bad lots and serials', () => {
  test('a lot with a character outside GS1 set 82', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, lot: 'L#1' }, { status: 422, field: 'lot', detail: /'#'.*outside GS1 character set 82/ });
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, lot: 'LÖT' }, { status: 422, field: 'lot', detail: /character set 82/ });
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, lot: 'L 1' }, { status: 422, field: 'lot' });
  });

  test('a lot over 20 characters, or empty', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, lot: 'L'.repeat(21) }, { status: 422, field: 'lot', detail: /too long: 21 characters, at most 20/ });
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, lot: '' }, { status: 422, field: 'lot' });
  });

  test('a bad serial is named by its index', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, serials: ['S1', 'S 2'] }, { status: 422, field: 'serials.1' });
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, serials: ['S1', 'S1'] }, { status: 422, field: 'serials.1', detail: /duplicate serial S1/ });
  });

  test('serials and serialCount together, neither, or generated serials that would be too long', async () => {
    await expectRefused('POST', '/api/v1/lots', { ...goodLot, serialCount: 5, serialPrefix: 'P' }, { status: 422, field: 'serials' });
    const { serials: _omit, ...noSerials } = goodLot;
    await expectRefused('POST', '/api/v1/lots', noSerials, { status: 422, field: 'serials' });
    await expectRefused('POST', '/api/v1/lots', { ...noSerials, serialCount: 5 }, { status: 422, field: 'serialPrefix' });
    await expectRefused('POST', '/api/v1/lots', { ...noSerials, serialCount: 5, serialPrefix: 'P'.repeat(15) }, { status: 422, field: 'serialPrefix', detail: /21 characters/ });
    await expectRefused('POST', '/api/v1/lots', { ...noSerials, serialCount: 0, serialPrefix: 'P' }, { status: 422, field: 'serialCount' });
  });

  test('an inspection path with a bad lot is refused before anything runs', async () => {
    await expectRefused('POST', `/api/v1/lots/${GTIN}/${'X'.repeat(21)}/inspections`, { kind: 'final', result: 'pass', method: 'v' }, { status: 422, field: 'lot' });
    await expectRefused('POST', `/api/v1/lots/${GTIN}/GOOD-1/inspections`, { kind: 'final', result: 'maybe', method: 'v' }, { status: 422, field: 'result' });
    await expectRefused('POST', `/api/v1/lots/${GTIN}/GOOD-1/inspections`, { kind: 'final', result: 'pass', method: 'v', reportSha256: '0x1234' }, { status: 422, field: 'reportSha256' });
  });
});

describe('bad bodies', () => {
  test('malformed JSON is 400 naming the body', async () => {
    await expectRefused('POST', '/api/v1/lots', '{"gtin": "09506000134352", "lot": ', { status: 400, field: 'body', type: 'invalid-json' });
  });

  test('a missing or unknown field is named', async () => {
    await expectRefused('POST', '/api/v1/products', { gtin: GTIN, model: 'm', deviceClass: 'III' }, { status: 422, field: 'name' });
    await expectRefused('POST', '/api/v1/products', { gtin: GTIN, name: 'n', model: 'm', deviceClass: 'III', colour: 'red' }, { status: 422, field: 'colour' });
    await expectRefused('POST', '/api/v1/products', { gtin: GTIN, name: 'n', model: 'm', deviceClass: 'IV' }, { status: 422, field: 'deviceClass', detail: /I, IIa, IIb, III/ });
  });

  test('a body that is not JSON is 415', async () => {
    await expectRefused('POST', '/api/v1/products', 'gtin=1', { status: 415, field: 'content-type' }, { 'content-type': 'application/x-www-form-urlencoded' });
  });

  test('a body over 1 MB on an ordinary route is 413', async () => {
    const body = { gtin: GTIN, name: 'n'.repeat(1024 * 1024 + 10), model: 'm', deviceClass: 'III' };
    await expectRefused('POST', '/api/v1/products', body, { status: 413, field: 'body', type: 'payload-too-large' });
  });

  test('a lot body over 32 MB is 413, while a lot body over 1 MB is accepted', async () => {
    const huge = { ...goodLot, serials: [], padding: 'x'.repeat(32 * 1024 * 1024 + 1) };
    await expectRefused('POST', '/api/v1/lots', huge, { status: 413, field: 'body', type: 'payload-too-large' });

    const serials = Array.from({ length: 70_000 }, (_, i) => `BIGBODY-${String(i).padStart(6, '0')}`);
    const res = await api.call('POST', '/api/v1/lots', { body: { ...goodLot, lot: 'BIGBODY', serials } });
    expect(JSON.stringify(serials).length).toBeGreaterThan(1024 * 1024);
    expect(res.status).toBe(201);
  });

  test('a malformed Idempotency-Key is refused', async () => {
    await expectRefused('POST', '/api/v1/lots', goodLot, { status: 400, field: 'Idempotency-Key' }, { 'idempotency-key': 'x'.repeat(300) });
  });
});
