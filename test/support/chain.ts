// A real chain for integration tests: a Hardhat JSON-RPC node in a child
// process on a free port with the three contracts deployed. One per test file;
// always stop() it in afterAll.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JsonRpcProvider, Wallet, parseEther } from 'ethers';
import { hasArtifacts } from '../../node/chain/artifacts';
import type { Deployment } from '../../node/chain/deployment';
import { HARDHAT_ACCOUNT_0_KEY, startLocalChain } from '../../node/chain/localChain';
import { sendAndWait } from '../../node/chain/transactions';
import { repoRoot } from '../../node/paths';
import { freePort } from './ports';

export interface TestChain {
  rpcUrl: string;
  deployment: Deployment;
  /** deployment.json, to hand to a node as CHAIN_DEPLOYMENT. */
  deploymentPath: string;
  dir: string;
  provider: JsonRpcProvider;
  /** The governor (Hardhat account #0), connected to `provider`. */
  governor: Wallet;
  /** Sends `eth` (default 100) from the governor to `address`. */
  fund(address: string, eth?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Compiles the contracts once if artifacts/ is missing. */
export function ensureArtifacts(): void {
  if (hasArtifacts()) return;
  const tsxCli = require.resolve('tsx/cli', { paths: [repoRoot] });
  const result = spawnSync(process.execPath, [tsxCli, path.join(repoRoot, 'scripts', 'compile.ts')], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0 || !hasArtifacts()) throw new Error('compiling the contracts failed');
}

export interface TestChainOptions {
  /** A base fee of 0 from the first block, like Besu QBFT with zeroBaseFee (for test/support/besuProxy.ts). */
  zeroFee?: boolean;
}

export async function startTestChain(options: TestChainOptions = {}): Promise<TestChain> {
  ensureArtifacts();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-chain-'));
  let chain;
  try {
    chain = await startLocalChain({ port: await freePort(), dir, zeroFee: options.zeroFee });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const provider = new JsonRpcProvider(chain.rpcUrl, chain.deployment.chainId, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  const governor = new Wallet(HARDHAT_ACCOUNT_0_KEY, provider);
  return {
    rpcUrl: chain.rpcUrl,
    deployment: chain.deployment,
    deploymentPath: chain.deploymentPath,
    dir,
    provider,
    governor,
    async fund(address, eth = '100') {
      await sendAndWait(governor, { to: address, value: parseEther(eth) });
    },
    async stop() {
      provider.destroy();
      await chain.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
