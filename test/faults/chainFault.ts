// The run the chain faults share: a node reaching the Hardhat node through a TCP
// proxy, three clients writing; the fault begins on the proxy, lasts `faultMs`, the
// proxy is restored; then the backlog is anchored and everything is checked: every
// write answered 201 throughout, events waited for the chain, nothing lost, nothing
// anchored twice, every event's bundle verified. Each fault's file adds its own
// checks on the outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, startTestChain, startTestNode } from '../support';
import type { TcpProxy, TestChain, TestNode } from '../support';
import { ledgerParticipant } from '../chain/chainAudit';
import { auditFaultDatabase, chainLastAnchored, nodeLedgerHead, verifyEveryEvent, waitAllAnchored } from './ledgerAudit';
import { sleep, startLoad } from './load';
import { reportFault, type FaultFields } from './report';
import { faultDatabase, GTIN, logCounter, seedCatalog, type FaultDatabase } from './setup';

const ROUND_FAILED = 'anchoring round failed';

export interface ChainFault {
  /** The name in the line of counts. */
  name: string;
  /** The test's title. */
  title: string;
  /** The lot the load inspects, and the load's tag (≤ 4 of [A-Z0-9]). */
  lot: string;
  tag: string;
  faultMs: number;
  /** Node environment beside the small, quick batches every chain fault uses. */
  env?: Record<string, string>;
  /** Starts the fault on the proxy (restore() ends it). */
  begin(proxy: TcpProxy): Promise<void> | void;
  /** Run once, a few seconds into the fault; its fields join the line of counts. */
  midway?(node: TestNode): Promise<FaultFields>;
}

export interface ChainFaultOutcome {
  /** Distinct anchoring failures the worker logged during the fault (it logs a persistent one once). */
  roundFailures: number;
  midway: FaultFields;
}

export function describeChainFault(fault: ChainFault, check: (outcome: ChainFaultOutcome) => void): void {
  describe(fault.title, () => {
    let chain: TestChain;
    let proxy: TcpProxy;
    let db: FaultDatabase;
    let node: TestNode | undefined;

    beforeAll(async () => {
      chain = await startTestChain();
      const target = new URL(chain.rpcUrl);
      proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port) } });
      db = await faultDatabase(fault.name);
    }, 180_000);

    afterAll(async () => {
      await node?.kill('SIGKILL');
      await proxy?.stop();
      await db?.drop();
      await chain?.stop();
    });

    it(`takes writes through ${fault.faultMs / 1000} s of it and anchors the backlog after, losing nothing`, async () => {
      const startedAt = Date.now();
      const log = logCounter([ROUND_FAILED]);
      node = await startTestNode({
        chain: { rpcUrl: proxy.url, deploymentPath: chain.deploymentPath },
        dataDir: db.dataDir,
        databaseUrl: db.url,
        env: { ANCHOR_BATCH_SIZE: '50', ANCHOR_MAX_AGE_MS: '200', ...fault.env },
        onOutput: log.onOutput,
      });
      const current = node;
      const participant = await ledgerParticipant(current);
      await seedCatalog(current, fault.lot);
      await current.token();
      let died = false;
      void current.exited.then(() => (died = true));

      const load = startLoad({ target: () => current, clients: 3, gtin: GTIN, lot: fault.lot, tag: fault.tag, pauseMs: 250 });
      await waitAllAnchored(current, chain, participant, 60_000).catch(() => undefined);
      await sleep(2000);
      const before = load.snapshot();
      expect(before.acked.length, 'writes before the fault').toBeGreaterThan(0);

      await fault.begin(proxy);
      const begunAt = Date.now();
      const failedBefore = log.count(ROUND_FAILED);
      let midway: FaultFields = {};
      if (fault.midway) {
        await sleep(Math.min(5000, fault.faultMs / 2));
        midway = await fault.midway(current);
      }
      await sleep(Math.max(0, fault.faultMs - (Date.now() - begunAt)));
      const during = load.snapshot();
      const roundFailures = log.count(ROUND_FAILED) - failedBefore;
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

      const audit = await auditFaultDatabase(db, chain, participant, result.acked);
      const { counts } = audit;
      const writesDuringFault = during.acked.length - before.acked.length;
      reportFault(
        fault.name,
        {
          trials: 1,
          lost: counts.lost,
          gaps: counts.gaps,
          duplicates: counts.duplicates,
          faultSeconds: fault.faultMs / 1000,
          writesDuringFault,
          refusedDuringFault: during.unanswered + during.unexpectedCount - before.unanswered - before.unexpectedCount,
          roundFailuresLogged: roundFailures,
          ...midway,
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
        },
        startedAt,
      );

      expect(stayedUp, 'the node stayed up').toBe(true);
      expect(result.unexpected, 'every write was answered 201, during the fault too').toEqual([]);
      expect(result.unanswered).toBe(0);
      expect(writesDuringFault, 'writes went on during the fault').toBeGreaterThan(0);
      expect(backlog, 'events waited for the chain').toBeGreaterThan(0);
      expect(roundFailures, 'the worker noticed the fault: its rounds failed instead of hanging').toBeGreaterThan(0);
      expect(audit.details).toEqual([]);
      expect(counts).toMatchObject({ lost: 0, gaps: 0, duplicates: 0, halfWritten: 0, unanchored: 0, reverted: 0, unminedIntents: 0, batchMismatches: 0 });
      expect(verification.failures).toEqual([]);
      expect(verification.verified).toBe(head);
      check({ roundFailures, midway });
    });
  });
}
