// Deploys the three medtrace contracts once per test file on the in-process Hardhat network and
// rolls the chain back after every test, so tests stay independent without redeploying.
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { ethers as ethersLib, type Contract } from 'ethers';
import type { HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/signers';
import hre from './hre';

export interface Medtrace {
  registry: Contract;
  anchorLog: Contract;
  recallBoard: Contract;
  governor: HardhatEthersSigner;
  /** Signers other than the governor, none registered yet. */
  others: HardhatEthersSigner[];
}

export const ROLE = { manufacturer: 1, distributor: 2, hospital: 3, platform: 4, other: 5 } as const;
export const STATUS = { unknown: 0, active: 1, suspended: 2, revoked: 3 } as const;

/** `contract` with `signer` as its sender, keeping the ABI's methods on the type. */
export function by(contract: Contract, signer: HardhatEthersSigner): Contract {
  return contract.connect(signer) as Contract;
}

/** A stand-in for a JWK thumbprint or a Merkle root: the SHA-256 of a label. */
export function hash(label: string): string {
  return ethersLib.sha256(ethersLib.toUtf8Bytes(label));
}

// Test files run in parallel workers; the lock keeps two of them from writing artifacts at once.
async function compileOnce(): Promise<void> {
  const lock = path.join(hre.config.paths.cache, 'medtrace-compile.lock');
  await mkdir(hre.config.paths.cache, { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = Date.now() - (await stat(lock).then((s) => s.mtimeMs, () => Date.now()));
      if (age > 120_000) await rm(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    await hre.run('compile', { quiet: true });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export async function deployMedtrace(): Promise<Medtrace> {
  await compileOnce();
  const [governor, ...others] = await hre.ethers.getSigners();
  const registry = await deploy('ParticipantRegistry', governor.address);
  const registryAddress = await registry.getAddress();
  const anchorLog = await deploy('AnchorLog', registryAddress);
  const recallBoard = await deploy('RecallBoard', registryAddress);
  return { registry, anchorLog, recallBoard, governor, others };
}

async function deploy(name: string, ...args: unknown[]): Promise<Contract> {
  const factory = await hre.ethers.getContractFactory(name);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract as unknown as Contract;
}

/** Deploys once for the file and reverts the chain to that state after each test. */
export function useMedtrace(): () => Medtrace {
  let deployed: Medtrace | undefined;
  let snapshot = '';
  beforeAll(async () => {
    deployed = await deployMedtrace();
  });
  beforeEach(async () => {
    snapshot = (await hre.network.provider.send('evm_snapshot', [])) as string;
  });
  afterEach(async () => {
    await hre.network.provider.send('evm_revert', [snapshot]);
  });
  return () => {
    if (deployed === undefined) throw new Error('contracts not deployed yet');
    return deployed;
  };
}

export interface RegisterOptions {
  name?: string;
  role?: number;
  gln?: string;
  endpoint?: string;
  keyThumbprint?: string;
}

/** Registers `participant` through the governor, with defaults for whatever is not given. */
export async function register(m: Medtrace, participant: string, options: RegisterOptions = {}) {
  const tx = await by(m.registry, m.governor).register(
    participant,
    options.name ?? 'Acme Medical',
    options.role ?? ROLE.manufacturer,
    options.gln ?? '9506000000005',
    options.endpoint ?? 'https://node.acme.example',
    options.keyThumbprint ?? hash(`key of ${participant}`),
  );
  return tx.wait();
}

/** Registers `participant` and assigns it `prefix`. */
export async function registerWithPrefix(m: Medtrace, participant: string, prefix: string) {
  await register(m, participant);
  const tx = await by(m.registry, m.governor).assignPrefix(participant, prefix);
  await tx.wait();
}
