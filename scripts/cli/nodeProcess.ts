// Runs a participant node (node/main.ts) as a child process, the way the CLI,
// the demo and the benchmarks start one: configuration only through its environment.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../node/paths';

export interface NodeProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnNodeOptions {
  env: Record<string, string | undefined>;
  /** Where the node's stdout and stderr go: 'inherit', or a log file path. */
  output: 'inherit' | string;
  cwd?: string;
}

export function spawnNode(options: SpawnNodeOptions): NodeProcess {
  const env = { ...process.env, ...options.env } as NodeJS.ProcessEnv;
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  let stdio: 'inherit' | ['ignore', number, number];
  if (options.output === 'inherit') {
    stdio = 'inherit';
  } else {
    fs.mkdirSync(path.dirname(options.output), { recursive: true });
    const fd = fs.openSync(options.output, 'a');
    stdio = ['ignore', fd, fd];
  }
  // tsx as a loader (ESM and CommonJS hooks), resolved from this repository whatever the working folder.
  const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsxLoader, path.join(repoRoot, 'node', 'main.ts')], {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio,
  });
  if (Array.isArray(stdio)) fs.closeSync(stdio[1]);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const host = env.HOST ?? '127.0.0.1';
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT ?? '8080'}`;
  return {
    child,
    baseUrl,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `${baseUrl}/ready` until it answers 200; fails early when the process exits. */
export async function waitUntilReady(node: NodeProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | string | undefined;
  void node.exited.then((code) => {
    exitedWith = code;
  });
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) throw new Error(`the node exited (${exitedWith}) before it was ready`);
    try {
      const res = await fetch(`${node.baseUrl}/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      lastProblem = `/ready answered ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the node at ${node.baseUrl} was not ready after ${timeoutMs} ms (${lastProblem})`);
}
