// verifyBundle with a verification cache, on the in-process Hardhat network:
// the second verification of a bundle asks the chain nothing, the registry
// status is asked again after its TTL (so a revocation is seen within 2 s),
// a tampered bundle still fails against the cached facts, and reads that found
// nothing are not kept.
import { BrowserProvider, type Provider } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVerificationCache, isMedtraceError, MAX_STATUS_TTL_MS, verifyBundle, type ProofBundle } from '../../sdk';
import hre from '../contracts/hre';
import { by, hash, register, useMedtrace } from '../contracts/fixture';
import vectors from '../vectors/bundle-v1.json';

const PARTICIPANT = vectors.bundle.envelope.participant;

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isMedtraceError(e) ? e.code : `not a MedtraceError: ${e}`;
  }
  return undefined;
}

/**
 * A provider over the Hardhat network that records every JSON-RPC method it sends,
 * except eth_chainId, which ethers itself sends around requests.
 */
function countingProvider(): { provider: Provider; calls: string[] } {
  const calls: string[] = [];
  const eip1193 = {
    request: (args: { method: string; params?: unknown[] }) => {
      if (args.method !== 'eth_chainId') calls.push(args.method);
      return hre.network.provider.request(args as never);
    },
  };
  // cacheTimeout -1: ethers' own 250 ms request cache would hide repeated reads.
  return { provider: new BrowserProvider(eip1193 as never, undefined, { cacheTimeout: -1 }), calls };
}

describe('verifyBundle with a verification cache', () => {
  const medtrace = useMedtrace();
  let bundle: ProofBundle;

  const tampered = (mutate: (b: ProofBundle) => void): ProofBundle => {
    const b = structuredClone(bundle);
    mutate(b);
    return b;
  };

  beforeAll(async () => {
    const m = medtrace();
    await hre.network.provider.send('hardhat_impersonateAccount', [PARTICIPANT]);
    await hre.network.provider.send('hardhat_setBalance', [PARTICIPANT, '0x56bc75e2d63100000']);
    await register(m, PARTICIPANT);
    const anchorLog = by(m.anchorLog, await hre.ethers.getSigner(PARTICIPANT));
    await (await anchorLog.anchor(hash('batch 0'), 1)).wait();
    const receipt = await (await anchorLog.anchor(vectors.batch.root, vectors.batch.to)).wait();
    bundle = structuredClone(vectors.bundle) as unknown as ProofBundle;
    bundle.anchor = {
      ...bundle.anchor,
      anchorLog: (await m.anchorLog.getAddress()).toLowerCase(),
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
    };
  });

  it('asks the chain once: a second verification of the bundle makes no chain call', async () => {
    const { provider, calls } = countingProvider();
    const cache = createVerificationCache();
    const first = await verifyBundle(bundle, { provider, cache });
    expect(first).toMatchObject({ seq: 3, batch: 1 });
    expect(calls.length).toBeGreaterThan(0);
    calls.length = 0;
    await expect(verifyBundle(bundle, { provider, cache })).resolves.toEqual(first);
    expect(calls).toEqual([]);
    expect(cache.stats().hits).toBeGreaterThanOrEqual(5);
  });

  it('without a cache every verification asks the chain again', async () => {
    const { provider, calls } = countingProvider();
    await verifyBundle(bundle, { provider });
    const once = calls.length;
    await verifyBundle(bundle, { provider });
    expect(calls.length).toBe(2 * once);
  });

  it('asks for the registry status again after its TTL, and only for it', async () => {
    let clock = 1_000_000;
    const { provider, calls } = countingProvider();
    const cache = createVerificationCache({ now: () => clock });
    await verifyBundle(bundle, { provider, cache });
    clock += MAX_STATUS_TTL_MS - 1;
    calls.length = 0;
    await verifyBundle(bundle, { provider, cache });
    expect(calls).toEqual([]);
    clock += 2;
    await verifyBundle(bundle, { provider, cache });
    expect(calls).toEqual(['eth_call']);
  });

  it('caps the status TTL at 2 s', () => {
    expect(createVerificationCache({ statusTtlMs: 60_000 }).statusTtlMs).toBe(MAX_STATUS_TTL_MS);
    expect(createVerificationCache({ statusTtlMs: 500 }).statusTtlMs).toBe(500);
    expect(createVerificationCache().statusTtlMs).toBe(MAX_STATUS_TTL_MS);
  });

  it('sees a revocation once the status TTL has passed', async () => {
    let clock = 5_000_000;
    const { provider } = countingProvider();
    const cache = createVerificationCache({ now: () => clock });
    await verifyBundle(bundle, { provider, cache });
    const m = medtrace();
    await (await by(m.registry, m.governor).revoke(PARTICIPANT, 1)).wait();
    // Within the TTL the cached status stands (at most 2 s stale, by design).
    await expect(verifyBundle(bundle, { provider, cache })).resolves.toMatchObject({ batch: 1 });
    clock += MAX_STATUS_TTL_MS + 1;
    expect(await codeOf(verifyBundle(bundle, { provider, cache }))).toBe('PARTICIPANT_REVOKED');
  });

  it('still refuses tampered bundles, checked against the cached facts', async () => {
    const { provider, calls } = countingProvider();
    const cache = createVerificationCache();
    await verifyBundle(bundle, { provider, cache });
    calls.length = 0;
    expect(await codeOf(verifyBundle(tampered((b) => (b.anchor.batch = 0)), { provider, cache }))).toBe('ROOT_NOT_ON_CHAIN');
    expect(await codeOf(verifyBundle(tampered((b) => (b.anchor.blockNumber += 1)), { provider, cache }))).toBe('TX_MISMATCH');
    expect(await codeOf(verifyBundle(tampered((b) => (b.anchor.root = vectors.mustReject['root changed'].anchor.root)), { provider, cache }))).not.toBeUndefined();
    expect(await codeOf(verifyBundle(vectors.mustReject['root changed'], { provider, cache }))).toBe('INCLUSION_FAILED');
    // The genuine bundle after all that: still no chain call for it.
    calls.length = 0;
    await verifyBundle(bundle, { provider, cache });
    expect(calls).toEqual([]);
  });

  it('does not keep a batch or transaction that was not there: it is asked again', async () => {
    const { provider, calls } = countingProvider();
    const cache = createVerificationCache();
    const missingBatch = tampered((b) => (b.anchor.batch = 7));
    expect(await codeOf(verifyBundle(missingBatch, { provider, cache }))).toBe('BATCH_NOT_FOUND');
    calls.length = 0;
    expect(await codeOf(verifyBundle(missingBatch, { provider, cache }))).toBe('BATCH_NOT_FOUND');
    expect(calls).toContain('eth_call');
    const missingTx = tampered((b) => (b.anchor.txHash = `0x${'ab'.repeat(32)}`));
    calls.length = 0;
    expect(await codeOf(verifyBundle(missingTx, { provider, cache }))).toBe('TX_MISMATCH');
    calls.length = 0;
    expect(await codeOf(verifyBundle(missingTx, { provider, cache }))).toBe('TX_MISMATCH');
    expect(calls).toContain('eth_getTransactionReceipt');
  });

  it('does not keep a failed chain read', async () => {
    let failing = true;
    const { provider: real } = countingProvider();
    const flaky = new Proxy(real, {
      get(target, prop) {
        if (prop === 'getNetwork' && failing) return async () => Promise.reject(new Error('connection refused'));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const cache = createVerificationCache();
    expect(await codeOf(verifyBundle(bundle, { provider: flaky, cache }))).toBe('CHAIN_UNAVAILABLE');
    failing = false;
    await expect(verifyBundle(bundle, { provider: flaky, cache })).resolves.toMatchObject({ seq: 3 });
  });

  it('shares one load between concurrent verifications and evicts beyond maxEntries', async () => {
    const { provider, calls } = countingProvider();
    const cache = createVerificationCache({ maxEntries: 2 });
    await Promise.all([verifyBundle(bundle, { provider, cache }), verifyBundle(bundle, { provider, cache })]);
    expect(calls.filter((m) => m === 'eth_getTransactionReceipt')).toHaveLength(1);
    expect(cache.stats().entries).toBeLessThanOrEqual(2);
    cache.clear();
    expect(cache.stats().entries).toBe(0);
  });
});
