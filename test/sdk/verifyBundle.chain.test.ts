// verifyBundle against the real contracts on the in-process Hardhat network:
// the vector batch (seq 2..5) anchored by the vector's participant, then every
// chain-held value of the bundle tampered in turn.
import { BrowserProvider, Contract, Interface, type Provider } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANCHOR_LOG_ABI, isMedtraceError, RECALL_BOARD_ABI, REGISTRY_ABI, verifyBundle, type ProofBundle } from '../../sdk';
import hre from '../contracts/hre';
import { by, deployMedtrace, hash, register, useMedtrace } from '../contracts/fixture';
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

describe('verifyBundle on a live chain', () => {
  const medtrace = useMedtrace();
  let provider: Provider;
  let bundle: ProofBundle;

  const tampered = (mutate: (b: ProofBundle) => void): ProofBundle => {
    const b = structuredClone(bundle);
    mutate(b);
    return b;
  };

  beforeAll(async () => {
    const m = medtrace();
    provider = new BrowserProvider(hre.network.provider as never);
    // The vector's participant signs through impersonation: its envelope (and so its leaf) names it.
    await hre.network.provider.send('hardhat_impersonateAccount', [PARTICIPANT]);
    await hre.network.provider.send('hardhat_setBalance', [PARTICIPANT, '0x56bc75e2d63100000']);
    await register(m, PARTICIPANT);
    const signer = await hre.ethers.getSigner(PARTICIPANT);
    const anchorLog = by(m.anchorLog, signer);
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

  it('accepts the vector bundle anchored for real and says what it verified', async () => {
    const result = await verifyBundle(bundle, { provider });
    expect(result).toMatchObject({
      participant: PARTICIPANT,
      seq: 3,
      chainId: 31337,
      batch: 1,
      from: 2,
      to: 5,
      root: vectors.batch.root,
      txHash: bundle.anchor.txHash,
      blockNumber: bundle.anchor.blockNumber,
      units: ['https://id.gs1.org/01/09506000134352/21/SN-0005'],
    });
  });

  it('accepts an explicit registry address and works through the Hardhat ethers provider too', async () => {
    const registry = (await medtrace().registry.getAddress()).toLowerCase();
    await expect(verifyBundle(bundle, { provider, registry })).resolves.toMatchObject({ seq: 3 });
    await expect(verifyBundle(JSON.stringify(bundle), { provider: hre.ethers.provider })).resolves.toMatchObject({ seq: 3 });
  });

  it('rejects a bundle for another AnchorLog', async () => {
    const other = (await medtrace().registry.getAddress()).toLowerCase();
    expect(await codeOf(verifyBundle(tampered((b) => (b.anchor.anchorLog = other)), { provider }))).toBe('BATCH_NOT_FOUND');
    const empty = `0x${'d9'.repeat(20)}`;
    expect(await codeOf(verifyBundle(tampered((b) => (b.anchor.anchorLog = empty)), { provider }))).toBe('BATCH_NOT_FOUND');
  });

  it('with the trusted network given (expect), refuses a history anchored in an AnchorLog of the participant’s own making', async () => {
    // The participant deploys a registry and an AnchorLog of its own and anchors the same batches there:
    // without pinning, a bundle naming that AnchorLog passes every chain check.
    const own = await deployMedtrace();
    await register(own, PARTICIPANT);
    const signer = await hre.ethers.getSigner(PARTICIPANT);
    await (await by(own.anchorLog, signer).anchor(hash('batch 0'), 1)).wait();
    const receipt = await (await by(own.anchorLog, signer).anchor(vectors.batch.root, vectors.batch.to)).wait();
    const forged = tampered((b) => {
      b.anchor.anchorLog = `${own.anchorLog.target}`.toLowerCase();
      b.anchor.txHash = receipt.hash;
      b.anchor.blockNumber = receipt.blockNumber;
    });
    await expect(verifyBundle(forged, { provider })).resolves.toMatchObject({ seq: 3 });

    const trusted = { chainId: 31337, anchorLog: (await medtrace().anchorLog.getAddress()).toLowerCase() };
    await expect(verifyBundle(forged, { provider, expect: trusted })).rejects.toMatchObject({ code: 'CHAIN_MISMATCH', field: 'anchor.anchorLog' });
    await expect(verifyBundle(bundle, { provider, expect: { ...trusted, chainId: 1 } })).rejects.toMatchObject({ code: 'CHAIN_MISMATCH', field: 'anchor.chainId' });
    await expect(verifyBundle(bundle, { provider, expect: { chainId: 31337, anchorLog: trusted.anchorLog.toUpperCase().replace('0X', '0x') } })).resolves.toMatchObject({ seq: 3 });
  });

  it('rejects a batch number that does not exist or holds another root', async () => {
    expect(await codeOf(verifyBundle(tampered((b) => (b.anchor.batch = 2)), { provider }))).toBe('BATCH_NOT_FOUND');
    expect(await codeOf(verifyBundle(tampered((b) => (b.anchor.batch = 0)), { provider }))).toBe('ROOT_NOT_ON_CHAIN');
  });

  it('rejects a transaction hash or block number that is not the anchoring one', async () => {
    expect(await codeOf(verifyBundle(tampered((b) => (b.anchor.txHash = `0x${'ab'.repeat(32)}`)), { provider }))).toBe('TX_MISMATCH');
    expect(await codeOf(verifyBundle(tampered((b) => (b.anchor.blockNumber += 1)), { provider }))).toBe('TX_MISMATCH');
  });

  it('rejects the transaction of another batch', async () => {
    const m = medtrace();
    const first = (await m.anchorLog.queryFilter(m.anchorLog.filters.Anchored(PARTICIPANT, 0)))[0];
    const b = tampered((b) => {
      b.anchor.txHash = first.transactionHash;
      b.anchor.blockNumber = first.blockNumber;
    });
    expect(await codeOf(verifyBundle(b, { provider }))).toBe('TX_MISMATCH');
  });

  it('rejects a provider on another chain', async () => {
    const otherChain = { getNetwork: async () => ({ chainId: 1n }) } as unknown as Provider;
    expect(await codeOf(verifyBundle(bundle, { provider: otherChain }))).toBe('CHAIN_MISMATCH');
  });

  it('reports an unreachable chain as CHAIN_UNAVAILABLE', async () => {
    const broken = {
      getNetwork: async () => {
        throw new Error('connection refused');
      },
    } as unknown as Provider;
    expect(await codeOf(verifyBundle(bundle, { provider: broken }))).toBe('CHAIN_UNAVAILABLE');
  });

  it('still rejects what the offline checks catch', async () => {
    expect(await codeOf(verifyBundle(vectors.mustReject['root changed'], { provider }))).toBe('INCLUSION_FAILED');
  });

  it('keeps accepting old batches of a suspended participant', async () => {
    const m = medtrace();
    await (await by(m.registry, m.governor).suspend(PARTICIPANT)).wait();
    await expect(verifyBundle(bundle, { provider })).resolves.toMatchObject({ batch: 1 });
  });

  it('rejects a batch invalidated by a revocation, but not the batches before it', async () => {
    const m = medtrace();
    await (await by(m.registry, m.governor).revoke(PARTICIPANT, 1)).wait();
    expect(await codeOf(verifyBundle(bundle, { provider }))).toBe('PARTICIPANT_REVOKED');
    const registry = new Contract(await m.registry.getAddress(), REGISTRY_ABI, provider);
    expect((await registry.statusOf(PARTICIPANT))[0]).toBe(3n);
  });

  it('accepts a batch from before the revocation', async () => {
    const m = medtrace();
    await (await by(m.registry, m.governor).revoke(PARTICIPANT, 2)).wait();
    await expect(verifyBundle(bundle, { provider })).resolves.toMatchObject({ batch: 1 });
  });

  it('rejects a registry that does not know the participant', async () => {
    const m = medtrace();
    const factory = await hre.ethers.getContractFactory('ParticipantRegistry');
    const emptyRegistry = await factory.deploy(m.governor.address);
    await emptyRegistry.waitForDeployment();
    const registry = (await emptyRegistry.getAddress()).toLowerCase();
    expect(await codeOf(verifyBundle(bundle, { provider, registry }))).toBe('PARTICIPANT_INACTIVE');
  });

  it('uses ABI fragments that match the compiled contracts', async () => {
    const pairs = [
      ['AnchorLog', ANCHOR_LOG_ABI],
      ['ParticipantRegistry', REGISTRY_ABI],
      ['RecallBoard', RECALL_BOARD_ABI],
    ] as const;
    for (const [name, abi] of pairs) {
      const compiled = new Interface((await hre.artifacts.readArtifact(name)).abi);
      const sdk = new Interface(abi);
      sdk.forEachFunction((f) => expect(compiled.getFunction(f.selector)?.format('full'), `${name}.${f.name}`).toBe(f.format('full')));
      sdk.forEachEvent((e) => expect(compiled.getEvent(e.topicHash)?.format('full'), `${name}.${e.name}`).toBe(e.format('full')));
      sdk.forEachError((e) => expect(compiled.getError(e.selector)?.format('full'), `${name}.${e.name}`).toBe(e.format('full')));
    }
  });
});
