// Fault 3: the Postgres server stopped and started again under load, twice: once
// with a fast shutdown (sessions told and ended) and once with an immediate one
// (every server process gone at once, crash recovery on start; only when commits
// are synchronous, else a second fast one). While it is down, clients get a 503
// problem+json naming the database, with Retry-After, and retry with the same
// Idempotency-Key; the node recovers by itself, without a restart. Afterwards
// nothing acknowledged is lost, no write is recorded twice, no business row lacks
// its event nor an event its row, and the ledger is anchored and verifiable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../node/db';
import { postgresControl, startTestChain, startTestNode, testServerUrl, waitFor } from '../support';
import type { PgStopMode, TestChain, TestNode } from '../support';
import { ledgerParticipant } from '../chain/chainAudit';
import { auditFaultDatabase, verifyEveryEvent, waitAllAnchored } from './ledgerAudit';
import { sleep, startLoad } from './load';
import { reportFault, reportSkipped } from './report';
import { faultDatabase, GTIN, seedCatalog, type FaultDatabase } from './setup';

const DOWN_MS = Number(process.env.FAULT_PG_DOWN_MS ?? 5000);
const LOT = 'PGDOWN';
const control = postgresControl();

const NEEDS = 'needs the Postgres server of scripts/with-postgres.sh (TEST_DATABASE_URL and TEST_PG_CTL)';

if (!testServerUrl() || !control) it('Postgres restarted under load: skipped here', ({ skip }) => reportSkipped('postgres-restarted', NEEDS, skip));

describe.skipIf(!testServerUrl() || !control)(
  'Postgres restarted under load',
  () => {
    let chain: TestChain;
    let db: FaultDatabase;
    let node: TestNode | undefined;

    beforeAll(async () => {
      chain = await startTestChain();
      db = await faultDatabase('pgdown');
    }, 180_000);

    afterAll(async () => {
      // Whatever happened, leave the shared server running for the other suites.
      await control!.start().catch(() => undefined);
      await node?.kill('SIGKILL');
      await db?.drop();
      await chain?.stop();
    });

    it('answers a retryable 503 while the database is down, recovers without a restart and loses or half-writes nothing', async () => {
      const startedAt = Date.now();
      node = await startTestNode({ chain, dataDir: db.dataDir, databaseUrl: db.url, env: { ANCHOR_BATCH_SIZE: '10', ANCHOR_MAX_AGE_MS: '200' } });
      const current = node;
      const participant = await ledgerParticipant(current);
      await seedCatalog(current, LOT);
      await current.token();
      let died = false;
      void current.exited.then(() => (died = true));

      const probe = await openDatabase({ url: db.url });
      const [{ synchronous_commit: synchronousCommit }] = await probe.sql<{ synchronous_commit: string }[]>`show synchronous_commit`;
      await probe.close();
      // With synchronous_commit off (PG_FAST=1) an immediate stop may drop commits already acknowledged: Postgres's documented trade.
      const modes: PgStopMode[] = synchronousCommit === 'off' ? ['fast', 'fast'] : ['fast', 'immediate'];

      const load = startLoad({ target: () => current, clients: 4, gtin: GTIN, lot: LOT, tag: 'PG', pauseMs: 20, idempotent: true });
      const recoverySeconds: string[] = [];
      for (const mode of modes) {
        await sleep(3000);
        await control!.stop(mode);
        await sleep(DOWN_MS);
        await control!.start();
        const restartedAt = Date.now();
        const ackedAtStart = load.ackedCount;
        const recovered = async () => {
          if (died) throw new Error('the node died');
          return load.ackedCount > ackedAtStart + 10;
        };
        await waitFor(recovered, 90_000, 'writes to go through again after the restart').catch((error: Error) => {
          const { retryable, unanswered, unexpected } = load.snapshot();
          throw new Error(`${error.message}: ${JSON.stringify({ retryable, unanswered, unexpected })}\n${current.output().slice(-6000)}`);
        });
        recoverySeconds.push(((Date.now() - restartedAt) / 1000).toFixed(1));
      }
      await sleep(2000);
      const result = await load.stop(60_000);
      const stayedUp = !died;
      const ready = await fetch(`${current.url}/ready`);

      const head = await waitAllAnchored(current, chain, participant, 120_000);
      const verification = await verifyEveryEvent(current, chain, head);
      await current.stop();
      node = undefined;

      const audit = await auditFaultDatabase(db, chain, participant, result.acked);
      const { counts } = audit;
      reportFault('postgres-restarted', {
        trials: modes.length,
        lost: counts.lost,
        gaps: counts.gaps,
        duplicates: counts.duplicates,
        stops: modes.join(','),
        downSeconds: DOWN_MS / 1000,
        retryable503: result.retryable,
        other5xxOrErrors: result.unexpectedCount + result.unanswered,
        timedOut: result.timedOut,
        acked: result.acked.length,
        replayedAfterRetry: result.acked.filter((ack) => ack.replayed).length,
        abandoned: result.abandoned,
        halfWritten: counts.halfWritten,
        recoverySeconds: recoverySeconds.join(','),
        events: counts.events,
        batches: counts.batches,
        verified: `${verification.verified}/${head}`,
        synchronousCommit,
      }, startedAt);

      expect(stayedUp, 'the node recovered without a restart').toBe(true);
      expect(ready.status, 'the node is ready again').toBe(200);
      expect(result.retryable, 'clients were told the database is unavailable').toBeGreaterThan(0);
      expect(result.unexpected, 'no answer but 201 or the retryable 503').toEqual([]);
      expect(result.unanswered, 'the node kept answering').toBe(0);
      expect(result.abandoned, 'every write got through in the end').toBe(0);
      expect(audit.details).toEqual([]);
      expect(counts).toMatchObject({ lost: 0, gaps: 0, duplicates: 0, halfWritten: 0, unanchored: 0, reverted: 0, unminedIntents: 0, batchMismatches: 0 });
      expect(verification.failures).toEqual([]);
      expect(verification.verified).toBe(head);
    });
  },
);
