// A throwaway, migrated database per test suite: on the Postgres server named
// by TEST_DATABASE_URL (a fresh `medtrace_t_<random>` database, dropped
// afterwards), else an embedded PGlite in a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openDatabase } from '../../node/db';
import { createThrowawayDatabase } from '../../node/db/throwaway';
import type { Database } from '../../node/db';
import { seedEmbeddedDatabase } from './pgliteTemplate';

export interface TestDatabase extends Database {
  /** The server database's name (undefined when embedded). */
  name?: string;
}

/** The server URL for throwaway databases, or undefined (embedded PGlite). */
export function testServerUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

/** Creates an empty database on the TEST_DATABASE_URL server; returns its URL and a drop(). */
export const createServerDatabase = (serverUrl: string) => createThrowawayDatabase(serverUrl, 'medtrace_t_');

export async function freshDatabase(options: { migrate?: boolean; max?: number } = {}): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  let db: Database;
  let cleanup: () => Promise<void>;
  let name: string | undefined;
  if (serverUrl) {
    const created = await createServerDatabase(serverUrl);
    name = created.name;
    cleanup = created.drop;
    try {
      db = await openDatabase({ url: created.url, max: options.max ?? 20 });
    } catch (error) {
      await cleanup();
      throw error;
    }
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-db-'));
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
    try {
      await seedEmbeddedDatabase(dir);
      db = await openDatabase({ dataDir: dir });
    } catch (error) {
      await cleanup();
      throw error;
    }
  }
  if (options.migrate !== false) {
    try {
      await migrate(db.sql);
    } catch (error) {
      await db.close();
      await cleanup();
      throw error;
    }
  }
  let closed = false;
  return {
    ...db,
    name,
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
      await cleanup();
    },
  };
}
