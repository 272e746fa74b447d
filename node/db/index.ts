// The node's one Postgres connection: a server named by DATABASE_URL, or an
// embedded PGlite kept in the data folder and served on a loopback port, so the
// same `postgres` driver and the same SQL run in both cases.
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';

export type Sql = postgres.Sql<{}>;
export type Tx = postgres.TransactionSql<{}>;
export { migrate } from './migrate';

export interface Database {
  sql: Sql;
  /** True when this process runs the database itself (PGlite): one connection, one process. */
  embedded: boolean;
  /** The connection URL (embedded: the loopback socket, for diagnostics and child tools). */
  url: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A Postgres server URL; when absent an embedded PGlite is started. */
  url?: string;
  /** The data folder; embedded data lives in `${dataDir}/pgdata`. Omitted: in memory. */
  dataDir?: string;
  /** Pool size for a server (default 10). The embedded database always has one connection. */
  max?: number;
}

// int8 (bigint columns such as seq, and count(*)) read as JS numbers: every
// value the node keeps there stays far below 2^53.
const int8AsNumber = {
  to: 20,
  from: [20],
  serialize: (value: number | bigint | string) => String(value),
  parse: (value: string) => Number(value),
};

/**
 * Seconds to wait before reconnecting after `retries` failed attempts in a row. The driver's
 * default grows to 20 s, which kept the node answering 503 long after a restarted Postgres
 * was back; this one stops at 2 s.
 */
export const reconnectBackoff = (retries: number): number => Math.min(0.05 * 2 ** retries, 2);

function driverOptions(max: number) {
  return { max, onnotice: () => {}, types: { int8: int8AsNumber }, transform: { undefined: null }, backoff: reconnectBackoff };
}

/**
 * A server ends a session left idle inside a transaction this long. The node's transactions
 * never wait on anyone between statements, so only a broken one is cut: one whose client
 * lost track of it (the driver can, when Postgres restarts under load), which would
 * otherwise hold its locks, the ledger head's among them, and stop every write.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) {
    const sql = postgres(options.url, {
      ...driverOptions(options.max ?? 10),
      connection: { idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS },
    }) as unknown as Sql;
    await sql`select 1`;
    return { sql, embedded: false, url: options.url, close: () => sql.end({ timeout: 5 }) };
  }
  return openEmbedded(options.dataDir);
}

async function openEmbedded(dataDir: string | undefined): Promise<Database> {
  // Loaded lazily: the WASM Postgres is only needed when no server is configured.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  let dataPath: string | undefined;
  if (dataDir) {
    dataPath = path.join(dataDir, 'pgdata');
    fs.mkdirSync(dataPath, { recursive: true });
  }
  const pglite = await PGlite.create(dataPath);
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  // PGlite is a single session: one connection, so transactions never interleave.
  const sql = postgres(url, driverOptions(1)) as unknown as Sql;
  await sql`select 1`;
  return {
    sql,
    embedded: true,
    url,
    close: async () => {
      await sql.end({ timeout: 5 });
      await server.stop();
      await pglite.close();
    },
  };
}
