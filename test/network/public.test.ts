// Public routes of a maker's node on a real chain: GS1 Digital Link paths of its
// own GTINs (303 to the verification page for a browser, an RFC 9264 linkset
// for a machine, 404 for another company's GTIN), the verification answer in
// the shape of GS1 lightweight verification messaging with proof bundles that
// verify against the chain, recalls from the RecallBoard, and the per-IP limit.
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lotUri, toDigitalLink, toElementString, unitUri, verifyBundle } from '../../sdk';
import type { AppEnv } from '../../node/http/env';
import { notFound, onError } from '../../node/http/errors';
import { publicRoutes } from '../../node/public/routes';
import { readProblem, STAFF_PASSWORD, startTestApp, type TestApp } from '../support/app';
import { seedProduct } from '../erp/ordersSeed';

const P = 'https://medtrace.dev/problems/';
const GTIN = '09506000134352';
const LOT = 'L/1';
const SERIALS = ['SN-1', 'SN-2'];
const EXPIRY = '2031-06-30';

let maker: TestApp;

beforeAll(async () => {
  maker = await startTestApp({ listen: true, gs1CompanyPrefix: '9506000', env: { PARTICIPANT_NAME: 'Maker', PARTICIPANT_ROLE: 'manufacturer', PARTICIPANT_GLN: '9506000000005' } });
  await seedProduct(maker, GTIN);
  const lot = await maker.call('POST', '/api/v1/lots', { as: 'warehouse', body: { gtin: GTIN, lot: LOT, productionDate: '2026-01-10', expiry: EXPIRY, serials: SERIALS } });
  expect(lot.status).toBe(201);
  const lotPath = `/api/v1/lots/${GTIN}/${encodeURIComponent(LOT)}`;
  expect((await maker.call('POST', `${lotPath}/inspections`, { as: 'qa', body: { kind: 'final', result: 'pass', method: 'visual' } })).status).toBe(201);
  const release = await maker.call('POST', `${lotPath}/release`, { as: 'qa', body: { signature: { username: 'qa', password: STAFF_PASSWORD, meaning: 'released' } } });
  expect(release.status).toBe(200);
  await maker.anchorAll();
}, 180_000);
afterAll(async () => {
  await maker?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(maker.url! + path, { headers, redirect: 'manual' });

describe('GS1 Digital Link', () => {
  const unitPath = new URL(toDigitalLink({ gtin: GTIN, lot: LOT, serial: 'SN-1' })).pathname;

  test('sends a browser to the verification page with a 303', async () => {
    const res = await get(unitPath, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(toDigitalLink({ gtin: GTIN, lot: LOT, serial: 'SN-1' }, `${maker.url}/verify`));
    expect((await get(`/01/${GTIN}`)).status).toBe(303);
  });

  test('answers a machine with an RFC 9264 linkset of GS1 link relations', async () => {
    const res = await get(unitPath, { accept: 'application/linkset+json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/linkset+json');
    const { linkset } = await res.json();
    expect(linkset).toHaveLength(1);
    const [set] = linkset;
    expect(set.anchor).toBe(toDigitalLink({ gtin: GTIN, lot: LOT, serial: 'SN-1' }, maker.url));
    for (const rel of ['verificationService', 'recallStatus', 'traceability', 'pip']) {
      expect(set[`https://gs1.org/voc/${rel}`]?.[0]?.href, rel).toMatch(/^http/);
    }
    const verification = await get(new URL(set['https://gs1.org/voc/verificationService'][0].href).pathname + new URL(set['https://gs1.org/voc/verificationService'][0].href).search);
    expect((await verification.json()).verified).toBe(true);
    // application/json and ?linkType=linkset work too; a serial-only link finds the unit's lot.
    const json = await get(`/01/${GTIN}/21/SN-2`, { accept: 'application/json' });
    expect(json.headers.get('content-type')).toContain('application/json');
    const serialOnly = (await json.json()).linkset[0];
    expect(serialOnly['https://gs1.org/voc/traceability'][0].href).toContain(`lot=${encodeURIComponent(LOT)}`);
    expect((await get(`/01/${GTIN}/10/${encodeURIComponent(LOT)}?linkType=linkset`)).status).toBe(200);
  });

  test('is 404 for a GTIN of another company prefix, and 422 for a bad check digit', async () => {
    const other = await get('/01/09507000134359/21/X', { accept: 'application/json' });
    expect(other.status).toBe(404);
    expect(await readProblem(other)).toMatchObject({ type: `${P}gtin-not-served`, field: 'gtin' });
    const bad = await get('/01/09506000134353');
    expect(bad.status).toBe(422);
    expect((await readProblem(bad)).field).toBe('gtin');
  });
});

describe('verification', () => {
  test('a genuine unit: verified, its data, commissioning and release bundles that verify on chain', async () => {
    const udi = toElementString({ gtin: GTIN, lot: LOT, serial: 'SN-1', expiry: EXPIRY });
    const res = await get(`/public/v1/verify?udi=${encodeURIComponent(udi)}`);
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer).toMatchObject({
      verified: true,
      recalled: false,
      responderGLN: '9506000000005',
      data: {
        gtin: GTIN,
        lot: LOT,
        serial: 'SN-1',
        expiry: EXPIRY,
        lotStatus: 'released',
        manufacturer: { name: 'Maker', participant: maker.ctx.participant },
        product: { name: `Device ${GTIN}`, model: 'M-1' },
      },
      recalls: [],
    });
    expect(answer.verificationFailureReason).toBeUndefined();
    const provider = maker.ctx.chain.provider;
    const commissioning = await verifyBundle(answer.evidence.commissioning, { provider, registry: maker.ctx.chain.deployment.registry });
    expect(commissioning.units).toEqual([unitUri(GTIN, 'SN-1')]);
    expect(answer.evidence.release.envelope.event.bizStep).toBe('urn:medtrace:bizstep:releasing');
    await verifyBundle(answer.evidence.release, { provider, registry: maker.ctx.chain.deployment.registry });
    // Nothing commercial.
    expect(JSON.stringify(answer)).not.toMatch(/price|customer|order/i);
    // The same answer by GTIN and serial.
    const bySerial = await (await get(`/public/v1/units/${GTIN}/SN-1`)).json();
    expect(bySerial.verified).toBe(true);
    expect(bySerial.evidence.commissioning.units[0].uri).toBe(unitUri(GTIN, 'SN-1'));
  });

  test('names the LVV failure reason: unknown serial, wrong lot, wrong expiry', async () => {
    const reason = async (data: Record<string, string>) =>
      (await (await get(`/public/v1/verify?udi=${encodeURIComponent(toDigitalLink({ gtin: GTIN, ...data }))}`)).json()) as {
        verified: boolean;
        verificationFailureReason: string;
        evidence: unknown;
      };
    expect(await reason({ serial: 'NOPE' })).toMatchObject({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial', evidence: { commissioning: null } });
    expect(await reason({ lot: 'OTHER', serial: 'SN-1' })).toMatchObject({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' });
    expect(await reason({ lot: LOT, serial: 'SN-1', expiry: '2031-05-31' })).toMatchObject({ verificationFailureReason: 'No_match_GTIN_Serial_Expiry' });
    expect(await reason({ lot: 'NOLOT' })).toMatchObject({ verificationFailureReason: 'No_match_GTIN_Lot' });
    const bad = await get('/public/v1/verify?udi=(01)09506000134353(21)X');
    expect(bad.status).toBe(422);
    expect((await readProblem(bad)).field).toBe('udi');
  });

  test('a recalled lot: still verified, recalled with the board’s recall and additionalInfo Recalled', async () => {
    const { sendAndWait } = await import('../../node/chain/transactions');
    const board = maker.ctx.chain.contracts.recallBoard;
    await sendAndWait(maker.ctx.chain.wallet, {
      to: await board.getAddress(),
      data: board.interface.encodeFunctionData('publishRecall', [GTIN, [LOT], 2, 1, `0x${'ab'.repeat(32)}`, `${maker.url}/public/v1/recalls/1/notice`]),
    });
    const answer = await (await get(`/public/v1/units/${GTIN}/SN-2`)).json();
    expect(answer).toMatchObject({ verified: true, recalled: true, additionalInfo: 'Recalled' });
    expect(answer.recalls).toMatchObject([{ gtin: GTIN, lots: [LOT], recallClass: 2, action: 'return', status: 'open' }]);
    const status = await (await get(`/public/v1/recall-status?gtin=${GTIN}&lot=${encodeURIComponent(LOT)}`)).json();
    expect(status).toMatchObject({ gtin: GTIN, lot: LOT, recalled: true });
    expect(lotUri(GTIN, LOT)).toContain('/10/L%2F1');
  });
});

describe('cross-origin reads', () => {
  test('verification pages of other nodes may read the verify answer, recalls, notices and linksets (refusals too)', async () => {
    const origin = { origin: 'http://127.0.0.1:1' };
    const reads = [
      `/public/v1/verify?udi=${encodeURIComponent(toDigitalLink({ gtin: GTIN, lot: LOT, serial: 'SN-1' }))}`,
      `/public/v1/verify?udi=${encodeURIComponent('(01)09506000134353(21)X')}`,
      `/public/v1/units/${GTIN}/SN-1`,
      `/public/v1/recall-status?gtin=${GTIN}`,
      '/public/v1/recalls/999/notice',
      `/01/${GTIN}/21/SN-1?linkType=linkset`,
      '/01/09507000134359/21/X?linkType=linkset',
    ];
    for (const path of reads) {
      const res = await get(path, origin);
      expect(res.headers.get('access-control-allow-origin'), `${path} (${res.status})`).toBe('*');
      expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
    // The staff API stays same-origin.
    expect((await get('/api/v1/lots', origin)).headers.get('access-control-allow-origin')).toBeNull();
  });

  test("the answer names the device as the maker's catalogue has it, and no product for a GTIN not in it", async () => {
    const answer = await (await get(`/public/v1/units/${GTIN}/SN-1`)).json();
    expect(answer.data.product).toEqual({ name: `Device ${GTIN}`, model: 'M-1' });
    const unknown = await (await get(`/public/v1/verify?udi=${encodeURIComponent(toDigitalLink({ gtin: '09506000134369', serial: 'X' }))}`)).json();
    expect(unknown).toMatchObject({ verified: false, verificationFailureReason: 'No_match_GTIN', data: { product: null } });
  });
});

describe('rate limit', () => {
  test('a client beyond its bucket gets 429 rate-limited with Retry-After', async () => {
    const app = new OpenAPIHono<AppEnv>();
    app.route('/', publicRoutes(maker.ctx, { rateLimit: { capacity: 3, refillPerSecond: 0.01 } }));
    app.onError(onError);
    app.notFound(notFound);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await app.request(`/public/v1/recall-status?gtin=${GTIN}`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await readProblem(last!)).type).toBe(`${P}rate-limited`);
  });
});
