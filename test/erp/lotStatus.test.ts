// The lot status life cycle through HTTP: release needs a passed inspection
// and QA's e-signature and moves the stock out of quarantine; quarantine,
// block, unblock, reject and recall need a reason; forbidden transitions are
// refused with the allowed ones; expired lots expire on demand. Each change
// writes its ledger event, history row and audit entry; a refusal writes nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri } from '../../sdk';
import { expireLots } from '../../node/lots/expiry';
import { readProblem, STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';

const GTIN = '09506000134352';
const TABLES = ['lots', 'signatures', 'lot_status_changes', 'ledger_events', 'audit_trail', 'stock_moves'] as const;

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp({ register: false });
  const res = await api.call('POST', '/api/v1/products', { body: { gtin: GTIN, name: 'Coronary stent', model: 'CS-2', deviceClass: 'III' } });
  expect(res.status).toBe(201);
}, 120_000);
afterAll(async () => {
  await api?.close();
});

const path = (lot: string, action = '') => `/api/v1/lots/${GTIN}/${encodeURIComponent(lot)}${action ? `/${action}` : ''}`;
const qaSignature = { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' };

async function commission(lot: string, options: { expiry?: string; productionDate?: string; serials?: string[] } = {}) {
  const res = await api.call('POST', '/api/v1/lots', {
    as: 'warehouse',
    body: {
      gtin: GTIN,
      lot,
      productionDate: options.productionDate ?? '2026-01-10',
      expiry: options.expiry ?? '2030-01-10',
      serials: options.serials ?? [`${lot}-1`, `${lot}-2`, `${lot}-3`],
    },
  });
  expect(res.status).toBe(201);
  return res.json();
}

async function inspect(lot: string, result: 'pass' | 'fail', kind: 'final' | 'incoming' = 'final') {
  const res = await api.call('POST', path(lot, 'inspections'), { as: 'qa', body: { kind, result, method: 'visual' } });
  expect(res.status).toBe(201);
}

async function counts() {
  return Promise.all(TABLES.map((table) => api.count(table)));
}

async function eventAt(seq: number) {
  const [row] = await api.db.sql<{ envelope: any }[]>`select envelope from ledger_events where participant = ${api.ctx.participant} and seq = ${seq}`;
  return row.envelope.event;
}

async function unitBins(lot: string) {
  const rows = await api.db.sql<{ code: string; n: number }[]>`
    select b.code, count(*)::int as n from units u join bins b on b.id = u.bin_id where u.gtin = ${GTIN} and u.lot = ${lot} group by b.code`;
  return Object.fromEntries(rows.map((row) => [row.code, row.n]));
}

async function status(lot: string) {
  return (await (await api.call('GET', path(lot), { as: 'viewer' })).json()).status;
}

describe('release', () => {
  test('a commissioned lot starts quarantined, its units in the quarantine bin', async () => {
    await commission('R1');
    expect(await status('R1')).toBe('quarantined');
    expect(await unitBins('R1')).toEqual({ QUARANTINE: 3 });
  });

  test('without an inspection the release is refused (lot-not-inspected) and nothing is written', async () => {
    const before = await counts();
    const res = await api.call('POST', path('R1', 'release'), { as: 'qa', body: { signature: qaSignature } });
    expect(res.status).toBe(409);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ type: 'https://medtrace.dev/problems/lot-not-inspected', field: 'lot', requiredInspection: 'final' });
    expect(problem.detail).toContain('final inspection');
    expect(await counts()).toEqual(before);
  });

  test('after a failed final inspection the release is refused (inspection-failed)', async () => {
    await inspect('R1', 'fail');
    const before = await counts();
    const res = await api.call('POST', path('R1', 'release'), { as: 'qa', body: { signature: qaSignature } });
    expect(res.status).toBe(409);
    expect((await readProblem(res)).type).toMatch(/inspection-failed$/);
    expect(await counts()).toEqual(before);
    // The failed inspection opened a nonconformance: QA decides it (rework) so that a passed re-inspection can release the lot.
    const [nc] = await api.db.sql<{ id: string }[]>`select id from nonconformances where gtin = ${GTIN} and lot = 'R1' and status = 'open'`;
    const decided = await api.call('POST', `/api/v1/nonconformances/${nc.id}/disposition`, { as: 'qa', body: { disposition: 'rework', reason: 'units reworked' } });
    expect(decided.status).toBe(200);
  });

  test('an incoming inspection does not release a commissioned lot', async () => {
    await inspect('R1', 'pass', 'incoming');
    const res = await api.call('POST', path('R1', 'release'), { as: 'qa', body: { signature: qaSignature } });
    expect((await readProblem(res)).type).toMatch(/inspection-failed$/);
  });

  test('a wrong password, another signer, a wrong meaning or a missing signature are refused and write nothing', async () => {
    await inspect('R1', 'pass');
    const before = await counts();
    const wrong = await api.call('POST', path('R1', 'release'), { as: 'qa', body: { signature: { ...qaSignature, password: 'nope' } } });
    expect(wrong.status).toBe(401);
    expect(await readProblem(wrong)).toMatchObject({ type: 'https://medtrace.dev/problems/signature-invalid', field: 'signature.password' });
    const other = await api.call('POST', path('R1', 'release'), { as: 'admin', body: { signature: qaSignature } });
    expect(other.status).toBe(403);
    expect((await readProblem(other)).type).toMatch(/signature-signer-mismatch$/);
    const meaning = await api.call('POST', path('R1', 'release'), { as: 'qa', body: { signature: { ...qaSignature, meaning: 'reviewed' } } });
    expect(meaning.status).toBe(422);
    expect((await readProblem(meaning)).field).toBe('signature.meaning');
    const missing = await api.call('POST', path('R1', 'release'), { as: 'qa', body: {} });
    expect(missing.status).toBe(422);
    expect((await readProblem(missing)).field).toBe('signature');
    const warehouse = await api.call('POST', path('R1', 'release'), {
      as: 'warehouse',
      body: { signature: { username: 'warehouse', password: STAFF_PASSWORD, meaning: 'released' } },
    });
    expect(warehouse.status).toBe(403);
    // Nothing of the release is written; the refused password alone leaves its audit entry (signature.fail).
    const afterRefusals = [...before];
    afterRefusals[TABLES.indexOf('audit_trail')] += 1;
    expect(await counts()).toEqual(afterRefusals);
  });

  test('QA releases with a signature: status, stock moved to the qualified bin, signature bound to the record, releasing event', async () => {
    const res = await api.call('POST', path('R1', 'release'), { as: 'qa', body: { signature: qaSignature, reason: 'final inspection passed' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      gtin: GTIN,
      lot: 'R1',
      from: 'quarantined',
      status: 'released',
      moved: { quantity: 3, toBin: 'MAIN/STOCK' },
      signature: { signer: 'qa', meaning: 'released', entity: 'lot', entityId: `${GTIN}/R1`, reason: 'final inspection passed' },
    });
    expect(body.signatureId).toBe(body.signature.id);
    expect(await unitBins('R1')).toEqual({ STOCK: 3 });

    const lot = await (await api.call('GET', path('R1'))).json();
    expect(lot).toMatchObject({ status: 'released', releaseSignatureId: body.signature.id, origin: 'commissioned' });

    const event = await eventAt(body.ledgerSeq);
    expect(event).toMatchObject({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'urn:medtrace:bizstep:releasing',
      disposition: 'sellable_accessible',
      quantityList: [{ epcClass: lotUri(GTIN, 'R1'), quantity: 3, uom: 'EA' }],
      'medtrace:lotStatus': { from: 'quarantined', to: 'released' },
      'medtrace:signature': { meaning: 'released', recordSha256: body.signature.recordSha256 },
    });

    const [move] = await api.db.sql`select kind, quantity, ledger_seq, actor from stock_moves where gtin = ${GTIN} and lot = 'R1'`;
    expect(move).toMatchObject({ kind: 'lot_release', quantity: 3, ledger_seq: body.ledgerSeq, actor: 'qa' });
    const [audit] = await api.db.sql`select actor, action, before, after, ledger_seq from audit_trail where action = 'lot.release'`;
    expect(audit).toMatchObject({ actor: 'qa', before: { status: 'quarantined' }, after: { status: 'released' }, ledger_seq: body.ledgerSeq });

    const history = await (await api.call('GET', path('R1', 'status-history'), { as: 'viewer' })).json();
    expect(history.status).toBe('released');
    expect(history.changes).toMatchObject([{ from: 'quarantined', to: 'released', actor: 'qa', signatureId: body.signature.id }]);
    expect(history.signatures).toEqual([body.signature]);
  });

  test('a released lot cannot be released again', async () => {
    const res = await api.call('POST', path('R1', 'release'), { as: 'qa', body: { signature: qaSignature } });
    expect(res.status).toBe(409);
    expect((await readProblem(res)).type).toMatch(/lot-status-transition$/);
  });

  test('a lot past its expiry date cannot be released', async () => {
    await commission('OLD', { productionDate: '2020-01-01', expiry: '2021-01-01' });
    const res = await api.call('POST', path('OLD', 'release'), { as: 'qa', body: { signature: qaSignature } });
    expect(res.status).toBe(409);
    expect((await readProblem(res)).type).toMatch(/lot-expired$/);
  });
});

describe('block, unblock, quarantine, reject, recall', () => {
  test('a manual change without a reason is refused naming reason, and writes nothing', async () => {
    const before = await counts();
    const res = await api.call('POST', path('R1', 'block'), { as: 'qa' });
    expect(res.status).toBe(422);
    expect(await readProblem(res)).toMatchObject({ field: 'reason' });
    expect(await counts()).toEqual(before);
  });

  test('block with X-Reason: holding event with the reason; the stock stays where it is', async () => {
    const res = await api.call('POST', path('R1', 'block'), { as: 'qa', headers: { 'x-reason': 'customer complaint under review' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ from: 'released', status: 'blocked', reason: 'customer complaint under review', moved: { quantity: 0, toBin: null } });
    expect(await eventAt(body.ledgerSeq)).toMatchObject({
      bizStep: 'holding',
      disposition: 'non_sellable_other',
      'medtrace:lotStatus': { from: 'released', to: 'blocked' },
      'medtrace:reason': 'customer complaint under review',
    });
    expect(await unitBins('R1')).toEqual({ STOCK: 3 });
  });

  test('a blocked lot is not released: it is unblocked, back to released', async () => {
    const release = await api.call('POST', path('R1', 'release'), { as: 'qa', body: { signature: qaSignature } });
    expect(release.status).toBe(409);
    expect((await readProblem(release)).detail).toContain('unblock');
    const res = await api.call('POST', path('R1', 'unblock'), { as: 'qa', body: { reason: 'complaint unfounded' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ from: 'blocked', status: 'released' });
    const again = await api.call('POST', path('R1', 'unblock'), { as: 'qa', body: { reason: 'twice' } });
    expect(again.status).toBe(409);
  });

  test('a lot blocked while quarantined is unblocked back to quarantined, never straight to released', async () => {
    await commission('QB', { expiry: '2031-01-10' });
    const block = await api.call('POST', path('QB', 'block'), { as: 'qa', body: { reason: 'nonconformance NC-1' } });
    expect(await block.json()).toMatchObject({ from: 'quarantined', status: 'blocked' });
    const unblock = await api.call('POST', path('QB', 'unblock'), { as: 'qa', body: { reason: 'NC-1 closed' } });
    expect(await unblock.json()).toMatchObject({ from: 'blocked', status: 'quarantined', moved: { quantity: 0, toBin: null } });
    expect(await unitBins('QB')).toEqual({ QUARANTINE: 3 });
  });

  test('quarantine moves the on-hand stock back to the quarantine bin', async () => {
    const res = await api.call('POST', path('R1', 'quarantine'), { as: 'admin', body: { reason: 'supplier alert' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ from: 'released', status: 'quarantined', moved: { quantity: 3, toBin: 'MAIN/QUARANTINE' } });
    expect(await unitBins('R1')).toEqual({ QUARANTINE: 3 });
  });

  test('reject moves the stock to the nonconforming bin; a rejected lot can only be recalled, and recalled is final', async () => {
    const res = await api.call('POST', path('R1', 'reject'), { as: 'qa', body: { reason: 'sterility not assured' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'rejected', moved: { quantity: 3, toBin: 'MAIN/NONCONFORMING' } });
    expect(await unitBins('R1')).toEqual({ NONCONFORMING: 3 });

    const before = await counts();
    const release = await api.call('POST', path('R1', 'quarantine'), { as: 'qa', body: { reason: 'try' } });
    expect(release.status).toBe(409);
    expect(await readProblem(release)).toMatchObject({ type: 'https://medtrace.dev/problems/lot-status-transition', status: 409 });
    expect(await counts()).toEqual(before);

    const recall = await api.call('POST', path('R1', 'recall'), { as: 'qa', body: { reason: 'field safety notice FSN-1' } });
    expect(recall.status).toBe(200);
    const recalled = await recall.json();
    expect(await eventAt(recalled.ledgerSeq)).toMatchObject({ bizStep: 'holding', disposition: 'recalled' });
    const final = await api.call('POST', path('R1', 'block'), { as: 'qa', body: { reason: 'x' } });
    expect((await readProblem(final)).detail).toContain('recalled is final');
  });

  test('roles without changeLotStatus are refused; an unknown lot is 404', async () => {
    for (const role of ['warehouse', 'sales', 'viewer'] as const) {
      const res = await api.call('POST', path('R1', 'block'), { as: role, body: { reason: 'x' } });
      expect(res.status).toBe(403);
    }
    const missing = await api.call('POST', path('NOPE', 'block'), { as: 'qa', body: { reason: 'x' } });
    expect(missing.status).toBe(404);
  });

  test('the history lists every change in order', async () => {
    const history = await (await api.call('GET', path('R1', 'status-history'))).json();
    expect(history.changes.map((change: { from: string; to: string }) => `${change.from}>${change.to}`)).toEqual([
      'quarantined>released',
      'released>blocked',
      'blocked>released',
      'released>quarantined',
      'quarantined>rejected',
      'rejected>recalled',
    ]);
  });
});

describe('expiry', () => {
  test('POST /lots/expire expires every lot whose expiry date has come, once, with an expiring event', async () => {
    const res = await api.call('POST', '/api/v1/lots/expire', { as: 'qa' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.expired).toMatchObject([{ gtin: GTIN, lot: 'OLD', expiry: '2021-01-01', from: 'quarantined' }]);
    expect(await status('OLD')).toBe('expired');
    expect(await eventAt(body.expired[0].ledgerSeq)).toMatchObject({
      bizStep: 'holding',
      disposition: 'expired',
      'medtrace:lotStatus': { from: 'quarantined', to: 'expired' },
    });
    const [audit] = await api.db.sql`select actor, reason from audit_trail where action = 'lot.expire'`;
    expect(audit).toMatchObject({ actor: 'qa', reason: expect.stringContaining('2021-01-01') });
    const again = await (await api.call('POST', '/api/v1/lots/expire', { as: 'qa' })).json();
    expect(again.expired).toEqual([]);
  });

  test('the expiry job expires a released lot on its expiry date', async () => {
    await commission('SOON', { expiry: '2030-06-30' });
    await inspect('SOON', 'pass');
    expect((await api.call('POST', path('SOON', 'release'), { as: 'qa', body: { signature: qaSignature } })).status).toBe(200);
    const ledger = { participant: api.ctx.participant, chainId: api.ctx.chainId, eventTimeZoneOffset: '+08:00' };
    expect(await expireLots(api.db.sql, ledger, '2030-06-29')).toEqual([]);
    const expired = await expireLots(api.db.sql, ledger, '2030-06-30');
    expect(expired.map((lot) => [lot.lot, lot.from])).toEqual([['SOON', 'released']]);
    expect(await status('SOON')).toBe('expired');
    const [audit] = await api.db.sql`select actor from audit_trail where action = 'lot.expire' and entity_id = ${`${GTIN}/SOON`}`;
    expect(audit.actor).toBe('system');
  });
});

describe('idempotency', () => {
  test('a release repeated with the same Idempotency-Key is answered once: one signature, one event', async () => {
    await commission('IDEM');
    await inspect('IDEM', 'pass');
    const before = await counts();
    const send = () =>
      api.call('POST', path('IDEM', 'release'), { as: 'qa', headers: { 'idempotency-key': 'release-IDEM-1' }, body: { signature: qaSignature } });
    const first = await send();
    expect(first.status).toBe(200);
    const second = await send();
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const answer = await first.json();
    expect(await second.json()).toEqual(answer);
    const after = await counts();
    // one signature, one status change, one event, one audit entry, one move
    expect(after.map((n, i) => n - before[i])).toEqual([0, 1, 1, 1, 1, 1]);
    const signatures = await (await api.call('GET', `/api/v1/signatures?entity=lot&entityId=${encodeURIComponent(`${GTIN}/IDEM`)}`, { as: 'viewer' })).json();
    expect(signatures.items).toEqual([answer.signature]);
  });
});
