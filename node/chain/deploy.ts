// Deploys the three medtrace contracts with `signer` as the consortium governor.
import { ContractFactory, getAddress } from 'ethers';
import type { Signer } from 'ethers';
import { loadArtifact } from './artifacts';
import type { ContractName } from './artifacts';
import type { Deployment } from './deployment';
import { feeOverrides, withGasLimit } from './transactions';

export interface DeployOptions {
  /** Written into the deployment for nodes that read it (default ''). */
  rpcUrl?: string;
  /** Kept in the deployment only for local development chains. */
  governorPrivateKey?: string;
}

export async function deployContracts(signer: Signer, options: DeployOptions = {}): Promise<Deployment> {
  const provider = signer.provider;
  if (!provider) throw new Error('deployContracts: the signer has no provider');
  const governor = getAddress(await signer.getAddress());
  const network = await provider.getNetwork();

  const registry = await deployOne(signer, 'ParticipantRegistry', [governor]);
  const anchorLog = await deployOne(signer, 'AnchorLog', [registry.address]);
  const recallBoard = await deployOne(signer, 'RecallBoard', [registry.address]);

  return {
    chainId: Number(network.chainId),
    rpcUrl: options.rpcUrl ?? '',
    deployBlock: registry.blockNumber,
    registry: registry.address,
    anchorLog: anchorLog.address,
    recallBoard: recallBoard.address,
    governor: options.governorPrivateKey ? { address: governor, privateKey: options.governorPrivateKey } : { address: governor },
  };
}

async function deployOne(signer: Signer, name: ContractName, args: unknown[]): Promise<{ address: string; blockNumber: number }> {
  const artifact = loadArtifact(name);
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const tx = await factory.getDeployTransaction(...args);
  const request = await withGasLimit(signer, { ...(await feeOverrides(signer.provider!)), ...tx });
  const sent = await signer.sendTransaction(request);
  const receipt = await sent.wait(1, 60_000);
  if (!receipt || receipt.status !== 1 || !receipt.contractAddress) throw new Error(`deploying ${name} failed (tx ${sent.hash})`);
  return { address: getAddress(receipt.contractAddress), blockNumber: receipt.blockNumber };
}
