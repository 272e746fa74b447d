import { describe, expect, it } from 'vitest';
import { AbiCoder, ZeroAddress, ZeroHash, keccak256 } from 'ethers';
import hre from './hre';
import { by, hash, register, registerWithPrefix, useMedtrace } from './fixture';
import { expectEvent, expectRevert } from './expectRevert';

const GTIN = '09506000134352';
const OTHER_GTIN = '09506000134369';
const NOTICE = hash('notice pdf');
const NOTICE_URI = 'https://acme.example/recalls/2024-07.pdf';
const RECALL_STATUS = { open: 1, closed: 2, withdrawn: 3 } as const;

function keyOf(gtin: string, lot: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'string'], [gtin, lot]));
}

describe('RecallBoard', () => {
  const medtrace = useMedtrace();

  /** The manufacturer holding prefix 9506000, registered. */
  async function manufacturer() {
    const m = medtrace();
    const signer = m.others[0]!;
    await registerWithPrefix(m, signer.address, '9506000');
    return signer;
  }

  async function publish(signerIndex: number, lots: string[], gtin = GTIN, recallClass = 2, action = 1) {
    const m = medtrace();
    const board = by(m.recallBoard, m.others[signerIndex]!);
    return (await board.publishRecall(gtin, lots, recallClass, action, NOTICE, NOTICE_URI)).wait();
  }

  async function updateStatus(signerIndex: number, id: number, status: number) {
    const m = medtrace();
    return (await by(m.recallBoard, m.others[signerIndex]!).updateStatus(id, status)).wait();
  }

  it('refuses a zero registry address at deployment and names its registry', async () => {
    const m = medtrace();
    const factory = await hre.ethers.getContractFactory('RecallBoard');
    await expectRevert(factory.deploy(ZeroAddress), factory, 'RecallBoardInvalidRegistry', [ZeroAddress]);
    expect(await m.recallBoard.registry()).toBe(await m.registry.getAddress());
  });

  it('computes recall keys as keccak256(abi.encode(gtin14, lot))', async () => {
    const m = medtrace();
    expect(await m.recallBoard.recallKey(GTIN, 'L1')).toBe(keyOf(GTIN, 'L1'));
    expect(await m.recallBoard.recallKey(GTIN, '')).toBe(keyOf(GTIN, ''));
  });

  describe('publishRecall', () => {
    it('publishes an all-lots recall, stores it and emits RecallPublished', async () => {
      const m = medtrace();
      const issuer = await manufacturer();
      expect(await by(m.recallBoard, issuer).publishRecall.staticCall(GTIN, [], 1, 3, NOTICE, NOTICE_URI)).toBe(1n);
      const receipt = await publish(0, [], GTIN, 1, 3);
      expectEvent(receipt, m.recallBoard, 'RecallPublished', [1, issuer.address, GTIN, [], 1, 3, NOTICE, NOTICE_URI]);

      const time = BigInt((await hre.ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
      const recall = await m.recallBoard.getRecall(1);
      expect(recall.toArray(true)).toEqual([GTIN, [], 1n, 3n, 1n, NOTICE, NOTICE_URI, issuer.address, time, time]);
      expect(await m.recallBoard.recallCount()).toBe(1n);
      expect(await m.recallBoard.recallIdsByKey(keyOf(GTIN, ''))).toEqual([1n]);
      expect(await m.recallBoard.recallsFor(GTIN, 'ANY-LOT')).toEqual([1n]);
      expect(await m.recallBoard.recallsFor(GTIN, '')).toEqual([1n]);
      expect(await m.recallBoard.recallsFor(OTHER_GTIN, 'ANY-LOT')).toEqual([]);
    });

    it('publishes a recall of named lots, filed under each lot only', async () => {
      const m = medtrace();
      const issuer = await manufacturer();
      const receipt = await publish(0, ['L1', 'L2']);
      expectEvent(receipt, m.recallBoard, 'RecallPublished', [
        1,
        issuer.address,
        GTIN,
        ['L1', 'L2'],
        2,
        1,
        NOTICE,
        NOTICE_URI,
      ]);
      expect((await m.recallBoard.getRecall(1)).lots.toArray()).toEqual(['L1', 'L2']);
      expect(await m.recallBoard.recallIdsByKey(keyOf(GTIN, 'L1'))).toEqual([1n]);
      expect(await m.recallBoard.recallIdsByKey(keyOf(GTIN, 'L2'))).toEqual([1n]);
      expect(await m.recallBoard.recallIdsByKey(keyOf(GTIN, ''))).toEqual([]);
      expect(await m.recallBoard.recallsFor(GTIN, 'L3')).toEqual([]);
    });

    it('answers recallsFor with the lot-specific and the all-lots recalls, oldest first', async () => {
      const m = medtrace();
      await manufacturer();
      await publish(0, []); // 1
      await publish(0, ['L1']); // 2
      await publish(0, ['L2']); // 3
      await publish(0, []); // 4
      await publish(0, ['L1', 'L2']); // 5
      await publish(0, ['L9'], OTHER_GTIN); // 6
      expect(await m.recallBoard.recallsFor(GTIN, 'L1')).toEqual([1n, 2n, 4n, 5n]);
      expect(await m.recallBoard.recallsFor(GTIN, 'L2')).toEqual([1n, 3n, 4n, 5n]);
      expect(await m.recallBoard.recallsFor(GTIN, 'L3')).toEqual([1n, 4n]);
      expect(await m.recallBoard.recallsFor(GTIN, '')).toEqual([1n, 4n]);
      expect(await m.recallBoard.recallsFor(OTHER_GTIN, 'L9')).toEqual([6n]);
      expect(await m.recallBoard.recallCount()).toBe(6n);
    });

    it('accepts a lot of 20 characters', async () => {
      const m = medtrace();
      await manufacturer();
      const lot = 'A'.repeat(20);
      await publish(0, [lot]);
      expect(await m.recallBoard.recallsFor(GTIN, lot)).toEqual([1n]);
    });

    it('refuses a participant that does not hold the GTIN prefix', async () => {
      const m = medtrace();
      await manufacturer();
      const distributor = m.others[1]!;
      await register(m, distributor.address);
      await expectRevert(publish(1, []), m.recallBoard, 'RecallBoardNotPrefixOwner', [GTIN, distributor.address]);
    });

    it('refuses an unregistered caller and a GTIN nobody holds', async () => {
      const m = medtrace();
      await manufacturer();
      await expectRevert(publish(2, []), m.recallBoard, 'RecallBoardNotPrefixOwner', [GTIN, m.others[2]!.address]);
      await expectRevert(publish(0, [], '05012345678900'), m.recallBoard, 'RecallBoardNotPrefixOwner', [
        '05012345678900',
        m.others[0]!.address,
      ]);
    });

    it('refuses a suspended or revoked prefix owner', async () => {
      const m = medtrace();
      const issuer = await manufacturer();
      await (await by(m.registry, m.governor).suspend(issuer.address)).wait();
      await expectRevert(publish(0, []), m.recallBoard, 'RecallBoardInactiveParticipant', [issuer.address]);
      await (await by(m.registry, m.governor).revoke(issuer.address, 0)).wait();
      await expectRevert(publish(0, []), m.recallBoard, 'RecallBoardInactiveParticipant', [issuer.address]);
    });

    it('refuses a GTIN that is not 14 ASCII digits', async () => {
      const m = medtrace();
      await manufacturer();
      for (const gtin of ['9506000134352', '0950600013435X', '']) {
        await expectRevert(publish(0, [], gtin), m.recallBoard, 'RecallBoardInvalidGtin', [gtin]);
      }
    });

    it('refuses a class outside 1 to 3 and an action outside 1 to 4', async () => {
      const m = medtrace();
      await manufacturer();
      for (const recallClass of [0, 4]) {
        await expectRevert(publish(0, [], GTIN, recallClass, 1), m.recallBoard, 'RecallBoardInvalidClass', [
          recallClass,
        ]);
      }
      for (const action of [0, 5]) {
        await expectRevert(publish(0, [], GTIN, 1, action), m.recallBoard, 'RecallBoardInvalidAction', [action]);
      }
      await publish(0, [], GTIN, 3, 4);
    });

    it('refuses a zero notice hash', async () => {
      const m = medtrace();
      const issuer = await manufacturer();
      await expectRevert(
        by(m.recallBoard, issuer).publishRecall(GTIN, [], 1, 1, ZeroHash, NOTICE_URI),
        m.recallBoard,
        'RecallBoardZeroNoticeHash',
      );
    });

    it('refuses an empty or over-long lot, naming its position', async () => {
      const m = medtrace();
      await manufacturer();
      await expectRevert(publish(0, ['L1', '']), m.recallBoard, 'RecallBoardInvalidLot', [1, '']);
      const long = 'A'.repeat(21);
      await expectRevert(publish(0, [long]), m.recallBoard, 'RecallBoardInvalidLot', [0, long]);
    });

    it('refuses a lot named twice', async () => {
      const m = medtrace();
      await manufacturer();
      await expectRevert(publish(0, ['L1', 'L2', 'L1']), m.recallBoard, 'RecallBoardDuplicateLot', ['L1']);
      expect(await m.recallBoard.recallCount()).toBe(0n);
    });
  });

  describe('updateStatus', () => {
    it('lets the issuer close and reopen a recall, with RecallStatusUpdated', async () => {
      const m = medtrace();
      await manufacturer();
      await publish(0, ['L1']);
      const closed = await updateStatus(0, 1, RECALL_STATUS.closed);
      expectEvent(closed, m.recallBoard, 'RecallStatusUpdated', [1, RECALL_STATUS.open, RECALL_STATUS.closed]);
      const time = BigInt((await hre.ethers.provider.getBlock(closed!.blockNumber))!.timestamp);
      const recall = await m.recallBoard.getRecall(1);
      expect([recall.status, recall.updatedAt]).toEqual([BigInt(RECALL_STATUS.closed), time]);
      expect(recall.publishedAt).toBeLessThan(time);

      const reopened = await updateStatus(0, 1, RECALL_STATUS.open);
      expectEvent(reopened, m.recallBoard, 'RecallStatusUpdated', [1, RECALL_STATUS.closed, RECALL_STATUS.open]);
    });

    it('treats withdrawn as final', async () => {
      const m = medtrace();
      await manufacturer();
      await publish(0, []);
      const withdrawn = await updateStatus(0, 1, RECALL_STATUS.withdrawn);
      expectEvent(withdrawn, m.recallBoard, 'RecallStatusUpdated', [1, RECALL_STATUS.open, RECALL_STATUS.withdrawn]);
      for (const next of [RECALL_STATUS.open, RECALL_STATUS.closed]) {
        await expectRevert(updateStatus(0, 1, next), m.recallBoard, 'RecallBoardInvalidStatusChange', [
          1,
          RECALL_STATUS.withdrawn,
          next,
        ]);
      }
    });

    it('refuses an unchanged or unknown status', async () => {
      const m = medtrace();
      await manufacturer();
      await publish(0, []);
      for (const status of [RECALL_STATUS.open, 0, 4]) {
        await expectRevert(updateStatus(0, 1, status), m.recallBoard, 'RecallBoardInvalidStatusChange', [
          1,
          RECALL_STATUS.open,
          status,
        ]);
      }
    });

    it('refuses anyone but the issuer', async () => {
      const m = medtrace();
      await manufacturer();
      await register(m, m.others[1]!.address);
      await publish(0, []);
      await expectRevert(updateStatus(1, 1, RECALL_STATUS.closed), m.recallBoard, 'RecallBoardNotIssuer', [
        1,
        m.others[1]!.address,
      ]);
      await expectRevert(updateStatus(3, 1, RECALL_STATUS.closed), m.recallBoard, 'RecallBoardNotIssuer', [
        1,
        m.others[3]!.address,
      ]);
    });

    it('refuses a suspended issuer', async () => {
      const m = medtrace();
      const issuer = await manufacturer();
      await publish(0, []);
      await (await by(m.registry, m.governor).suspend(issuer.address)).wait();
      await expectRevert(updateStatus(0, 1, RECALL_STATUS.closed), m.recallBoard, 'RecallBoardInactiveParticipant', [
        issuer.address,
      ]);
      expect((await m.recallBoard.getRecall(1)).status).toBe(BigInt(RECALL_STATUS.open));
    });

    it('refuses an unknown recall id', async () => {
      const m = medtrace();
      await manufacturer();
      await publish(0, []);
      for (const id of [0, 2]) {
        await expectRevert(updateStatus(0, id, RECALL_STATUS.closed), m.recallBoard, 'RecallBoardUnknownRecall', [id]);
        await expectRevert(m.recallBoard.getRecall(id), m.recallBoard, 'RecallBoardUnknownRecall', [id]);
      }
    });
  });
});
