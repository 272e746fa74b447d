// Fault 4: two API processes of one node on one Postgres database (one data folder,
// one chain key), both under a sustained write load. Exactly one anchors: the
// advisory-lock leader. Midway the leader is SIGKILLed and started again under load:
// the survivor takes over, the restarted process stays a follower. Meanwhile a
// separate session samples pg_locks: never two holders of the anchoring lock.
// Afterwards nothing is lost, nothing anchored twice, every event verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../node/db';
import { anchorLockKey } from '../../node/ledger/leadership';
import { startTestChain, startTestNode, testServerUrl, waitFor } from '../support';
import type { TestChain, TestNode } from '../support';
import { ledgerParticipant } from '../chain/chainAudit';
import { auditFaultDatabase, verifyEveryEvent, waitAllAnchored } from './ledgerAudit';
import { sleep, startLoad, type Ack, type Load } from './load';
import { reportFault, reportSkipped } from './report';
import { faultDatabase, GTIN, logCounter, seedCatalog, type FaultDatabase, type LogCounter } from './setup';

const PHASE_MS = Number(process.env.FAULT_TWO_PROCESSES_PHASE_MS ?? 10_000);
const LOT = 'TWOPROC';
const ENV = { ANCHOR_BATCH_SIZE: '5', ANCHOR_MAX_AGE_MS: '100' };

const ELECTED = 'elected anchoring leader';
const ANCHORED = 'batch anchored';

const NEEDS = 'needs a Postgres server, TEST_DATABASE_URL (PGlite is single-process): run under scripts/with-postgres.sh';

if (!testServerUrl()) it('two node processes on one database: skipped here', ({ skip }) => reportSkipped('two-processes-one-database', NEEDS, skip));

describe.skipIf(!testServerUrl())('two node processes on one database under load', () => {
  let chain: TestChain;
  let db: FaultDatabase;
  const nodes: TestNode[] = [];
  const logs = new Map<TestNode, LogCounter>();
  const elected = (node: TestNode) => logs.get(node)!.count(ELECTED);
  const anchoredBy = (node: TestNode) => logs.get(node)!.count(ANCHORED);

  beforeAll(async () => {
    chain = await startTestChain();
    db = await faultDatabase('two');
  }, 180_000);

  afterAll(async () => {
    for (const node of nodes) await node.kill('SIGKILL');
    await db?.drop();
    await chain?.stop();
  });

  it('anchors from one leader at a time, exactly once, through a leader kill and restart', async () => {
    const startedAt = Date.now();
    const start = async () => {
      const log = logCounter([ELECTED, ANCHORED]);
      const node = await startTestNode({ chain, dataDir: db.dataDir, databaseUrl: db.url, env: ENV, onOutput: log.onOutput });
      nodes.push(node);
      logs.set(node, log);
      await node.token();
      return node;
    };
    // One after the other: the first creates the chain key and the admin, the second reuses them.
    const a = await start();
    const b = await start();
    const participant = await ledgerParticipant(a);
    expect(await ledgerParticipant(b)).toBe(participant);
    await seedCatalog(a, LOT);

    // A separate session watches the anchoring lock: how many sessions hold it at once.
    const key = anchorLockKey(participant);
    const watcher = await openDatabase({ url: db.url, max: 1 });
    let maxHolders = 0;
    let samples = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const [row] = await watcher.sql<{ n: number }[]>`
          select count(*)::int as n from pg_locks
          where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())
            and classid = (${key}::bigint >> 32)::oid and objid = (${key}::bigint & 4294967295)::oid and objsubid = 1`;
        maxHolders = Math.max(maxHolders, row.n);
        samples++;
        await sleep(200);
      }
    })();

    const acks: Ack[] = [];
    let unexpectedCount = 0;
    const unexpected: Array<{ status: number; body: string }> = [];
    const finish = async (load: Load) => {
      const result = await load.stop();
      acks.push(...result.acked);
      unexpectedCount += result.unexpectedCount;
      unexpected.push(...result.unexpected);
      return result;
    };
    const load = (node: TestNode, tag: string) => startLoad({ target: () => node, clients: 2, gtin: GTIN, lot: LOT, tag, pauseMs: 25 });

    // Phase 1: both processes under load.
    const loadA = load(a, 'TA');
    const loadB = load(b, 'TB');
    await sleep(PHASE_MS);
    await waitFor(async () => elected(a) + elected(b) > 0, 30_000, 'a leader');
    const leadersBefore = [a, b].filter((node) => elected(node) > 0);
    const leader = leadersBefore[0];
    const follower = leader === a ? b : a;
    const followerAnchoredBefore = anchoredBy(follower);
    const leaderAnchored = anchoredBy(leader);

    // The leader dies under load and comes back; the survivor takes over.
    await leader.kill('SIGKILL');
    const cut = await finish(leader === a ? loadA : loadB);
    const restarted = await start();
    const loadR = load(restarted, 'TR');
    await sleep(PHASE_MS);
    await waitFor(async () => elected(follower) > 0, 30_000, 'the survivor to take over');
    await finish(loadR);
    await finish(leader === a ? loadB : loadA);

    const head = await waitAllAnchored(follower, chain, participant);
    const verification = await verifyEveryEvent(follower, chain, head);
    watching = false;
    await watch;
    await watcher.close();
    const elections = { leader: elected(leader), survivor: elected(follower), restarted: elected(restarted) };
    const anchoredByRestarted = anchoredBy(restarted);
    for (const node of nodes.splice(0)) await node.kill('SIGTERM');

    const audit = await auditFaultDatabase(db, chain, participant, acks);
    const { counts } = audit;
    reportFault('two-processes-one-database', {
      trials: 1,
      lost: counts.lost,
      gaps: counts.gaps,
      duplicates: counts.duplicates,
      processes: 3,
      leaderKills: 1,
      elections: `${elections.leader}+${elections.survivor}+${elections.restarted}`,
      maxLockHolders: maxHolders,
      lockSamples: samples,
      batchesByFirstLeader: leaderAnchored,
      batchesByFollowerBeforeKill: followerAnchoredBefore,
      batchesByRestarted: anchoredByRestarted,
      acked: acks.length,
      cutByKill: cut.unanswered,
      events: counts.events,
      batches: counts.batches,
      verified: `${verification.verified}/${head}`,
      halfWritten: counts.halfWritten,
      reverted: counts.reverted,
    }, startedAt);

    expect(leadersBefore, 'one leader while both ran').toHaveLength(1);
    expect(elections, 'the survivor took over once; the restarted process stayed a follower').toEqual({ leader: 1, survivor: 1, restarted: 0 });
    expect(followerAnchoredBefore, 'the follower anchored nothing while the leader lived').toBe(0);
    expect(anchoredByRestarted, 'the restarted process anchored nothing').toBe(0);
    expect(maxHolders, 'never two holders of the anchoring lock').toBeLessThanOrEqual(1);
    expect(unexpected, 'every answered write was a 201').toEqual([]);
    expect(unexpectedCount).toBe(0);
    expect(audit.details).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, gaps: 0, duplicates: 0, halfWritten: 0, unanchored: 0, reverted: 0, unminedIntents: 0, batchMismatches: 0 });
    expect(verification.failures).toEqual([]);
    expect(verification.verified).toBe(head);
  });
});
