// Fault 1: the node killed with SIGKILL at random points while clients write and
// the worker anchors, FAULT_KILLS times (default 20), restarted each time on the
// same data folder and database. Each trial the node may carry a MEDTRACE_FAULT
// (one of the anchoring points, or anchor:random), and a kill from outside comes
// at a random moment after it is ready, whichever is first. Afterwards a clean node
// anchors the rest, and the run checks: no acknowledged write lost, no gap in seq,
// no batch anchored twice, every event's bundle verified with the SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANCHOR_FAULT_POINTS } from '../../node/ledger/faults';
import { startTestChain } from '../support';
import type { TestChain, TestNode } from '../support';
import { ledgerParticipant } from '../chain/chainAudit';
import { auditFaultDatabase, verifyEveryEvent, waitAllAnchored } from './ledgerAudit';
import { sleep, startLoad, type Ack } from './load';
import { seededRandom } from './random';
import { reportFault } from './report';
import { faultDatabase, GTIN, logCounter, seedCatalog, startNodeOrDeath, type FaultDatabase } from './setup';

const KILLS = Number(process.env.FAULT_KILLS ?? 20);
const LOT = 'KILLED';
const FAULTS = [...ANCHOR_FAULT_POINTS, 'anchor:random'] as const;
const INJECTED = 'fault injected: SIGKILL';
const MISMATCH = 'ANCHORED ROOT MISMATCH: a batch on chain does not match the local ledger';
const REVERTED = 'anchor transaction reverted';

describe('the node SIGKILLed at random points during anchoring', () => {
  let chain: TestChain;
  let db: FaultDatabase;
  let node: TestNode | undefined;

  beforeAll(async () => {
    chain = await startTestChain();
    db = await faultDatabase('kill');
  }, 180_000);

  afterAll(async () => {
    await node?.kill('SIGKILL');
    await db?.drop();
    await chain?.stop();
  });

  it(`loses nothing, leaves no gap and anchors nothing twice over ${KILLS} kills`, async () => {
    const startedAt = Date.now();
    const random = seededRandom();
    let log = logCounter([]);
    let mismatches = 0;
    let revertedLogged = 0;
    const start = (env: Record<string, string | undefined>) => {
      mismatches += log.count(MISMATCH);
      revertedLogged += log.count(REVERTED);
      log = logCounter([INJECTED, MISMATCH, REVERTED]);
      return startNodeOrDeath({ chain, dataDir: db.dataDir, databaseUrl: db.url, env: { ANCHOR_MAX_AGE_MS: '100', ...env }, onOutput: log.onOutput });
    };

    const first = await start({ ANCHOR_BATCH_SIZE: '4' });
    expect(first.ready, first.node.output().slice(-3000)).toBe(true);
    node = first.node;
    const participant = await ledgerParticipant(node);
    await seedCatalog(node, LOT);
    await node.kill('SIGKILL');

    const acks: Ack[] = [];
    const causes = new Map<string, number>();
    let unanswered = 0;
    const unexpected: Array<{ status: number; body: string }> = [];
    for (let trial = 0; trial < KILLS; trial++) {
      // Half the trials carry a fault point; every trial gets the outside kill as well.
      const fault = random.next() < 0.5 ? random.pick(FAULTS) : undefined;
      const batchSize = random.int(1, 6);
      const killAfterMs = random.int(300, 3000);
      const started = await start({ ANCHOR_BATCH_SIZE: String(batchSize), MEDTRACE_FAULT: fault });
      node = started.node;
      const current = node;
      let killer: NodeJS.Timeout | undefined;
      if (started.ready) {
        await current.token().catch(() => undefined);
        const load = startLoad({ target: () => current, clients: 3, gtin: GTIN, lot: LOT, tag: `K${trial}` });
        killer = setTimeout(() => void current.kill('SIGKILL'), killAfterMs);
        const exit = await Promise.race([current.exited, sleep(60_000).then(() => 'still running')]);
        expect(exit, current.output().slice(-3000)).toEqual({ code: null, signal: 'SIGKILL' });
        const result = await load.stop();
        acks.push(...result.acked);
        unanswered += result.unanswered;
        unexpected.push(...result.unexpected);
      } else {
        expect(await current.exited).toEqual({ code: null, signal: 'SIGKILL' });
      }
      clearTimeout(killer);
      const injected = log.first(INJECTED);
      const point = /"point":"([a-z:-]+)"/.exec(injected ?? '')?.[1];
      const cause = point ? `${point}${injected!.includes('"random":true') ? '(random)' : ''}${started.ready ? '' : '(recovering)'}` : 'outside';
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }

    // A clean node finishes the work: a little more load, then everything anchored.
    const last = await start({ ANCHOR_BATCH_SIZE: '5' });
    expect(last.ready, last.node.output().slice(-3000)).toBe(true);
    node = last.node;
    const final = node;
    const load = startLoad({ target: () => final, clients: 2, gtin: GTIN, lot: LOT, tag: 'KEND' });
    await sleep(1000);
    const result = await load.stop();
    acks.push(...result.acked);
    unexpected.push(...result.unexpected);
    const head = await waitAllAnchored(final, chain, participant);
    const verification = await verifyEveryEvent(final, chain, head);
    await final.stop();
    mismatches += log.count(MISMATCH);
    revertedLogged += log.count(REVERTED);
    node = undefined;

    const audit = await auditFaultDatabase(db, chain, participant, acks);
    const { counts } = audit;
    reportFault('sigkill-during-anchoring', {
      trials: KILLS,
      lost: counts.lost,
      gaps: counts.gaps,
      duplicates: counts.duplicates,
      acked: acks.length,
      unanswered,
      savedUnanswered: counts.savedUnanswered,
      events: counts.events,
      batches: counts.batches,
      verified: `${verification.verified}/${head}`,
      halfWritten: counts.halfWritten,
      reverted: counts.reverted,
      kills: [...causes].map(([cause, n]) => `${cause}:${n}`).join(','),
      seed: random.seed,
      database: db.url ? 'postgres' : 'pglite',
    }, startedAt);

    expect(unexpected, 'every answered write was a 201').toEqual([]);
    expect(acks.length, 'the load got writes through').toBeGreaterThan(0);
    expect(audit.details).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, gaps: 0, duplicates: 0, halfWritten: 0, unanchored: 0, reverted: 0, unminedIntents: 0, batchMismatches: 0 });
    expect(verification.failures).toEqual([]);
    expect(verification.verified).toBe(head);
    expect({ mismatches, revertedLogged }, 'no batch on chain differed from the ledger, no anchor reverted').toEqual({ mismatches: 0, revertedLogged: 0 });
  });
});
