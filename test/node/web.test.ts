// What the node gives the web pages: its network (chain id and contract addresses a
// page pins), a read-only chain RPC proxy that lets reads through and refuses writes
// and oversized log queries, and the built pages with their security headers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AppEnv } from '../../node/http/env';
import { PAGE_CSP, webRoutes } from '../../node/web/static';
import { startTestApp, type TestApp } from '../support/app';

let node: TestApp;

beforeAll(async () => {
  node = await startTestApp({ register: false, env: { PARTICIPANT_NAME: 'Web Node', CHAIN_EXPLORER_TX_URL: 'https://explorer.example/tx/{tx}' } });
});
afterAll(async () => {
  await node?.close();
});

const rpc = (body: unknown) => node.call('POST', '/public/v1/chain-rpc', { as: null, body });

describe('GET /public/v1/network', () => {
  test('names the chain, the contracts of the deployment, the RPC to read through and the node', async () => {
    const res = await node.call('GET', '/public/v1/network', { as: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as Record<string, any>;
    const d = node.ctx.chain.deployment;
    expect(body).toMatchObject({
      chainId: d.chainId,
      contracts: { registry: d.registry, anchorLog: d.anchorLog, recallBoard: d.recallBoard },
      rpcUrl: '/public/v1/chain-rpc',
      explorerTxUrl: 'https://explorer.example/tx/{tx}',
      participant: node.ctx.participant,
      participantName: 'Web Node',
    });
  });
});

describe('POST /public/v1/chain-rpc (read-only)', () => {
  test('answers reads from the chain, one request or a batch', async () => {
    const one = await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ id: 1, result: `0x${node.ctx.chainId.toString(16)}` });
    const batch = (await (
      await rpc([
        { jsonrpc: '2.0', id: 'a', method: 'eth_blockNumber', params: [] },
        { jsonrpc: '2.0', id: 'b', method: 'eth_getCode', params: [node.ctx.chain.deployment.anchorLog, 'latest'] },
      ])
    ).json()) as { id: string; result: string }[];
    expect(batch.map((a) => a.id)).toEqual(['a', 'b']);
    expect(batch[1].result.length).toBeGreaterThan(100);
  });

  test('refuses writes, signing and unknown methods with JSON-RPC -32601, next to reads that pass', async () => {
    const answers = (await (
      await rpc([
        { jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: ['0x00'] },
        { jsonrpc: '2.0', id: 2, method: 'eth_sendTransaction', params: [{}] },
        { jsonrpc: '2.0', id: 3, method: 'hardhat_setBalance', params: [] },
        { jsonrpc: '2.0', id: 4, method: 'eth_chainId', params: [] },
      ])
    ).json()) as { id: number; error?: { code: number; message: string }; result?: string }[];
    expect(answers.slice(0, 3).map((a) => a.error?.code)).toEqual([-32601, -32601, -32601]);
    expect(answers[0].error?.message).toMatch(/eth_sendRawTransaction is not allowed here \(read-only\)/);
    expect(answers[3].result).toBe(`0x${node.ctx.chainId.toString(16)}`);
  });

  test('caps eth_getLogs at 1,000 blocks, as Besu does', async () => {
    const wide = (await (await rpc({ jsonrpc: '2.0', id: 7, method: 'eth_getLogs', params: [{ fromBlock: '0x0', toBlock: '0x3e8' }] })).json()) as any;
    expect(wide.error).toMatchObject({ code: -32601, message: expect.stringMatching(/more than 1000 blocks/) });
    const ok = (await (await rpc({ jsonrpc: '2.0', id: 8, method: 'eth_getLogs', params: [{ fromBlock: '0x0', toBlock: '0x3e7' }] })).json()) as any;
    expect(Array.isArray(ok.result)).toBe(true);
  });

  test('takes eth_getLogs by one block hash, never a hash beside a range (the cap would be skipped)', async () => {
    const head = (await (await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: ['latest', false] })).json()) as any;
    const byHash = (await (await rpc({ jsonrpc: '2.0', id: 2, method: 'eth_getLogs', params: [{ blockHash: head.result.hash }] })).json()) as any;
    expect(Array.isArray(byHash.result)).toBe(true);
    const both = (await (await rpc({ jsonrpc: '2.0', id: 3, method: 'eth_getLogs', params: [{ blockHash: head.result.hash, fromBlock: '0x0', toBlock: '0x100000' }] })).json()) as any;
    expect(both.error).toMatchObject({ code: -32601, message: 'eth_getLogs takes blockHash or fromBlock/toBlock, not both' });
    const bad = (await (await rpc({ jsonrpc: '2.0', id: 4, method: 'eth_getLogs', params: [{ blockHash: '0x12' }] })).json()) as any;
    expect(bad.error).toMatchObject({ code: -32601, message: 'eth_getLogs blockHash must be 32 bytes of 0x hex' });
  });

  test('a body that is not JSON-RPC, and an oversized batch, are refused', async () => {
    const notRpc = (await (await rpc({ hello: 'world' })).json()) as any;
    expect(notRpc.error.message).toBe('not a JSON-RPC request');
    const big = await rpc(Array.from({ length: 51 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' })));
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ field: 'body', detail: 'a batch holds 1 to 50 requests' });
  });
});

describe('the pages', () => {
  let dist: string;
  let app: Hono<AppEnv>;
  beforeAll(() => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-web-dist-'));
    for (const page of ['verify', 'console', 'auditor']) {
      fs.mkdirSync(path.join(dist, page));
      fs.writeFileSync(path.join(dist, page, 'index.html'), `<!doctype html><title>${page}</title>`);
    }
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'assets', 'verify-abc.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dist, 'secret.txt'), 'not served');
    app = webRoutes(dist);
  });
  afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

  test('each page answers its index.html under any path below it, with the CSP', async () => {
    for (const [url, page] of [['/console/', 'console'], ['/auditor/', 'auditor'], ['/verify/01/09506000134352/21/SN-1', 'verify']]) {
      const res = await app.request(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(`<title>${page}</title>`);
      expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    expect((await app.request('/console')).headers.get('location')).toBe('/console/');
  });

  test('assets are served immutable; nothing outside assets/ is reachable', async () => {
    const js = await app.request('/assets/verify-abc.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await app.request('/assets/..%2Fsecret.txt')).status).toBe(404);
    expect((await app.request('/assets/missing.js')).status).toBe(404);
  });

  test('a node whose pages were never built says how to build them', async () => {
    const res = await webRoutes(path.join(dist, 'nothing-here')).request('/verify/');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build:web/);
  });

  test('the node serves the built pages (npm test builds web/dist first)', async () => {
    const res = await node.call('GET', '/console/', { as: null });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<script type="module"[^>]+src="\/assets\/console-[\w-]+\.js"/);
  });
});
