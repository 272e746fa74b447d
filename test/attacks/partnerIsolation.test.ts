// A partner never reads events about goods it did not receive. Three nodes on
// one chain over real HTTP: a maker and two of its customers, A and B, each
// shipped different goods — of a lot both got units of, of a lot only A got,
// and of lot-controlled stock (a lot both got quantities of, a lot only A got).
// Each customer asks the maker's peer routes about the other's goods, in every
// parameter shape we could think of and in fuzzed ones: refused (403
// not-a-recipient, or a 4xx for a malformed question), never a 5xx, never a
// bundle disclosing the other's units or the other's shipping events; about
// its own goods it gets its evidence, every bundle verifying on chain. The
// other peer routes (notices, recall notices and acknowledgements,
// reconciliation) hand out no events at all; an auditor token of one node is
// refused at the other (403 auditor-foreign-token, or auditor-not-gtin-owner
// on the forward trace). Finally a bundle the maker handed out is refused by
// verifyBundle after any single-byte change (one value per byte, on the node's
// chain, pinned to its AnchorLog).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isMedtraceError, lotUri, unitUri, verifyBundle, type ProofBundle } from '../../sdk';
import { peerFetch } from '../../node/peers';
import { readProblem, startTestApp, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { LOT_GTIN, seedCustomer, seedLotStock, seedProduct } from '../erp/ordersSeed';
import { makeReleasedLot, ok, ship } from '../network/supplyChain';
import { FUZZ_SEED, runs } from './support/fuzz';

const GTIN = '09506000134352';
const P = 'https://medtrace.dev/problems/';

let chain: TestChain;
let maker: TestApp;
let a: TestApp;
let b: TestApp;

/** What each customer received: unit serials by lot, lot-controlled lots, its shipments' ledger seqs. */
interface Received {
  units: { lot: string; serial: string }[];
  quantityLots: string[];
  shippingSeqs: number[];
  shipmentIds: number[];
}
const received: Record<'a' | 'b', Received> = {
  a: { units: [], quantityLots: [], shippingSeqs: [], shipmentIds: [] },
  b: { units: [], quantityLots: [], shippingSeqs: [], shipmentIds: [] },
};

async function customerAt(app: TestApp, code: string, customer: TestApp): Promise<number> {
  const id = await seedCustomer(app, code);
  await app.db.sql`update partners set participant = ${customer.ctx.participant} where id = ${id}`;
  return id;
}

/** Order → FEFO allocation → a pick per allocated lot → shipment, for lot-controlled goods. */
async function shipQuantity(app: TestApp, customerId: number, gtin: string, quantity: number) {
  const order = await ok(await app.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId, currency: 'EUR', lines: [{ gtin, quantity, unitPrice: '10.00' }] } }), 201, 'order');
  const allocation = await ok(await app.call('POST', `/api/v1/orders/${order.id}/allocations`, { as: 'warehouse' }), 200, 'allocation');
  for (const part of allocation.lines[0].allocated as { lot: string; quantity: number }[]) {
    await ok(await app.call('POST', `/api/v1/orders/${order.id}/picks`, { as: 'warehouse', body: { scan: `(01)${gtin}(10)${part.lot}`, quantity: part.quantity } }), 201, 'pick');
  }
  const { shipment } = await ok(await app.call('POST', `/api/v1/orders/${order.id}/shipments`, { as: 'warehouse' }), 201, 'shipment');
  return shipment as { id: number; ledgerSeq: number; lines: { lot: string; serial: string | null; quantity: number }[] };
}

function book(who: 'a' | 'b', shipment: { id: number; ledgerSeq: number; lines: { lot: string; serial: string | null }[] }) {
  received[who].shipmentIds.push(shipment.id);
  received[who].shippingSeqs.push(shipment.ledgerSeq);
  for (const line of shipment.lines) {
    if (line.serial) received[who].units.push({ lot: line.lot, serial: line.serial });
    else if (!received[who].quantityLots.includes(line.lot)) received[who].quantityLots.push(line.lot);
  }
}

beforeAll(async () => {
  chain = await startTestChain();
  maker = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9506000', env: { PARTICIPANT_NAME: 'Maker', PARTICIPANT_ROLE: 'manufacturer' } });
  a = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9507000', env: { PARTICIPANT_NAME: 'Customer A', PARTICIPANT_ROLE: 'distributor' } });
  b = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9508000', env: { PARTICIPANT_NAME: 'Customer B', PARTICIPANT_ROLE: 'hospital' } });
  await seedProduct(maker, GTIN);
  // FEFO ships the earlier lot first: A's first order takes all of M2, then one unit of M1.
  await makeReleasedLot(maker, GTIN, 'M2', '2030-06-30', ['V-001', 'V-002']);
  await makeReleasedLot(maker, GTIN, 'M1', '2031-06-30', ['U-001', 'U-002', 'U-003', 'U-004', 'U-005']);
  await seedProduct(maker, LOT_GTIN, { tracking: 'lot' });
  await seedLotStock(maker, LOT_GTIN, 'Q2', '2030-12-31', 10);
  await seedLotStock(maker, LOT_GTIN, 'Q1', '2031-12-31', 100);
  const atMakerA = await customerAt(maker, 'A', a);
  const atMakerB = await customerAt(maker, 'B', b);
  book('a', await ship(maker, atMakerA, 3));
  book('b', await ship(maker, atMakerB, 2));
  book('a', await shipQuantity(maker, atMakerA, LOT_GTIN, 10));
  book('a', await shipQuantity(maker, atMakerA, LOT_GTIN, 5));
  book('b', await shipQuantity(maker, atMakerB, LOT_GTIN, 5));
  await maker.anchorAll();
  // The setup is what the tests assume.
  expect(received.a.units.map((u) => u.lot).sort()).toEqual(['M1', 'M2', 'M2']);
  expect(received.b.units.map((u) => u.lot)).toEqual(['M1', 'M1']);
  expect(received.a.quantityLots.sort()).toEqual(['Q1', 'Q2']);
  expect(received.b.quantityLots).toEqual(['Q1']);
}, 300_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await maker?.close();
  await chain?.stop();
});

const nodeOf = (who: 'a' | 'b') => (who === 'a' ? a : b);
const other = (who: 'a' | 'b') => (who === 'a' ? 'b' : 'a');

/** `who` asks the maker's /peer/v1 `path` (with its own, valid peer token). */
const ask = (who: 'a' | 'b', path: string, init?: { body?: unknown }) => peerFetch(nodeOf(who).ctx, maker.ctx.participant, path, init);

/**
 * What is wrong with the maker's answer to `asker`: a 5xx, or a 200 that discloses a unit, a
 * shipping event or a lot-controlled lot of the other customer. Undefined when it is fine.
 */
async function leak(asker: 'a' | 'b', res: Response): Promise<string | undefined> {
  const text = await res.text();
  if (res.status >= 500) return `status ${res.status}: ${text.slice(0, 200)}`;
  if (res.status !== 200) return undefined;
  const mine = received[asker];
  const theirs = received[other(asker)];
  const myUris = new Set(mine.units.map((u) => unitUri(GTIN, u.serial)));
  const body = JSON.parse(text) as { bundles?: ProofBundle[] };
  for (const bundle of body.bundles ?? []) {
    for (const unit of bundle.units) if (!myUris.has(unit.uri)) return `discloses ${unit.uri}, not received by ${asker}`;
    const seq = bundle.envelope.seq;
    if (bundle.envelope.event.bizStep === 'shipping' && !mine.shippingSeqs.includes(seq)) return `hands out shipping event ${seq}, not a shipment to ${asker}`;
    if (theirs.shippingSeqs.includes(seq)) return `hands out the other customer's shipping event ${seq}`;
  }
  for (const unit of theirs.units) if (!mine.units.some((u) => u.serial === unit.serial) && text.includes(unitUri(GTIN, unit.serial))) return `names ${unit.serial}`;
  for (const lot of theirs.quantityLots) if (!mine.quantityLots.includes(lot) && text.includes(lotUri(LOT_GTIN, lot))) return `names lot ${lot}`;
  return undefined;
}

/** Expects a refusal (403 not-a-recipient, or a 4xx for a malformed question), never a bundle. */
async function expectRefused(asker: 'a' | 'b', path: string, status?: number): Promise<void> {
  const res = await ask(asker, path);
  expect(await leak(asker, res.clone()), path).toBeUndefined();
  expect(res.status, path).toBeGreaterThanOrEqual(400);
  expect(res.status, path).toBeLessThan(500);
  const problem = await readProblem(res);
  if (status !== undefined) expect({ path, status: res.status }).toEqual({ path, status });
  if (res.status === 403) expect(problem.type, path).toBe(`${P}not-a-recipient`);
}

/**
 * Expects a refusal, or (a parameter the route does not know is ignored) an answer about the
 * asker's own goods only. Returns the status.
 */
async function expectNoDisclosure(asker: 'a' | 'b', path: string): Promise<number> {
  const res = await ask(asker, path);
  expect(await leak(asker, res), path).toBeUndefined();
  return res.status;
}

const q = (params: Record<string, string>) => `/peer/v1/evidence?${new URLSearchParams(params)}`;

describe.each(['a', 'b'] as const)('customer %s asks about the other’s goods', (asker) => {
  const them = () => received[other(asker)];
  const mine = () => received[asker];
  const onlyTheirs = () => them().units.filter((u) => !mine().units.some((m) => m.serial === u.serial));

  test('each unit the other received, by GTIN, lot and serial: 403 not-a-recipient', async () => {
    expect(onlyTheirs().length).toBeGreaterThan(0);
    for (const unit of onlyTheirs()) await expectRefused(asker, q({ gtin: GTIN, lot: unit.lot, serial: unit.serial }), 403);
  });

  test('the same units in other shapes (GTIN-13, its own lot, another lot, case changed, padded, encoded, repeated, extra parameters): refused, or about its own goods only', async () => {
    const myUnit = mine().units[0];
    for (const unit of onlyTheirs()) {
      const shapes = [
        q({ gtin: GTIN.slice(1), lot: unit.lot, serial: unit.serial }),
        q({ gtin: GTIN, lot: myUnit.lot, serial: unit.serial }),
        q({ gtin: GTIN, lot: unit.lot === 'M1' ? 'M2' : 'M1', serial: unit.serial }),
        q({ gtin: GTIN, lot: unit.lot.toLowerCase(), serial: unit.serial.toLowerCase() }),
        q({ gtin: GTIN, lot: unit.lot, serial: ` ${unit.serial}` }),
        q({ gtin: GTIN, lot: unit.lot, serial: `${unit.serial}%` }),
        `/peer/v1/evidence?gtin=${GTIN}&lot=${unit.lot}&serial=${encodeURIComponent(unit.serial).replace('-', '%2D')}`,
        `/peer/v1/evidence?gtin=${GTIN}&lot=${unit.lot}&serial=${myUnit.serial}&serial=${unit.serial}`,
        `/peer/v1/evidence?gtin=${GTIN}&lot=${unit.lot}&serial=${unit.serial}&serial=${myUnit.serial}`,
        `/peer/v1/evidence?gtin=${GTIN}&gtin=${GTIN}&lot=${unit.lot}&serial=${unit.serial}`,
        `${q({ gtin: GTIN, lot: unit.lot, serial: unit.serial })}&customer=${asker}&shipment=${them().shipmentIds[0]}&participant=${nodeOf(other(asker)).ctx.participant}`,
        `/peer/v1/evidence?gtin=${GTIN}&lot=${unit.lot}&serial[]=${unit.serial}`,
        `/peer/v1/evidence?gtin=${GTIN}&lot=${unit.lot}&serial=${unit.serial}%00`,
        `/peer/v1/evidence?gtin=${GTIN}&lot=${unit.lot}&serial=${unit.serial}#${myUnit.serial}`,
        `/peer/v1/evidence?udi=${encodeURIComponent(unitUri(GTIN, unit.serial))}`,
        `/peer/v1/evidence?gtin=${GTIN}&lot=${unit.lot}&serial=${unit.serial},${myUnit.serial}`,
      ];
      const statuses = new Set<number>();
      for (const path of shapes) statuses.add(await expectNoDisclosure(asker, path));
      // Most shapes are refused outright; `serial[]` is no parameter of the route, so it reads as a question about the lot.
      expect([...statuses].filter((status) => status !== 200 && (status < 400 || status >= 500))).toEqual([]);
      expect(statuses.has(403)).toBe(true);
    }
  });

  test('a lot only the other received, with or without a serial: 403', async () => {
    const lots = [...new Set(onlyTheirs().map((u) => u.lot))].filter((lot) => !mine().units.some((u) => u.lot === lot));
    for (const lot of lots) {
      await expectRefused(asker, q({ gtin: GTIN, lot }), 403);
      await expectRefused(asker, q({ gtin: GTIN, lot, serial: mine().units[0].serial }), 403);
    }
    for (const lot of them().quantityLots.filter((l) => !mine().quantityLots.includes(l))) await expectRefused(asker, q({ gtin: LOT_GTIN, lot }), 403);
  });

  test('a lot both received: only its own units and its own shipping events, every bundle verifying on chain', async () => {
    for (const [gtin, lot] of [
      [GTIN, 'M1'],
      [LOT_GTIN, 'Q1'],
    ] as const) {
      const res = await ask(asker, q({ gtin, lot }));
      expect(res.status).toBe(200);
      expect(await leak(asker, res.clone())).toBeUndefined();
      const body = (await res.json()) as { bundles: ProofBundle[]; shipments: number[] };
      expect(body.shipments.every((id) => mine().shipmentIds.includes(id))).toBe(true);
      expect(body.bundles.some((bundle) => bundle.envelope.event.bizStep === 'shipping')).toBe(true);
      for (const bundle of body.bundles) {
        await expect(verifyBundle(bundle, { provider: maker.ctx.chain.provider, expect: { chainId: maker.ctx.chainId, anchorLog: chain.deployment.anchorLog } })).resolves.toMatchObject({
          participant: maker.ctx.participant,
        });
      }
    }
  });

  test('fuzzed questions about the other’s goods (parameters mixed, encoded, repeated, junk): never a 5xx, never a disclosure', async () => {
    const units = [...them().units, ...mine().units];
    const value = fc.oneof(
      fc.constantFrom(GTIN, GTIN.slice(1), LOT_GTIN, 'M1', 'M2', 'Q1', 'Q2', ...units.map((u) => u.serial), '', '%', '%00', '*', "' or '1'='1", 'null'),
      fc.string({ maxLength: 8 }),
    );
    const param = fc.tuple(fc.constantFrom('gtin', 'lot', 'serial', 'serial', 'lot', 'gtin', 'shipment', 'udi', 'serial[]', 'GTIN'), value);
    await fc.assert(
      fc.asyncProperty(fc.array(param, { minLength: 1, maxLength: 5 }), fc.boolean(), async (params, raw) => {
        const query = params.map(([k, v]) => `${k}=${raw ? v : encodeURIComponent(v)}`).join('&');
        const res = await ask(asker, `/peer/v1/evidence?${query}`);
        const wrong = await leak(asker, res);
        if (wrong) throw new Error(`${query}: ${wrong}`);
      }),
      { seed: FUZZ_SEED, numRuns: runs(40) },
    );
  });

  test('the other peer routes hand out no events about the other’s goods', async () => {
    const theirShipment = them().shipmentIds[0];
    const theirUnit = onlyTheirs()[0];
    const probes: [string, unknown][] = [
      ['/peer/v1/reconciliation', { type: 'items', shipmentId: theirShipment, shipmentRef: `S-${theirShipment}`, items: [{ id: 1, gtin: GTIN, lot: theirUnit.lot, serial: theirUnit.serial, expected: 1, received: 0, reason: 'missing' }] }],
      ['/peer/v1/recall-acks', { recallId: 1, shipmentId: theirShipment }],
      ['/peer/v1/recall-notices', { recallId: 1, gtin: GTIN, lots: [theirUnit.lot] }],
      ['/peer/v1/notices', { version: 1, sender: maker.ctx.participant, receiver: nodeOf(asker).ctx.participant, shipmentId: theirShipment, lines: [], shipping: {}, pedigree: [] }],
    ];
    for (const [path, body] of probes) {
      const res = await ask(asker, path, { body });
      const text = await res.text();
      expect(res.status, `${path}: ${text.slice(0, 200)}`).toBeLessThan(500);
      expect(text, path).not.toContain('"envelope"');
      expect(text, path).not.toContain(unitUri(GTIN, theirUnit.serial));
    }
    // A reconciliation message about the other's shipment is refused outright.
    const res = await ask(asker, '/peer/v1/reconciliation', { body: probes[0][1] });
    expect(res.status).toBe(403);
  });

  test('the public verification of the other’s unit tells where it came from, never where it went', async () => {
    const unit = onlyTheirs()[0];
    const res = await fetch(`${maker.url}/public/v1/units/${GTIN}/${unit.serial}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { evidence: Record<string, ProofBundle | null> };
    const steps = Object.values(body.evidence).flatMap((bundle) => (bundle ? [bundle.envelope.event.bizStep] : []));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.filter((step) => step === 'shipping' || step === 'receiving')).toEqual([]);
    expect(JSON.stringify(body)).not.toContain(nodeOf(other(asker)).ctx.participant);
  });
});

describe('auditor tokens of one node at another', () => {
  const issue = async (app: TestApp) =>
    (await ok(await app.call('POST', '/api/v1/auditor-tokens', { body: { auditor: 'Cross Auditor', scopes: ['ledger', 'report', 'export', 'trace'], expiresInHours: 1 } }), 201, 'token')) as {
      token: string;
    };
  const ROUTES = ['/audit/v1/events', '/audit/v1/events/1', '/audit/v1/anchors', '/audit/v1/report', '/audit/v1/export/epcis'];

  test('a customer’s auditor token at the maker: 403 auditor-foreign-token on every ledger route, auditor-not-gtin-owner on the forward trace of the maker’s goods', async () => {
    for (const customer of [a, b]) {
      const { token } = await issue(customer);
      for (const path of ROUTES) {
        const res = await fetch(maker.url + path, { headers: { authorization: `Bearer ${token}` } });
        expect({ path, status: res.status, type: (await readProblem(res)).type }).toEqual({ path, status: 403, type: `${P}auditor-foreign-token` });
      }
      const trace = await fetch(`${maker.url}/audit/v1/trace/forward?gtin=${GTIN}&lot=M1`, { headers: { authorization: `Bearer ${token}` } });
      expect(trace.status).toBe(403);
      expect((await readProblem(trace)).type).toBe(`${P}auditor-not-gtin-owner`);
    }
  });

  test('the maker’s auditor token at a customer, and one customer’s at the other: 403 auditor-foreign-token on every ledger route', async () => {
    for (const [issuer, at] of [
      [maker, a],
      [a, b],
      [b, a],
    ] as const) {
      const { token } = await issue(issuer);
      for (const path of ROUTES) {
        const res = await fetch(at.url + path, { headers: { authorization: `Bearer ${token}` } });
        expect({ path, status: res.status, type: (await readProblem(res)).type }).toEqual({ path, status: 403, type: `${P}auditor-foreign-token` });
      }
    }
  });
});

describe('a bundle the maker handed out', () => {
  test('every byte of it changed (one value each) is refused by verifyBundle with a coded error', async () => {
    const res = await ask('b', q({ gtin: GTIN, lot: 'M1', serial: received.b.units[0].serial }));
    const { bundles } = (await ok(res, 200, 'evidence')) as { bundles: ProofBundle[] };
    const shipping = bundles.find((bundle) => bundle.envelope.event.bizStep === 'shipping')!;
    const options = { provider: maker.ctx.chain.provider, expect: { chainId: maker.ctx.chainId, anchorLog: chain.deployment.anchorLog } };
    const text = JSON.stringify(shipping);
    await expect(verifyBundle(text, options)).resolves.toMatchObject({ seq: shipping.envelope.seq });
    const bytes = new TextEncoder().encode(text);
    const decoder = new TextDecoder();
    const codes: Record<string, number> = {};
    const wrong: string[] = [];
    for (let at = 0; at < bytes.length; at++) {
      const copy = bytes.slice();
      // A digit becomes the next digit, a hex letter the next letter, anything else flips its low bit.
      const c = copy[at];
      copy[at] = c >= 0x30 && c <= 0x38 ? c + 1 : c === 0x39 ? 0x30 : c >= 0x61 && c <= 0x65 ? c + 1 : c === 0x66 ? 0x61 : c ^ 1;
      try {
        await verifyBundle(decoder.decode(copy), options);
        wrong.push(`byte ${at}: verified`);
      } catch (error) {
        if (!isMedtraceError(error)) wrong.push(`byte ${at}: ${(error as Error).name} ${(error as Error).message}`);
        else codes[error.code] = (codes[error.code] ?? 0) + 1;
      }
    }
    console.log(`node bundle of ${bytes.length} bytes: ${bytes.length} single-byte changes, refusals by code ${JSON.stringify(codes)}`);
    expect(wrong).toEqual([]);
  }, 300_000);
});
