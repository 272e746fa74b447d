// A real node process for end-to-end tests: `node --import tsx node/main.ts`
// with its configuration in the environment, started on a free port and
// awaited until /ready answers. Always kill() it (or stop()) in afterAll.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../node/paths';
import type { TestChain } from './chain';
import { seedEmbeddedDatabase } from './pgliteTemplate';
import { freePort } from './ports';

export const TEST_ADMIN_PASSWORD = 'test-admin-password-1';

export interface TestNodeOptions {
  chain: Pick<TestChain, 'rpcUrl' | 'deploymentPath'>;
  /** Postgres server URL; omitted: the node's embedded PGlite in its data folder. */
  databaseUrl?: string;
  /** Data folder; omitted: a fresh temporary folder (removed by stop()). Reuse it to restart a node. */
  dataDir?: string;
  /** Extra environment (ANCHOR_*, MEDTRACE_FAULT, GS1_COMPANY_PREFIX, …). */
  env?: Record<string, string | undefined>;
  /** Startup timeout (default 60 s). */
  timeoutMs?: number;
  /** Resolve without waiting for /ready (for processes expected to die early). */
  noWait?: boolean;
  /** The HTTP port (default: a free one), e.g. chosen first to set PUBLIC_URL. */
  port?: number;
  /** Called with everything the process writes, as it comes (output() keeps only the last 100-200 kB). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface TestNode {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  /** A bearer token of the bootstrapped admin. */
  token(): Promise<string>;
  /** fetch against the node with the admin token and JSON handling. */
  request(pathname: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  /** kill() and remove a temporary data folder. */
  stop(): Promise<void>;
}

export async function startTestNode(options: TestNodeOptions): Promise<TestNode> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-node-'));
  // An embedded database starts from the migrated template (initdb in WASM is slow).
  if (!options.databaseUrl && !fs.existsSync(path.join(dataDir, 'pgdata'))) await seedEmbeddedDatabase(dataDir);
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: '',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl ?? '',
    CHAIN_RPC_URL: options.chain.rpcUrl,
    CHAIN_DEPLOYMENT: options.chain.deploymentPath,
    MEDTRACE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    LOG_LEVEL: process.env.TEST_NODE_LOG_LEVEL ?? 'info',
    ANCHOR_POLL_MS: '100',
    ...options.env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'node', 'main.ts')], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer, stream: 'stdout' | 'stderr') => {
    const text = chunk.toString();
    options.onOutput?.(text, stream);
    out += text;
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', (chunk: Buffer) => keep(chunk, 'stdout'));
  child.stderr!.on('data', (chunk: Buffer) => keep(chunk, 'stderr'));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const url = `http://127.0.0.1:${port}`;

  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!done) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };

  let cachedToken: string | undefined;
  const token = async () => {
    if (cachedToken) return cachedToken;
    const res = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
    });
    if (!res.ok) throw new Error(`admin token: HTTP ${res.status} ${await res.text()}`);
    cachedToken = ((await res.json()) as { accessToken: string }).accessToken;
    return cachedToken;
  };

  const node: TestNode = {
    url,
    port,
    dataDir,
    pid: child.pid!,
    token,
    async request(pathname, init = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${await token()}`, ...init.headers };
      if (init.body !== undefined) headers['content-type'] ??= 'application/json';
      return fetch(`${url}${pathname}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
        signal: init.signal,
      });
    },
    kill,
    exited,
    output: () => out,
    async stop() {
      await kill();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };

  if (options.noWait) return node;
  try {
    await waitReady(url, () => done, options.timeoutMs ?? 60_000);
  } catch (error) {
    await kill('SIGKILL');
    if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n--- node output ---\n${out.slice(-8000)}`);
  }
  return node;
}

async function waitReady(url: string, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error('the node exited before it was ready');
    try {
      const res = await fetch(`${url}/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the node at ${url} was not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
