// A JSON-RPC proxy in front of a Hardhat node that behaves like Hyperledger Besu
// on a QBFT network with zeroBaseFee and min-gas-price 0 (the production chain,
// which cannot be run here). What it enforces, with Besu's own error codes and
// messages where Besu has one:
// - eth_getLogs spanning more than `maxLogRange` blocks (default 1,000) is refused:
//   -32005 "Requested range exceeds maximum RPC range limit" (EXCEEDS_RPC_MAX_BLOCK_RANGE);
// - eth_sendTransaction is refused (-32604, Besu never signs for a client);
// - a raw transaction with a non-zero gas price (legacy gasPrice, or EIP-1559
//   maxFeePerGas / maxPriorityFeePerGas) is refused: a free-gas network;
// - a raw transaction whose gas limit is exactly an estimate this proxy answered for
//   the same call is refused: the limit must be explicit (estimate plus a margin), as a
//   QBFT network's state can move between estimate and inclusion;
// - eth_gasPrice and eth_maxPriorityFeePerGas answer 0.
// Batches are answered element by element. Everything else passes through.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transaction } from 'ethers';

export const BESU_RANGE_ERROR = { code: -32005, message: 'Requested range exceeds maximum RPC range limit' } as const;
export const BESU_SEND_TX_ERROR = {
  code: -32604,
  message: 'The method eth_sendTransaction is not supported. Use eth_sendRawTransaction to send a signed transaction to Besu.',
} as const;
export const NON_ZERO_GAS_PRICE_ERROR = { code: -32009, message: 'Gas price must be 0 on this network (QBFT, zeroBaseFee, min-gas-price 0)' } as const;
export const IMPLICIT_GAS_LIMIT_ERROR = {
  code: -32000,
  message: 'Transaction gas limit is the bare gas estimate: send an explicit gas limit with a margin',
} as const;

interface RpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method: string;
  params?: unknown[];
}
interface RpcResponse {
  jsonrpc: '2.0';
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export interface BesuProxyRefusal {
  method: string;
  code: number;
  message: string;
  detail: string;
}

export interface BesuProxy {
  /** The proxy's JSON-RPC URL (hand it to nodes as CHAIN_RPC_URL). */
  url: string;
  /** Every request the proxy refused, in order. */
  refusals: BesuProxyRefusal[];
  /** Requests seen per method. */
  calls: Map<string, number>;
  /** eth_getLogs requests passed through, with their block range. */
  logQueries: Array<{ from: number; to: number }>;
  stop(): Promise<void>;
}

export interface BesuProxyOptions {
  /** The Hardhat node's JSON-RPC URL. */
  upstream: string;
  /** Most blocks one eth_getLogs may span (default 1,000). */
  maxLogRange?: number;
}

export async function startBesuProxy(options: BesuProxyOptions): Promise<BesuProxy> {
  const maxLogRange = options.maxLogRange ?? 1000;
  const refusals: BesuProxyRefusal[] = [];
  const calls = new Map<string, number>();
  const logQueries: Array<{ from: number; to: number }> = [];
  /** Gas estimates answered, by `to|data` of the call, most recent last (bounded). */
  const estimates = new Map<string, bigint[]>();
  let nextUpstreamId = 1;

  async function upstream(method: string, params: unknown[] = []): Promise<RpcResponse> {
    const res = await fetch(options.upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextUpstreamId++, method, params }),
    });
    return (await res.json()) as RpcResponse;
  }

  async function blockNumberOf(tag: unknown): Promise<number> {
    if (tag === undefined || tag === null || tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') {
      const head = await upstream('eth_blockNumber');
      return Number(head.result);
    }
    if (tag === 'earliest') return 0;
    if (typeof tag === 'string' && /^0x[0-9a-f]+$/i.test(tag)) return Number(BigInt(tag));
    throw new Error(`bad block tag ${JSON.stringify(tag)}`);
  }

  const callKey = (call: { to?: unknown; data?: unknown; input?: unknown }) =>
    `${String(call.to ?? '').toLowerCase()}|${String(call.data ?? call.input ?? '0x').toLowerCase()}`;

  async function handle(request: RpcRequest): Promise<RpcResponse> {
    const id = request.id ?? null;
    const params = request.params ?? [];
    calls.set(request.method, (calls.get(request.method) ?? 0) + 1);
    const refuse = (error: { code: number; message: string }, detail: string): RpcResponse => {
      refusals.push({ method: request.method, code: error.code, message: error.message, detail });
      return { jsonrpc: '2.0', id, error: { code: error.code, message: error.message } };
    };
    const passThrough = async (): Promise<RpcResponse> => ({ ...(await upstream(request.method, params)), id });

    switch (request.method) {
      case 'eth_gasPrice':
      case 'eth_maxPriorityFeePerGas':
        return { jsonrpc: '2.0', id, result: '0x0' };
      case 'eth_sendTransaction':
        return refuse(BESU_SEND_TX_ERROR, 'unsigned transaction');
      case 'eth_getLogs': {
        const filter = (params[0] ?? {}) as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown };
        if (filter.blockHash !== undefined) return passThrough();
        let from: number;
        let to: number;
        try {
          from = await blockNumberOf(filter.fromBlock);
          to = await blockNumberOf(filter.toBlock);
        } catch (error) {
          return { jsonrpc: '2.0', id, error: { code: -32602, message: (error as Error).message } };
        }
        if (to - from + 1 > maxLogRange) return refuse(BESU_RANGE_ERROR, `blocks ${from}-${to} (${to - from + 1} blocks)`);
        logQueries.push({ from, to });
        return passThrough();
      }
      case 'eth_estimateGas': {
        const response = await passThrough();
        if (typeof response.result === 'string') {
          const key = callKey((params[0] ?? {}) as object);
          const list = estimates.get(key) ?? [];
          list.push(BigInt(response.result));
          estimates.set(key, list.slice(-20));
        }
        return response;
      }
      case 'eth_sendRawTransaction': {
        let tx: Transaction;
        try {
          tx = Transaction.from(String(params[0]));
        } catch (error) {
          return { jsonrpc: '2.0', id, error: { code: -32602, message: `Invalid params: ${(error as Error).message}` } };
        }
        const prices = [tx.gasPrice, tx.maxFeePerGas, tx.maxPriorityFeePerGas].filter((p): p is bigint => p !== null);
        if (prices.some((p) => p !== 0n)) {
          return refuse(NON_ZERO_GAS_PRICE_ERROR, `type ${tx.type} gasPrice ${tx.gasPrice} maxFeePerGas ${tx.maxFeePerGas}`);
        }
        if (estimates.get(callKey({ to: tx.to, data: tx.data }))?.includes(tx.gasLimit)) {
          return refuse(IMPLICIT_GAS_LIMIT_ERROR, `gas limit ${tx.gasLimit} equals the estimate`);
        }
        return passThrough();
      }
      default:
        return passThrough();
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
          return;
        }
        try {
          const answer = Array.isArray(body) ? await Promise.all(body.map((r) => handle(r as RpcRequest))) : await handle(body as RpcRequest);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer));
        } catch (error) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: `proxy: ${(error as Error).message}` } }));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refusals,
    calls,
    logQueries,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
