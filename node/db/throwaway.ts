// Throwaway databases on a Postgres server, for test suites and benchmarks that
// each want a clean database of their own on a shared server.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export interface ThrowawayDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database `<prefix><random>` on the server at `serverUrl`; `drop()` removes it. */
export async function createThrowawayDatabase(serverUrl: string, prefix = 'medtrace_t_'): Promise<ThrowawayDatabase> {
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  const withAdmin = async (work: (sql: postgres.Sql) => Promise<unknown>): Promise<void> => {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      await work(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  await withAdmin((sql) => sql`create database ${sql(name)}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin((sql) => sql`drop database if exists ${sql(name)} with (force)`),
  };
}
