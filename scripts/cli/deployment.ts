// Where the CLI finds a chain: an explicit --rpc URL, or the deployment file
// that `medtrace chain` writes (default .medtrace/chain/deployment.json), read with the node's own reader.
import fs from 'node:fs';
import path from 'node:path';
import { type Deployment, readDeployment } from '../../node/chain/deployment';
import { UsageError } from './command';

export const DEFAULT_DEPLOYMENT = '.medtrace/chain/deployment.json';

/** The deployment file at `file` (relative to the working folder), or undefined when there is none. */
export function readDeploymentFile(file: string): Deployment | undefined {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) return undefined;
  try {
    return readDeployment(resolved);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The RPC URL to use: `--rpc`, else the deployment file's `rpcUrl`; a usage error naming both when neither exists. */
export function resolveRpcUrl(rpc: string | undefined, deploymentFile: string): string {
  if (rpc) return rpc;
  const deployment = readDeploymentFile(deploymentFile);
  if (deployment?.rpcUrl) return deployment.rpcUrl;
  throw new UsageError(
    `no chain to talk to: pass --rpc <url>, or start a local chain (\`medtrace chain\`) so ${deploymentFile} exists`,
  );
}
