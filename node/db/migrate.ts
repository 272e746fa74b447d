// Forward-only numbered SQL migrations (`migrations/NNNN_name.sql`), each
// applied once, in order, inside its own transaction, under an advisory lock so
// several processes starting on one database never apply one twice.
import fs from 'node:fs';
import path from 'node:path';
import type { Sql } from './index';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

// An arbitrary constant shared by every medtrace process: "medtrace migrate".
const MIGRATION_LOCK = 0x6d65647472616365n & 0x7fffffffffffffffn;

export interface Migration {
  version: number;
  name: string;
  file: string;
}

export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .map((file) => ({ version: Number(file.slice(0, 4)), name: file.slice(5, -4), file: path.join(dir, file) }))
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new Error(`two migrations share number ${migrations[i].version}: ${migrations[i - 1].name}, ${migrations[i].name}`);
    }
  }
  return migrations;
}

/** Applies the pending migrations; returns the versions applied by this call. */
export async function migrate(sql: Sql, options: { dir?: string } = {}): Promise<number[]> {
  const migrations = listMigrations(options.dir);
  // The lock belongs to a session: hold one connection for the whole run.
  const reserved = await sql.reserve();
  const applied: number[] = [];
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK.toString()}::bigint)`;
    try {
      await reserved`
        create table if not exists schema_migrations (
          version integer primary key,
          name text not null,
          applied_at timestamptz not null default now()
        )`;
      const done = new Set((await reserved`select version from schema_migrations`).map((row) => Number(row.version)));
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        const text = fs.readFileSync(migration.file, 'utf8');
        // A reserved connection has no sql.begin(): the transaction is spelled out.
        await reserved`begin`;
        try {
          await reserved.unsafe(text);
          await reserved`insert into schema_migrations (version, name) values (${migration.version}, ${migration.name})`;
          await reserved`commit`;
        } catch (error) {
          await reserved`rollback`;
          throw new Error(`migration ${path.basename(migration.file)} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(migration.version);
      }
    } finally {
      await reserved`select pg_advisory_unlock(${MIGRATION_LOCK.toString()}::bigint)`;
    }
  } finally {
    reserved.release();
  }
  return applied;
}
