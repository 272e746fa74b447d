// The node app in-process for HTTP tests through app.request(): a throwaway
// database and a real chain from test/support, a NodeContext like main.ts
// builds, staff users of every role, and small request helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../node/app';
import { bootstrapAdmin, insertUser } from '../../node/auth/users';
import { connectChain } from '../../node/chain/client';
import { loadConfig } from '../../node/config';
import type { NodeContext } from '../../node/context';
import { createLogger } from '../../node/http/logger';
import type { Role } from '../../node/http/env';
import { freshDatabase, startTestChain, type TestChain, type TestDatabase } from '../support';

export const ADMIN_PASSWORD = 'fixture-admin-password';
export const STAFF_PASSWORD = 'fixture-staff-password';

export interface ApiFixture {
  ctx: NodeContext;
  app: ReturnType<typeof createApp>;
  db: TestDatabase;
  chain: TestChain;
  /** Bearer tokens of `admin` and of one user per other role (`qa`, `warehouse`, `sales`, `viewer`). */
  tokens: Record<Role, string>;
  /** JSON request with a role's token (default admin); `body` as a string is sent raw. */
  call(method: string, url: string, options?: { body?: unknown; as?: Role | null; headers?: Record<string, string> }): Promise<Response>;
  count(table: 'products' | 'lots' | 'units' | 'inspections' | 'ledger_events' | 'audit_trail' | 'idempotency_keys'): Promise<number>;
  close(): Promise<void>;
}

export async function startApiFixture(): Promise<ApiFixture> {
  const chain = await startTestChain();
  const db = await freshDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-api-'));
  try {
    const config = loadConfig({
      DATA_DIR: dataDir,
      CHAIN_RPC_URL: chain.rpcUrl,
      CHAIN_DEPLOYMENT: chain.deploymentPath,
      EVENT_TIME_ZONE_OFFSET: '+08:00',
      LOG_LEVEL: 'silent',
    });
    const chainClient = await connectChain(config);
    const ctx: NodeContext = {
      config,
      db,
      sql: db.sql,
      chain: chainClient,
      participant: chainClient.address,
      chainId: chainClient.chainId,
      log: createLogger('silent'),
    };
    const app = createApp(ctx);
    await bootstrapAdmin(db.sql, { password: ADMIN_PASSWORD });
    await db.sql.begin(async (tx) => {
      for (const role of ['qa', 'warehouse', 'sales', 'viewer'] as const) {
        await insertUser(tx, { username: role, password: STAFF_PASSWORD, roles: [role] });
      }
    });
    const tokens = {} as Record<Role, string>;
    for (const role of ['admin', 'qa', 'warehouse', 'sales', 'viewer'] as const) {
      const res = await app.request('/api/v1/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: role, password: role === 'admin' ? ADMIN_PASSWORD : STAFF_PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`token for ${role}: ${res.status} ${await res.text()}`);
      tokens[role] = ((await res.json()) as { accessToken: string }).accessToken;
    }

    const call: ApiFixture['call'] = (method, url, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      const as = options.as === undefined ? 'admin' : options.as;
      if (as !== null) headers.authorization = `Bearer ${tokens[as]}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      return Promise.resolve(app.request(url, { method, headers, body }));
    };

    return {
      ctx,
      app,
      db,
      chain,
      tokens,
      call,
      async count(table) {
        const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from ${db.sql(table)}`;
        return row.n;
      },
      async close() {
        chainClient.close();
        await db.close();
        await chain.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await db.close();
    await chain.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Reads a problem+json response, asserting its content type. */
export async function readProblem(res: Response): Promise<{ type: string; title: string; status: number; detail: string; field?: string }> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${type}: ${await res.text()}`);
  return res.json() as never;
}
