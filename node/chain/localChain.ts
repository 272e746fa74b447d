// A local development chain: a Hardhat JSON-RPC network in a child process
// with the contracts deployed by Hardhat's well-known account #0 as governor.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { repoRoot } from '../paths';
import { deployContracts } from './deploy';
import { writeDeployment } from './deployment';
import type { Deployment } from './deployment';

/** Hardhat's default account #0 (public knowledge; local chains only). */
export const HARDHAT_ACCOUNT_0_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

export interface LocalChainOptions {
  /** JSON-RPC port (default 8545). */
  port?: number;
  /** Folder for deployment.json and hardhat.log. */
  dir: string;
  /** Startup timeout in ms (default 60,000). */
  timeoutMs?: number;
  /** A base fee of 0 from the first block (as Besu QBFT with zeroBaseFee): zero-price transactions are mined. */
  zeroFee?: boolean;
}

export interface LocalChain {
  rpcUrl: string;
  deployment: Deployment;
  deploymentPath: string;
  /** The child process id (its process group is killed by stop()). */
  pid: number;
  stop(): Promise<void>;
}

export async function startLocalChain(options: LocalChainOptions): Promise<LocalChain> {
  const port = options.port ?? 8545;
  const rpcUrl = `http://127.0.0.1:${port}`;
  fs.mkdirSync(options.dir, { recursive: true });
  const log = fs.openSync(path.join(options.dir, 'hardhat.log'), 'a');
  const tsxCli = require.resolve('tsx/cli', { paths: [repoRoot] });
  // detached: its own process group, so stop() also ends tsx's child node process.
  const child = spawn(process.execPath, [tsxCli, path.join(__dirname, 'hardhatNode.ts'), '--port', String(port), ...(options.zeroFee ? ['--zero-fee'] : [])], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  fs.closeSync(log);
  const stop = () => stopProcessGroup(child);
  try {
    await waitForRpc(rpcUrl, child, options.timeoutMs ?? 60_000);
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    try {
      const governor = new Wallet(HARDHAT_ACCOUNT_0_KEY, provider);
      const deployment = await deployContracts(governor, { rpcUrl, governorPrivateKey: HARDHAT_ACCOUNT_0_KEY });
      const deploymentPath = path.join(options.dir, 'deployment.json');
      writeDeployment(deploymentPath, deployment);
      return { rpcUrl, deployment, deploymentPath, pid: child.pid!, stop };
    } finally {
      provider.destroy();
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForRpc(rpcUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the local chain process exited (${child.exitCode ?? child.signalCode}) before its RPC came up`);
    }
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the local chain did not answer on ${rpcUrl} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM to the child's process group, SIGKILL after 3 s; resolves once it has exited. */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
