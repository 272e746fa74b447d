// Fault 2b: the chain blackholed under load (FAULT_CHAIN_BLACKHOLE_MS, default
// 30,000): the proxy between the node and the Hardhat node accepts connections and
// swallows what is sent, answering nothing, as a firewall that drops packets does.
// Unlike a refused connection, nothing fails by itself here: only the node's bound
// on every chain call (CHAIN_RPC_TIMEOUT_MS) ends a call. Writes go on (every one
// answered 201), the read-only chain proxy answers a 502 problem instead of hanging,
// and once the network is back the backlog drains: nothing lost, nothing anchored
// twice, every event verified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, startTestChain, startTestNode } from '../support';
import type { TcpProxy, TestChain, TestNode } from '../support';
import { ledgerParticipant } from '../chain/chainAudit';
import { auditLedger, chainLastAnchored, nodeLedgerHead, verifyEveryEvent, waitAllAnchored } from './ledgerAudit';
import { sleep, startLoad } from './load';
import { reportFault } from './report';
import { faultDatabase, GTIN, logCounter, seedCatalog, type FaultDatabase } from './setup';

const BLACKHOLE_MS = Number(process.env.FAULT_CHAIN_BLACKHOLE_MS ?? 30_000);
const RPC_TIMEOUT_MS = 2000;
const LOT = 'BLACKHOLE';
const ROUND_FAILED = 'anchoring round failed';

interface ProxyRead {
  status: number;
  type?: string;
  ms: number;
}

/** One read through the node's public chain proxy, as a verification page does. */
async function readThroughProxy(node: TestNode): Promise<ProxyRead> {
  const started = Date.now();
  const res = await fetch(`${node.url}/public/v1/chain-rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
    signal: AbortSignal.timeout(10 * RPC_TIMEOUT_MS),
  });
  const body = (await res.json()) as { type?: string };
  return { status: res.status, type: body.type, ms: Date.now() - started };
}

describe('the chain blackholed under load', () => {
  let chain: TestChain;
  let proxy: TcpProxy;
  let db: FaultDatabase;
  let node: TestNode | undefined;

  beforeAll(async () => {
    chain = await startTestChain();
    const target = new URL(chain.rpcUrl);
    proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port) } });
    db = await faultDatabase('blackhole');
  }, 180_000);

  afterAll(async () => {
    await node?.kill('SIGKILL');
    await proxy?.stop();
    await db?.drop();
    await chain?.stop();
  });

  it(`takes writes while the chain answers nothing for ${BLACKHOLE_MS / 1000} s, then anchors the backlog, losing nothing`, async () => {
    const startedAt = Date.now();
    const log = logCounter([ROUND_FAILED]);
    node = await startTestNode({
      chain: { rpcUrl: proxy.url, deploymentPath: chain.deploymentPath },
      dataDir: db.dataDir,
      databaseUrl: db.url,
      env: { ANCHOR_BATCH_SIZE: '50', ANCHOR_MAX_AGE_MS: '200', CHAIN_RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS) },
      onOutput: log.onOutput,
    });
    const current = node;
    const participant = await ledgerParticipant(current);
    await seedCatalog(current, LOT);
    await current.token();
    let died = false;
    void current.exited.then(() => (died = true));

    const load = startLoad({ target: () => current, clients: 3, gtin: GTIN, lot: LOT, tag: 'BLK', pauseMs: 250 });
    await waitAllAnchored(current, chain, participant, 60_000).catch(() => undefined);
    await sleep(2000);
    const before = load.snapshot();
    const readBefore = await readThroughProxy(current);
    expect(before.acked.length, 'writes before the blackhole').toBeGreaterThan(0);
    expect(readBefore.status, 'the chain proxy reads before the blackhole').toBe(200);

    proxy.blackhole();
    const blackholedAt = Date.now();
    const failedBefore = log.count(ROUND_FAILED);
    await sleep(Math.min(5000, BLACKHOLE_MS / 2));
    const readDuring = await readThroughProxy(current);
    await sleep(Math.max(0, BLACKHOLE_MS - (Date.now() - blackholedAt)));
    const during = load.snapshot();
    const roundsFailed = log.count(ROUND_FAILED) - failedBefore;
    const backlog = (await nodeLedgerHead(current)) - (await chainLastAnchored(chain, participant));
    await proxy.restore();
    const restoredAt = Date.now();

    await sleep(3000);
    const result = await load.stop();
    const head = await waitAllAnchored(current, chain, participant, 240_000);
    const drainMs = Date.now() - restoredAt;
    const verification = await verifyEveryEvent(current, chain, head);
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
    const writesDuringBlackhole = during.acked.length - before.acked.length;
    reportFault('chain-blackholed', {
      trials: 1,
      lost: counts.lost,
      gaps: counts.gaps,
      duplicates: counts.duplicates,
      blackholeSeconds: BLACKHOLE_MS / 1000,
      rpcTimeoutMs: RPC_TIMEOUT_MS,
      writesDuringBlackhole,
      refusedDuringBlackhole: during.unanswered + during.unexpectedCount - before.unanswered - before.unexpectedCount,
      roundFailuresLogged: roundsFailed,
      proxyReadDuring: `${readDuring.status}/${readDuring.ms}ms`,
      backlogAtRestore: backlog,
      drainSeconds: (drainMs / 1000).toFixed(1),
      acked: result.acked.length,
      events: counts.events,
      batches: counts.batches,
      verified: `${verification.verified}/${head}`,
      halfWritten: counts.halfWritten,
      reverted: counts.reverted,
      database: db.url ? 'postgres' : 'pglite',
    }, startedAt);

    expect(stayedUp, 'the node stayed up').toBe(true);
    expect(result.unexpected, 'every write was answered 201, while the chain was silent too').toEqual([]);
    expect(result.unanswered).toBe(0);
    expect(writesDuringBlackhole, 'writes went on while the chain was silent').toBeGreaterThan(0);
    expect(backlog, 'events waited for the chain').toBeGreaterThan(0);
    // (the worker logs a persistent failure once, so this counts distinct failures, not rounds)
    expect(roundsFailed, 'anchoring rounds ended by the call timeout, not hung').toBeGreaterThan(0);
    expect(readDuring, 'the chain proxy answers a problem instead of hanging').toMatchObject({ status: 502, type: expect.stringMatching(/\/chain-unreachable$/) });
    expect(audit.details).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, gaps: 0, duplicates: 0, halfWritten: 0, unanchored: 0, reverted: 0, unminedIntents: 0, batchMismatches: 0 });
    expect(verification.failures).toEqual([]);
    expect(verification.verified).toBe(head);
  });
});
