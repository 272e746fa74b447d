// The node app in-process for HTTP tests through app.request(): a throwaway
// database and a real chain, a NodeContext like main.ts builds (optionally a
// registered participant whose events can be anchored), staff users of every
// role, and small request helpers. Shared by test/node/* and test/erp/*.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../../node/app';
import { bootstrapAdmin, insertUser } from '../../node/auth/users';
import { connectChain } from '../../node/chain/client';
import { loadSigningKey } from '../../node/chain/keys';
import { ensureRegistered } from '../../node/chain/register';
import { loadConfig } from '../../node/config';
import type { NodeContext } from '../../node/context';
import type { Role } from '../../node/http/env';
import { createLogger } from '../../node/http/logger';
import { startAnchorWorker, type AnchorWorker } from '../../node/ledger/anchorWorker';
import { createDirectory } from '../../node/peers/directory';
import { startTestChain, type TestChain } from './chain';
import { freshDatabase, type TestDatabase } from './database';
import { freePort } from './ports';

export const ADMIN_PASSWORD = 'fixture-admin-password';
export const STAFF_PASSWORD = 'fixture-staff-password';
export const TEST_ROLES = ['admin', 'qa', 'warehouse', 'sales', 'viewer'] as const satisfies readonly Role[];

export interface CallOptions {
  body?: unknown;
  /** The role whose token is sent (default admin); null: no Authorization header. */
  as?: Role | null;
  headers?: Record<string, string>;
}

export interface TestAppOptions {
  /** Register the participant on the chain (funded, GS1 prefix), so its events can be anchored (default true). */
  register?: boolean;
  /** GS1 company prefix assigned on registration (default 9506000). */
  gs1CompanyPrefix?: string;
  /** Extra configuration (environment variable names, as loadConfig reads them). */
  env?: Record<string, string>;
  /** A chain shared with other test apps (not stopped by close()); omitted: a chain of its own. */
  chain?: TestChain;
  /**
   * Serve the app over real HTTP on a free port of 127.0.0.1 (PUBLIC_URL, and so the
   * registry's endpoint, is that URL), so other nodes can call it. Default false.
   */
  listen?: boolean;
}

export interface TestApp {
  ctx: NodeContext;
  app: ReturnType<typeof createApp>;
  db: TestDatabase;
  chain: TestChain;
  /** The base URL when started with `listen` (PUBLIC_URL); undefined otherwise. */
  url?: string;
  /** Bearer tokens of `admin` and of one user per other role (`qa`, `warehouse`, `sales`, `viewer`, username = role). */
  tokens: Record<Role, string>;
  /** The token of a user holding (only) `role`: the standard one, or with `username` a new user of that role (password STAFF_PASSWORD). */
  as(role: Role, username?: string): Promise<string>;
  /** JSON request with a role's token (default admin); `body` as a string is sent raw. */
  call(method: string, url: string, options?: CallOptions): Promise<Response>;
  count(table: string): Promise<number>;
  /** Runs anchoring rounds until every ledger event so far is anchored (needs register). Returns the last anchored seq. */
  anchorAll(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownChain = !options.chain;
  const chain = options.chain ?? (await startTestChain());
  let db: TestDatabase | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-api-'));
  let worker: AnchorWorker | undefined;
  let server: ReturnType<typeof serve> | undefined;
  const stopChain = () => (ownChain ? chain.stop() : Promise.resolve());
  const closeServer = () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  try {
    db = await freshDatabase();
    const port = options.listen ? await freePort() : undefined;
    const url = port === undefined ? undefined : `http://127.0.0.1:${port}`;
    const config = loadConfig({
      DATA_DIR: dataDir,
      CHAIN_RPC_URL: chain.rpcUrl,
      CHAIN_DEPLOYMENT: chain.deploymentPath,
      EVENT_TIME_ZONE_OFFSET: '+08:00',
      LOG_LEVEL: 'silent',
      ...(url ? { PUBLIC_URL: url } : {}),
      ...(options.register === false ? {} : { GS1_COMPANY_PREFIX: options.gs1CompanyPrefix ?? '9506000' }),
      ...options.env,
    });
    const chainClient = await connectChain(config);
    if (options.register !== false) {
      const registration = await ensureRegistered(chainClient, config);
      if (registration.status !== 'active') throw new Error(`participant registration: ${registration.status}`);
    }
    const ctx: NodeContext = {
      config,
      db,
      sql: db.sql,
      chain: chainClient,
      participant: chainClient.address,
      chainId: chainClient.chainId,
      signingKey: await loadSigningKey(dataDir),
      directory: createDirectory(chainClient),
      log: createLogger('silent'),
    };
    const app = createApp(ctx);
    if (port !== undefined) {
      await new Promise<void>((resolve) => {
        server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (_info: AddressInfo) => resolve());
      });
    }
    await bootstrapAdmin(db.sql, { password: ADMIN_PASSWORD });
    const sql = db.sql;
    await sql.begin(async (tx) => {
      for (const role of TEST_ROLES) {
        if (role !== 'admin') await insertUser(tx, { username: role, password: STAFF_PASSWORD, roles: [role] });
      }
    });
    const login = async (username: string, password: string): Promise<string> => {
      const res = await app.request('/api/v1/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (res.status !== 200) throw new Error(`token for ${username}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { accessToken: string }).accessToken;
    };
    const tokens = {} as Record<Role, string>;
    for (const role of TEST_ROLES) tokens[role] = await login(role, role === 'admin' ? ADMIN_PASSWORD : STAFF_PASSWORD);

    const extra = new Map<string, string>();
    const as: TestApp['as'] = async (role, username) => {
      if (username === undefined) return tokens[role];
      const known = extra.get(username);
      if (known) return known;
      await sql.begin((tx) => insertUser(tx, { username, password: STAFF_PASSWORD, roles: [role] }));
      const token = await login(username, STAFF_PASSWORD);
      extra.set(username, token);
      return token;
    };

    const call: TestApp['call'] = (method, url, callOptions = {}) => {
      const headers: Record<string, string> = { ...callOptions.headers };
      const role = callOptions.as === undefined ? 'admin' : callOptions.as;
      if (role !== null && headers.authorization === undefined) headers.authorization = `Bearer ${tokens[role]}`;
      let body: string | undefined;
      if (callOptions.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof callOptions.body === 'string' ? callOptions.body : JSON.stringify(callOptions.body);
      }
      return Promise.resolve(app.request(url, { method, headers, body }));
    };

    const anchorAll: TestApp['anchorAll'] = async (timeoutMs = 60_000) => {
      worker ??= startAnchorWorker({ db: db!, chain: chainClient, participant: ctx.participant }, { batchSize: 1000, maxAgeMs: 0, autoStart: false });
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [head] = await sql<{ seq: string }[]>`select coalesce(max(seq), 0) as seq from ledger_events where participant = ${ctx.participant}`;
        const [anchored] = await sql<{ seq: string }[]>`select coalesce(max(to_seq), 0) as seq from anchor_batches where participant = ${ctx.participant}`;
        if (Number(anchored.seq) >= Number(head.seq)) return Number(anchored.seq);
        if (Date.now() > deadline) throw new Error(`anchoring: ${anchored.seq} of ${head.seq} after ${timeoutMs} ms`);
        await worker.runOnce();
      }
    };

    const database = db;
    return {
      ctx,
      app,
      db: database,
      chain,
      url,
      tokens,
      as,
      call,
      async count(table) {
        const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`;
        return row.n;
      },
      anchorAll,
      async close() {
        await closeServer();
        await worker?.stop();
        chainClient.close();
        await database.close();
        await stopChain();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await closeServer();
    await worker?.stop();
    await db?.close();
    await stopChain();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Reads a problem+json response, asserting its content type. */
export async function readProblem(res: Response): Promise<{ type: string; title: string; status: number; detail: string; field?: string; [key: string]: unknown }> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${type}: ${await res.text()}`);
  return res.json() as never;
}
