// Recalls across three companies on one shared chain, over real HTTP: the maker
// issues a recall (e-signature; notice served publicly, its SHA-256 on the
// RecallBoard; a holding/recalled ledger event); every node's watcher finds it,
// quarantines the affected stock, tells the customers it shipped to and
// acknowledges to its supplier; the hospital's acknowledgement is relayed by the
// distributor, so the maker's view counts every company. Also: only the GTIN's
// owner may recall, the signature is required, the watcher's cursor survives a
// restart and pages over more than 1,000 blocks, and closing reaches the board.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri, sha256, toHex } from '../../sdk';
import type { Tx } from '../../node/db';
import { receiveIntoStock } from '../../node/inventory/stock';
import { startOutbox, type Outbox } from '../../node/network/outbox';
import { readRecall } from '../../node/recalls/board';
import { readCursor, RECALL_CURSOR, startRecallWatcher, type RecallWatcher } from '../../node/recalls/watcher';
import { readProblem, STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { ok, ship } from './supplyChain';
import { commission, release, seedCustomer, seedProduct } from '../erp/ordersSeed';

const GTIN = '09506000134352';
const LOT = 'R1';
const OTHER_LOT = 'R2';
const EXPIRY = '2031-06-30';
const SERIALS = ['R1-001', 'R1-002', 'R1-003', 'R1-004', 'R1-005', 'R1-006'];
const QA_SIGNATURE = { username: 'qa', password: STAFF_PASSWORD, meaning: 'recalled' };

let chain: TestChain;
let maker: TestApp;
let dist: TestApp;
let hospital: TestApp;
const outboxes: Outbox[] = [];
const watchers: RecallWatcher[] = [];
let makerOutbox: Outbox;
let distOutbox: Outbox;
let hospitalOutbox: Outbox;
let makerWatcher: RecallWatcher;
let distWatcher: RecallWatcher;
let hospitalWatcher: RecallWatcher;

/** One outbox round, only the recall messages (the shipment notices wait for anchoring, not run here). */
async function recallMessages(outbox: Outbox) {
  return (await outbox.runOnce()).results.filter((r) => r.kind.startsWith('recall-'));
}

async function linkedCustomer(app: TestApp, code: string, customer: TestApp): Promise<number> {
  const id = await seedCustomer(app, code);
  await app.db.sql`update partners set participant = ${customer.ctx.participant} where id = ${id}`;
  return id;
}

/**
 * Goods a node bought from `supplier` (what receiving against a notice books, set up directly here):
 * the lot with its supplier partner (linked to the supplier's node), released, the units in MAIN/STOCK.
 */
async function seedReceived(app: TestApp, supplier: TestApp, code: string, serials: string[]): Promise<void> {
  const [partner] = await app.db.sql<{ id: string }[]>`
    insert into partners (code, name, is_supplier, participant) values (${code}, ${`Supplier ${code}`}, true, ${supplier.ctx.participant}) returning id`;
  await app.db.sql.begin(async (tx) => {
    await tx`
      insert into lots (gtin, lot, production_date, expiry, unit_count, created_by, origin, status, supplier_id)
      values (${GTIN}, ${LOT}, '2026-01-05', ${EXPIRY}, 0, 'seed', 'received', 'released', ${partner.id})`;
    const [bin] = await tx<{ id: string }[]>`select id from bins where warehouse = 'MAIN' and code = 'STOCK'`;
    await receiveIntoStock(tx as unknown as Tx, { gtin: GTIN, lot: LOT, binId: Number(bin.id), serials, kind: 'receipt', actor: 'seed' });
  });
}

async function lotStatus(app: TestApp, lot = LOT): Promise<string> {
  const [row] = await app.db.sql<{ status: string }[]>`select status from lots where gtin = ${GTIN} and lot = ${lot}`;
  return row.status;
}

/** Units of the lot per bin zone and state. */
async function unitsByZone(app: TestApp, lot = LOT): Promise<Record<string, number>> {
  const rows = await app.db.sql<{ key: string; n: number }[]>`
    select coalesce(b.zone, '-') || '/' || u.state as key, count(*)::int as n
    from units u left join bins b on b.id = u.bin_id where u.gtin = ${GTIN} and u.lot = ${lot} group by 1 order by 1`;
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
}

const recallBody = (overrides: Record<string, unknown> = {}) => ({
  gtin: GTIN,
  lots: [LOT],
  recallClass: 1,
  action: 'return',
  notice: { title: 'Field safety notice FSN-2026-01', text: 'Stop using lot R1: the sterile barrier may be breached. Return all units.' },
  signature: QA_SIGNATURE,
  ...overrides,
});

beforeAll(async () => {
  chain = await startTestChain();
  maker = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9506000', env: { PARTICIPANT_NAME: 'Maker', PARTICIPANT_ROLE: 'manufacturer' } });
  dist = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9507000', env: { PARTICIPANT_NAME: 'Distributor', PARTICIPANT_ROLE: 'distributor' } });
  hospital = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9508000', env: { PARTICIPANT_NAME: 'Hospital', PARTICIPANT_ROLE: 'hospital' } });
  for (const app of [maker, dist, hospital]) {
    const outbox = startOutbox(app.ctx, { autoStart: false, baseBackoffMs: 60_000 });
    const watcher = startRecallWatcher(app.ctx, { autoStart: false });
    outboxes.push(outbox);
    watchers.push(watcher);
  }
  [makerOutbox, distOutbox, hospitalOutbox] = outboxes;
  [makerWatcher, distWatcher, hospitalWatcher] = watchers;

  // The maker: lot R1 (6 units) released, R2 commissioned but not released; 4 units of R1 shipped to the distributor.
  await seedProduct(maker, GTIN);
  await commission(maker, GTIN, LOT, EXPIRY, SERIALS);
  await release(maker, GTIN, LOT);
  await commission(maker, GTIN, OTHER_LOT, '2032-01-31', ['R2-001', 'R2-002']);
  const distAtMaker = await linkedCustomer(maker, 'DIST', dist);
  await ship(maker, distAtMaker, 4);
  // The distributor holds those 4 (supplier: the maker's node) and ships 2 on to the hospital.
  await seedProduct(dist, GTIN);
  await seedReceived(dist, maker, 'MAKER', SERIALS.slice(0, 4));
  const hospitalAtDist = await linkedCustomer(dist, 'HOSP', hospital);
  await ship(dist, hospitalAtDist, 2);
  // The hospital holds 2 (supplier: the distributor's node) and has used one on a patient.
  await seedProduct(hospital, GTIN);
  await seedReceived(hospital, dist, 'DIST', SERIALS.slice(0, 2));
  await hospital.db.sql`update units set state = 'consumed', bin_id = null where gtin = ${GTIN} and serial = ${SERIALS[0]}`;
  // Nothing on the board yet: the watchers' first round only sets their cursors.
  for (const watcher of watchers) await watcher.runOnce();
}, 300_000);

afterAll(async () => {
  for (const watcher of watchers) await watcher.stop();
  for (const outbox of outboxes) await outbox.stop();
  await hospital?.close();
  await dist?.close();
  await maker?.close();
  await chain?.stop();
});

describe('issuing', () => {
  test('only the owner of the GTIN prefix may recall it: 409 not-gtin-owner, nothing on the board', async () => {
    const res = await dist.call('POST', '/api/v1/recalls', { as: 'qa', body: recallBody() });
    expect(res.status).toBe(409);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ type: 'https://medtrace.dev/problems/not-gtin-owner', field: 'gtin', owner: maker.ctx.participant });
    expect(Number(await maker.ctx.chain.contracts.recallBoard.recallCount())).toBe(0);
  });

  test('the e-signature is required: missing, wrong password, wrong meaning or another signer are refused and write nothing', async () => {
    const { signature: _omitted, ...unsigned } = recallBody();
    const missing = await maker.call('POST', '/api/v1/recalls', { as: 'qa', body: unsigned });
    expect(missing.status).toBe(422);
    expect((await readProblem(missing)).field).toBe('signature');

    const wrong = await maker.call('POST', '/api/v1/recalls', { as: 'qa', body: recallBody({ signature: { ...QA_SIGNATURE, password: 'not-the-password' } }) });
    expect(wrong.status).toBe(401);
    expect(await readProblem(wrong)).toMatchObject({ type: 'https://medtrace.dev/problems/signature-invalid', field: 'signature.password' });

    const meaning = await maker.call('POST', '/api/v1/recalls', { as: 'qa', body: recallBody({ signature: { ...QA_SIGNATURE, meaning: 'released' } }) });
    expect(meaning.status).toBe(422);
    expect((await readProblem(meaning)).field).toBe('signature.meaning');

    const other = await maker.call('POST', '/api/v1/recalls', { as: 'admin', body: recallBody() });
    expect(other.status).toBe(403);
    expect((await readProblem(other)).type).toBe('https://medtrace.dev/problems/signature-signer-mismatch');

    const warehouse = await maker.call('POST', '/api/v1/recalls', { as: 'warehouse', body: recallBody({ signature: { ...QA_SIGNATURE, username: 'warehouse' } }) });
    expect(warehouse.status).toBe(403);

    expect(Number(await maker.ctx.chain.contracts.recallBoard.recallCount())).toBe(0);
    expect(await maker.count('issued_recalls')).toBe(0);
    expect(await lotStatus(maker)).toBe('released');
  });

  test('a bad lot or a repeated lot is refused naming it', async () => {
    const bad = await maker.call('POST', '/api/v1/recalls', { as: 'qa', body: recallBody({ lots: ['R1', 'bad lot'] }) });
    expect(bad.status).toBe(422);
    expect((await readProblem(bad)).field).toBe('lots.1');
    const twice = await maker.call('POST', '/api/v1/recalls', { as: 'qa', body: recallBody({ lots: ['R1', 'R1'] }) });
    expect(twice.status).toBe(422);
    expect((await readProblem(twice)).field).toBe('lots.1');
  });
});

describe('a recall reaches every node', () => {
  let id: number;

  test("the maker issues it: on the board with the notice's SHA-256, a signed ledger event, its own stock quarantined, the distributor notified", async () => {
    const res = await maker.call('POST', '/api/v1/recalls', { as: 'qa', body: recallBody() });
    const view = await ok(res, 201, 'recall');
    id = view.id;
    expect(view).toMatchObject({
      issuer: maker.ctx.participant,
      issuedHere: true,
      gtin: GTIN,
      lots: [LOT],
      recallClass: 1,
      action: 'return',
      status: 'open',
      noticeUri: `${maker.url}/public/v1/recalls/${view.issued.localId}/notice`,
      local: { lots: [{ lot: LOT, from: 'released', held: 2, moved: 2 }], skipped: [], notified: [{ target: dist.ctx.participant, shippedQuantity: 4 }] },
      companies: [{ company: maker.ctx.participant, name: 'Maker', located: 2, quarantined: 2, inField: 4 }],
      awaiting: [{ company: dist.ctx.participant, name: 'Distributor', shippedQuantity: 4 }],
    });

    // The board holds it, with the notice's hash and URI.
    const board = await readRecall(maker.ctx.chain, id);
    expect(board).toMatchObject({ issuer: maker.ctx.participant, gtin: GTIN, lots: [LOT], recallClass: 1, action: 'return', status: 'open', noticeUri: view.noticeUri });

    // The notice is public, and its bytes hash to what the board holds.
    const notice = await fetch(view.noticeUri);
    expect(notice.status).toBe(200);
    expect(notice.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const bytes = new Uint8Array(await notice.arrayBuffer());
    expect(toHex(sha256(bytes))).toBe(board!.noticeSha256);
    expect(new TextDecoder().decode(bytes)).toContain('Field safety notice FSN-2026-01');
    expect((await fetch(`${maker.url}/public/v1/recalls/999/notice`)).status).toBe(404);

    // The ledger event names the board's recall and carries the signature.
    const [event] = await maker.db.sql<{ envelope: any }[]>`
      select envelope from ledger_events where participant = ${maker.ctx.participant} and seq = ${view.issued.ledgerSeq}`;
    expect(event.envelope.event).toMatchObject({
      bizStep: 'holding',
      disposition: 'recalled',
      quantityList: [{ epcClass: lotUri(GTIN, LOT) }],
      'medtrace:recall': { chainRecallId: id, class: 1, action: 'return', noticeSha256: board!.noticeSha256, lots: [LOT] },
      'medtrace:signature': { meaning: 'recalled' },
    });

    // The maker's own stock: R1 recalled, its 2 released units back in quarantine; R2 untouched.
    expect(await lotStatus(maker)).toBe('recalled');
    expect(await unitsByZone(maker)).toEqual({ 'quarantine/on_hand': 2, '-/shipped': 4 });
    expect(await lotStatus(maker, OTHER_LOT)).toBe('quarantined');
    const [notify] = await maker.db.sql<{ target: string; path: string }[]>`select target, path from peer_outbox where kind = 'recall-notice'`;
    expect(notify).toEqual({ target: dist.ctx.participant, path: '/peer/v1/recall-notices' });
  });

  test('the distributor and the hospital find it on the board: stock quarantined, customers notified, acknowledgements queued to the supplier', async () => {
    const distRound = await distWatcher.runOnce();
    expect(distRound).toMatchObject({ published: 1, outcomes: [{ chainRecallId: id, processedNow: true, lots: [{ lot: LOT, held: 2, moved: 2 }], notified: [{ target: hospital.ctx.participant, shippedQuantity: 2 }] }] });
    expect(await lotStatus(dist)).toBe('recalled');
    expect(await unitsByZone(dist)).toEqual({ 'quarantine/on_hand': 2, '-/shipped': 2 });
    // Its 2 units shipped to the hospital are in the field, waiting for the hospital's acknowledgement.
    expect(distRound!.outcomes[0].ack).toMatchObject({ company: dist.ctx.participant, located: 2, quarantined: 2, inField: 2, sentTo: [maker.ctx.participant] });
    const [distAck] = await dist.db.sql<{ awaiting: number }[]>`select awaiting from recall_acks where company = ${dist.ctx.participant}`;
    expect(distAck.awaiting).toBe(2);

    const hospitalRound = await hospitalWatcher.runOnce();
    expect(hospitalRound!.outcomes[0]).toMatchObject({ processedNow: true, lots: [{ lot: LOT, held: 1, moved: 1 }], notified: [] });
    expect(hospitalRound!.outcomes[0].ack).toMatchObject({ located: 1, quarantined: 1, inField: 1, sentTo: [dist.ctx.participant] });
    expect(await unitsByZone(hospital)).toEqual({ 'quarantine/on_hand': 1, '-/consumed': 1 });
    // The maker's watcher finds what it already did.
    const makerRound = await makerWatcher.runOnce();
    expect(makerRound!.outcomes).toMatchObject([{ chainRecallId: id, processedNow: false }]);
  });

  test('peer messages: the notices arrive once; the acks flow up, the hospital relayed by the distributor; the maker sees every company', async () => {
    // The maker's notice to the distributor: the distributor had processed it already.
    expect(await recallMessages(makerOutbox)).toMatchObject([{ kind: 'recall-notice', outcome: 'delivered', status: 200, response: { chainRecallId: id, duplicate: false, processedNow: false } }]);
    // The distributor's notice to the hospital and its acknowledgement to the maker.
    const distRound = await recallMessages(distOutbox);
    expect(distRound.map((r) => [r.kind, r.target, r.outcome])).toEqual([
      ['recall-notice', hospital.ctx.participant, 'delivered'],
      ['recall-ack', maker.ctx.participant, 'delivered'],
    ]);
    // The maker knows the distributor's acknowledgement is not the end: 2 units wait for the hospital's.
    const partial = await ok(await maker.call('GET', `/api/v1/recalls/${id}`, { as: 'viewer' }), 200, 'partial view');
    expect(partial.awaiting).toEqual([]);
    expect(partial.totals.awaiting).toBe(2);
    // The hospital acknowledges to the distributor, which relays upward with its own updated counts.
    expect(await recallMessages(hospitalOutbox)).toMatchObject([{ kind: 'recall-ack', target: dist.ctx.participant, outcome: 'delivered', response: { stored: 1, forwarded: [maker.ctx.participant] } }]);
    expect(await recallMessages(distOutbox)).toMatchObject([{ kind: 'recall-ack', target: maker.ctx.participant, outcome: 'delivered', response: { stored: 2 } }]);
    // Nothing more to send anywhere.
    for (const outbox of outboxes) expect(await recallMessages(outbox)).toEqual([]);

    const view = await ok(await maker.call('GET', `/api/v1/recalls/${id}`, { as: 'viewer' }), 200, 'view');
    const byName = Object.fromEntries((view.companies as any[]).map((c) => [c.name, c]));
    expect(byName.Maker).toMatchObject({ located: 2, quarantined: 2, inField: 0, reportedBy: maker.ctx.participant });
    expect(byName.Distributor).toMatchObject({ role: 'distributor', located: 2, quarantined: 2, inField: 0, reportedBy: dist.ctx.participant });
    expect(byName.Hospital).toMatchObject({ role: 'hospital', located: 1, quarantined: 1, inField: 1, reportedBy: dist.ctx.participant });
    // Every one of the 6 units is accounted for: 5 found and quarantined, 1 used on a patient.
    expect(view.totals).toMatchObject({ companies: 3, located: 5, quarantined: 5, inField: 1, awaiting: 0 });
    expect(view.awaiting).toEqual([]);
    for (const company of view.companies) expect(company.timeToAcknowledgeMs).toBeGreaterThanOrEqual(0);
    expect(view.totals.maxTimeToAcknowledgeMs).toBeLessThan(120_000);

    // The distributor sees its own and the hospital's; the list filters by who issued.
    const atDist = await ok(await dist.call('GET', `/api/v1/recalls/${id}`, { as: 'viewer' }), 200, 'dist view');
    expect(atDist).toMatchObject({ issuedHere: false, issued: null, totals: { companies: 2, located: 3, inField: 1 } });
    const mine = await ok(await maker.call('GET', '/api/v1/recalls?issuedHere=true', { as: 'viewer' }), 200, 'list');
    expect(mine.items.map((r: any) => r.id)).toEqual([id]);
    expect((await ok(await dist.call('GET', '/api/v1/recalls?issuedHere=true'), 200, 'list')).items).toEqual([]);
  });

  test('a repeated recall notice is a duplicate and changes nothing', async () => {
    await maker.db.sql`update peer_outbox set delivered_at = null, next_attempt_at = now() where kind = 'recall-notice'`;
    expect(await recallMessages(makerOutbox)).toMatchObject([{ outcome: 'delivered', response: { duplicate: true, processedNow: false } }]);
    expect(await dist.count('recall_notices_received')).toBe(1);
  });

  test('closing the recall goes onto the board; watchers mirror the status', async () => {
    const noReason = await maker.call('POST', `/api/v1/recalls/${id}/status`, { as: 'qa', body: { status: 'closed' } });
    expect(noReason.status).toBe(422);
    expect((await readProblem(noReason)).field).toBe('reason');
    const notMine = await dist.call('POST', `/api/v1/recalls/${id}/status`, { as: 'qa', body: { status: 'closed', reason: 'done' } });
    expect(notMine.status).toBe(404);

    const closed = await ok(await maker.call('POST', `/api/v1/recalls/${id}/status`, { as: 'qa', body: { status: 'closed', reason: 'all units returned or accounted for' } }), 200, 'close');
    expect(closed).toMatchObject({ id, from: 'open', status: 'closed' });
    expect((await readRecall(maker.ctx.chain, id))!.status).toBe('closed');
    const again = await maker.call('POST', `/api/v1/recalls/${id}/status`, { as: 'qa', body: { status: 'closed', reason: 'twice' } });
    expect(again.status).toBe(409);

    const round = await distWatcher.runOnce();
    expect(round).toMatchObject({ published: 0, statusChanges: 1 });
    expect((await ok(await dist.call('GET', `/api/v1/recalls/${id}`), 200, 'view')).status).toBe('closed');
  });
});

describe('the watcher', () => {
  test('its cursor survives a restart: a new watcher reads only new blocks, across more than 1,000 of them', async () => {
    const before = await readCursor(dist.db.sql, RECALL_CURSOR);
    expect(before).toBeGreaterThan(0);
    await distWatcher.stop();
    const restarted = startRecallWatcher(dist.ctx, { autoStart: false });
    watchers.push(restarted);
    try {
      // 1,500 empty blocks, then a recall of every lot (R2 at the maker too).
      await chain.provider.send('hardhat_mine', ['0x5dc']);
      const issued = await ok(await maker.call('POST', '/api/v1/recalls', { as: 'qa', body: recallBody({ lots: [], recallClass: 2, action: 'correct' }) }), 201, 'all lots');
      expect(issued.local).toMatchObject({ lots: [{ lot: OTHER_LOT, from: 'quarantined', held: 2, moved: 0 }], skipped: [{ lot: LOT, reason: 'already recalled' }] });
      const round = await restarted.runOnce();
      expect(round!.fromBlock).toBe(before! + 1);
      expect(round!.toBlock - round!.fromBlock).toBeGreaterThan(1_000);
      expect(round).toMatchObject({ published: 1, statusChanges: 0, outcomes: [{ chainRecallId: issued.id, processedNow: true, lots: [], skipped: [{ lot: LOT }] }] });
      expect(await readCursor(dist.db.sql, RECALL_CURSOR)).toBe(round!.toBlock);
      // Nothing new: nothing read again.
      expect(await restarted.runOnce()).toBeUndefined();
      expect(await dist.count('recall_board')).toBe(2);
    } finally {
      await restarted.stop();
    }
  });
});

describe('medtrace recall', () => {
  test('issues a recall through the API with the signed-in user as signer and prints it with its reach', async () => {
    const { medtrace } = await import('../cli/run');
    const usage = await medtrace(['recall', '--node', maker.url!, '--user', 'qa', '--password', STAFF_PASSWORD, '--gtin', GTIN, '--class', '3', '--action', 'recycle', '--title', 't', '--text', 't']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--action must be one of return, correct, destroy, notice');

    const refused = await medtrace(['recall', '--node', dist.url!, '--user', 'qa', '--password', STAFF_PASSWORD, '--gtin', GTIN, '--class', '3', '--action', 'notice', '--title', 't', '--text', 't', '--wait', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 409');
    expect(refused.stderr).toContain('(field gtin)');

    const result = await medtrace(
      ['recall', '--node', maker.url!, '--user', 'qa', '--password', STAFF_PASSWORD, '--gtin', GTIN, '--lot', OTHER_LOT, '--lot', LOT, '--class', '3', '--action', 'notice',
        '--title', 'Safety notice', '--text', 'Updated instructions for use.', '--wait', '0'],
      { timeoutMs: 120_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^recall #\d+ published: GTIN 09506000134352, lots R2, R1, class 3, notice$/m);
    expect(result.stdout).toContain(`notice ${maker.url}/public/v1/recalls/`);
    // The maker holds R1 (2) and R2 (2), all quarantined; the 4 shipped to the distributor wait for its acknowledgement.
    expect(result.stdout).toMatch(/^ {2}Maker +manufacturer +4 +4 +4 +/m);
    expect(result.stdout).toMatch(/^ {2}Distributor +\(not acknowledged\) +4 shipped/m);
    expect(result.stdout).toMatch(/^ {2}board transaction 0x[0-9a-f]{64} at /m);
    expect(result.stdout).toMatch(/^ {2}total +1 companies/m);
    const id = Number(/recall #(\d+)/.exec(result.stdout)![1]);
    expect((await readRecall(maker.ctx.chain, id))!.lots).toEqual([OTHER_LOT, LOT]);
  }, 180_000);
});

describe('notice documents and peer checks', () => {
  test('a notice given as a document is served with its media type and file name; its SHA-256 is on the board; withdrawing is final', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256)), Buffer.from('\n%%EOF\n')]);
    const bad = await maker.call('POST', '/api/v1/recalls', { as: 'qa', body: recallBody({ notice: { contentBase64: '***', mediaType: 'application/pdf', filename: 'fsn.pdf' } }) });
    expect(bad.status).toBe(422);
    expect((await readProblem(bad)).field).toBe('notice.contentBase64');

    const view = await ok(
      await maker.call('POST', '/api/v1/recalls', {
        as: 'qa',
        body: recallBody({ recallClass: 3, action: 'notice', notice: { contentBase64: pdf.toString('base64'), mediaType: 'application/pdf', filename: 'FSN-2026-02.pdf' } }),
      }),
      201,
      'document recall',
    );
    const res = await fetch(view.noticeUri);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="FSN-2026-02.pdf"');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.equals(pdf)).toBe(true);
    expect(res.headers.get('repr-digest')).toBe(`sha-256=:${Buffer.from(sha256(new Uint8Array(pdf))).toString('base64')}:`);
    expect((await readRecall(maker.ctx.chain, view.id))!.noticeSha256).toBe(toHex(sha256(new Uint8Array(pdf))));

    // Published in error: withdrawn, and withdrawn is final.
    const withdrawn = await ok(await maker.call('POST', `/api/v1/recalls/${view.id}/status`, { as: 'qa', body: { status: 'withdrawn', reason: 'published in error' } }), 200, 'withdraw');
    expect(withdrawn).toMatchObject({ from: 'open', status: 'withdrawn' });
    const reopen = await maker.call('POST', `/api/v1/recalls/${view.id}/status`, { as: 'qa', body: { status: 'open', reason: 'try again' } });
    expect(reopen.status).toBe(409);
    expect((await readProblem(reopen)).detail).toContain('withdrawn is final');
    expect((await readRecall(maker.ctx.chain, view.id))!.status).toBe('withdrawn');
  });

  test('an acknowledgement names its sender as the company; an unknown recall is 404', async () => {
    const { peerFetch } = await import('../../node/peers');
    const entry = { located: 1, quarantined: 1, inField: 0, acknowledgedAt: new Date().toISOString(), version: 1, relayed: [] };
    const impersonating = await peerFetch(dist.ctx, maker.ctx.participant, '/peer/v1/recall-acks', {
      method: 'POST',
      body: { chainRecallId: 1, company: hospital.ctx.participant, ...entry },
    });
    expect(impersonating.status).toBe(422);
    expect((await readProblem(impersonating)).field).toBe('company');
    const unknown = await peerFetch(dist.ctx, maker.ctx.participant, '/peer/v1/recall-acks', {
      method: 'POST',
      body: { chainRecallId: 9999, company: dist.ctx.participant, ...entry },
    });
    expect(unknown.status).toBe(404);
    expect((await readProblem(unknown)).type).toBe('https://medtrace.dev/problems/unknown-recall');
    const notice = await peerFetch(dist.ctx, hospital.ctx.participant, '/peer/v1/recall-notices', { method: 'POST', body: { chainRecallId: 9999 } });
    expect(notice.status).toBe(404);
  });
});
