// CAPA, deviations and complaints through HTTP: closing a CAPA needs every
// action done, a root cause, an effective effectiveness check and a signature
// meaning `closed`; a deviation is approved by another person's QA signature;
// a complaint names a unit or lot, may open a nonconformance and closes only
// after it. Every refusal names its rule and writes nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readProblem, STAFF_PASSWORD, ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/app';

const GTIN = '09506000134352';
const PROBLEM = 'https://medtrace.dev/problems/';
const TODAY = new Date().toISOString().slice(0, 10);
const qaSignature = (meaning: string, password = STAFF_PASSWORD) => ({ username: 'qa', password, meaning });

let api: TestApp;

async function counts() {
  const tables = ['capas', 'capa_actions', 'deviations', 'complaints', 'nonconformances', 'signatures', 'ledger_events', 'audit_trail'];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await api.count(t)] as const)));
}

beforeAll(async () => {
  api = await startTestApp({ register: false });
  expect((await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'Coronary stent', model: 'CS-2', deviceClass: 'III' } })).status).toBe(201);
  const lot = await api.call('POST', '/api/v1/lots', {
    as: 'warehouse',
    body: { gtin: GTIN, lot: 'L1', productionDate: '2026-01-01', expiry: '2030-01-01', serials: ['U1', 'U2'] },
  });
  expect(lot.status).toBe(201);
});
afterAll(async () => {
  await api?.close();
});

describe('CAPA', () => {
  let capa: { id: number; actions: { id: number }[] };

  test('opens a CAPA for a nonconformance with actions, owners and due dates', async () => {
    const nc = await (await api.call('POST', '/api/v1/nonconformances', { as: 'qa', body: { gtin: GTIN, lot: 'L1', severity: 'major', description: 'crimp loose' } })).json();
    const res = await api.call('POST', '/api/v1/capas', {
      as: 'qa',
      body: {
        title: 'Loose crimp on stent delivery system',
        nonconformanceId: nc.id,
        actions: [
          { description: 'recalibrate crimping tool', owner: 'warehouse', dueDate: '2030-01-31' },
          { description: 'add crimp pull test to final inspection', owner: 'qa', dueDate: '2030-02-28' },
        ],
      },
    });
    expect(res.status).toBe(201);
    capa = await res.json();
    expect(capa).toMatchObject({
      nonconformanceId: nc.id,
      status: 'open',
      rootCause: null,
      actions: [
        { description: 'recalibrate crimping tool', owner: 'warehouse', dueDate: '2030-01-31', status: 'open', doneAt: null },
        { owner: 'qa', status: 'open' },
      ],
      createdBy: 'qa',
    });
  });

  test('an unknown owner, a past due date and an unknown nonconformance are refused naming the field', async () => {
    const before = await counts();
    const cases: [unknown, string][] = [
      [{ title: 't', actions: [{ description: 'd', owner: 'nobody', dueDate: '2030-01-01' }] }, 'actions.0.owner'],
      [{ title: 't', actions: [{ description: 'd', owner: 'qa', dueDate: '2020-01-01' }] }, 'actions.0.dueDate'],
      [{ title: 't', nonconformanceId: 999 }, 'nonconformanceId'],
    ];
    for (const [body, field] of cases) {
      const res = await api.call('POST', '/api/v1/capas', { as: 'qa', body });
      expect(res.status).toBe(422);
      expect((await readProblem(res)).field).toBe(field);
    }
    expect(await counts()).toEqual(before);
  });

  test('closing with open actions, no root cause and no effectiveness check is refused, listing every gap', async () => {
    const before = await counts();
    const res = await api.call('POST', `/api/v1/capas/${capa.id}/close`, { as: 'qa', body: { signature: qaSignature('closed') } });
    expect(res.status).toBe(409);
    const problem = await readProblem(res);
    expect(problem.type).toBe(`${PROBLEM}capa-incomplete`);
    expect(problem.gaps).toEqual([
      'no root cause recorded',
      `actions not done: ${capa.actions[0].id} (warehouse, due 2030-01-31), ${capa.actions[1].id} (qa, due 2030-02-28)`,
      'no effectiveness check recorded',
    ]);
    expect(await counts()).toEqual(before);
  });

  test('records the root cause; changing a recorded one needs a reason', async () => {
    const first = await api.call('PATCH', `/api/v1/capas/${capa.id}`, { as: 'qa', body: { rootCause: 'crimping tool out of calibration' } });
    expect(first.status).toBe(200);
    expect((await first.json()).rootCause).toBe('crimping tool out of calibration');

    const correction = await api.call('PATCH', `/api/v1/capas/${capa.id}`, { as: 'qa', body: { rootCause: 'worn crimping die' } });
    expect(correction.status).toBe(422);
    expect(await readProblem(correction)).toMatchObject({ type: `${PROBLEM}reason-required`, field: 'reason' });

    const corrected = await api.call('PATCH', `/api/v1/capas/${capa.id}`, { as: 'qa', body: { rootCause: 'worn crimping die', reason: 'teardown found wear' } });
    expect(corrected.status).toBe(200);
    const [audit] = await api.db.sql`
      select before, after, reason from audit_trail where entity = 'capa' and entity_id = ${String(capa.id)} and action = 'capa.update' order by id desc limit 1`;
    expect(audit).toMatchObject({ before: { rootCause: 'crimping tool out of calibration' }, after: { rootCause: 'worn crimping die' }, reason: 'teardown found wear' });
  });

  test('completes actions once each; an effectiveness check that found the actions ineffective still blocks closing', async () => {
    for (const action of capa.actions) {
      const res = await api.call('POST', `/api/v1/capas/${capa.id}/actions/${action.id}/complete`, { as: 'qa', body: { note: 'done' } });
      expect(res.status).toBe(200);
    }
    const twice = await api.call('POST', `/api/v1/capas/${capa.id}/actions/${capa.actions[0].id}/complete`, { as: 'qa', body: {} });
    expect(twice.status).toBe(409);
    expect(await readProblem(twice)).toMatchObject({ type: `${PROBLEM}capa-action-done`, field: 'actionId' });
    const missing = await api.call('POST', `/api/v1/capas/${capa.id}/actions/999/complete`, { as: 'qa', body: {} });
    expect(missing.status).toBe(404);

    await api.call('PATCH', `/api/v1/capas/${capa.id}`, { as: 'qa', body: { effectivenessCheck: '3 lots crimp pull test', effective: false } });
    const res = await api.call('POST', `/api/v1/capas/${capa.id}/close`, { as: 'qa', body: { signature: qaSignature('closed') } });
    expect(res.status).toBe(409);
    expect((await readProblem(res)).gaps).toEqual(['the effectiveness check did not find the actions effective']);
  });

  test('a wrong password, a wrong meaning or another signer is refused and writes nothing', async () => {
    await api.call('PATCH', `/api/v1/capas/${capa.id}`, {
      as: 'qa',
      body: { effectivenessCheck: '5 lots crimp pull test, 0 failures', effective: true, reason: 'new data after 2 more lots' },
    });
    const before = await counts();
    const cases: [unknown, number, string][] = [
      [qaSignature('closed', 'wrong'), 401, 'signature-invalid'],
      [qaSignature('approved'), 422, 'signature-meaning'],
      [{ username: 'admin', password: ADMIN_PASSWORD, meaning: 'closed' }, 403, 'signature-signer-mismatch'],
    ];
    for (const [signature, status, slug] of cases) {
      const res = await api.call('POST', `/api/v1/capas/${capa.id}/close`, { as: 'qa', body: { signature } });
      expect(res.status).toBe(status);
      expect((await readProblem(res)).type).toBe(`${PROBLEM}${slug}`);
    }
    // Nothing of the close is written; the refused password alone leaves its audit entry (signature.fail).
    expect(await counts()).toEqual({ ...before, audit_trail: before.audit_trail + 1 });
  });

  test('closes with a signature meaning closed bound to the CAPA record; a closed CAPA no longer changes', async () => {
    const res = await api.call('POST', `/api/v1/capas/${capa.id}/close`, { as: 'qa', body: { signature: qaSignature('closed') } });
    expect(res.status).toBe(200);
    const closed = await res.json();
    expect(closed).toMatchObject({ status: 'closed', closedBy: 'qa', closeSignatureId: expect.any(Number) });
    const [signature] = await api.db.sql`select signer, meaning, entity, entity_id, record_sha256 from signatures where id = ${closed.closeSignatureId}`;
    expect(signature).toMatchObject({ signer: 'qa', meaning: 'closed', entity: 'capa', entity_id: String(capa.id), record_sha256: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    // no ledger event for a CAPA: an internal record
    const [{ n }] = await api.db.sql`select count(*)::int as n from audit_trail where entity = 'capa' and ledger_seq is not null`;
    expect(n).toBe(0);

    const change = await api.call('POST', `/api/v1/capas/${capa.id}/actions`, { as: 'qa', body: { description: 'more', owner: 'qa', dueDate: '2030-01-01' } });
    expect(change.status).toBe(409);
    expect(await readProblem(change)).toMatchObject({ type: `${PROBLEM}capa-closed` });
    const list = await (await api.call('GET', '/api/v1/capas?status=closed', { as: 'viewer' })).json();
    expect(list.items.map((c: { id: number }) => c.id)).toEqual([capa.id]);
  });

  test('quality records are written by qa or admin only; everyone reads them', async () => {
    expect((await api.call('POST', '/api/v1/capas', { as: 'sales', body: { title: 'x' } })).status).toBe(403);
    expect((await api.call('GET', `/api/v1/capas/${capa.id}`, { as: 'sales' })).status).toBe(200);
  });
});

describe('deviations', () => {
  const body = { title: 'Use alternate pouch supplier', description: 'validated equivalent pouch', gtin: GTIN, validFrom: TODAY, validUntil: '2030-12-31' };

  test('the requester cannot approve their own deviation; another QA signature with meaning approved does', async () => {
    const dev = await (await api.call('POST', '/api/v1/deviations', { as: 'qa', body })).json();
    expect(dev).toMatchObject({ status: 'requested', gtin: GTIN, lot: null, createdBy: 'qa' });
    const before = await counts();
    const self = await api.call('POST', `/api/v1/deviations/${dev.id}/approve`, { as: 'qa', body: { signature: qaSignature('approved') } });
    expect(self.status).toBe(409);
    expect(await readProblem(self)).toMatchObject({ type: `${PROBLEM}deviation-self-approval` });
    expect(await counts()).toEqual(before);

    const other = await (await api.call('POST', '/api/v1/deviations', { body })).json();
    const approve = await api.call('POST', `/api/v1/deviations/${other.id}/approve`, { as: 'qa', body: { signature: qaSignature('approved'), reason: 'equivalence report DR-12' } });
    expect(approve.status).toBe(200);
    expect(await approve.json()).toMatchObject({ status: 'approved', approvedBy: 'qa', approvalSignatureId: expect.any(Number) });
    const again = await api.call('POST', `/api/v1/deviations/${other.id}/approve`, { as: 'qa', body: { signature: qaSignature('approved') } });
    expect(again.status).toBe(409);
    expect(await readProblem(again)).toMatchObject({ type: `${PROBLEM}deviation-not-pending` });
  });

  test('a window ending before it starts, a lot without its GTIN and an unknown lot are refused', async () => {
    const cases: [unknown, string][] = [
      [{ ...body, validUntil: '2020-01-01', validFrom: '2021-01-01' }, 'validUntil'],
      [{ ...body, gtin: undefined, lot: 'L1' }, 'gtin'],
      [{ ...body, lot: 'NOPE' }, 'lot'],
    ];
    for (const [input, field] of cases) {
      const res = await api.call('POST', '/api/v1/deviations', { as: 'qa', body: input });
      expect(res.status).toBe(422);
      expect((await readProblem(res)).field).toBe(field);
    }
  });

  test('an approval repeated with one Idempotency-Key signs once and answers the same', async () => {
    const dev = await (await api.call('POST', '/api/v1/deviations', { body })).json();
    const send = () =>
      api.call('POST', `/api/v1/deviations/${dev.id}/approve`, { as: 'qa', body: { signature: qaSignature('approved') }, headers: { 'idempotency-key': `approve-${dev.id}` } });
    const first = await send();
    const signatures = await api.count('signatures');
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect(await api.count('signatures')).toBe(signatures);
  });

  test('a deviation whose window has ended is not approved', async () => {
    const old = await (await api.call('POST', '/api/v1/deviations', { body: { ...body, validFrom: '2025-01-01', validUntil: '2025-01-31' } })).json();
    const res = await api.call('POST', `/api/v1/deviations/${old.id}/approve`, { as: 'qa', body: { signature: qaSignature('approved') } });
    expect(res.status).toBe(409);
    expect(await readProblem(res)).toMatchObject({ type: `${PROBLEM}deviation-expired` });
  });
});

describe('complaints', () => {
  test('a complaint about a unit fills in its lot and may open a nonconformance; it closes only after the nonconformance', async () => {
    const res = await api.call('POST', '/api/v1/complaints', {
      as: 'qa',
      body: { gtin: GTIN, serial: 'U2', receivedOn: TODAY, description: 'balloon did not deflate', reportable: true, openNonconformance: { severity: 'critical' } },
    });
    expect(res.status).toBe(201);
    const complaint = await res.json();
    expect(complaint).toMatchObject({ gtin: GTIN, lot: 'L1', serial: 'U2', reportable: true, status: 'open', nonconformanceId: expect.any(Number) });
    const nc = await (await api.call('GET', `/api/v1/nonconformances/${complaint.nonconformanceId}`)).json();
    expect(nc).toMatchObject({ source: 'complaint', complaintId: complaint.id, gtin: GTIN, lot: 'L1', severity: 'critical' });
    expect(nc.description).toContain('unit U2');

    const early = await api.call('POST', `/api/v1/complaints/${complaint.id}/close`, { as: 'qa', body: { resolution: 'replaced', reason: 'customer satisfied' } });
    expect(early.status).toBe(409);
    expect(await readProblem(early)).toMatchObject({ type: `${PROBLEM}complaint-nonconformance-open`, nonconformanceId: nc.id });

    await api.call('POST', `/api/v1/nonconformances/${nc.id}/disposition`, { as: 'qa', body: { disposition: 'scrap', reason: 'returned unit destroyed' } });
    await api.call('POST', `/api/v1/nonconformances/${nc.id}/close`, { as: 'qa', body: { reason: 'scrapped' } });
    const noReason = await api.call('POST', `/api/v1/complaints/${complaint.id}/close`, { as: 'qa', body: { resolution: 'replaced' } });
    expect(noReason.status).toBe(422);
    expect(await readProblem(noReason)).toMatchObject({ field: 'reason' });
    const closed = await api.call('POST', `/api/v1/complaints/${complaint.id}/close`, { as: 'qa', body: { resolution: 'unit replaced', reason: 'investigation done' } });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({ status: 'closed', resolution: 'unit replaced', closedBy: 'qa' });
  });

  test('an unknown unit, a unit of another lot, an unknown customer and a future date are refused naming the field', async () => {
    const before = await counts();
    const base = { gtin: GTIN, receivedOn: TODAY, description: 'x' };
    const cases: [unknown, string][] = [
      [{ ...base, serial: 'NOPE' }, 'serial'],
      [{ ...base, serial: 'U1', lot: 'OTHER' }, 'serial'],
      [{ ...base, lot: 'NOPE' }, 'lot'],
      [{ ...base, customerId: 999 }, 'customerId'],
      [{ ...base, receivedOn: '2040-01-01' }, 'receivedOn'],
      [{ ...base, gtin: '09506000134369' }, 'gtin'],
    ];
    for (const [input, field] of cases) {
      const res = await api.call('POST', '/api/v1/complaints', { as: 'qa', body: input });
      expect(res.status).toBe(422);
      expect((await readProblem(res)).field).toBe(field);
    }
    expect(await counts()).toEqual(before);
  });

  test('lists complaints by status and lot', async () => {
    await api.call('POST', '/api/v1/complaints', { as: 'qa', body: { gtin: GTIN, lot: 'L1', receivedOn: TODAY, description: 'label faded' } });
    const open = await (await api.call('GET', `/api/v1/complaints?status=open&lot=L1`, { as: 'viewer' })).json();
    expect(open.items.map((c: { description: string }) => c.description)).toEqual(['label faded']);
  });
});

describe('nonconformance of a goods receipt', () => {
  const LOT_GTIN = '09506000134376';

  test('a receipt found nonconforming gets its nonconformance (source receipt) and a return-to-supplier disposition', async () => {
    expect(
      (
        await api.call('POST', '/api/v1/products', {
          body: { gtin: LOT_GTIN, name: 'Gauze', model: 'G-1', deviceClass: 'I', tracking: 'lot', registrationNumber: 'REG-1', registrationExpiry: '2035-12-31' },
        })
      ).status,
    ).toBe(201);
    const partner = await api.call('POST', '/api/v1/partners', {
      body: { code: 'ACME', name: 'Acme', isSupplier: true, certificates: [{ kind: 'iso13485', number: 'ISO-1', validUntil: '2035-01-01' }] },
    });
    expect(partner.status).toBe(201);
    const po = await api.call('POST', '/api/v1/purchase-orders', {
      as: 'sales',
      body: { supplierId: (await partner.json()).id, expectedOn: '2026-08-01', lines: [{ gtin: LOT_GTIN, quantity: 10 }] },
    });
    expect(po.status).toBe(201);
    const received = await api.call('POST', `/api/v1/purchase-orders/${(await po.json()).id}/receipts`, {
      as: 'warehouse',
      body: { lines: [{ lineNo: 1, lot: 'G-1', productionDate: '2026-02-01', expiry: '2029-02-01', quantity: 10 }] },
    });
    expect(received.status).toBe(201);
    const receipt = await received.json();

    const res = await api.call('POST', '/api/v1/nonconformances', {
      as: 'qa',
      body: { receiptId: receipt.id, gtin: LOT_GTIN, lot: 'G-1', severity: 'major', description: 'cartons wet on arrival' },
    });
    expect(res.status).toBe(201);
    const nc = await res.json();
    expect(nc).toMatchObject({ source: 'receipt', receiptId: receipt.id, lot: 'G-1', lotStatus: null });
    const returned = await api.call('POST', `/api/v1/nonconformances/${nc.id}/disposition`, {
      as: 'qa',
      body: { disposition: 'return', note: 'RMA from supplier', reason: 'wet cartons are not accepted' },
    });
    expect(returned.status).toBe(200);
    expect(await returned.json()).toMatchObject({ status: 'dispositioned', disposition: 'return' });
  });
});
