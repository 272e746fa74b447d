// Runs the `medtrace` command as a user does, through the bin shim, and
// collects its exit code and output.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../node/paths';

export const MEDTRACE_BIN = path.join(repoRoot, 'scripts', 'medtrace.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a command sees: this process's, without the chain/database variables a developer may have set. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...extra };
  for (const key of ['CHAIN_RPC_URL', 'CHAIN_DEPLOYMENT', 'DATABASE_URL', 'MEDTRACE_GOVERNOR_KEY']) if (!(key in extra)) delete env[key];
  return env;
}

export function medtrace(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MEDTRACE_BIN, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`medtrace ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningCli {
  child: ReturnType<typeof spawn>;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout+stderr; rejects if the process exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Sends `signal` to the process group (default SIGINT, i.e. Ctrl-C); resolves with the exit code (SIGKILL after 30 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a long-running `medtrace` command (chain, node, demo) in its own process group,
 * as a terminal does: stop() signals the whole group, like Ctrl-C. Always stop() it.
 */
export function startMedtrace(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunningCli {
  const child = spawn(process.execPath, [MEDTRACE_BIN, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const listener of listeners) listener();
  });
  return {
    child,
    output: () => out,
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} in the output of medtrace ${args.join(' ')} within ${timeoutMs} ms:\n${out}`)), timeoutMs);
        const finish = (error?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(match!);
        };
        const check = () => {
          const match = out.match(pattern);
          if (match) finish(undefined, match);
          else if (done) finish(new Error(`medtrace ${args.join(' ')} exited before printing ${pattern}:\n${out}`));
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (!done) signalGroup(signal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
