// The audit trail: every write's who/when/what (before, after) and why through
// GET /api/v1/audit-trail; its hash chain verified by GET /api/v1/audit-trail/verify;
// a tampered entry (a superuser's UPDATE with the append-only trigger disabled)
// is found; the chain's head goes into the ledger as a checkpoint event that
// gets anchored, so even a recomputed chain cannot pass for the anchored one.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyBundle } from '../../sdk';
import { auditChainHash, recordAudits } from '../../node/auth/auditTrail';
import { appendAuditCheckpoint, AUDIT_CHECKPOINT_BIZSTEP, startAuditCheckpoints } from '../../node/audit/trailChain';
import { readProblem, startTestApp, type TestApp } from '../support/app';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
}, 120_000);
afterAll(async () => {
  await api?.close();
});

interface Entry {
  id: number;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  chainSeq: number | null;
  hash: string | null;
  entrySha256: string | null;
}

async function trail(query = ''): Promise<{ items: Entry[]; nextCursor: string | null }> {
  const res = await api.call('GET', `/api/v1/audit-trail${query}`, { as: 'viewer' });
  expect(res.status).toBe(200);
  return res.json();
}

async function verify() {
  const res = await api.call('GET', '/api/v1/audit-trail/verify', { as: 'qa' });
  expect(res.status).toBe(200);
  return res.json();
}

function checkpoint() {
  return appendAuditCheckpoint(api.db.sql, { participant: api.ctx.participant, chainId: api.ctx.chainId, eventTimeZoneOffset: '+08:00' });
}

describe('audit trail', () => {
  test('shows who, what before/after and why for each write, filtered and a page at a time', async () => {
    const created = await api.call('POST', '/api/v1/users', {
      body: { username: 'auditor.one', password: 'long enough password', roles: ['viewer'] },
      headers: { 'x-reason': 'external audit 2026' },
    });
    expect(created.status).toBe(201);
    for (const name of ['qa.two', 'qa.three']) {
      const res = await api.call('POST', '/api/v1/users', { body: { username: name, password: 'long enough password', roles: ['qa'], reason: 'QA hire' } });
      expect(res.status).toBe(201);
    }

    const all = await trail('?entity=user&actor=admin&action=user.create');
    expect(all.items.map((e) => e.entityId)).toEqual(['auditor.one', 'qa.two', 'qa.three']);
    expect(all.items[0]).toMatchObject({
      actor: 'admin',
      action: 'user.create',
      entity: 'user',
      entityId: 'auditor.one',
      before: null,
      after: expect.objectContaining({ username: 'auditor.one', roles: ['viewer'] }),
      reason: 'external audit 2026',
      chainSeq: expect.any(Number),
      hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(all.items)).not.toContain('long enough password');

    const first = await trail('?entity=user&actor=admin&action=user.create&limit=2');
    expect(first.items).toHaveLength(2);
    const second = await trail(`?entity=user&actor=admin&action=user.create&limit=2&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].map((e) => e.entityId)).toEqual(['auditor.one', 'qa.two', 'qa.three']);
    expect(second.nextCursor).toBeNull();

    const only = await trail('?entityId=qa.two&action=user.create');
    expect(only.items.map((e) => e.reason)).toEqual(['QA hire']);
    const future = await trail(`?from=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.items).toEqual([]);
  });

  test('a correction shows the record before and after and the reason given', async () => {
    const gtin = '09506000134352';
    expect((await api.call('POST', '/api/v1/products', { as: 'qa', body: { gtin, name: 'Stent', model: 'S-1', deviceClass: 'III' } })).status).toBe(201);
    const patched = await api.call('PATCH', `/api/v1/products/${gtin}`, { as: 'qa', body: { name: 'Coronary stent' }, headers: { 'x-reason': 'name per IFU rev. C' } });
    expect(patched.status).toBe(200);
    const { items } = await trail(`?entity=product&entityId=${gtin}`);
    const correction = items.find((e) => e.action !== 'product.create')!;
    expect(correction).toMatchObject({
      actor: 'qa',
      before: expect.objectContaining({ name: 'Stent' }),
      after: expect.objectContaining({ name: 'Coronary stent' }),
      reason: 'name per IFU rev. C',
      chainSeq: expect.any(Number),
    });
  });

  test('a refused write leaves no entry and the chain unchanged', async () => {
    const [before] = await api.db.sql`select chain_seq, hash from audit_chain_head`;
    const entries = await api.count('audit_trail');
    const duplicate = await api.call('POST', '/api/v1/users', { body: { username: 'auditor.one', password: 'long enough password', roles: ['viewer'] } });
    expect(duplicate.status).toBe(409);
    expect(await api.count('audit_trail')).toBe(entries);
    const [after] = await api.db.sql`select chain_seq, hash from audit_chain_head`;
    expect(after).toEqual(before);
  });

  test('is readable by admin, qa and viewer only, and refuses a bad filter naming it', async () => {
    for (const role of ['warehouse', 'sales'] as const) {
      expect((await api.call('GET', '/api/v1/audit-trail', { as: role })).status).toBe(403);
      expect((await api.call('GET', '/api/v1/audit-trail/verify', { as: role })).status).toBe(403);
    }
    const bad = await api.call('GET', '/api/v1/audit-trail?from=yesterday');
    expect(bad.status).toBe(422);
    expect((await readProblem(bad)).field).toMatch(/from/);
  });

  test('chains every entry: each hash is sha256(previous hash ‖ entry digest), in commit order, concurrent writes included', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.call('POST', '/api/v1/users', { body: { username: `bulk.${i}`, password: 'long enough password', roles: ['viewer'] } }),
      ),
    );
    const links = await api.db.sql<{ chain_seq: number; prev_hash: string; entry_sha256: string; hash: string }[]>`
      select chain_seq, prev_hash, entry_sha256, hash from audit_chain order by chain_seq`;
    let prev = '0x' + '0'.repeat(64);
    links.forEach((link, i) => {
      expect(link.chain_seq).toBe(i + 1);
      expect(link.prev_hash).toBe(prev);
      expect(link.hash).toBe(auditChainHash(prev, link.entry_sha256));
      prev = link.hash;
    });
    const result = await verify();
    expect(result).toMatchObject({ valid: true, entries: links.length, head: { chainSeq: links.length, hash: prev }, failures: [] });
    expect(await api.count('audit_trail')).toBe(links.length);
  });

  test('bulk entries (recordAudits) are written and chained in the order given, exactly as single ones', async () => {
    const entries = [
      { actor: 'importer', action: 'product.create', entity: 'bulk', entityId: 'B-1', after: { gtin: '1', cost: 12.5, tags: ['a', 'é'] }, reason: 'file x.csv' },
      { actor: 'importer', action: 'product.create', entity: 'bulk', entityId: 'B-2', before: null, after: { nested: { n: 1e21, z: 0.1 } } },
      { actor: 'importer', action: 'lot.opening_stock', entity: 'bulk', entityId: 'B-3', after: 'text', ledgerSeq: 1, requestId: 'req-1' },
    ];
    await api.db.sql.begin((tx) => recordAudits(tx, entries));
    const rows = await api.db.sql`
      select a.entity_id, a.before, a.after, a.reason, a.request_id, a.ledger_seq, c.chain_seq
      from audit_trail a join audit_chain c on c.audit_id = a.id where a.entity = 'bulk' order by a.id`;
    expect(rows.map((r) => r.entity_id)).toEqual(['B-1', 'B-2', 'B-3']);
    expect(rows.map((r) => r.chain_seq)).toEqual([rows[0].chain_seq, rows[0].chain_seq + 1, rows[0].chain_seq + 2]);
    expect(rows[0]).toMatchObject({ before: null, after: entries[0].after, reason: 'file x.csv', request_id: null, ledger_seq: null });
    expect(rows[1]).toMatchObject({ before: null, after: { nested: { n: 1e21, z: 0.1 } } });
    expect(rows[2]).toMatchObject({ after: 'text', ledger_seq: 1, request_id: 'req-1' });
    expect((await verify()).valid).toBe(true);
  });

  test('puts the chain head into the ledger as a checkpoint event, only when the trail moved, and the event gets anchored', async () => {
    const made = await checkpoint();
    const [head] = await api.db.sql`select chain_seq, hash, audit_id from audit_chain_head`;
    expect(made).toEqual({ chainSeq: head.chain_seq, hash: head.hash, auditId: head.audit_id, ledgerSeq: expect.any(Number) });
    expect(await checkpoint()).toBeUndefined();

    const [row] = await api.db.sql`select envelope from ledger_events where seq = ${made!.ledgerSeq} and participant = ${api.ctx.participant}`;
    expect(row.envelope.event).toMatchObject({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: AUDIT_CHECKPOINT_BIZSTEP,
      'medtrace:auditCheckpoint': { chainSeq: head.chain_seq, hash: head.hash, auditId: head.audit_id },
    });

    await api.anchorAll();
    const res = await api.call('GET', `/audit/v1/events/${made!.ledgerSeq}`);
    expect(res.status).toBe(200);
    const { bundle } = await res.json();
    const verified = await verifyBundle(bundle, { provider: api.chain.provider });
    expect(verified).toMatchObject({ seq: made!.ledgerSeq, participant: api.ctx.participant });
    expect(bundle.envelope.event['medtrace:auditCheckpoint']).toEqual({ chainSeq: head.chain_seq, hash: head.hash, auditId: head.audit_id });

    const result = await verify();
    expect(result).toMatchObject({ valid: true, checkpoints: { checked: 1, lastLedgerSeq: made!.ledgerSeq, lastChainSeq: head.chain_seq, anchoredChainSeq: head.chain_seq } });

    const more = await api.call('POST', '/api/v1/users', { body: { username: 'after.checkpoint', password: 'long enough password', roles: ['viewer'] } });
    expect(more.status).toBe(201);
    expect(await checkpoint()).toMatchObject({ chainSeq: head.chain_seq + 1 });
  }, 120_000);

  test('the periodic job (as the node runs it) checkpoints the trail when it moved, and stops cleanly', async () => {
    const created = await api.call('POST', '/api/v1/users', { body: { username: 'periodic.one', password: 'long enough password', roles: ['viewer'] } });
    expect(created.status).toBe(201);
    const job = startAuditCheckpoints(api.db.sql, { participant: api.ctx.participant, chainId: api.ctx.chainId, eventTimeZoneOffset: '+08:00' }, { intervalMs: 20 });
    try {
      const [head] = await api.db.sql`select chain_seq from audit_chain_head`;
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [last] = await api.db.sql`select coalesce(max(chain_seq), 0)::int as chain_seq from audit_checkpoints`;
        if (last.chain_seq === head.chain_seq) break;
        if (Date.now() > deadline) throw new Error('no checkpoint from the periodic job');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const before = await api.count('audit_checkpoints');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await api.count('audit_checkpoints')).toBe(before);
    } finally {
      await job.stop();
    }
    expect((await verify()).valid).toBe(true);
  });

  test('finds an entry changed behind its back (trigger disabled, superuser UPDATE)', async () => {
    const [target] = await api.db.sql<{ id: number; chain_seq: number }[]>`
      select a.id, c.chain_seq from audit_trail a join audit_chain c on c.audit_id = a.id where a.entity_id = 'qa.two'`;
    await api.db.sql.unsafe(`alter table audit_trail disable trigger audit_trail_append_only`);
    try {
      await api.db.sql`update audit_trail set reason = 'a different reason' where id = ${target.id}`;
    } finally {
      await api.db.sql.unsafe(`alter table audit_trail enable trigger audit_trail_append_only`);
    }
    const result = await verify();
    expect(result.valid).toBe(false);
    expect(result.failures).toEqual([expect.objectContaining({ problem: 'entry-altered', auditId: target.id, chainSeq: target.chain_seq })]);

    // Putting the old value back makes it whole again.
    await api.db.sql.unsafe(`alter table audit_trail disable trigger audit_trail_append_only`);
    try {
      await api.db.sql`update audit_trail set reason = 'QA hire' where id = ${target.id}`;
    } finally {
      await api.db.sql.unsafe(`alter table audit_trail enable trigger audit_trail_append_only`);
    }
    expect((await verify()).valid).toBe(true);
  });

  test('a chain recomputed after a change still contradicts the anchored checkpoint', async () => {
    const sql = api.db.sql;
    const [target] = await sql<{ id: number; chain_seq: number }[]>`
      select a.id, c.chain_seq from audit_trail a join audit_chain c on c.audit_id = a.id where a.entity_id = 'auditor.one'`;
    const { auditEntryDigest, auditEntryRecord } = await import('../../node/auth/auditTrail');
    await sql.unsafe(`alter table audit_trail disable trigger audit_trail_append_only`);
    await sql.unsafe(`alter table audit_chain disable trigger audit_chain_append_only`);
    try {
      await sql`update audit_trail set reason = 'rewritten history' where id = ${target.id}`;
      // Recompute every digest and link from the changed entry on, and the head.
      const rows = await sql`
        select c.chain_seq, a.* from audit_chain c join audit_trail a on a.id = c.audit_id order by c.chain_seq`;
      let prev = '0x' + '0'.repeat(64);
      for (const row of rows) {
        const digest = auditEntryDigest(
          auditEntryRecord({ ...row, entityId: row.entity_id, requestId: row.request_id, ledgerSeq: row.ledger_seq } as never),
        );
        const hash = auditChainHash(prev, digest);
        await sql`update audit_trail set entry_sha256 = ${digest} where id = ${row.id}`;
        await sql`update audit_chain set entry_sha256 = ${digest}, prev_hash = ${prev}, hash = ${hash} where chain_seq = ${row.chain_seq}`;
        prev = hash;
      }
      await sql`update audit_chain_head set hash = ${prev}`;
    } finally {
      await sql.unsafe(`alter table audit_chain enable trigger audit_chain_append_only`);
      await sql.unsafe(`alter table audit_trail enable trigger audit_trail_append_only`);
    }
    const result = await verify();
    expect(result.valid).toBe(false);
    // Every checkpoint comes after the changed entry: each one now contradicts the recomputed chain, and nothing else does.
    expect(result.failures.map((f: { problem: string }) => f.problem)).toEqual(Array(await api.count('audit_checkpoints')).fill('checkpoint-mismatch'));
  });
});
