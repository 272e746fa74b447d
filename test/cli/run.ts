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
