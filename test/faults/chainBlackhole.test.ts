// Fault 2b: the chain blackholed under load (FAULT_CHAIN_BLACKHOLE_MS, default
// 30,000): the proxy between the node and the Hardhat node accepts connections and
// swallows what is sent, answering nothing, as a firewall that drops packets does.
// Unlike a refused connection, nothing fails by itself here: only the node's bound
// on every chain call (CHAIN_RPC_TIMEOUT_MS) ends a call. Besides what every chain
// fault checks (chainFault.ts), the read-only chain proxy answers a 502 problem
// instead of hanging.
import { expect } from 'vitest';
import type { TestNode } from '../support';
import { describeChainFault } from './chainFault';

const RPC_TIMEOUT_MS = 2000;

/** One read through the node's public chain proxy, as a verification page does. */
async function readThroughProxy(node: TestNode) {
  const started = Date.now();
  const res = await fetch(`${node.url}/public/v1/chain-rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
    signal: AbortSignal.timeout(10 * RPC_TIMEOUT_MS),
  });
  const body = (await res.json()) as { type?: string };
  return { proxyReadStatus: res.status, proxyReadProblem: String(body.type).split('/').pop()!, proxyReadMs: Date.now() - started };
}

describeChainFault(
  {
    name: 'chain-blackholed',
    title: 'the chain blackholed under load (connections accepted, nothing answered)',
    lot: 'BLACKHOLE',
    tag: 'BLK',
    faultMs: Number(process.env.FAULT_CHAIN_BLACKHOLE_MS ?? 30_000),
    env: { CHAIN_RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS) },
    begin: (proxy) => proxy.blackhole(),
    midway: readThroughProxy,
  },
  ({ midway }) => {
    expect(midway, 'the chain proxy answers a problem instead of hanging').toMatchObject({ proxyReadStatus: 502, proxyReadProblem: 'chain-unreachable' });
  },
);
