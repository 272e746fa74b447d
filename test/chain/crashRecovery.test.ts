// Crash recovery of the anchoring worker, with real node processes killed by
// SIGKILL at each point of the pipeline (MEDTRACE_FAULT), then restarted:
// afterwards every event is anchored exactly once, no batch is duplicated and
// no transaction ever reverted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../node/db';
import { createServerDatabase, startTestChain, startTestNode, testServerUrl, waitFor } from '../support';
import type { TestChain, TestNode } from '../support';
import { chainBatches, expectExactCover, expectOneSuccessfulTxPerBatch, ledgerParticipant } from './chainAudit';

const GTIN = '09506000134352';

let chain: TestChain;
beforeAll(async () => {
  chain = await startTestChain();
}, 120_000);
afterAll(async () => {
  await chain?.stop();
});

async function record(node: TestNode, path: string, body: unknown): Promise<void> {
  const res = await node.request(path, { body });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function inspect(node: TestNode, lot: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await record(node, `/api/v1/lots/${GTIN}/${lot}/inspections`, { kind: 'final', result: 'pass', method: 'visual' });
  }
}

describe.each(['anchor:after-build', 'anchor:after-send', 'anchor:after-mined'] as const)('a node killed at %s', (fault) => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let dropDatabase: () => Promise<void> = async () => {};
  let node: TestNode | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-crash-'));
    const server = testServerUrl();
    if (server) {
      const created = await createServerDatabase(server);
      databaseUrl = created.url;
      dropDatabase = created.drop;
    }
  });

  afterAll(async () => {
    await node?.stop();
    await dropDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('anchors every event exactly once after a restart, with no duplicate batch and no reverted transaction', async () => {
    const lot = `L${fault.split('-')[1].toUpperCase()}`;
    // Batches close at 5 events and never on age, so the crash comes exactly when the 5th event lands.
    node = await startTestNode({
      chain,
      dataDir,
      databaseUrl,
      env: { MEDTRACE_FAULT: fault, ANCHOR_BATCH_SIZE: '5', ANCHOR_MAX_AGE_MS: '3600000' },
    });
    const participant = await ledgerParticipant(node);
    await record(node, '/api/v1/products', { gtin: GTIN, name: 'Stent', model: 'S1', deviceClass: 'III' });
    await record(node, '/api/v1/lots', { gtin: GTIN, lot, productionDate: '2026-02-01', expiry: '2028-02-29', serialCount: 50, serialPrefix: 'C' });
    await inspect(node, lot, 3);
    // The 5th event: the worker builds the batch and the process kills itself at the fault point.
    await node.request(`/api/v1/lots/${GTIN}/${lot}/inspections`, { body: { kind: 'final', result: 'pass', method: 'visual' } }).catch(() => undefined);
    const exit = await Promise.race([node.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000))]);
    expect(exit, node.output().slice(-3000)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(node.output()).toContain(`"point":"${fault}"`);
    const onChainAtCrash = await chainBatches(chain, participant);
    expect(onChainAtCrash.length).toBe(fault === 'anchor:after-build' ? 0 : 1);

    // Restart without the fault; batches now also close on age.
    node = await startTestNode({ chain, dataDir, databaseUrl, env: { ANCHOR_BATCH_SIZE: '5', ANCHOR_MAX_AGE_MS: '200' } });
    await inspect(node, lot, 2);
    const total = 7;
    await waitFor(
      async () => {
        const batches = await chainBatches(chain, participant);
        return batches.length > 0 && batches[batches.length - 1].to === total;
      },
      30_000,
      'every event to be anchored',
    );
    const batches = await chainBatches(chain, participant);
    expectExactCover(batches, total);
    expect(batches[0]).toMatchObject({ from: 1, to: 5 });
    await expectOneSuccessfulTxPerBatch(chain, participant, batches.length);

    // The node's own record matches the chain batch for batch.
    const res = await node.request('/audit/v1/anchors');
    const recorded = ((await res.json()) as { items: Array<{ batch: number; from: number; to: number; root: string; rootMatches: boolean }> }).items;
    expect(recorded.map(({ batch, from, to, root }) => ({ batch, from, to, root }))).toEqual(batches);
    expect(recorded.every((b) => b.rootMatches)).toBe(true);

    // Every intent ended mined: one per batch, none reverted or dropped.
    await node.stop();
    node = undefined;
    const db = await openDatabase({ url: databaseUrl, dataDir });
    try {
      const intents = await db.sql`select from_seq, to_seq, state from anchor_intents order by id`;
      expect(intents.map((i) => i.state)).toEqual(batches.map(() => 'mined'));
      expect(intents.map((i) => [i.from_seq, i.to_seq])).toEqual(batches.map((b) => [b.from, b.to]));
    } finally {
      await db.close();
    }
  }, 180_000);
});
