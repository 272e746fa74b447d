// Two API processes of one node (one data folder, one Postgres server
// database, one chain key): both write events, exactly one anchors (the
// advisory-lock leader), nothing is anchored twice, and when the leader dies
// the other takes over. Needs a Postgres server: PGlite is single-process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../node/db';
import { createServerDatabase, startTestChain, startTestNode, testServerUrl, waitFor } from '../support';
import type { TestChain, TestNode } from '../support';
import { chainBatches, expectExactCover, expectOneSuccessfulTxPerBatch, ledgerParticipant } from './chainAudit';

const GTIN = '09506000134352';
const LOT = 'L2P';

describe.skipIf(!testServerUrl())('two node processes on one database (needs TEST_DATABASE_URL: PGlite is single-process)', () => {
  let chain: TestChain;
  let databaseUrl: string;
  let dropDatabase: () => Promise<void> = async () => {};
  let dataDir: string;
  const nodes: TestNode[] = [];

  beforeAll(async () => {
    chain = await startTestChain();
    const created = await createServerDatabase(testServerUrl()!);
    databaseUrl = created.url;
    dropDatabase = created.drop;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-two-'));
    const env = { ANCHOR_BATCH_SIZE: '3', ANCHOR_MAX_AGE_MS: '200' };
    // One after the other: the first creates the chain key and the admin, the second reuses them.
    nodes.push(await startTestNode({ chain, dataDir, databaseUrl, env }));
    nodes.push(await startTestNode({ chain, dataDir, databaseUrl, env }));
  }, 180_000);

  afterAll(async () => {
    for (const node of nodes) await node.stop();
    await dropDatabase();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await chain?.stop();
  });

  async function inspect(node: TestNode, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const res = await node.request(`/api/v1/lots/${GTIN}/${LOT}/inspections`, { body: { kind: 'final', result: 'pass', method: 'visual' } });
      expect(res.status, await res.clone().text()).toBe(201);
    }
  }

  function leaders(): TestNode[] {
    return nodes.filter((node) => node.output().includes('elected anchoring leader'));
  }

  it('anchors everything both processes write exactly once, from one elected leader', async () => {
    const [a, b] = nodes;
    const participant = await ledgerParticipant(a);
    expect(await ledgerParticipant(b)).toBe(participant);
    expect((await a.request('/api/v1/products', { body: { gtin: GTIN, name: 'Catheter', model: 'C9', deviceClass: 'IIa' } })).status).toBe(201);
    const lot = await b.request('/api/v1/lots', {
      body: { gtin: GTIN, lot: LOT, productionDate: '2026-03-01', expiry: '2028-03-31', serialCount: 100, serialPrefix: 'K' },
    });
    expect(lot.status).toBe(201);
    // Both processes write concurrently.
    await Promise.all([inspect(a, 10), inspect(b, 10)]);
    const total = 21;
    await waitFor(async () => (await chainBatches(chain, participant)).at(-1)?.to === total, 30_000, 'all events anchored');

    expect(leaders()).toHaveLength(1);
    const batches = await chainBatches(chain, participant);
    expectExactCover(batches, total);
    await expectOneSuccessfulTxPerBatch(chain, participant, batches.length);
  }, 120_000);

  it('lets the other process take over anchoring when the leader dies', async () => {
    const [leader] = leaders();
    const survivor = nodes.find((node) => node !== leader)!;
    const participant = await ledgerParticipant(survivor);
    await leader.kill('SIGKILL');
    await inspect(survivor, 4);
    const total = 25;
    await waitFor(async () => (await chainBatches(chain, participant)).at(-1)?.to === total, 30_000, 'the survivor to anchor');
    expect(survivor.output()).toContain('elected anchoring leader');
    const batches = await chainBatches(chain, participant);
    expectExactCover(batches, total);
    await expectOneSuccessfulTxPerBatch(chain, participant, batches.length);

    const db = await openDatabase({ url: databaseUrl });
    try {
      const intents = await db.sql`select state, count(*)::int as n from anchor_intents group by state`;
      expect(intents).toEqual([{ state: 'mined', n: batches.length }]);
      const recorded = await db.sql`select batch, from_seq as from, to_seq as to, root from anchor_batches order by batch`;
      expect(recorded).toEqual(batches);
    } finally {
      await db.close();
    }
  }, 120_000);
});
