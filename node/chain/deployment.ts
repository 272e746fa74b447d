// The deployment file: where a node finds the chain and the three contracts.
import fs from 'node:fs';
import path from 'node:path';
import { getAddress } from 'ethers';

export interface Deployment {
  chainId: number;
  rpcUrl: string;
  /** Block of the first deployment transaction: log scans start here. */
  deployBlock: number;
  registry: string;
  anchorLog: string;
  recallBoard: string;
  /** The consortium governor; its private key is kept only for local development chains. */
  governor: { address: string; privateKey?: string };
}

export function readDeployment(file: string): Deployment {
  if (!fs.existsSync(file)) {
    throw new Error(`no chain deployment file at ${file}: start a local chain (\`npx medtrace chain\`) or set CHAIN_DEPLOYMENT`);
  }
  let raw: Deployment;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Deployment;
  } catch (error) {
    throw new Error(`chain deployment file ${file} is not valid JSON`, { cause: error });
  }
  for (const key of ['registry', 'anchorLog', 'recallBoard'] as const) {
    try {
      raw[key] = getAddress(raw[key]);
    } catch (error) {
      throw new Error(`chain deployment file ${file}: ${key} is not an address`, { cause: error });
    }
  }
  if (!Number.isSafeInteger(raw.chainId) || raw.chainId <= 0) throw new Error(`chain deployment file ${file}: bad chainId`);
  if (!Number.isSafeInteger(raw.deployBlock) || raw.deployBlock < 0) raw.deployBlock = 0;
  return raw;
}

export function writeDeployment(file: string, deployment: Deployment): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // The governor key of a local chain is in here: owner-only.
  fs.writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`, { mode: 0o600 });
}
