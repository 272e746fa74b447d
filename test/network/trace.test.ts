// Trace through three companies over real HTTP on one shared chain: the maker
// ships to the distributor, the distributor receives (evidence checked),
// releases and ships on to the hospital, which receives, releases and
// dispenses. The hospital's backward trace of the unit lists every hop — the
// maker's commissioning, release and shipping, the distributor's receiving,
// release and shipping, its own receiving, release and dispensing — each
// verified against the chain, in time order; an altered bundle shows as a hop
// that does not verify. The maker's forward trace lists its shipments of the lot.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyBundle } from '../../sdk';
import { sendAndWait } from '../../node/chain/transactions';
import { readProblem } from '../support/app';
import { GTIN, inspectAndRelease, LOT, ok, scanOf, shipAndNotify, startSupplyChain, type SupplyChain } from './supplyChain';

const SERIALS = ['M1-001', 'M1-002', 'M1-003', 'M1-004'];

let sc: SupplyChain;
let unit: string;
let second: string;
let hospitalNotice: number;

beforeAll(async () => {
  sc = await startSupplyChain({ serials: SERIALS, hospital: true });
  const { maker, dist, hospital } = sc;
  // Maker → distributor: received, inspected, released.
  const first = await shipAndNotify(maker, dist, sc.customers.distAtMaker, 3);
  const atDist = first.shipment.lines.map((l) => l.serial!);
  await ok(await dist.app.call('POST', `/api/v1/notices/${first.noticeId}/receipts`, { as: 'warehouse', body: { scans: atDist.map((s) => scanOf(s)), close: true } }), 201, 'dist receipt');
  await inspectAndRelease(dist.app, GTIN, LOT);
  // Distributor → hospital.
  const onward = await shipAndNotify(dist, hospital!, sc.customers.hospitalAtDist!, 2);
  hospitalNotice = onward.noticeId;
  [unit, second] = onward.shipment.lines.map((l) => l.serial!);
}, 300_000);

afterAll(async () => {
  await sc?.close();
});

describe('dispensing at the hospital', () => {
  test('the onward notice verifies at the hospital (the distributor\'s receiving names the maker\'s shipping)', async () => {
    const notice = await ok(await sc.hospital!.app.call('GET', `/api/v1/notices/${hospitalNotice}`, { as: 'viewer' }), 200, 'notice');
    expect(notice.status).toBe('verified');
    const receipt = await ok(
      await sc.hospital!.app.call('POST', `/api/v1/notices/${hospitalNotice}/receipts`, { as: 'warehouse', body: { scans: [scanOf(unit), scanOf(second)], close: true } }),
      201,
      'hospital receipt',
    );
    expect(receipt.lines.map((l: any) => l.outcome)).toEqual(['booked', 'booked']);
  });

  test('refused while the lot is quarantined, for an unknown unit, without a serial', async () => {
    const hospital = sc.hospital!.app;
    const quarantined = await hospital.call('POST', '/api/v1/dispensations', { as: 'warehouse', body: { scan: scanOf(unit) } });
    expect(quarantined.status).toBe(409);
    expect(await readProblem(quarantined)).toMatchObject({ type: 'https://medtrace.dev/problems/lot-not-released', field: 'scan', lotStatus: 'quarantined' });
    const unknown = await hospital.call('POST', '/api/v1/dispensations', { as: 'warehouse', body: { scan: scanOf('NOPE') } });
    expect(unknown.status).toBe(404);
    expect(await readProblem(unknown)).toMatchObject({ type: 'https://medtrace.dev/problems/unit-unknown' });
    const noSerial = await hospital.call('POST', '/api/v1/dispensations', { as: 'warehouse', body: { scan: `(01)${GTIN}(10)${LOT}` } });
    expect(noSerial.status).toBe(422);
    expect((await hospital.call('POST', '/api/v1/dispensations', { as: 'sales', body: { scan: scanOf(unit) } })).status).toBe(403);
  });

  test('released: the unit is consumed with a dispensing event; a second time it is not on hand', async () => {
    const hospital = sc.hospital!.app;
    await inspectAndRelease(hospital, GTIN, LOT);
    const dispensed = await ok(await hospital.call('POST', '/api/v1/dispensations', { as: 'warehouse', body: { scan: scanOf(unit) } }), 201, 'dispense');
    expect(dispensed).toMatchObject({ gtin: GTIN, lot: LOT, serial: unit, dispensedBy: 'warehouse' });
    const [row] = await hospital.db.sql`select envelope from ledger_events where participant = ${hospital.ctx.participant} and seq = ${dispensed.ledgerSeq}`;
    expect(row.envelope.event).toMatchObject({ bizStep: 'dispensing', disposition: 'dispensed', epcList: { count: 1 }, 'medtrace:lot': { gtin: GTIN, lot: LOT } });
    const [u] = await hospital.db.sql`select state, bin_id from units where gtin = ${GTIN} and serial = ${unit}`;
    expect(u).toEqual({ state: 'consumed', bin_id: null });
    const again = await hospital.call('POST', '/api/v1/dispensations', { as: 'warehouse', body: { scan: scanOf(unit) } });
    expect(again.status).toBe(409);
    expect(await readProblem(again)).toMatchObject({ type: 'https://medtrace.dev/problems/unit-not-on-hand', state: 'consumed' });
  });
});

describe('trace', () => {
  test('backward: every hop through the three companies, verified against the chain, in time order', async () => {
    const { maker, dist, hospital } = sc;
    await hospital!.app.anchorAll();
    const res = await hospital!.app.call('GET', `/api/v1/trace/unit?udi=${encodeURIComponent(scanOf(unit))}`, { as: 'viewer' });
    const trace = await ok(res, 200, 'trace');
    expect(trace.unit).toEqual({ gtin: GTIN, lot: LOT, serial: unit });
    expect(trace.verified).toBe(true);
    const steps = trace.hops.map((h: any) => `${h.name}:${h.bizStep}`);
    const RELEASE = 'urn:medtrace:bizstep:releasing';
    for (const step of [
      'Maker:commissioning',
      `Maker:${RELEASE}`,
      'Maker:shipping',
      'Distributor:receiving',
      `Distributor:${RELEASE}`,
      'Distributor:shipping',
      'Hospital:receiving',
      'Hospital:inspecting',
      `Hospital:${RELEASE}`,
      'Hospital:dispensing',
    ]) {
      expect(steps).toContain(step);
    }
    const order = (step: string) => steps.indexOf(step);
    expect(order('Maker:commissioning')).toBeLessThan(order('Maker:shipping'));
    expect(order('Maker:shipping')).toBeLessThan(order('Distributor:receiving'));
    expect(order('Distributor:shipping')).toBeLessThan(order('Hospital:receiving'));
    expect(order('Hospital:receiving')).toBeLessThan(order('Hospital:dispensing'));
    const times = trace.hops.map((h: any) => Date.parse(h.eventTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const hop of trace.hops) {
      expect(hop).toMatchObject({ verified: true });
      expect(hop.batch).toBeGreaterThanOrEqual(0);
      expect(hop.blockNumber).toBeGreaterThan(0);
    }
    const participants = new Set(trace.hops.map((h: any) => h.participant));
    expect(participants).toEqual(new Set([maker.app.ctx.participant, dist.app.ctx.participant, hospital!.app.ctx.participant]));
    expect(trace.hops.find((h: any) => h.bizStep === 'commissioning')).toMatchObject({ role: 'manufacturer', participant: maker.app.ctx.participant });
    // Every bundle verifies with the SDK on its own and discloses at most this unit.
    expect(trace.bundles.length).toBe(trace.hops.length);
    for (const bundle of trace.bundles) {
      await verifyBundle(bundle, { provider: sc.chain.provider });
      for (const u of bundle.units) expect(u.uri).toBe(`https://id.gs1.org/01/${GTIN}/21/${unit}`);
    }
  });

  test('an altered bundle in the stored evidence shows as a hop that does not verify', async () => {
    const hospital = sc.hospital!.app;
    // The maker's commissioning bundle as the distributor forwarded it: its root changed.
    await hospital.db.sql`
      update inbound_notices set notice = jsonb_set(notice, '{pedigree}', (
        select jsonb_agg(case when b -> 'envelope' -> 'event' ->> 'bizStep' = 'commissioning'
                              then jsonb_set(b, '{anchor,root}', to_jsonb(${`0x${'ab'.repeat(32)}`}::text)) else b end order by i)
        from jsonb_array_elements(notice -> 'pedigree') with ordinality as p(b, i)))
      where id = ${hospitalNotice}`;
    const trace = await ok(await hospital.call('GET', `/api/v1/trace/unit?udi=${encodeURIComponent(scanOf(unit))}`, { as: 'viewer' }), 200, 'trace');
    expect(trace.verified).toBe(false);
    const commissioning = trace.hops.find((h: any) => h.bizStep === 'commissioning');
    expect(commissioning).toMatchObject({ verified: false, failure: expect.stringMatching(/^proof-failed:/) });
    expect(trace.hops.filter((h: any) => !h.verified)).toHaveLength(1);
  });

  test('a unit nobody here knows: 404; a UDI without a serial: 422', async () => {
    const hospital = sc.hospital!.app;
    const unknown = await hospital.call('GET', `/api/v1/trace/unit?udi=${encodeURIComponent(scanOf('NOPE'))}`, { as: 'viewer' });
    expect(unknown.status).toBe(404);
    const lotOnly = await hospital.call('GET', `/api/v1/trace/unit?udi=${encodeURIComponent(`(01)${GTIN}(10)${LOT}`)}`, { as: 'viewer' });
    expect(lotOnly.status).toBe(422);
    expect(await readProblem(lotOnly)).toMatchObject({ field: 'udi' });
  });

  test('forward: the maker\'s shipments of the lot, with customer, units and ledger seq', async () => {
    const { maker, dist } = sc;
    const trace = await ok(await maker.app.call('GET', `/api/v1/trace/lot?gtin=${GTIN}&lot=${LOT}`, { as: 'viewer' }), 200, 'forward');
    expect(trace).toMatchObject({ gtin: GTIN, lot: LOT, totals: { shipped: 3, shipments: 1, customers: 1 } });
    expect(trace.shipments[0]).toMatchObject({ customer: { code: 'DIST', participant: dist.app.ctx.participant }, quantity: 3 });
    expect(trace.shipments[0].serials).toHaveLength(3);
    expect(trace.shipments[0].ledgerSeq).toBeGreaterThan(0);
    const atDist = await ok(await dist.app.call('GET', `/api/v1/trace/lot?gtin=${GTIN}&lot=${LOT}`, { as: 'viewer' }), 200, 'forward dist');
    expect(atDist.totals).toEqual({ shipped: 2, shipments: 1, customers: 1 });
    const none = await ok(await maker.app.call('GET', `/api/v1/trace/lot?gtin=${GTIN}&lot=OTHER`, { as: 'viewer' }), 200, 'none');
    expect(none.shipments).toEqual([]);
  });

  test('a lot recalled on the board is not dispensed, even before the watcher has run', async () => {
    const { maker, hospital } = sc;
    const board = maker.app.ctx.chain.contracts.recallBoard;
    await sendAndWait(maker.app.ctx.chain.wallet, {
      to: await board.getAddress(),
      data: board.interface.encodeFunctionData('publishRecall', [GTIN, [LOT], 2, 1, `0x${'ab'.repeat(32)}`, 'https://maker.example/recalls/1/notice']),
    });
    const res = await hospital!.app.call('POST', '/api/v1/dispensations', { as: 'warehouse', body: { scan: scanOf(second) } });
    expect(res.status).toBe(409);
    expect(await readProblem(res)).toMatchObject({ type: 'https://medtrace.dev/problems/lot-recalled', recalls: [expect.any(Number)] });
  });
});
