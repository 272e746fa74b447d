// Inspections with a sampling plan and test items through HTTP: the derived
// result, the inspecting event, the nonconformance a failure opens, lots whose
// status forbids inspection, and nonconformance dispositions; every refusal
// names its rule and writes nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri } from '../../sdk';
import { readProblem, startTestApp, type TestApp } from '../support/app';

const GTIN = '09506000134352';
const PROBLEM = 'https://medtrace.dev/problems/';

let api: TestApp;

async function commission(lot: string, expiry = '2030-01-31', serials = ['S1', 'S2', 'S3', 'S4']) {
  const res = await api.call('POST', '/api/v1/lots', {
    as: 'warehouse',
    body: { gtin: GTIN, lot, productionDate: '2024-01-01', expiry, serials: serials.map((s) => `${lot}-${s}`) },
  });
  if (res.status !== 201) throw new Error(`commissioning ${lot}: ${res.status} ${await res.text()}`);
}

async function counts() {
  const tables = ['inspections', 'inspection_items', 'nonconformances', 'ledger_events', 'audit_trail'];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await api.count(t)] as const)));
}

async function ledgerEvent(seq: number) {
  const [row] = await api.db.sql<{ envelope: any }[]>`
    select envelope from ledger_events where participant = ${api.ctx.participant} and seq = ${seq}`;
  return row.envelope.event;
}

const inspect = (lot: string, body: unknown) => api.call('POST', `/api/v1/lots/${GTIN}/${lot}/inspections`, { as: 'qa', body });

const items = [
  { name: 'outer diameter', spec: '3.00 ± 0.05 mm', measured: '3.02 mm', result: 'pass' },
  { name: 'burst pressure', spec: '≥ 20 atm', measured: '24 atm', result: 'pass' },
];

beforeAll(async () => {
  api = await startTestApp({ register: false });
  const res = await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'Coronary stent', model: 'CS-2', deviceClass: 'III' } });
  expect(res.status).toBe(201);
  await commission('LOT-A');
  await commission('LOT-B');
  await commission('LOT-REJ');
  await commission('LOT-REC');
  await commission('LOT-OLD', '2024-06-30');
});
afterAll(async () => {
  await api?.close();
});

describe('inspection with a sampling plan and test items', () => {
  test('passes when every item passes and defects stay within the acceptance number; the event carries plan and verdicts', async () => {
    const sampling = { lotSize: 4, sampleSize: 2, acceptanceNumber: 1, defects: 1 };
    const res = await inspect('LOT-A', { kind: 'final', method: 'AQL 1.0 general II', sampling, items });
    expect(res.status).toBe(201);
    const inspection = await res.json();
    expect(inspection).toMatchObject({ kind: 'final', result: 'pass', sampling, items, nonconformanceId: null, inspectedBy: 'qa' });

    const event = await ledgerEvent(inspection.ledgerSeq);
    expect(event).toMatchObject({
      bizStep: 'inspecting',
      disposition: 'conformant',
      quantityList: [{ epcClass: lotUri(GTIN, 'LOT-A'), quantity: 4, uom: 'EA' }],
      'medtrace:inspection': {
        result: 'pass',
        method: 'AQL 1.0 general II',
        sampling,
        items: [
          { name: 'outer diameter', result: 'pass' },
          { name: 'burst pressure', result: 'pass' },
        ],
      },
    });
    const list = await (await api.call('GET', `/api/v1/lots/${GTIN}/LOT-A/inspections`, { as: 'viewer' })).json();
    expect(list.items).toEqual([inspection]);
  });

  test('a failed test item fails the inspection and opens a nonconformance on the lot, naming the item', async () => {
    const before = await counts();
    const failing = [items[0], { name: 'coating thickness', spec: '5-7 µm', measured: '9 µm', result: 'fail' }];
    const res = await inspect('LOT-B', { kind: 'incoming', method: 'dimensional', items: failing });
    expect(res.status).toBe(201);
    const inspection = await res.json();
    expect(inspection.result).toBe('fail');
    expect(inspection.nonconformanceId).toEqual(expect.any(Number));
    expect((await ledgerEvent(inspection.ledgerSeq)).disposition).toBe('non_conformant');

    const nc = await (await api.call('GET', `/api/v1/nonconformances/${inspection.nonconformanceId}`, { as: 'viewer' })).json();
    expect(nc).toMatchObject({ source: 'inspection', gtin: GTIN, lot: 'LOT-B', inspectionId: inspection.id, status: 'open', severity: 'major', createdBy: 'qa' });
    expect(nc.description).toContain('coating thickness (spec 5-7 µm, measured 9 µm)');
    // one event (the inspection), no event for the nonconformance; audit entries for both
    expect(await counts()).toEqual({
      ...before,
      inspections: before.inspections + 1,
      inspection_items: before.inspection_items + 2,
      nonconformances: before.nonconformances + 1,
      ledger_events: before.ledger_events + 1,
      audit_trail: before.audit_trail + 2,
    });
    const trail = await api.db.sql`select action from audit_trail where entity = 'nonconformance' and entity_id = ${String(nc.id)}`;
    expect(trail.map((row) => row.action)).toEqual(['nonconformance.open']);
  });

  test('more defects than the acceptance number fail the inspection even when every item passes', async () => {
    const res = await inspect('LOT-B', { kind: 'incoming', method: 'visual', sampling: { lotSize: 4, sampleSize: 3, acceptanceNumber: 0, defects: 1 }, items });
    expect(res.status).toBe(201);
    const inspection = await res.json();
    expect(inspection.result).toBe('fail');
    const nc = await (await api.call('GET', `/api/v1/nonconformances/${inspection.nonconformanceId}`)).json();
    expect(nc.description).toContain('1 defects in a sample of 3 exceed the acceptance number 0');
  });

  test('the simple form {kind, result, method} is still accepted; a failed one opens a nonconformance too', async () => {
    const res = await inspect('LOT-B', { kind: 'final', result: 'fail', method: 'leak test' });
    expect(res.status).toBe(201);
    const inspection = await res.json();
    expect(inspection).toMatchObject({ result: 'fail', sampling: null, items: [], nonconformanceId: expect.any(Number) });
  });

  test('a stated result that contradicts the evidence is refused and writes nothing', async () => {
    const before = await counts();
    const res = await inspect('LOT-A', {
      kind: 'final',
      result: 'pass',
      method: 'visual',
      items: [{ name: 'label legible', spec: 'legible', measured: 'smudged', result: 'fail' }],
    });
    expect(res.status).toBe(422);
    expect(await readProblem(res)).toMatchObject({ type: `${PROBLEM}inspection-result-mismatch`, field: 'result', derivedResult: 'fail' });
    expect(await counts()).toEqual(before);
  });

  test('an inconsistent sampling plan, a missing result and duplicate items are invalid input naming the field', async () => {
    const before = await counts();
    const cases: [unknown, string][] = [
      [{ kind: 'final', method: 'v', sampling: { lotSize: 4, sampleSize: 5, acceptanceNumber: 0, defects: 0 } }, 'sampling.sampleSize'],
      [{ kind: 'final', method: 'v', sampling: { lotSize: 4, sampleSize: 2, acceptanceNumber: 2, defects: 0 } }, 'sampling.acceptanceNumber'],
      [{ kind: 'final', method: 'v', sampling: { lotSize: 4, sampleSize: 2, acceptanceNumber: 0, defects: 3 } }, 'sampling.defects'],
      [{ kind: 'final', method: 'v' }, 'result'],
      [{ kind: 'final', method: 'v', items: [items[0], items[0]] }, 'items.1.name'],
    ];
    for (const [body, field] of cases) {
      const res = await inspect('LOT-A', body);
      expect(res.status).toBe(422);
      expect((await readProblem(res)).field).toBe(field);
    }
    expect(await counts()).toEqual(before);
  });
});

describe('lots whose status forbids inspection', () => {
  test.each([
    ['LOT-REJ', 'rejected'],
    ['LOT-REC', 'recalled'],
  ])('a %s lot (%s) is refused with lot-not-inspectable and nothing is written', async (lot, status) => {
    // Set directly: the status routes belong to the lot life cycle (node/lots), tested there.
    await api.db.sql`update lots set status = ${status} where gtin = ${GTIN} and lot = ${lot}`;
    const before = await counts();
    const res = await inspect(lot, { kind: 'final', result: 'pass', method: 'visual' });
    expect(res.status).toBe(409);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ type: `${PROBLEM}lot-not-inspectable`, field: 'lot', lotStatus: status });
    expect(problem.detail).toContain(`is ${status}`);
    expect(await counts()).toEqual(before);
  });

  test('a lot past its expiry date is refused even before the expiry job marks it expired', async () => {
    const before = await counts();
    const res = await inspect('LOT-OLD', { kind: 'final', result: 'pass', method: 'visual' });
    expect(res.status).toBe(409);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ type: `${PROBLEM}lot-not-inspectable`, lotStatus: 'expired' });
    expect(problem.detail).toContain('expired on 2024-06-30');
    expect(await counts()).toEqual(before);
  });

  test('a blocked lot may still be inspected (to decide on it)', async () => {
    await commission('LOT-BLK');
    await api.db.sql`update lots set status = 'blocked' where gtin = ${GTIN} and lot = 'LOT-BLK'`;
    const res = await inspect('LOT-BLK', { kind: 'final', result: 'pass', method: 'visual' });
    expect(res.status).toBe(201);
  });
});

describe('nonconformance records', () => {
  let ncId: number;

  test('opens one by hand on a lot; a lot without its GTIN, an unknown lot and no link at all are refused', async () => {
    const res = await api.call('POST', '/api/v1/nonconformances', {
      as: 'qa',
      body: { gtin: GTIN, lot: 'LOT-A', severity: 'minor', description: 'pouch seal wrinkled on 2 units' },
    });
    expect(res.status).toBe(201);
    const nc = await res.json();
    expect(nc).toMatchObject({ source: 'internal', lot: 'LOT-A', status: 'open', disposition: null });
    ncId = nc.id;

    const before = await counts();
    const bad: [unknown, number, string][] = [
      [{ lot: 'LOT-A', severity: 'minor', description: 'x' }, 422, 'gtin'],
      [{ gtin: GTIN, lot: 'NOPE', severity: 'minor', description: 'x' }, 422, 'lot'],
      [{ severity: 'minor', description: 'x' }, 422, 'gtin'],
      [{ receiptId: 99, severity: 'minor', description: 'x' }, 422, 'receiptId'],
      [{ complaintId: 99, severity: 'minor', description: 'x' }, 422, 'complaintId'],
    ];
    for (const [body, status, field] of bad) {
      const r = await api.call('POST', '/api/v1/nonconformances', { as: 'qa', body });
      expect(r.status).toBe(status);
      expect((await readProblem(r)).field).toBe(field);
    }
    expect(await counts()).toEqual(before);
  });

  test('writing quality records needs the qa or admin role', async () => {
    const res = await api.call('POST', '/api/v1/nonconformances', { as: 'warehouse', body: { gtin: GTIN, severity: 'minor', description: 'x' } });
    expect(res.status).toBe(403);
  });

  test('closing before a disposition is refused; a disposition needs a reason', async () => {
    const close = await api.call('POST', `/api/v1/nonconformances/${ncId}/close`, { as: 'qa', body: { reason: 'done' } });
    expect(close.status).toBe(409);
    expect(await readProblem(close)).toMatchObject({ type: `${PROBLEM}nonconformance-not-dispositioned` });

    const noReason = await api.call('POST', `/api/v1/nonconformances/${ncId}/disposition`, { as: 'qa', body: { disposition: 'rework' } });
    expect(noReason.status).toBe(422);
    expect(await readProblem(noReason)).toMatchObject({ type: `${PROBLEM}reason-required`, field: 'reason' });
    const nc = await (await api.call('GET', `/api/v1/nonconformances/${ncId}`)).json();
    expect(nc.status).toBe('open');
  });

  test('use_as_is needs an approved deviation covering the lot', async () => {
    const without = await api.call('POST', `/api/v1/nonconformances/${ncId}/disposition`, {
      as: 'qa',
      body: { disposition: 'use_as_is', reason: 'cosmetic only' },
    });
    expect(without.status).toBe(422);
    expect(await readProblem(without)).toMatchObject({ type: `${PROBLEM}deviation-required`, field: 'deviationId' });

    const today = new Date().toISOString().slice(0, 10);
    const created = await api.call('POST', '/api/v1/deviations', {
      body: { title: 'Accept wrinkled seals', description: 'seal strength verified', gtin: GTIN, lot: 'LOT-A', validFrom: today, validUntil: '2049-12-31' },
    });
    const dev = await created.json();
    expect(created.status, JSON.stringify(dev)).toBe(201);
    const pending = await api.call('POST', `/api/v1/nonconformances/${ncId}/disposition`, {
      as: 'qa',
      body: { disposition: 'use_as_is', deviationId: dev.id, reason: 'cosmetic only' },
    });
    expect(pending.status).toBe(422);
    const problem = await readProblem(pending);
    expect(problem).toMatchObject({ type: `${PROBLEM}deviation-not-applicable`, field: 'deviationId' });
    expect(problem.detail).toContain('is not approved');

    const approve = await api.call('POST', `/api/v1/deviations/${dev.id}/approve`, {
      as: 'qa',
      body: { signature: { username: 'qa', password: 'fixture-staff-password', meaning: 'approved' } },
    });
    expect(approve.status).toBe(200);
    const ok = await api.call('POST', `/api/v1/nonconformances/${ncId}/disposition`, {
      as: 'qa',
      body: { disposition: 'use_as_is', deviationId: dev.id, note: 'seal strength tested', reason: 'cosmetic only' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'dispositioned', disposition: 'use_as_is', dispositionNote: `seal strength tested; under deviation ${dev.id}`, dispositionedBy: 'qa' });

    const again = await api.call('POST', `/api/v1/nonconformances/${ncId}/disposition`, { as: 'qa', body: { disposition: 'scrap', reason: 'changed mind' } });
    expect(again.status).toBe(409);
    expect(await readProblem(again)).toMatchObject({ type: `${PROBLEM}nonconformance-not-open` });
  });

  test('closes a dispositioned nonconformance with a reason, with before and after in the audit trail; a second close is refused', async () => {
    const closed = await api.call('POST', `/api/v1/nonconformances/${ncId}/close`, { as: 'qa', body: {}, headers: { 'x-reason': 'units released under deviation' } });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({ status: 'closed', closedBy: 'qa' });
    const [audit] = await api.db.sql`
      select before, after, reason from audit_trail where entity = 'nonconformance' and entity_id = ${String(ncId)} and action = 'nonconformance.close'`;
    expect(audit).toMatchObject({ before: { status: 'dispositioned' }, after: { status: 'closed' }, reason: 'units released under deviation' });
    const again = await api.call('POST', `/api/v1/nonconformances/${ncId}/close`, { as: 'qa', body: { reason: 'again' } });
    expect(again.status).toBe(409);
    expect(await readProblem(again)).toMatchObject({ type: `${PROBLEM}nonconformance-closed` });
  });

  test('lists nonconformances by status and lot, a page at a time', async () => {
    const open = await (await api.call('GET', `/api/v1/nonconformances?status=open&gtin=${GTIN}&lot=LOT-B&limit=2`, { as: 'viewer' })).json();
    expect(open.items).toHaveLength(2);
    expect(open.items.every((nc: { lot: string; status: string }) => nc.lot === 'LOT-B' && nc.status === 'open')).toBe(true);
    const next = await (await api.call('GET', `/api/v1/nonconformances?status=open&gtin=${GTIN}&lot=LOT-B&limit=2&cursor=${open.nextCursor}`)).json();
    expect(next.items).toHaveLength(1);
    expect(next.nextCursor).toBeNull();
  });

  test('a nonconforming lot is blocked through the lot life cycle: status event, reason required, nothing written on refusal', async () => {
    await commission('LOT-NC');
    const body = { gtin: GTIN, lot: 'LOT-NC', severity: 'critical', description: 'sterile barrier breached', blockLot: true };
    const before = await counts();
    const noReason = await api.call('POST', '/api/v1/nonconformances', { as: 'qa', body });
    expect(noReason.status).toBe(422);
    expect(await readProblem(noReason)).toMatchObject({ field: 'reason' });
    expect(await counts()).toEqual(before);

    const res = await api.call('POST', '/api/v1/nonconformances', { as: 'qa', body: { ...body, reason: 'breached pouches found' } });
    expect(res.status).toBe(201);
    const nc = await res.json();
    expect(nc.lotStatus).toEqual({ from: 'quarantined', status: 'blocked', ledgerSeq: expect.any(Number) });
    const event = await ledgerEvent(nc.lotStatus.ledgerSeq);
    expect(event).toMatchObject({
      bizStep: 'holding',
      disposition: 'non_sellable_other',
      'medtrace:lotStatus': { from: 'quarantined', to: 'blocked' },
      'medtrace:reason': `breached pouches found (nonconformance ${nc.id})`,
    });
    const [lot] = await api.db.sql`select status from lots where gtin = ${GTIN} and lot = 'LOT-NC'`;
    expect(lot.status).toBe('blocked');

    const again = await api.call('POST', `/api/v1/nonconformances/${nc.id}/block-lot`, { as: 'qa', body: { reason: 'again' } });
    expect(again.status).toBe(409);
    expect(await readProblem(again)).toMatchObject({ type: `${PROBLEM}lot-status-transition` });

    const noLot = await (await api.call('POST', '/api/v1/nonconformances', { as: 'qa', body: { gtin: GTIN, severity: 'minor', description: 'IFU typo' } })).json();
    const nothing = await api.call('POST', `/api/v1/nonconformances/${noLot.id}/block-lot`, { as: 'qa', body: { reason: 'x' } });
    expect(nothing.status).toBe(409);
    expect(await readProblem(nothing)).toMatchObject({ type: `${PROBLEM}nonconformance-without-lot` });
  });

  test('blocks the lot of an inspection nonconformance later, by its own route', async () => {
    const [nc] = await api.db.sql<{ id: number }[]>`select id from nonconformances where source = 'inspection' and lot = 'LOT-B' order by id limit 1`;
    const res = await api.call('POST', `/api/v1/nonconformances/${nc.id}/block-lot`, { as: 'qa', body: {}, headers: { 'x-reason': 'coating out of spec' } });
    expect(res.status).toBe(200);
    expect((await res.json()).lotStatus).toMatchObject({ from: 'quarantined', status: 'blocked' });
  });
});
