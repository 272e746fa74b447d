// The node's connection to the chain: provider, participant wallet and the three contracts.
import { Contract, FetchRequest, JsonRpcProvider, Network, getAddress } from 'ethers';
import type { Wallet } from 'ethers';
import type { Config } from '../config';
import { loadArtifact } from './artifacts';
import { readDeployment } from './deployment';
import type { Deployment } from './deployment';
import { loadChainWallet } from './keys';

export interface ChainClient {
  provider: JsonRpcProvider;
  /** The participant's chain key, connected to `provider`. */
  wallet: Wallet;
  chainId: number;
  /** The participant's address, lowercase 0x (the ledger's `participant`). */
  address: string;
  contracts: { registry: Contract; anchorLog: Contract; recallBoard: Contract };
  deployment: Deployment;
  /** True when the deployment carries the governor key (a local development chain). */
  local: boolean;
  close(): void;
}

export async function connectChain(config: Config, dataDir: string = config.dataDir): Promise<ChainClient> {
  const deployment = readDeployment(config.chainDeployment);
  const rpcUrl = config.chainRpcUrl ?? deployment.rpcUrl;
  if (!rpcUrl) throw new Error('no chain RPC URL: set CHAIN_RPC_URL (the deployment file names none)');
  // staticNetwork: no eth_chainId round trip before every call (checked once below);
  // cacheTimeout -1: ethers would otherwise answer a repeated nonce or receipt query
  // from a 250 ms cache, and the anchoring worker needs fresh answers.
  // A bound on every call: a chain whose host drops packets would otherwise hold a call
  // (and the anchoring round waiting on it) for ethers' default five minutes.
  const request = new FetchRequest(rpcUrl);
  request.timeout = config.chainRpcTimeoutMs;
  const provider = new JsonRpcProvider(request, Network.from(deployment.chainId), {
    staticNetwork: true,
    pollingInterval: 100,
    cacheTimeout: -1,
  });
  try {
    const actual = Number(await provider.send('eth_chainId', []));
    if (actual !== deployment.chainId) {
      throw new Error(`the chain at ${rpcUrl} has chainId ${actual}, the deployment file ${config.chainDeployment} says ${deployment.chainId}`);
    }
    for (const key of ['registry', 'anchorLog', 'recallBoard'] as const) {
      if ((await provider.getCode(deployment[key])) === '0x') {
        throw new Error(`no contract at ${key} ${deployment[key]} on ${rpcUrl}: the deployment file ${config.chainDeployment} is stale`);
      }
    }
    const local = Boolean(deployment.governor.privateKey);
    const wallet = await loadChainWallet(config, dataDir, provider, local);
    return {
      provider,
      wallet,
      chainId: deployment.chainId,
      address: getAddress(wallet.address).toLowerCase(),
      contracts: {
        registry: new Contract(deployment.registry, loadArtifact('ParticipantRegistry').abi, wallet),
        anchorLog: new Contract(deployment.anchorLog, loadArtifact('AnchorLog').abi, wallet),
        recallBoard: new Contract(deployment.recallBoard, loadArtifact('RecallBoard').abi, wallet),
      },
      deployment,
      local,
      close: () => provider.destroy(),
    };
  } catch (error) {
    provider.destroy();
    throw error;
  }
}
