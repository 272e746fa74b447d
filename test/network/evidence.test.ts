// GET /peer/v1/evidence: a node answers a partner's request for evidence only
// about goods it shipped to that partner. The distributor gets the shipping
// event and the pedigree of a unit it received, every bundle verifying on
// chain; a unit never shipped to it, another lot, and a hospital that never
// bought from the maker are refused with 403 `not-a-recipient`.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { unitUri, verifyBundle, type ProofBundle } from '../../sdk';
import { peerFetch } from '../../node/peers';
import { readProblem } from '../support/app';
import { GTIN, LOT, ok, scanOf, shipAndNotify, startSupplyChain, type SupplyChain } from './supplyChain';

const SERIALS = ['E-001', 'E-002', 'E-003', 'E-004'];

let sc: SupplyChain;
let shippedToDist: string[];

beforeAll(async () => {
  sc = await startSupplyChain({ serials: SERIALS, hospital: true });
  const { shipment, noticeId } = await shipAndNotify(sc.maker, sc.dist, sc.customers.distAtMaker, 2);
  shippedToDist = shipment.lines.map((line) => line.serial!);
  await ok(
    await sc.dist.app.call('POST', `/api/v1/notices/${noticeId}/receipts`, { as: 'warehouse', body: { scans: shippedToDist.map((s) => scanOf(s)), close: true } }),
    201,
    'receipt',
  );
}, 300_000);

afterAll(async () => {
  await sc?.close();
});

const ask = (from: SupplyChain['dist'], to: SupplyChain['maker'], query: string) =>
  peerFetch(from.app.ctx, to.app.ctx.participant, `/peer/v1/evidence?${query}`);

describe('evidence for a partner', () => {
  test('the distributor gets the shipping event, commissioning and release of a unit it received, each verifying on chain', async () => {
    const serial = shippedToDist[0];
    const body = (await ok(await ask(sc.dist, sc.maker, `gtin=${GTIN}&lot=${LOT}&serial=${serial}`), 200, 'evidence')) as { bundles: ProofBundle[]; shipments: number[] };
    expect(body.shipments).toHaveLength(1);
    const steps = body.bundles.map((b) => b.envelope.event.bizStep).sort();
    expect(steps).toEqual(['commissioning', 'shipping', 'urn:medtrace:bizstep:releasing']);
    const uri = unitUri(GTIN, serial);
    for (const bundle of body.bundles) {
      const verified = await verifyBundle(bundle, { provider: sc.maker.app.ctx.chain.provider });
      expect(verified.participant).toBe(sc.maker.app.ctx.participant);
      // Only the unit asked about is disclosed, never the rest of the lot.
      expect(bundle.units.every((u) => u.uri === uri)).toBe(true);
    }
    expect(body.bundles.find((b) => b.envelope.event.bizStep === 'shipping')!.units.map((u) => u.uri)).toEqual([uri]);
  });

  test('a unit of the lot that was never shipped to the distributor is refused', async () => {
    const never = SERIALS.find((s) => !shippedToDist.includes(s))!;
    const res = await ask(sc.dist, sc.maker, `gtin=${GTIN}&lot=${LOT}&serial=${never}`);
    expect(res.status).toBe(403);
    const problem = await readProblem(res);
    expect(problem.type).toMatch(/not-a-recipient$/);
    expect(problem.field).toBe('serial');
  });

  test('another lot is refused', async () => {
    const res = await ask(sc.dist, sc.maker, `gtin=${GTIN}&lot=OTHER`);
    expect(res.status).toBe(403);
    expect((await readProblem(res)).field).toBe('lot');
  });

  test('a participant that never bought from the maker is refused, whatever it asks', async () => {
    const res = await ask(sc.hospital!, sc.maker, `gtin=${GTIN}&lot=${LOT}&serial=${shippedToDist[0]}`);
    expect(res.status).toBe(403);
    expect((await readProblem(res)).type).toMatch(/not-a-recipient$/);
  });

  test('a staff token is not a peer token', async () => {
    const res = await sc.maker.app.call('GET', `/peer/v1/evidence?gtin=${GTIN}&lot=${LOT}`);
    expect(res.status).toBe(401);
  });
});
