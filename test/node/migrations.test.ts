import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase, type Database } from '../../node/db';
import { listMigrations, migrate } from '../../node/db/migrate';
import { createServerDatabase, testServerUrl } from '../support';

// An empty database (freshDatabase starts from an already migrated template):
// a throwaway database on TEST_DATABASE_URL's server, else an in-memory PGlite.
async function emptyDatabase(): Promise<{ db: Database; drop(): Promise<void> }> {
  const serverUrl = testServerUrl();
  if (!serverUrl) return { db: await openDatabase({}), drop: async () => {} };
  const created = await createServerDatabase(serverUrl);
  return { db: await openDatabase({ url: created.url, max: 5 }), drop: created.drop };
}

describe('migrate', () => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await emptyDatabase());
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  test('applies every migration once, in order, and a second run applies nothing', async () => {
    const versions = listMigrations().map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(await migrate(db.sql)).toEqual(versions);
    expect(await migrate(db.sql)).toEqual([]);
    const rows = await db.sql<{ version: number }[]>`select version from schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(versions);
  });

  test('concurrent runs on one database apply nothing twice', async () => {
    const results = await Promise.all([migrate(db.sql), migrate(db.sql), migrate(db.sql)]);
    expect(results).toEqual([[], [], []]);
  });

  test('the audit trail refuses updates and deletes', async () => {
    await db.sql`
      insert into audit_trail (actor, action, entity, entity_id, after, reason)
      values ('tester', 'thing.create', 'thing', '1', ${db.sql.json({ a: 1 })}, 'test')`;
    await expect(db.sql`update audit_trail set actor = 'someone else'`).rejects.toThrow(/append-only/);
    await expect(db.sql`delete from audit_trail`).rejects.toThrow(/append-only/);
    const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_trail where actor = 'tester'`;
    expect(row.n).toBe(1);
  });

  test('identifiers are kept in their canonical form by CHECK constraints', async () => {
    await expect(
      db.sql`insert into products (gtin, name, model, device_class, created_by) values ('9506000134352', 'n', 'm', 'III', 't')`,
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.sql`insert into products (gtin, name, model, device_class, created_by) values ('09506000134352', 'n', 'm', 'IV', 't')`,
    ).rejects.toThrow(/check constraint/);
    await db.sql`insert into products (gtin, name, model, device_class, created_by) values ('09506000134352', 'n', 'm', 'III', 't')`;
    await expect(
      db.sql`insert into lots (gtin, lot, production_date, expiry, unit_count, created_by)
             values ('09506000134352', 'L 1', '2026-01-01', '2027-01-01', 0, 't')`,
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.sql`insert into lots (gtin, lot, production_date, expiry, unit_count, created_by)
             values ('09506000134352', 'L1', '2027-01-01', '2026-01-01', 0, 't')`,
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.sql`insert into idempotency_keys (actor, key, method, path, request_sha256) values ('a', 'k', 'POST', '/', '0xABC')`,
    ).rejects.toThrow(/check constraint/);
  });
});
