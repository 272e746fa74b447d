// End to end through the layer a user touches: a node process over HTTP, a
// real Hardhat chain, a real database (the embedded PGlite default, and a
// Postgres server when TEST_DATABASE_URL is set). Commission a lot of 10,000
// serials, wait for anchoring, fetch one unit's proof bundle and verify it
// against the chain with the SDK; then change any single value and watch it fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedtraceError, toDigitalLink, unitUri, verifyBundle } from '../../sdk';
import type { MedtraceErrorCode, ProofBundle } from '../../sdk';
import { createServerDatabase, startTestChain, startTestNode, testServerUrl, waitFor } from '../support';
import type { TestChain, TestNode } from '../support';

const GTIN = '09506000134352';
const LOT = 'L2611A';
const SERIALS = 10_000;

let chain: TestChain;
beforeAll(async () => {
  chain = await startTestChain();
}, 120_000);
afterAll(async () => {
  await chain?.stop();
});

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`HTTP ${res.status}: ${text}`);
  }
}

/** Expects `promise` to reject with a MedtraceError of `code`. */
async function rejectsWith(promise: Promise<unknown>, code: MedtraceErrorCode, what: string): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `${what} must be rejected`).toBeDefined();
  expect(isMedtraceError(error) ? error.code : String(error), what).toBe(code);
}

function flipHexChar(hex: string, at = hex.length - 1): string {
  const c = hex[at];
  return hex.slice(0, at) + (c === '0' ? '1' : '0') + hex.slice(at + 1);
}

function clone(bundle: ProofBundle): ProofBundle {
  return JSON.parse(JSON.stringify(bundle)) as ProofBundle;
}

function proofFlow(databaseUrl: () => Promise<{ url?: string; drop(): Promise<void> }>, env: Record<string, string> = {}) {
  let node: TestNode;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const db = await databaseUrl();
    drop = db.drop;
    node = await startTestNode({
      chain,
      databaseUrl: db.url,
      env: { ANCHOR_BATCH_SIZE: '1000', ANCHOR_MAX_AGE_MS: '3000', ...env },
    });
  }, 180_000);

  afterAll(async () => {
    await node?.stop();
    await drop();
  });

  let bundle: ProofBundle;
  let seq: number;
  const serial = 'SN004711';

  it('commissions a lot of 10,000 serials and answers 409 not-anchored until its batch is anchored', async () => {
    const product = await node.request('/api/v1/products', {
      body: { gtin: GTIN, name: 'Infusion pump', model: 'IP-7', deviceClass: 'IIb' },
    });
    expect(product.status, await product.clone().text()).toBe(201);
    const lot = await node.request('/api/v1/lots', {
      body: { gtin: GTIN, lot: LOT, productionDate: '2026-01-10', expiry: '2029-01-31', serialCount: SERIALS, serialPrefix: 'SN' },
    });
    expect(lot.status, await lot.clone().text()).toBe(201);
    seq = (await json<{ ledgerSeq: number }>(lot)).ledgerSeq;
    for (const result of ['pass', 'pass']) {
      const inspection = await node.request(`/api/v1/lots/${GTIN}/${LOT}/inspections`, {
        body: { kind: 'final', result, method: 'visual+dimensional' },
      });
      expect(inspection.status, await inspection.clone().text()).toBe(201);
    }

    const early = await node.request(`/audit/v1/events/${seq}`);
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(early);
    expect(problem).toMatchObject({ type: 'https://medtrace.dev/problems/not-anchored', seq, lastAnchoredSeq: 0 });

    const scanned = toDigitalLink({ gtin: GTIN, lot: LOT, serial, expiry: '2029-01-31' });
    const anchored = await waitFor(
      async () => {
        const res = await node.request(`/audit/v1/events/${seq}?unit=${encodeURIComponent(scanned)}`);
        if (res.status === 409) return undefined;
        expect(res.status, await res.clone().text()).toBe(200);
        return json<{ status: string; bundle: ProofBundle }>(res);
      },
      60_000,
      'the commissioning event to be anchored',
    );
    expect(anchored.status).toBe('anchored');
    bundle = anchored.bundle;
    expect(bundle.units).toEqual([expect.objectContaining({ field: 'epcList', uri: unitUri(GTIN, serial) })]);
    expect(bundle.units[0].proof.size).toBe(SERIALS);
    expect(bundle.inclusion.size).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('produces a bundle the SDK verifies against the chain', async () => {
    const verified = await verifyBundle(bundle, { provider: chain.provider });
    expect(verified).toMatchObject({
      seq,
      chainId: chain.deployment.chainId,
      participant: bundle.envelope.participant,
      batch: 0,
      units: [unitUri(GTIN, serial)],
    });
    const anchors = await json<{ items: Array<{ batch: number; from: number; to: number }> }>(await node.request('/audit/v1/anchors'));
    expect(anchors.items[0]).toMatchObject({ batch: 0, from: 1, to: bundle.anchor.to });
    const events = await json<{ items: Array<{ seq: number; batch: number | null }> }>(await node.request('/audit/v1/events?limit=2'));
    expect(events.items.map((e) => [e.seq, e.batch])).toEqual([[1, 0], [2, 0]]);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^medtrace_anchor_last_anchored_seq ${bundle.anchor.to}$`, 'm'));
    expect(metrics).toMatch(/^medtrace_anchor_pending_events 0$/m);
  });

  it('rejects the bundle when any single value is changed, with the code naming what failed', async () => {
    const cases: Array<[string, (b: ProofBundle) => void, MedtraceErrorCode]> = [
      ['an event field', (b) => ((b.envelope.event['medtrace:lot'] as Record<string, string>).lot = 'L2611B'), 'INCLUSION_FAILED'],
      // seq 1 must carry the zero hash as prev: anything else is malformed, later seqs fail inclusion.
      ['a hash char of prev', (b) => (b.envelope.prev = flipHexChar(b.envelope.prev)), seq === 1 ? 'BUNDLE_MALFORMED' : 'INCLUSION_FAILED'],
      ['the unit set root', (b) => ((b.envelope.event.epcList as { root: string }).root = flipHexChar((b.envelope.event.epcList as { root: string }).root)), 'INCLUSION_FAILED'],
      ['seq', (b) => (b.envelope.seq += 1), 'RANGE_MISMATCH'],
      ['the salt', (b) => (b.salt = flipHexChar(b.salt, 2)), 'INCLUSION_FAILED'],
      ['an inclusion sibling', (b) => (b.inclusion.siblings[0] = flipHexChar(b.inclusion.siblings[0])), 'INCLUSION_FAILED'],
      ['the anchored root', (b) => (b.anchor.root = flipHexChar(b.anchor.root)), 'INCLUSION_FAILED'],
      ['anchor.from', (b) => (b.anchor.from += 1), 'RANGE_MISMATCH'],
      ['anchor.to', (b) => (b.anchor.to += 1), 'RANGE_MISMATCH'],
      ['the txHash', (b) => (b.anchor.txHash = flipHexChar(b.anchor.txHash)), 'TX_MISMATCH'],
      ['the blockNumber', (b) => (b.anchor.blockNumber += 1), 'TX_MISMATCH'],
      ['the batch number', (b) => (b.anchor.batch += 1), 'BATCH_NOT_FOUND'],
      ['the unit uri', (b) => (b.units[0].uri = unitUri(GTIN, 'SN004712')), 'UNIT_NOT_IN_SET'],
      ['a unit proof sibling', (b) => (b.units[0].proof.siblings[3] = flipHexChar(b.units[0].proof.siblings[3])), 'UNIT_NOT_IN_SET'],
      ['the unit index', (b) => (b.units[0].proof.index += 1), 'UNIT_NOT_IN_SET'],
      ['the chain id', (b) => (b.anchor.chainId += 1), 'CHAIN_MISMATCH'],
      ['the anchor participant', (b) => (b.anchor.participant = flipHexChar(b.anchor.participant)), 'PARTICIPANT_MISMATCH'],
    ];
    for (const [what, change, code] of cases) {
      const tampered = clone(bundle);
      change(tampered);
      await rejectsWith(verifyBundle(tampered, { provider: chain.provider }), code, what);
    }
  }, 60_000);

  it('rejects a change of any hex character anywhere in the bundle', async () => {
    const paths: string[][] = [];
    const walk = (value: unknown, path: string[]) => {
      if (typeof value === 'string' && /^0x[0-9a-f]+$/.test(value)) paths.push(path);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    };
    walk(bundle, []);
    expect(paths.length).toBeGreaterThan(15);
    for (const path of paths) {
      const tampered = clone(bundle) as unknown as Record<string, unknown>;
      let holder = tampered;
      for (const key of path.slice(0, -1)) holder = holder[key] as Record<string, unknown>;
      const key = path[path.length - 1];
      const hex = holder[key] as string;
      holder[key] = flipHexChar(hex, 2 + ((hex.length * 7) % (hex.length - 2)));
      await expect(verifyBundle(tampered, { provider: chain.provider }), path.join('.')).rejects.toThrow();
    }
  }, 60_000);

  it('answers 404 for an unknown seq and for a unit that is not in the event', async () => {
    const unknown = await node.request('/audit/v1/events/99999');
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ field: 'seq' });
    const stranger = await node.request(`/audit/v1/events/${seq}?unit=${encodeURIComponent(unitUri(GTIN, 'XX1'))}`);
    expect(stranger.status).toBe(404);
    expect(await json(stranger)).toMatchObject({ field: 'unit' });
  });
}

describe('proof flow over HTTP on the embedded PGlite database', () => {
  proofFlow(async () => ({ url: undefined, drop: async () => {} }), { GS1_COMPANY_PREFIX: '9506000' });
});

describe.skipIf(!testServerUrl())('proof flow over HTTP on a Postgres server (TEST_DATABASE_URL; skipped when unset)', () => {
  // Same chain as above: the company prefix is already the first node's.
  proofFlow(() => createServerDatabase(testServerUrl()!));
});
