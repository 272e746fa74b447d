// Auditor tokens and /audit/v1 on three in-process nodes over real HTTP, one
// shared chain: scopes, expiry and revocation refused with their own problem;
// another participant's token accepted only on the forward trace of the GTINs
// it owns; the forward trace asks the customers' nodes with the same token; the
// verification report finds a tampered ledger row; the EPCIS export's shape.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gtinCheckDigit, toDigitalLink, unitUri } from '../../sdk';
import { EPCIS_CONTEXT } from '../../node/auditors/epcis';
import { issueAuditorToken, type AuditorScope } from '../../node/auditors/tokens';
import { readProblem, startTestApp, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { commission, LOT_GTIN, release, seedCustomer, seedLotStock, seedProduct } from '../erp/ordersSeed';

const P = 'https://medtrace.dev/problems/';
const GTIN = '09506000134352';
const SERIALS = ['A-001', 'A-002', 'A-003'];
/** A GTIN of the distributor's own company prefix. */
const DIST_GTIN = `0950700000001${gtinCheckDigit('0950700000001')}`;

let chain: TestChain;
let maker: TestApp;
let dist: TestApp;
let hospital: TestApp;

async function ok(res: Response, status: number, what: string): Promise<any> {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${await res.text()}`);
  return res.json();
}

/** An auditor token issued through the API of `app`. */
async function issue(app: TestApp, scopes: AuditorScope[], extra: Record<string, unknown> = {}): Promise<{ id: number; token: string }> {
  return ok(await app.call('POST', '/api/v1/auditor-tokens', { body: { auditor: 'Notified Body 0123', scopes, expiresInHours: 2, ...extra } }), 201, 'issue token');
}

function get(app: TestApp, path: string, token: string): Promise<Response> {
  return fetch(app.url! + path, { headers: { authorization: `Bearer ${token}` } });
}

/** Order → allocation → picks → shipment of a lot-controlled quantity, through the API. */
async function shipLot(app: TestApp, customerId: number, gtin: string, lot: string, quantity: number) {
  const order = await ok(
    await app.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId, currency: 'EUR', lines: [{ gtin, quantity, unitPrice: '10.00' }] } }),
    201,
    'order',
  );
  await ok(await app.call('POST', `/api/v1/orders/${order.id}/allocations`, { as: 'warehouse' }), 200, 'allocation');
  await ok(await app.call('POST', `/api/v1/orders/${order.id}/picks`, { as: 'warehouse', body: { scan: `(01)${gtin}(10)${lot}`, quantity } }), 201, 'pick');
  return (await ok(await app.call('POST', `/api/v1/orders/${order.id}/shipments`, { as: 'warehouse' }), 201, 'shipment')).shipment;
}

async function linkedCustomer(app: TestApp, code: string, customer: TestApp): Promise<number> {
  const id = await seedCustomer(app, code);
  await app.db.sql`update partners set participant = ${customer.ctx.participant} where id = ${id}`;
  return id;
}

beforeAll(async () => {
  chain = await startTestChain();
  maker = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9506000', env: { PARTICIPANT_NAME: 'Maker', PARTICIPANT_ROLE: 'manufacturer' } });
  dist = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9507000', env: { PARTICIPANT_NAME: 'Distributor', PARTICIPANT_ROLE: 'distributor' } });
  hospital = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9508000', env: { PARTICIPANT_NAME: 'Hospital', PARTICIPANT_ROLE: 'hospital' } });

  // The maker: a serialised lot (commissioned, the ledger's unit sets) and a lot-controlled one shipped to the distributor.
  await seedProduct(maker, GTIN);
  await commission(maker, GTIN, 'S1', '2031-01-31', SERIALS);
  await release(maker, GTIN, 'S1');
  await seedProduct(maker, LOT_GTIN, { tracking: 'lot' });
  await seedLotStock(maker, LOT_GTIN, 'B1', '2031-03-31', 100);
  await shipLot(maker, await linkedCustomer(maker, 'DIST', dist), LOT_GTIN, 'B1', 10);
  // The distributor holds the same lot (seeded: receiving is not under test here) and ships part of it on.
  await seedProduct(dist, LOT_GTIN, { tracking: 'lot' });
  await seedLotStock(dist, LOT_GTIN, 'B1', '2031-03-31', 10);
  await shipLot(dist, await linkedCustomer(dist, 'HOSP', hospital), LOT_GTIN, 'B1', 4);
  await maker.anchorAll();
}, 240_000);
afterAll(async () => {
  await hospital?.close();
  await dist?.close();
  await maker?.close();
  await chain?.stop();
});

describe('auditor tokens', () => {
  test('an auditor token with scope ledger reads the ledger and proofs, and nothing else', async () => {
    const { token } = await issue(maker, ['ledger']);
    const events = await ok(await get(maker, '/audit/v1/events?limit=2', token), 200, 'events');
    expect(events.items[0].seq).toBe(1);
    expect((await get(maker, '/audit/v1/events/1', token)).status).toBe(200);
    expect((await get(maker, '/audit/v1/anchors', token)).status).toBe(200);
    const res = await get(maker, '/audit/v1/report', token);
    expect(res.status).toBe(403);
    expect(await readProblem(res)).toMatchObject({ type: `${P}auditor-scope`, requiredScope: 'report' });
    // Auditor tokens open /audit/v1 only, never the staff API.
    expect((await get(maker, '/api/v1/lots', token)).status).toBe(401);
  });

  test('an Idempotency-Key replay answers the grant without the token, which is never stored', async () => {
    const headers = { 'idempotency-key': 'issue-auditor-token-1' };
    const body = { auditor: 'Replay Auditor', scopes: ['ledger'], expiresInHours: 1 };
    const first = await ok(await maker.call('POST', '/api/v1/auditor-tokens', { body, headers }), 201, 'issue');
    expect(typeof first.token).toBe('string');
    const replayed = await maker.call('POST', '/api/v1/auditor-tokens', { body, headers });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    const again = await replayed.json();
    expect(again).toMatchObject({ id: first.id, token: null, auditor: 'Replay Auditor' });
    const stored = await maker.db.sql<{ n: number }[]>`select count(*)::int as n from idempotency_keys where response::text like ${'%' + first.token + '%'}`;
    expect(stored[0].n).toBe(0);
  });

  test('a token past its expiry is 401 auditor-token-expired', async () => {
    const expired = await issueAuditorToken(maker.db.sql, maker.ctx, {
      auditor: 'Late Auditor',
      scopes: ['ledger'],
      ttlSeconds: 3600,
      issuedBy: 'admin',
      now: new Date(Date.now() - 2 * 3600_000),
    });
    const res = await get(maker, '/audit/v1/events', expired.token);
    expect(res.status).toBe(401);
    expect(await readProblem(res)).toMatchObject({ type: `${P}auditor-token-expired`, field: 'authorization' });
    const listed = await ok(await maker.call('GET', '/api/v1/auditor-tokens'), 200, 'list');
    expect(listed.items.find((t: { id: number }) => t.id === expired.id)).toMatchObject({ status: 'expired', auditor: 'Late Auditor' });
    expect(JSON.stringify(listed)).not.toContain(expired.token);
  });

  test('a revoked token is 401 auditor-token-revoked; revoking needs a reason and happens once', async () => {
    const { id, token } = await issue(maker, ['ledger', 'report']);
    expect((await get(maker, '/audit/v1/events', token)).status).toBe(200);
    const noReason = await maker.call('POST', `/api/v1/auditor-tokens/${id}/revoke`, { body: {} });
    expect(noReason.status).toBe(422);
    expect((await readProblem(noReason)).field).toBe('reason');
    const revoked = await ok(await maker.call('POST', `/api/v1/auditor-tokens/${id}/revoke`, { body: { reason: 'engagement ended' } }), 200, 'revoke');
    expect(revoked).toMatchObject({ status: 'revoked', revokedBy: 'admin', revokeReason: 'engagement ended' });
    const res = await get(maker, '/audit/v1/events', token);
    expect(res.status).toBe(401);
    expect((await readProblem(res)).type).toBe(`${P}auditor-token-revoked`);
    expect((await maker.call('POST', `/api/v1/auditor-tokens/${id}/revoke`, { body: { reason: 'again' } })).status).toBe(409);
    const [audit] = await maker.db.sql`select action from audit_trail where entity = 'auditor_token' and entity_id = ${String(id)} order by id desc limit 1`;
    expect(audit.action).toBe('auditor_token.revoke');
  });

  test('a token with a forged signature, or signed by another key, is 401 auditor-token-invalid', async () => {
    const { token } = await issue(maker, ['ledger']);
    const [header, payload, signature] = token.split('.');
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    expect((await readProblem(await get(maker, '/audit/v1/events', flipped))).type).toBe(`${P}auditor-token-invalid`);
    // The same claims signed by the distributor's key: a key this node never issued with.
    const { SignJWT, decodeJwt } = await import('jose');
    const claims = decodeJwt(token);
    const other = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', jwk: dist.ctx.signingKey.publicJwk })
      .sign(dist.ctx.signingKey.privateKey);
    const res = await get(maker, '/audit/v1/events', other);
    expect(res.status).toBe(401);
    expect((await readProblem(res)).detail).toContain('not signed by the key');
  });

  test('another participant’s token is refused outside the forward trace, and there only for GTINs its issuer owns', async () => {
    const { token } = await issue(dist, ['ledger', 'trace']);
    const res = await get(maker, '/audit/v1/events', token);
    expect(res.status).toBe(403);
    expect((await readProblem(res)).type).toBe(`${P}auditor-foreign-token`);
    const notOwner = await get(maker, `/audit/v1/trace/forward?gtin=${LOT_GTIN}&lot=B1`, token);
    expect(notOwner.status).toBe(403);
    expect(await readProblem(notOwner)).toMatchObject({ type: `${P}auditor-not-gtin-owner`, field: 'gtin' });
    // The distributor's own GTIN: accepted at the maker (which shipped none of it).
    const own = await ok(await get(maker, `/audit/v1/trace/forward?gtin=${DIST_GTIN}&lot=X1`, token), 200, 'trace of the issuer’s GTIN');
    expect(own.nodes).toEqual([{ participant: maker.ctx.participant, name: 'Maker', depth: 0, shipments: [] }]);
  });
});

describe('forward trace', () => {
  test('follows the lot from the maker through the distributor to the hospital with the maker’s auditor token', async () => {
    const { token } = await issue(maker, ['trace'], { gtins: [LOT_GTIN] });
    const trace = await ok(await get(maker, `/audit/v1/trace/forward?gtin=${LOT_GTIN}&lot=B1`, token), 200, 'trace');
    expect(trace.unreachable).toEqual([]);
    expect(trace.nodes.map((n: { name: string; depth: number }) => `${n.name}@${n.depth}`)).toEqual(['Maker@0', 'Distributor@1', 'Hospital@2']);
    const [atMaker, atDist, atHospital] = trace.nodes;
    expect(atMaker.shipments).toMatchObject([{ quantity: 10, customer: { name: 'Customer DIST', participant: dist.ctx.participant }, units: [] }]);
    expect(atDist.shipments).toMatchObject([{ quantity: 4, customer: { name: 'Customer HOSP', participant: hospital.ctx.participant } }]);
    expect(atHospital.shipments).toEqual([]);
    // Limited to its GTINs.
    const other = await get(maker, `/audit/v1/trace/forward?gtin=${GTIN}&lot=S1`, token);
    expect(other.status).toBe(403);
    expect((await readProblem(other)).type).toBe(`${P}auditor-gtin`);
  });

  test('the GTIN owner’s staff trace forward too (the node asks downstream with a short-lived token of its own)', async () => {
    const trace = await ok(await maker.call('GET', `/audit/v1/trace/forward?gtin=${LOT_GTIN}&lot=B1`), 200, 'staff trace');
    expect(trace.nodes.map((n: { name: string }) => n.name)).toEqual(['Maker', 'Distributor', 'Hospital']);
    const [row] = await maker.db.sql`select auditor, scopes, gtins from auditor_tokens where auditor = 'staff:admin' order by id desc limit 1`;
    expect(row).toMatchObject({ scopes: ['trace'], gtins: [LOT_GTIN] });
    // A distributor's staff token cannot be forwarded: the hospital is listed, not asked.
    const fromDist = await ok(await dist.call('GET', `/audit/v1/trace/forward?gtin=${LOT_GTIN}&lot=B1`), 200, 'dist staff trace');
    expect(fromDist.unreachable).toMatchObject([{ participant: hospital.ctx.participant, reason: 'no-forwardable-token' }]);
  });
});

describe('EPCIS export', () => {
  test('is an EPCIS 2.0 JSON-LD EPCISDocument with full EPC lists and each event’s ledger position', async () => {
    const { token } = await issue(maker, ['export']);
    const res = await get(maker, '/audit/v1/export/epcis?fromSeq=1', token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/ld+json');
    const doc = await res.json();
    expect(doc['@context'][0]).toBe(EPCIS_CONTEXT);
    expect(doc['@context'][1]).toHaveProperty('medtrace');
    expect(doc).toMatchObject({ type: 'EPCISDocument', schemaVersion: '2.0', 'medtrace:range': { fromSeq: 1, nextFromSeq: null } });
    const events = doc.epcisBody.eventList as Record<string, any>[];
    const commissioning = events.find((e) => e.bizStep === 'commissioning' && Array.isArray(e.epcList) && e.epcList.length === SERIALS.length)!;
    expect(commissioning.epcList).toEqual(SERIALS.map((s) => unitUri(GTIN, s)));
    expect(commissioning).toMatchObject({ type: 'ObjectEvent', eventID: `urn:medtrace:event:${maker.ctx.participant}:${commissioning['medtrace:ledger'].seq}` });
    expect(commissioning['medtrace:ledger'].batch).toBe(0);
    const shipping = events.find((e) => e.bizStep === 'shipping')!;
    expect(shipping.quantityList[0]).toMatchObject({ epcClass: toDigitalLink({ gtin: LOT_GTIN, lot: 'B1' }), quantity: 10 });
    // A token limited to one GTIN exports only the events about it.
    const limited = await issue(maker, ['export'], { gtins: [GTIN] });
    const only = await (await get(maker, '/audit/v1/export/epcis', limited.token)).json();
    expect(only.epcisBody.eventList.length).toBeGreaterThan(0);
    expect(JSON.stringify(only.epcisBody.eventList)).not.toContain(LOT_GTIN);
    const bad = await get(maker, '/audit/v1/export/epcis?fromSeq=5&toSeq=2', token);
    expect((await readProblem(bad)).field).toBe('toSeq');
  });
});

describe('verification report', () => {
  test('finds nothing wrong in an untouched ledger, then names the seq and batch of a tampered row', async () => {
    const { token } = await issue(maker, ['report']);
    const clean = await ok(await get(maker, '/audit/v1/report', token), 200, 'report');
    expect(clean).toMatchObject({ ok: true, anomalyCount: 0, registry: { status: 'active' } });
    expect(clean.batches.verified).toBe(clean.batches.onChain);
    expect(clean.ledger.unanchored).toBe(0);

    // An insider rewrites the commissioning event's stored bytes (and its JSON) to name another lot.
    const [lot] = await maker.db.sql`select commissioning_seq from lots where gtin = ${GTIN} and lot = 'S1'`;
    const seq = Number(lot.commissioning_seq);
    await maker.db.sql`
      update ledger_events
      set canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '"lot":"S1"', '"lot":"S9"'), 'UTF8'),
          envelope = replace(envelope::text, '"lot": "S1"', '"lot": "S9"')::jsonb
      where participant = ${maker.ctx.participant} and seq = ${seq}`;
    const report = await ok(await get(maker, '/audit/v1/report', token), 200, 'report after tampering');
    expect(report.ok).toBe(false);
    const kinds = report.anomalies.map((a: { kind: string; seq?: number; batch?: number }) => `${a.kind}:${a.seq ?? '-'}:${a.batch ?? '-'}`);
    expect(kinds).toContain(`leaf-mismatch:${seq}:-`);
    expect(kinds).toContain(`prev-mismatch:${seq + 1}:-`);
    expect(kinds).toContain('batch-root-mismatch:1:0');
    expect(kinds).toContain('batch-chain-mismatch:1:0');
  });
});
