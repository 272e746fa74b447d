// A real node process checkpoints its audit trail into its ledger by itself
// (AUDIT_CHECKPOINT_MS), the anchoring worker anchors the checkpoint, and its
// proof bundle verifies with the SDK against the chain: the anchored ledger
// commits to the audit trail.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyBundle } from '../../sdk';
import { AUDIT_CHECKPOINT_BIZSTEP } from '../../node/audit/trailChain';
import { startTestChain, startTestNode, waitFor, type TestChain, type TestNode } from '../support';

let chain: TestChain;
let node: TestNode;
beforeAll(async () => {
  chain = await startTestChain();
  node = await startTestNode({ chain, env: { AUDIT_CHECKPOINT_MS: '1000', ANCHOR_MAX_AGE_MS: '200', GS1_COMPANY_PREFIX: '9506000' } });
}, 120_000);
afterAll(async () => {
  await node?.stop();
  await chain?.stop();
});

interface LedgerEntry {
  seq: number;
  event: Record<string, any>;
  batch: number | null;
}

describe('audit trail checkpoints in a running node', () => {
  test('the node appends the head of its audit trail to its ledger, and it gets anchored and verifies', async () => {
    const created = await node.request('/api/v1/users', { body: { username: 'auditor.node', password: 'long enough password', roles: ['viewer'] }, headers: { 'x-reason': 'audit' } });
    expect(created.status).toBe(201);
    const [head] = await waitFor(
      async () => {
        const verification = await (await node.request('/api/v1/audit-trail/verify')).json();
        const events = (await (await node.request('/audit/v1/events?limit=500')).json()).items as LedgerEntry[];
        const checkpoint = events.find(
          (e) => e.event.bizStep === AUDIT_CHECKPOINT_BIZSTEP && e.event['medtrace:auditCheckpoint'].chainSeq === verification.head.chainSeq && e.batch !== null,
        );
        return checkpoint ? [{ checkpoint, verification }] : undefined;
      },
      60_000,
      'an anchored checkpoint of the audit trail head',
    );
    const { checkpoint, verification } = head;
    expect(verification).toMatchObject({ valid: true });
    expect(checkpoint.event['medtrace:auditCheckpoint']).toEqual({ chainSeq: verification.head.chainSeq, hash: verification.head.hash, auditId: verification.head.auditId });
    const { bundle } = await (await node.request(`/audit/v1/events/${checkpoint.seq}`)).json();
    expect((await verifyBundle(bundle, { provider: chain.provider })).seq).toBe(checkpoint.seq);
    const after = await (await node.request('/api/v1/audit-trail/verify')).json();
    expect(after).toMatchObject({ valid: true, checkpoints: { checked: expect.any(Number) } });
    expect(after.checkpoints.checked).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
