// (c') What recording every event on chain one by one costs, beside medtrace's
// batched anchors (gas.ts), on the same in-process Hardhat network: one
// Ethereum Attestation Service attestation per event (SchemaRegistry + EAS
// deployed from the artifacts @ethereum-attestation-service/eas-contracts
// ships), one storage write per event and one log per event (contracts/bench/
// PerEventStore.sol). gasUsed read from each receipt.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import hre from 'hardhat';
import { AbiCoder, Contract, ContractFactory, type InterfaceAbi, type Signer, hexlify, ZeroAddress, ZeroHash } from 'ethers';
import { type BenchResult, fmt, log } from './measure';

const EAS_PACKAGE = '@ethereum-attestation-service/eas-contracts';
/** The schema each attestation carries: the event's ledger leaf, nothing more. */
export const EAS_SCHEMA = 'bytes32 eventLeaf';

interface ShippedArtifact {
  abi: InterfaceAbi;
  bytecode: string;
}

function easArtifact(name: 'EAS' | 'SchemaRegistry'): ShippedArtifact {
  return JSON.parse(fs.readFileSync(require.resolve(`${EAS_PACKAGE}/artifacts/contracts/${name}.sol/${name}.json`), 'utf8')) as ShippedArtifact;
}

function easVersion(): string {
  return (JSON.parse(fs.readFileSync(require.resolve(`${EAS_PACKAGE}/package.json`), 'utf8')) as { version: string }).version;
}

async function deploy(signer: Signer, artifact: ShippedArtifact, args: unknown[]): Promise<Contract> {
  const contract = await new ContractFactory(artifact.abi, artifact.bytecode, signer).deploy(...args);
  await contract.waitForDeployment();
  return contract as Contract;
}

/** gasUsed of a sent transaction, which must have succeeded. */
async function gasOf(sent: Promise<{ wait(): Promise<{ gasUsed: bigint; status: number | null } | null> }>): Promise<number> {
  const receipt = await (await sent).wait();
  if (!receipt || receipt.status !== 1) throw new Error('a benchmark transaction failed');
  return Number(receipt.gasUsed);
}

function leaf(): string {
  return hexlify(randomBytes(32));
}

function summary(gas: number[]): { mean: number; min: number; max: number } {
  return { mean: gas.reduce((a, b) => a + b, 0) / gas.length, min: Math.min(...gas), max: Math.max(...gas) };
}

/** `count` events recorded one transaction each, three ways; and EAS's own batch call as a reference. */
export async function benchPerEvent(count: number): Promise<BenchResult[]> {
  log('eas: compiling, deploying SchemaRegistry + EAS (shipped artifacts) and PerEventStore on the Hardhat network…');
  await hre.run('compile', { quiet: true });
  const signers = await hre.ethers.getSigners();
  // Its own accounts, so no nonce or first-write effect is shared with the anchoring benchmark.
  const [deployer, attester] = [signers[3], signers[4]];
  const version = easVersion();
  const schemaRegistry = await deploy(deployer, easArtifact('SchemaRegistry'), []);
  const eas = (await deploy(deployer, easArtifact('EAS'), [await schemaRegistry.getAddress()])).connect(attester) as Contract;
  // Non-revocable and without a resolver: the cheapest attestation EAS offers, and like an anchor nothing can undo it.
  const schemaUid: string = await schemaRegistry.register.staticCall(EAS_SCHEMA, ZeroAddress, false);
  await gasOf(schemaRegistry.register(EAS_SCHEMA, ZeroAddress, false));
  const storeArtifact = await hre.artifacts.readArtifact('PerEventStore');
  const store = (await deploy(deployer, storeArtifact, [])).connect(attester) as Contract;

  const coder = AbiCoder.defaultAbiCoder();
  const requestData = () => ({ recipient: ZeroAddress, expirationTime: 0n, revocable: false, refUID: ZeroHash, data: coder.encode(['bytes32'], [leaf()]), value: 0n });

  log(`eas: ${fmt(count)} attestations, one transaction each…`);
  const attest: number[] = [];
  for (let i = 0; i < count; i++) attest.push(await gasOf(eas.attest({ schema: schemaUid, data: requestData() })));
  log(`eas: one multiAttest of ${fmt(count)} attestations…`);
  const multi = await gasOf(eas.multiAttest([{ schema: schemaUid, data: Array.from({ length: count }, requestData) }]));
  log(`eas: ${fmt(count)} storage writes and ${fmt(count)} logs, one transaction each…`);
  const stores: number[] = [];
  for (let i = 0; i < count; i++) stores.push(await gasOf(store.store(leaf())));
  const logs: number[] = [];
  for (let i = 0; i < count; i++) logs.push(await gasOf(store.announce(leaf())));

  const hardfork = (hre.network.config as { hardfork?: string }).hardfork ?? 'default';
  const where = `Hardhat network (${hardfork}), gasUsed from receipts`;
  const row = (name: string, gas: number[], note: string, kind: string): BenchResult => {
    const s = summary(gas);
    return {
      group: 'eas',
      name,
      value: s.mean,
      unit: 'gas/event',
      note: `${note}; mean of ${fmt(gas.length)} transactions (${fmt(s.min)}–${fmt(s.max)}); ${where}`,
      detail: { kind, transactions: gas.length, gasPerEvent: s.mean, min: s.min, max: s.max, gasUsed: gas },
    };
  };
  return [
    row(
      'EAS attest(), one attestation per event',
      attest,
      `EAS ${version} from its npm package's artifacts, schema "${EAS_SCHEMA}", non-revocable, no resolver, no recipient`,
      'eas',
    ),
    row('one storage write per event (PerEventStore.store)', stores, 'a bytes32 key → writer address, one new slot, no log', 'storage'),
    row('one log per event (PerEventStore.announce)', logs, 'an event log only, no storage', 'log'),
    {
      group: 'eas',
      name: `EAS multiAttest(), ${fmt(count)} events in one transaction (reference)`,
      value: multi / count,
      unit: 'gas/event',
      note: `EAS's own batch call: one attestation record per event still, the transaction cost shared; ${where}`,
      detail: { kind: 'eas-multi', events: count, gasUsed: multi, gasPerEvent: multi / count },
    },
  ];
}
