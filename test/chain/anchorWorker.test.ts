// The anchoring worker in-process against a real Hardhat chain and a real database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, merkleRoot, toHex } from '../../sdk';
import type { EpcisEvent } from '../../sdk';
import { connectChain } from '../../node/chain/client';
import type { ChainClient } from '../../node/chain/client';
import { batchCount, getBatch } from '../../node/chain/anchorLog';
import { ensureRegistered } from '../../node/chain/register';
import { loadConfig } from '../../node/config';
import { appendEvent } from '../../node/ledger/append';
import { startAnchorWorker } from '../../node/ledger/anchorWorker';
import { freshDatabase, startTestChain } from '../support';
import type { TestChain, TestDatabase } from '../support';

function observe(n: number): EpcisEvent {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'inspecting',
    eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    eventTimeZoneOffset: '+00:00',
  };
}

describe('anchoring worker', () => {
  let chain: TestChain;
  let db: TestDatabase;
  let client: ChainClient;
  let dataDir: string;

  beforeAll(async () => {
    // One after the other, so afterAll can stop whatever did start.
    chain = await startTestChain();
    db = await freshDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-worker-'));
    const config = loadConfig({ DATA_DIR: dataDir, CHAIN_RPC_URL: chain.rpcUrl, CHAIN_DEPLOYMENT: chain.deploymentPath, GS1_COMPANY_PREFIX: '9506000' });
    client = await connectChain(config, dataDir);
    const registration = await ensureRegistered(client, config);
    expect(registration.status).toBe('active');
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await Promise.all([db?.close(), chain?.stop()]);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function append(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await db.sql.begin((tx) => appendEvent(tx, { participant: client.address, chainId: client.chainId }, observe(i)));
    }
  }

  it('anchors full batches at once, waits for a partial one to age, then anchors it', async () => {
    await append(25);
    const worker = startAnchorWorker({ db, chain: client }, { batchSize: 10, maxAgeMs: 60_000, autoStart: false });
    try {
      expect(await worker.runOnce()).toMatchObject({ kind: 'anchored', batch: 0, from: 1, to: 10 });
      expect(await worker.runOnce()).toMatchObject({ kind: 'anchored', batch: 1, from: 11, to: 20 });
      expect(await worker.runOnce()).toMatchObject({ kind: 'waiting', lastAnchored: 20, head: 25 });
    } finally {
      await worker.stop();
    }
    const aged = startAnchorWorker({ db, chain: client }, { batchSize: 10, maxAgeMs: 0, autoStart: false });
    try {
      expect(await aged.runOnce()).toMatchObject({ kind: 'anchored', batch: 2, from: 21, to: 25 });
      expect(await aged.runOnce()).toMatchObject({ kind: 'idle', lastAnchored: 25, head: 25 });
    } finally {
      await aged.stop();
    }
    expect(await batchCount(client.contracts.anchorLog, client.address)).toBe(3);
    const rows = await db.sql`select batch, from_seq, to_seq, root, tx_hash, block_number, root_matches from anchor_batches order by batch`;
    expect(rows.map((r) => [r.batch, r.from_seq, r.to_seq])).toEqual([[0, 1, 10], [1, 11, 20], [2, 21, 25]]);
    for (const row of rows) {
      const onChain = await getBatch(client.contracts.anchorLog, client.address, Number(row.batch));
      expect(onChain).toMatchObject({ root: row.root, from: Number(row.from_seq), to: Number(row.to_seq) });
      const leaves = await db.sql`select leaf from ledger_events where seq between ${row.from_seq} and ${row.to_seq} order by seq`;
      expect(toHex(merkleRoot(leaves.map((l) => fromHex(l.leaf))))).toBe(row.root);
      const receipt = await chain.provider.getTransactionReceipt(row.tx_hash);
      expect(receipt?.status).toBe(1);
      expect(receipt?.blockNumber).toBe(Number(row.block_number));
    }
    const intents = await db.sql`select state from anchor_intents`;
    expect(intents.map((i) => i.state)).toEqual(['mined', 'mined', 'mined']);
  }, 60_000);

  it('rebroadcasts the stored transaction of an intent that never reached the chain, never signing a second one', async () => {
    await append(3);
    await chain.provider.send('evm_setAutomine', [false]);
    const worker = startAnchorWorker({ db, chain: client }, { batchSize: 3, maxAgeMs: 0, autoStart: false, receiptTimeoutMs: 300 });
    try {
      const first = await worker.runOnce();
      expect(first.kind).toBe('intent-unresolved');
      const txHash = (first as { txHash: string }).txHash;
      // The broadcast is lost (a node restart, a dropped mempool): only the stored intent remains.
      await chain.provider.send('hardhat_dropTransaction', [txHash]);
      await chain.provider.send('evm_setAutomine', [true]);
      expect(await worker.runOnce()).toMatchObject({ kind: 'idle', lastAnchored: 28 });
      const [intent] = await db.sql`select tx_hash, state from anchor_intents where from_seq = 26`;
      expect(intent).toEqual({ tx_hash: txHash, state: 'mined' });
      const [batch] = await db.sql`select from_seq, to_seq, tx_hash from anchor_batches where batch = 3`;
      expect(batch).toEqual({ from_seq: 26, to_seq: 28, tx_hash: txHash });
      expect(await chain.provider.getTransactionCount(client.wallet.address)).toBe(4);
    } finally {
      await chain.provider.send('evm_setAutomine', [true]);
      await worker.stop();
    }
  }, 60_000);

  it('recovers batches that are on chain but missing from the database, checking their roots', async () => {
    const before = await db.sql`select * from anchor_batches order by batch`;
    await db.sql`delete from anchor_batches where batch >= 1`;
    const worker = startAnchorWorker({ db, chain: client }, { batchSize: 10, maxAgeMs: 60_000, autoStart: false });
    try {
      expect(await worker.runOnce()).toMatchObject({ kind: 'idle', lastAnchored: 28 });
    } finally {
      await worker.stop();
    }
    const after = await db.sql`select * from anchor_batches order by batch`;
    const pick = (r: Record<string, unknown>) => [r.batch, r.from_seq, r.to_seq, r.root, r.tx_hash, r.block_number, r.root_matches];
    expect(after.map(pick)).toEqual(before.map(pick));
  }, 60_000);

  it('flags a recovered batch whose root does not match the local ledger', async () => {
    await db.sql`delete from anchor_batches where batch >= 2`;
    // Simulate a ledger that lost its history: the leaf of seq 23 no longer matches what was anchored.
    await db.sql`update ledger_events set leaf = ${'0x' + 'ab'.repeat(32)} where seq = 23`;
    const worker = startAnchorWorker({ db, chain: client }, { autoStart: false });
    try {
      await worker.runOnce();
    } finally {
      await worker.stop();
    }
    const rows = await db.sql`select batch, root_matches from anchor_batches where batch >= 2 order by batch`;
    expect(rows).toEqual([{ batch: 2, root_matches: false }, { batch: 3, root_matches: true }]);
  }, 60_000);
});
