// The network a page verifies against: the chain id and contract addresses the
// node announces at GET /public/v1/network, and a read-only JSON-RPC provider.
// Every verification pins this chain id and AnchorLog (verifyBundle's `expect`).
import { JsonRpcProvider, Network } from 'ethers';

export interface NetworkInfo {
  chainId: number;
  contracts: { registry: string; anchorLog: string; recallBoard: string };
  /** Absolute, or a path on this node (its read-only chain proxy). */
  rpcUrl: string;
  /** A transaction link template with {tx}, when the network has an explorer. */
  explorerTxUrl: string | null;
  participant: string;
  participantName: string;
  role: string;
  publicUrl: string;
}

export async function loadNetwork(baseUrl = ''): Promise<NetworkInfo> {
  const res = await fetch(`${baseUrl}/public/v1/network`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET /public/v1/network answered ${res.status}`);
  return (await res.json()) as NetworkInfo;
}

/** A provider that never asks the endpoint which chain it is on (the chain id is pinned). */
export function chainProvider(network: NetworkInfo, baseUrl = location.origin): JsonRpcProvider {
  const url = new URL(network.rpcUrl, baseUrl).toString();
  const pinned = Network.from(network.chainId);
  return new JsonRpcProvider(url, pinned, { staticNetwork: pinned, batchMaxCount: 20 });
}

export function txLink(network: NetworkInfo, txHash: string): string | null {
  return network.explorerTxUrl ? network.explorerTxUrl.replace('{tx}', txHash) : null;
}
