// What a page needs to verify against the chain on its own (DESIGN 1: consumers
// and auditors trust the chain, read through a read-only RPC):
// GET  /public/v1/network    the chain id and contract addresses a page pins, the
//                            RPC it reads through, and who this node is;
// POST /public/v1/chain-rpc  a read-only JSON-RPC proxy to the node's chain, for
//                            browsers that cannot reach the chain's RPC (a phone on
//                            the local network, a chain on a private network). Only
//                            reads pass; eth_getLogs is capped at 1,000 blocks.
// PUBLIC_CHAIN_RPC_URL names a public read-only RPC of the consortium instead.
import { createRoute, z } from '@hono/zod-openapi';
import type { NodeContext } from '../context';
import { ProblemError } from '../http/problem';
import { createRouter } from '../http/router';
import { problemResponses } from '../http/schemas';
import { rateLimit } from '../public/rateLimit';

export const CHAIN_RPC_PATH = '/public/v1/chain-rpc';

/** The JSON-RPC methods a verifier needs; everything that writes or signs is refused. */
export const READ_METHODS = new Set([
  'eth_chainId',
  'net_version',
  'eth_blockNumber',
  'eth_call',
  'eth_getLogs',
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getTransactionByHash',
  'eth_getTransactionReceipt',
  'eth_getCode',
]);
const MAX_LOG_RANGE = 1000;
/** A block number as JSON-RPC writes it (BigInt() throws on anything else). */
const BLOCK_NUMBER = /^0x[0-9a-fA-F]{1,64}$/;
const MAX_BATCH = 50;

const NetworkInfo = z
  .object({
    chainId: z.number().int(),
    contracts: z.object({ registry: z.string(), anchorLog: z.string(), recallBoard: z.string() }),
    rpcUrl: z.string().openapi({ description: `a public read-only RPC (PUBLIC_CHAIN_RPC_URL) or this node's proxy, ${CHAIN_RPC_PATH}` }),
    explorerTxUrl: z.string().nullable().openapi({ description: 'a link template with {tx} (CHAIN_EXPLORER_TX_URL), or null' }),
    participant: z.string(),
    participantName: z.string(),
    role: z.string(),
    publicUrl: z.string(),
  })
  .openapi('NetworkInfo');

const getNetwork = createRoute({
  method: 'get',
  path: '/public/v1/network',
  tags: ['public'],
  summary: 'The chain and contracts this node anchors on, for pages that verify in the browser',
  responses: { 200: { description: 'the network', content: { 'application/json': { schema: NetworkInfo } } } },
});

const chainRpc = createRoute({
  method: 'post',
  path: CHAIN_RPC_PATH,
  tags: ['public'],
  summary: 'Read-only JSON-RPC to the chain (eth_call, eth_getLogs ≤ 1,000 blocks, blocks, receipts)',
  request: { body: { required: true, content: { 'application/json': { schema: z.unknown().openapi({ description: 'a JSON-RPC 2.0 request or a batch of up to 50' }) } } } },
  responses: {
    200: { description: 'the JSON-RPC answer (errors as JSON-RPC errors, code -32601 for a refused method)', content: { 'application/json': { schema: z.unknown() } } },
    ...problemResponses(400, 502),
  },
});

interface RpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

function refusal(req: RpcRequest): string | undefined {
  if (typeof req !== 'object' || req === null || typeof req.method !== 'string') return 'not a JSON-RPC request';
  if (!READ_METHODS.has(req.method)) return `method ${req.method} is not allowed here (read-only)`;
  if (req.method === 'eth_getLogs') {
    const filter = (Array.isArray(req.params) ? req.params[0] : undefined) as { fromBlock?: string; toBlock?: string; blockHash?: string } | undefined;
    if (!filter) return 'eth_getLogs needs a filter';
    // One block by hash (EIP-234), never a hash beside a range: a node might take the range and the cap would be skipped.
    if (filter.blockHash !== undefined) {
      if (filter.fromBlock !== undefined || filter.toBlock !== undefined) return 'eth_getLogs takes blockHash or fromBlock/toBlock, not both';
      return typeof filter.blockHash === 'string' && /^0x[0-9a-fA-F]{64}$/.test(filter.blockHash) ? undefined : 'eth_getLogs blockHash must be 32 bytes of 0x hex';
    }
    const from = filter.fromBlock, to = filter.toBlock;
    if (typeof from !== 'string' || typeof to !== 'string' || !BLOCK_NUMBER.test(from) || !BLOCK_NUMBER.test(to)) return 'eth_getLogs needs numeric fromBlock and toBlock';
    if (Number(BigInt(to) - BigInt(from)) >= MAX_LOG_RANGE) return `eth_getLogs spans more than ${MAX_LOG_RANGE} blocks`;
  }
  return undefined;
}

export function networkRoutes(ctx: NodeContext) {
  const app = createRouter();
  const upstream = ctx.config.chainRpcUrl ?? ctx.chain.deployment.rpcUrl;
  // A page's verification is a few dozen reads; an auditor verifying a ledger, thousands (and
  // ethers backs off for seconds on a 429): generous per client, still a bound on the chain node.
  const limited = rateLimit({ capacity: 2000, refillPerSecond: 200 });
  app.use(CHAIN_RPC_PATH, limited);

  app.openapi(getNetwork, (c) => {
    const d = ctx.chain.deployment;
    return c.json(
      {
        chainId: ctx.chainId,
        contracts: { registry: d.registry, anchorLog: d.anchorLog, recallBoard: d.recallBoard },
        rpcUrl: ctx.config.publicChainRpcUrl ?? CHAIN_RPC_PATH,
        explorerTxUrl: ctx.config.chainExplorerTxUrl ?? null,
        participant: ctx.participant,
        participantName: ctx.config.participantName,
        role: ctx.config.participantRole,
        publicUrl: ctx.config.publicUrl ?? new URL(c.req.url).origin,
      },
      200,
      { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=60' },
    );
  });

  app.openapi(chainRpc, async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as RpcRequest | RpcRequest[] | undefined;
    if (body === undefined) throw new ProblemError(400, 'invalid-json', 'Invalid JSON', 'the body is not JSON', { field: 'body' });
    const batch = Array.isArray(body) ? body : [body];
    if (batch.length === 0 || batch.length > MAX_BATCH) {
      throw new ProblemError(400, 'rpc-batch-size', 'Bad batch', `a batch holds 1 to ${MAX_BATCH} requests`, { field: 'body' });
    }
    const refused = batch.map(refusal);
    const allowed = batch.filter((_, i) => !refused[i]);
    let answers: RpcRequest[] = [];
    if (allowed.length > 0) {
      if (!upstream) throw new ProblemError(502, 'chain-unreachable', 'Chain unreachable', 'this node has no chain RPC URL');
      const payload = JSON.stringify(allowed);
      // Each attempt is bounded (CHAIN_RPC_TIMEOUT_MS), its body included.
      const forward = async () => {
        const res = await fetch(upstream, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: payload,
          signal: AbortSignal.timeout(ctx.config.chainRpcTimeoutMs),
        });
        return res.ok ? ((await res.json()) as RpcRequest | RpcRequest[]) : undefined;
      };
      // Reads are safe to repeat: once more when the connection fails (a pooled keep-alive socket the
      // chain's server closed while this process was busy fails as "other side closed").
      // Not after a timeout: the chain was reached and did not answer, and the client is waiting.
      const got = await forward()
        .catch((error: Error) => (error.name === 'TimeoutError' ? undefined : forward()))
        .catch(() => undefined);
      if (got === undefined || got === null || typeof got !== 'object') {
        throw new ProblemError(502, 'chain-unreachable', 'Chain unreachable', 'the chain did not answer the read');
      }
      answers = Array.isArray(got) ? got : [got];
    }
    const byId = new Map(answers.map((a) => [JSON.stringify(a.id), a]));
    const out = batch.map((req, i) =>
      refused[i]
        ? { jsonrpc: '2.0', id: req?.id ?? null, error: { code: -32601, message: refused[i] } }
        : (byId.get(JSON.stringify(req.id)) ?? { jsonrpc: '2.0', id: req.id ?? null, error: { code: -32603, message: 'no answer from the chain' } }),
    );
    return c.json(Array.isArray(body) ? out : out[0], 200, { 'access-control-allow-origin': '*' });
  });
  app.options(CHAIN_RPC_PATH, (c) =>
    c.body(null, 204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' }),
  );
  return app;
}
