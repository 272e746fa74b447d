// Compiled contracts (ABI + bytecode) from Hardhat's artifacts folder, which is
// where the node reads them: `npx hardhat compile` writes artifacts/contracts/<Name>.sol/<Name>.json.
import fs from 'node:fs';
import path from 'node:path';
import type { InterfaceAbi } from 'ethers';
import { repoRoot } from '../paths';

export type ContractName = 'ParticipantRegistry' | 'AnchorLog' | 'RecallBoard';

export interface Artifact {
  contractName: string;
  abi: InterfaceAbi;
  bytecode: string;
}

export function artifactPath(name: ContractName): string {
  return path.join(repoRoot, 'artifacts', 'contracts', `${name}.sol`, `${name}.json`);
}

export function hasArtifacts(): boolean {
  return (['ParticipantRegistry', 'AnchorLog', 'RecallBoard'] as const).every((name) => fs.existsSync(artifactPath(name)));
}

const cache = new Map<ContractName, Artifact>();

export function loadArtifact(name: ContractName): Artifact {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = artifactPath(name);
  if (!fs.existsSync(file)) {
    throw new Error(`contract artifact ${path.relative(repoRoot, file)} is missing: run \`npm run compile\` first`);
  }
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Artifact;
  cache.set(name, json);
  return json;
}
