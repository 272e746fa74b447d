// appendEvent against a real Postgres (TEST_DATABASE_URL) or the embedded PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUnitSet, envelopeCanonicalBytes, eventLeaf, toHex, ZERO_HASH } from '../../sdk';
import type { EpcisEvent, LedgerEnvelope } from '../../sdk';
import { appendEvent } from '../../node/ledger/append';
import { freshDatabase } from '../support';
import type { TestDatabase } from '../support';

const participant = '0x5b38da6a701c568545dcfcb03fcb875f56beddc4';
const ctx = { participant, chainId: 31337 };

function inspection(n: number): EpcisEvent {
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'inspecting',
    disposition: 'conformant',
    eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    eventTimeZoneOffset: '+00:00',
    quantityList: [{ epcClass: 'https://id.gs1.org/01/09506000134352/10/L1', quantity: n, uom: 'EA' }],
  };
}

interface Row {
  seq: number;
  envelope: LedgerEnvelope;
  canonical: Buffer;
  salt: string;
  leaf: string;
  prev: string;
}

async function ledger(db: TestDatabase): Promise<Row[]> {
  return db.sql<Row[]>`select seq, envelope, canonical, salt, leaf, prev from ledger_events where participant = ${participant} order by seq`;
}

describe('appendEvent', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('gives 50 concurrent writers seqs 1..N with no gap or repeat and an intact prev chain', async () => {
    const writers = 50;
    const perWriter = 4;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          await db.sql.begin((tx) => appendEvent(tx, ctx, inspection(w * perWriter + i)));
        }
      }),
    );
    const rows = await ledger(db);
    const n = writers * perWriter;
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.salt)).size).toBe(n);
    let prev = ZERO_HASH;
    for (const row of rows) {
      expect(row.prev).toBe(prev);
      expect(row.envelope.prev).toBe(prev);
      // The stored canonical bytes and leaf recompute from the stored envelope and salt.
      expect(toHex(new Uint8Array(row.canonical))).toBe(toHex(envelopeCanonicalBytes(row.envelope)));
      expect(toHex(eventLeaf(row.envelope, row.salt))).toBe(row.leaf);
      prev = row.leaf;
    }
    const [head] = await db.sql`select seq, leaf from ledger_heads where participant = ${participant}`;
    expect(Number(head.seq)).toBe(n);
    expect(head.leaf).toBe(prev);
  }, 60_000);

  it('leaves no gap when the surrounding transaction rolls back', async () => {
    const before = (await ledger(db)).length;
    await expect(
      db.sql.begin(async (tx) => {
        await appendEvent(tx, ctx, inspection(1));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const { seq } = await db.sql.begin((tx) => appendEvent(tx, ctx, inspection(2)));
    expect(seq).toBe(before + 1);
    const rows = await ledger(db);
    expect(rows.at(-1)!.prev).toBe(rows.at(-2)!.leaf);
  });

  it('replaces a 100,000-unit epcList by { count, root } and keeps the sorted URIs beside it', async () => {
    const uris = Array.from({ length: 100_000 }, (_, i) => `https://id.gs1.org/01/09506000134352/21/S${String(99_999 - i).padStart(6, '0')}`);
    const event: EpcisEvent = { ...inspection(3), action: 'ADD', bizStep: 'commissioning', disposition: 'active', epcList: uris };
    delete event.quantityList;
    const { seq } = await db.sql.begin((tx) => appendEvent(tx, ctx, event));
    const expected = buildUnitSet(uris);
    const [row] = await db.sql`select envelope from ledger_events where participant = ${participant} and seq = ${seq}`;
    expect(row.envelope.event.epcList).toEqual({ count: 100_000, root: expected.root });
    const [set] = await db.sql`select field, count, root, uris from ledger_unit_sets where participant = ${participant} and seq = ${seq}`;
    expect(set.field).toBe('epcList');
    expect(set.count).toBe(100_000);
    expect(set.root).toBe(expected.root);
    expect(set.uris).toEqual(expected.sortedUris);
  }, 60_000);
});
