// The SDK's registry and RecallBoard reads against the real contracts on the
// in-process Hardhat network, through a plain ethers Provider as a browser has:
// a GTIN's owner and its registry entry, the recalls of a lot (lot-specific and
// all-lots ones, with their status), reads pinned to a block, and the coded
// errors of a chain that cannot be read.
import { BrowserProvider, JsonRpcProvider, Network, type Contract, type Provider } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  boardRecallIds,
  boardRecallsFor,
  gtinCheckDigit,
  isMedtraceError,
  readBoardRecall,
  readParticipant,
  recallActionCode,
  recallActionName,
  recallBoardAt,
  recallStatusCode,
  recallStatusName,
  registryAt,
  resolveGtinOwner,
  RECALL_ACTIONS,
  RECALL_STATUSES,
} from '../../sdk';
import hre from '../contracts/hre';
import { by, hash, register, ROLE, useMedtrace, type Medtrace } from '../contracts/fixture';

const PREFIX = '9506000';
const first13 = `0${PREFIX}13435`;
const GTIN = `${first13}${gtinCheckDigit(first13)}`;
const OTHER_GTIN = `09507000134359`;
const NOTICE = (n: number) => `https://maker.example/public/v1/recalls/${n}/notice`;

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isMedtraceError(e) ? e.code : `not a MedtraceError: ${e}`;
  }
  return undefined;
}

describe('chain reads of the registry and the RecallBoard', () => {
  const medtrace = useMedtrace();
  let m: Medtrace;
  let provider: Provider;
  let registry: Contract;
  let board: Contract;
  let maker: string;

  beforeAll(async () => {
    m = medtrace();
    provider = new BrowserProvider(hre.network.provider as never);
    registry = registryAt(await m.registry.getAddress(), provider);
    board = recallBoardAt(await m.recallBoard.getAddress(), provider);
  });

  const registerMaker = async () => {
    const signer = m.others[0];
    maker = signer.address.toLowerCase();
    await register(m, signer.address, { name: 'Acme Medical', role: ROLE.manufacturer, gln: '9506000000005', endpoint: 'https://node.acme.example/', keyThumbprint: hash('acme key') });
    await (await by(m.registry, m.governor).assignPrefix(signer.address, PREFIX)).wait();
    return signer;
  };

  const publish = async (lots: string[], recallClass: number, action: (typeof RECALL_ACTIONS)[number], n: number) => {
    const tx = await by(m.recallBoard, m.others[0]).publishRecall(GTIN, lots, recallClass, recallActionCode(action), hash(`notice ${n}`), NOTICE(n));
    return tx.wait();
  };

  it('resolves a GTIN to the owner of its company prefix and reads its registry entry', async () => {
    await registerMaker();
    expect(await resolveGtinOwner(registry, GTIN)).toBe(maker);
    // A GTIN-13 is read as its GTIN-14.
    expect(await resolveGtinOwner(registry, GTIN.slice(1))).toBe(maker);
    expect(await resolveGtinOwner(registry, OTHER_GTIN)).toBeUndefined();
    const entry = await readParticipant(registry, maker);
    expect(entry).toEqual({
      address: maker,
      name: 'Acme Medical',
      role: 'manufacturer',
      gln: '9506000000005',
      endpoint: 'https://node.acme.example',
      keyThumbprint: hash('acme key'),
      status: 'active',
      invalidFromBatch: 0,
      registeredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(await readParticipant(registry, m.others[5].address)).toBeUndefined();
  });

  it('refuses a GTIN with a wrong check digit before asking the chain', async () => {
    expect(await codeOf(resolveGtinOwner(registry, `${first13}${(gtinCheckDigit(first13) + 1) % 10}`))).toBe('GS1_INVALID');
  });

  it('reads what a suspension and a revocation change, and the state as of an earlier block', async () => {
    await registerMaker();
    const before = await provider.getBlockNumber();
    await (await by(m.registry, m.governor).suspend(m.others[0].address)).wait();
    expect((await readParticipant(registry, maker))!.status).toBe('suspended');
    expect((await readParticipant(registry, maker, { blockTag: before }))!.status).toBe('active');
    await (await by(m.registry, m.governor).revoke(m.others[0].address, 4)).wait();
    expect(await readParticipant(registry, maker)).toMatchObject({ status: 'revoked', invalidFromBatch: 4 });
  });

  it('reads the recalls of a lot: the lot-specific ones and those of every lot, with class, action, status and notice', async () => {
    await registerMaker();
    await publish(['L1', 'L2'], 2, 'return', 1);
    await publish(['L3'], 1, 'destroy', 2);
    const allLots = await publish([], 3, 'notice', 3);
    await (await by(m.recallBoard, m.others[0]).updateStatus(1, recallStatusCode('closed'))).wait();

    expect(await boardRecallIds(board, { gtin: GTIN, lot: 'L2' })).toEqual([1, 3]);
    const recalls = await boardRecallsFor(board, { gtin: GTIN, lot: 'L2' });
    expect(recalls).toEqual([
      {
        chainRecallId: 1,
        issuer: maker,
        gtin: GTIN,
        lots: ['L1', 'L2'],
        recallClass: 2,
        action: 'return',
        status: 'closed',
        noticeSha256: hash('notice 1'),
        noticeUri: NOTICE(1),
        publishedAt: expect.stringMatching(/Z$/),
        updatedAt: expect.stringMatching(/Z$/),
      },
      expect.objectContaining({ chainRecallId: 3, lots: [], recallClass: 3, action: 'notice', status: 'open', noticeUri: NOTICE(3) }),
    ]);
    const block = await provider.getBlock(allLots!.blockNumber);
    expect(recalls[1].publishedAt).toBe(new Date(block!.timestamp * 1000).toISOString());
    expect(await boardRecallsFor(board, { gtin: GTIN, lot: 'L3' })).toMatchObject([{ chainRecallId: 2, action: 'destroy', recallClass: 1 }, { chainRecallId: 3 }]);
    // Pinned before the status change, recall 1 was still open.
    expect((await readBoardRecall(board, 1, { blockTag: allLots!.blockNumber }))!.status).toBe('open');
    expect(await boardRecallsFor(board, { gtin: OTHER_GTIN, lot: 'L2' })).toEqual([]);
  });

  it('answers undefined for a recall the board does not hold', async () => {
    await registerMaker();
    await publish(['L1'], 2, 'return', 1);
    expect(await readBoardRecall(board, 1)).toMatchObject({ chainRecallId: 1 });
    for (const id of [0, -1, 2, 1.5, Number.MAX_SAFE_INTEGER + 2]) expect(await readBoardRecall(board, id), String(id)).toBeUndefined();
  });

  it('names actions and statuses by their board codes', () => {
    expect(RECALL_ACTIONS.map(recallActionCode)).toEqual([1, 2, 3, 4]);
    expect([1, 2, 3, 4].map(recallActionName)).toEqual(['return', 'correct', 'destroy', 'notice']);
    expect(RECALL_STATUSES.map(recallStatusCode)).toEqual([1, 2, 3]);
    expect([1, 2, 3].map(recallStatusName)).toEqual(['open', 'closed', 'withdrawn']);
    // A code the board cannot hold reads as the cautious value: still open.
    expect(recallStatusName(9)).toBe('open');
  });

  it('throws CHAIN_UNAVAILABLE when the chain cannot be read', async () => {
    const network = Network.from(31337);
    const down = new JsonRpcProvider('http://127.0.0.1:9', network, { staticNetwork: network });
    try {
      const address = await m.registry.getAddress();
      expect(await codeOf(resolveGtinOwner(registryAt(address, down), GTIN))).toBe('CHAIN_UNAVAILABLE');
      expect(await codeOf(readParticipant(registryAt(address, down), maker ?? m.others[0].address))).toBe('CHAIN_UNAVAILABLE');
      expect(await codeOf(boardRecallsFor(recallBoardAt(await m.recallBoard.getAddress(), down), { gtin: GTIN, lot: 'L1' }))).toBe('CHAIN_UNAVAILABLE');
      expect(await codeOf(readBoardRecall(recallBoardAt(await m.recallBoard.getAddress(), down), 1))).toBe('CHAIN_UNAVAILABLE');
    } finally {
      down.destroy();
    }
  });
});
