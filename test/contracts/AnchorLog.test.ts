import { describe, expect, it } from 'vitest';
import { ZeroAddress, ZeroHash } from 'ethers';
import hre from './hre';
import { by, hash, register, STATUS, useMedtrace } from './fixture';
import { expectEvent, expectRevert } from './expectRevert';

const ROOT_A = hash('batch a');
const ROOT_B = hash('batch b');

describe('AnchorLog', () => {
  const medtrace = useMedtrace();

  async function anchor(signerIndex: number, root: string, to: number) {
    const m = medtrace();
    const tx = await by(m.anchorLog, m.others[signerIndex]!).anchor(root, to);
    return tx.wait();
  }

  async function blockTime(blockNumber: number): Promise<bigint> {
    const block = await hre.ethers.provider.getBlock(blockNumber);
    return BigInt(block!.timestamp);
  }

  it('refuses a zero registry address at deployment', async () => {
    const factory = await hre.ethers.getContractFactory('AnchorLog');
    await expectRevert(factory.deploy(ZeroAddress), factory, 'AnchorLogInvalidRegistry', [ZeroAddress]);
  });

  it('names its registry', async () => {
    const m = medtrace();
    expect(await m.anchorLog.registry()).toBe(await m.registry.getAddress());
  });

  it('anchors the first batch from seq 1 as batch 0 and emits Anchored', async () => {
    const m = medtrace();
    const participant = m.others[0]!;
    await register(m, participant.address);
    expect(await by(m.anchorLog, participant).anchor.staticCall(ROOT_A, 10)).toBe(0n);

    const receipt = await anchor(0, ROOT_A, 10);
    expectEvent(receipt, m.anchorLog, 'Anchored', [participant.address, 0, ROOT_A, 1, 10]);
    expect(await m.anchorLog.batchCount(participant.address)).toBe(1n);
    expect(await m.anchorLog.lastAnchoredSeq(participant.address)).toBe(10n);
    const batch = await m.anchorLog.getBatch(participant.address, 0);
    expect(batch.toArray()).toEqual([ROOT_A, 1n, 10n, await blockTime(receipt!.blockNumber)]);
  });

  it('starts each batch right after the previous one and numbers batches in order', async () => {
    const m = medtrace();
    const participant = m.others[0]!;
    await register(m, participant.address);
    await anchor(0, ROOT_A, 10);
    expect(await by(m.anchorLog, participant).anchor.staticCall(ROOT_B, 11)).toBe(1n);

    const second = await anchor(0, ROOT_B, 11);
    expectEvent(second, m.anchorLog, 'Anchored', [participant.address, 1, ROOT_B, 11, 11]);
    const third = await anchor(0, ROOT_A, 1000);
    expectEvent(third, m.anchorLog, 'Anchored', [participant.address, 2, ROOT_A, 12, 1000]);

    expect(await m.anchorLog.batchCount(participant.address)).toBe(3n);
    expect(await m.anchorLog.lastAnchoredSeq(participant.address)).toBe(1000n);
    expect((await m.anchorLog.getBatch(participant.address, 1)).toArray().slice(0, 3)).toEqual([ROOT_B, 11n, 11n]);
    expect((await m.anchorLog.getBatch(participant.address, 2)).toArray().slice(0, 3)).toEqual([ROOT_A, 12n, 1000n]);
  });

  it('keeps a separate sequence per participant', async () => {
    const m = medtrace();
    await register(m, m.others[0]!.address);
    await register(m, m.others[1]!.address);
    await anchor(0, ROOT_A, 50);

    const receipt = await anchor(1, ROOT_B, 3);
    expectEvent(receipt, m.anchorLog, 'Anchored', [m.others[1]!.address, 0, ROOT_B, 1, 3]);
    expect(await m.anchorLog.batchCount(m.others[0]!.address)).toBe(1n);
    expect(await m.anchorLog.batchCount(m.others[1]!.address)).toBe(1n);
    expect(await m.anchorLog.lastAnchoredSeq(m.others[1]!.address)).toBe(3n);
  });

  it('refuses an empty first batch', async () => {
    const m = medtrace();
    await register(m, m.others[0]!.address);
    await expectRevert(anchor(0, ROOT_A, 0), m.anchorLog, 'AnchorLogEmptyRange', [1, 0]);
  });

  it('refuses a batch that ends at or before the last anchored seq', async () => {
    const m = medtrace();
    await register(m, m.others[0]!.address);
    await anchor(0, ROOT_A, 10);
    await expectRevert(anchor(0, ROOT_B, 10), m.anchorLog, 'AnchorLogEmptyRange', [11, 10]);
    await expectRevert(anchor(0, ROOT_B, 4), m.anchorLog, 'AnchorLogEmptyRange', [11, 4]);
    expect(await m.anchorLog.batchCount(m.others[0]!.address)).toBe(1n);
  });

  it('refuses a zero root', async () => {
    const m = medtrace();
    await register(m, m.others[0]!.address);
    await expectRevert(anchor(0, ZeroHash, 5), m.anchorLog, 'AnchorLogZeroRoot');
  });

  it('refuses a caller that is not registered', async () => {
    const m = medtrace();
    await expectRevert(anchor(0, ROOT_A, 5), m.anchorLog, 'AnchorLogInactiveParticipant', [m.others[0]!.address]);
  });

  it('refuses a suspended participant and accepts it again, in sequence, once reinstated', async () => {
    const m = medtrace();
    const participant = m.others[0]!;
    await register(m, participant.address);
    await anchor(0, ROOT_A, 10);
    await (await by(m.registry, m.governor).suspend(participant.address)).wait();
    await expectRevert(anchor(0, ROOT_B, 20), m.anchorLog, 'AnchorLogInactiveParticipant', [participant.address]);

    await (await by(m.registry, m.governor).reinstate(participant.address)).wait();
    const receipt = await anchor(0, ROOT_B, 20);
    expectEvent(receipt, m.anchorLog, 'Anchored', [participant.address, 1, ROOT_B, 11, 20]);
  });

  it('refuses a revoked participant and keeps its batches readable for verifiers', async () => {
    const m = medtrace();
    const participant = m.others[0]!;
    await register(m, participant.address);
    await anchor(0, ROOT_A, 10);
    await anchor(0, ROOT_B, 20);
    await anchor(0, ROOT_A, 30);
    // The compromise is found late: it names batch 1, already anchored.
    await (await by(m.registry, m.governor).revoke(participant.address, 1)).wait();

    await expectRevert(anchor(0, ROOT_B, 40), m.anchorLog, 'AnchorLogInactiveParticipant', [participant.address]);
    expect((await m.registry.statusOf(participant.address)).toArray()).toEqual([BigInt(STATUS.revoked), 1n]);
    expect(await m.anchorLog.batchCount(participant.address)).toBe(3n);
    expect((await m.anchorLog.getBatch(participant.address, 1)).toArray().slice(0, 3)).toEqual([ROOT_B, 11n, 20n]);
  });

  it('refuses to read a batch that does not exist', async () => {
    const m = medtrace();
    const participant = m.others[0]!;
    await expectRevert(m.anchorLog.getBatch(participant.address, 0), m.anchorLog, 'AnchorLogUnknownBatch', [
      participant.address,
      0,
    ]);
    await register(m, participant.address);
    await anchor(0, ROOT_A, 10);
    await expectRevert(m.anchorLog.getBatch(participant.address, 1), m.anchorLog, 'AnchorLogUnknownBatch', [
      participant.address,
      1,
    ]);
  });

  it('reports nothing anchored for an unknown participant', async () => {
    const m = medtrace();
    expect(await m.anchorLog.batchCount(m.others[5]!.address)).toBe(0n);
    expect(await m.anchorLog.lastAnchoredSeq(m.others[5]!.address)).toBe(0n);
  });

  it('costs the same gas whatever the batch size', async () => {
    const m = medtrace();
    // Every measured anchor ends at the same seq with the same root, so calldata is identical and
    // only the batch size (to - from + 1) differs: 1, 100 and 10,000 events.
    const end = 20_000;
    const sizes = [1, 100, 10_000];
    const gas: bigint[] = [];
    for (const [i, size] of sizes.entries()) {
      await register(m, m.others[i]!.address);
      await anchor(i, ROOT_A, end - size);
      const receipt = await anchor(i, ROOT_B, end);
      gas.push(receipt!.gasUsed);
    }
    console.log(`gas per anchor (not the first) for batch sizes ${sizes.join(', ')}: ${gas.join(', ')}`);
    expect(new Set(gas).size).toBe(1);
    expect(gas[0]).toBeLessThanOrEqual(82_000n);
  });

  it('costs the same gas for consecutive anchors of one participant', async () => {
    const m = medtrace();
    await register(m, m.others[0]!.address);
    const first = await anchor(0, ROOT_A, 1);
    const gas: bigint[] = [];
    // to values with the same number of non-zero calldata bytes.
    for (const to of [0x0102, 0x0203, 0x0304, 0x0405]) gas.push((await anchor(0, ROOT_B, to))!.gasUsed);
    console.log(`gas of a first anchor: ${first!.gasUsed}; of the next ones: ${gas.join(', ')}`);
    expect(new Set(gas).size).toBe(1);
  });
});
