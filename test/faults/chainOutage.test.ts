// Fault 2: the chain unreachable for a minute (FAULT_CHAIN_OUTAGE_MS, default
// 60,000) while clients write. The node reaches the Hardhat node through a TCP
// proxy; cutting it destroys the open connections and refuses new ones. Writes
// go on (every one answered 201), the anchoring backlog drains once the proxy
// is back, nothing is lost, nothing is anchored twice, every event verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, startTestChain, startTestNode } from '../support';
import type { TcpProxy, TestChain, TestNode } from '../support';
import { ledgerParticipant } from '../chain/chainAudit';
import { auditLedger, chainLastAnchored, nodeLedgerHead, verifyEveryEvent, waitAllAnchored } from './ledgerAudit';
import { sleep, startLoad } from './load';
import { reportFault } from './report';
import { faultDatabase, GTIN, logCounter, seedCatalog, type FaultDatabase } from './setup';

const OUTAGE_MS = Number(process.env.FAULT_CHAIN_OUTAGE_MS ?? 60_000);
const LOT = 'OUTAGE';
const ROUND_FAILED = 'anchoring round failed';

describe('the chain unreachable under load', () => {
  let chain: TestChain;
  let proxy: TcpProxy;
  let db: FaultDatabase;
  let node: TestNode | undefined;

  beforeAll(async () => {
    chain = await startTestChain();
    const target = new URL(chain.rpcUrl);
    proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port) } });
    db = await faultDatabase('outage');
  }, 180_000);

  afterAll(async () => {
    await node?.kill('SIGKILL');
    await proxy?.stop();
    await db?.drop();
    await chain?.stop();
  });

  it(`takes writes through a ${OUTAGE_MS / 1000} s outage and anchors the backlog after it, losing nothing`, async () => {
    const startedAt = Date.now();
    const log = logCounter([ROUND_FAILED]);
    node = await startTestNode({
      chain: { rpcUrl: proxy.url, deploymentPath: chain.deploymentPath },
      dataDir: db.dataDir,
      databaseUrl: db.url,
      env: { ANCHOR_BATCH_SIZE: '50', ANCHOR_MAX_AGE_MS: '200' },
      onOutput: log.onOutput,
    });
    const current = node;
    const participant = await ledgerParticipant(current);
    await seedCatalog(current, LOT);
    await current.token();
    let died = false;
    void current.exited.then(() => (died = true));

    const load = startLoad({ target: () => current, clients: 3, gtin: GTIN, lot: LOT, tag: 'OUT', pauseMs: 250 });
    await waitAllAnchored(current, chain, participant, 60_000).catch(() => undefined);
    await sleep(2000);
    const beforeCut = load.snapshot();
    expect(beforeCut.acked.length, 'writes before the outage').toBeGreaterThan(0);

    await proxy.cut();
    await sleep(OUTAGE_MS);
    const duringCut = load.snapshot();
    const backlog = (await nodeLedgerHead(current)) - (await chainLastAnchored(chain, participant));
    await proxy.restore();
    const restoredAt = Date.now();

    await sleep(3000);
    const result = await load.stop();
    const head = await waitAllAnchored(current, chain, participant, 240_000);
    const drainMs = Date.now() - restoredAt;
    const verifyStarted = Date.now();
    const verification = await verifyEveryEvent(current, chain, head);
    const verifyMs = Date.now() - verifyStarted;
    const stayedUp = !died;
    await current.stop();
    node = undefined;

    const database = await db.open();
    let audit;
    try {
      audit = await auditLedger(database.sql, chain, participant, result.acked);
    } finally {
      await database.close();
    }
    const { counts } = audit;
    const writesDuringOutage = duringCut.acked.length - beforeCut.acked.length;
    reportFault('chain-unreachable', {
      trials: 1,
      lost: counts.lost,
      gaps: counts.gaps,
      duplicates: counts.duplicates,
      outageSeconds: OUTAGE_MS / 1000,
      writesDuringOutage,
      refusedDuringOutage: duringCut.unanswered + duringCut.unexpectedCount - beforeCut.unanswered - beforeCut.unexpectedCount,
      backlogAtRestore: backlog,
      drainSeconds: (drainMs / 1000).toFixed(1),
      verifySeconds: (verifyMs / 1000).toFixed(1),
      acked: result.acked.length,
      events: counts.events,
      batches: counts.batches,
      verified: `${verification.verified}/${head}`,
      halfWritten: counts.halfWritten,
      reverted: counts.reverted,
      database: db.url ? 'postgres' : 'pglite',
    }, startedAt);

    expect(stayedUp, 'the node stayed up').toBe(true);
    expect(result.unexpected, 'every write was answered 201, during the outage too').toEqual([]);
    expect(result.unanswered).toBe(0);
    expect(writesDuringOutage, 'writes went on during the outage').toBeGreaterThan(0);
    expect(backlog, 'events waited for the chain').toBeGreaterThan(0);
    expect(log.count(ROUND_FAILED), 'the worker noticed the outage').toBeGreaterThan(0);
    expect(audit.details).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, gaps: 0, duplicates: 0, halfWritten: 0, unanchored: 0, reverted: 0, unminedIntents: 0, batchMismatches: 0 });
    expect(verification.failures).toEqual([]);
    expect(verification.verified).toBe(head);
  });
});
