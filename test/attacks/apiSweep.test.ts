// API inputs never produce a 5xx, by a deterministic sweep: for every
// operation of the node's OpenAPI document, one bad value at a time in every
// place, everything else plain (seeded records, schema examples): each path
// and query parameter set to text with NUL, an encoded surrogate, 5,000
// characters, negative, 32- and 64-bit overflows, an encoded slash (cursors
// also forged: other arities, a NUL or non-numeric part, not base64url); each
// body property (two levels down, into the first item of arrays) set to text
// with NUL or an unpaired surrogate, 20,000 characters, 2^31, 2^53 - 1,
// negative, the wrong type, an array of 20,000, null, 30,000-deep nesting,
// prototype keys. Answers as ./support/seededNode.ts judges them: below 500,
// errors problem+json. test/attacks/apiFuzz.test.ts fuzzes at random.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { networkRoutes } from '../../node/web/network';
import { LOT_GTIN } from '../erp/ordersSeed';
import { readProblem } from '../support/app';
import { jsonBody, sweepCases } from './support/openapi';
import { checkAnswer, describeRequest, GTIN, selectedByEnvironment, startSeededNode, type SeededNode } from './support/seededNode';

let node: SeededNode;

beforeAll(async () => {
  node = await startSeededNode();
}, 300_000);

afterAll(async () => {
  await node?.close();
});

describe('one bad value at a time, in every place of every operation', () => {
  test('no answer is a 5xx; every error is problem+json', async () => {
    const failures: string[] = [];
    let operations = 0;
    for (const op of node.operations.filter(selectedByEnvironment)) {
      operations++;
      for (const c of sweepCases(op, node.doc, node.known)) {
        const req = { path: c.path, query: c.query, body: c.body };
        const wrong = await checkAnswer(await node.send(op, req));
        if (wrong) failures.push(`${op.key} [${c.label}]: ${wrong}\n    request: ${describeRequest(op, req)}`);
      }
    }
    console.log(`swept ${operations} operations with ${node.stats.sent} requests; failures: ${failures.length}; answers by status: ${JSON.stringify(node.stats.statuses)}`);
    expect(failures).toEqual([]);
  }, 600_000);
});

describe('what the fuzzing found, one case each', () => {
  /** POSTs `body` as JSON, or `text` as is. */
  const post = (key: string, path: string, body: unknown, text?: string) => {
    const op = node.operations.find((o) => o.key === key)!;
    return node.send(op, { path, query: '', body: text === undefined ? jsonBody(body, 'regression') : { text, contentType: 'application/json', kind: 'raw' } });
  };
  const nested = (depth: number): unknown => {
    let value: unknown = 1;
    for (let i = 1; i < depth; i++) value = [value];
    return value;
  };

  test('text with NUL or an unpaired surrogate is a 422 naming the parameter or JSON path, in the query, a CSV or a JSON body', async () => {
    const op = node.operations.find((o) => o.key === 'GET /api/v1/audit-trail')!;
    const query = await readProblem(await node.send(op, { path: '/api/v1/audit-trail', query: '?actor=a%00b' }));
    expect(query).toMatchObject({ status: 422, type: 'https://medtrace.dev/problems/invalid-input', field: 'actor' });
    const body = await readProblem(await post('POST /api/v1/products', '/api/v1/products', { gtin: GTIN, name: 'a\u0000b', model: 'M', deviceClass: 'I' }));
    expect(body).toMatchObject({ status: 422, field: 'name' });
    const nested = await readProblem(await post('POST /api/v1/lots/{gtin}/{lot}/block', `/api/v1/lots/${GTIN}/L1/block`, { reason: 'a\ud800b' }));
    expect(nested).toMatchObject({ status: 422, field: 'reason' });
    const csvOp = node.operations.find((o) => o.key === 'POST /api/v1/imports/partners')!;
    const csv = await readProblem(await node.send(csvOp, { path: '/api/v1/imports/partners', query: '', body: { text: 'code,name\nX\u0000,n\n', contentType: 'text/csv', kind: 'csv' } }));
    expect(csv).toMatchObject({ status: 422, field: 'body' });
    // A pair of surrogates is one character: accepted.
    expect((await post('POST /api/v1/lots/{gtin}/{lot}/block', `/api/v1/lots/${GTIN}/L1/block`, { reason: 'blocked 😀' })).status).toBe(200);
  });

  test('a forged page cursor is a 422 naming cursor: another arity, a NUL, a row id that is no number or no safe integer', async () => {
    const cursor = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    const forged: [string, string, unknown[]][] = [
      ['GET /api/v1/orders', '/api/v1/orders', [['x'], ['\u0000'], ['99999999999999999999'], ['1', '2']]],
      ['GET /audit/v1/events', '/audit/v1/events', [['x'], ['1e3'], ['99999999999999999999']]],
      ['GET /api/v1/stock', '/api/v1/stock', [['a', 'b', 'x', 'd'], ['a', 'b', '99999999999999999999', 'd']]],
      ['GET /api/v1/users', '/api/v1/users', [['\u0000'], ['a', 'b']]],
    ];
    for (const [key, path, cursors] of forged) {
      const op = node.operations.find((o) => o.key === key)!;
      for (const parts of cursors) {
        const res = await node.send(op, { path, query: `?cursor=${cursor(parts)}` });
        expect({ key, parts, status: res.status }).toEqual({ key, parts, status: 422 });
        expect((await readProblem(res)).field).toBe('cursor');
      }
    }
  });

  test('JSON nested deeper than the node goes is a 422 naming the body, before anything recurses into it', async () => {
    const deep = `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const res = await post('POST /public/v1/chain-rpc', '/public/v1/chain-rpc', undefined, deep);
    expect(await readProblem(res)).toMatchObject({ status: 422, field: 'body' });
    const tooDeep = await post('POST /api/v1/products', '/api/v1/products', { gtin: GTIN, name: 'n', model: 'm', deviceClass: 'I', x: nested(101) });
    expect(await readProblem(tooDeep)).toMatchObject({ status: 422, field: 'body' });
    // 100 levels pass the depth check (and meet the schema: x is no property of a product).
    const deepEnough = await post('POST /api/v1/products', '/api/v1/products', { gtin: GTIN, name: 'n', model: 'm', deviceClass: 'I', x: nested(99) });
    expect(await readProblem(deepEnough)).toMatchObject({ status: 422, field: 'x' });
  });

  test('the chain proxy answers a malformed eth_getLogs block number with a JSON-RPC error, not a 500', async () => {
    for (const fromBlock of ['0xzz', '0x', '0x1.5']) {
      const res = await post('POST /public/v1/chain-rpc', '/public/v1/chain-rpc', { jsonrpc: '2.0', id: 7, method: 'eth_getLogs', params: [{ fromBlock, toBlock: '0x1' }] });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: 7, error: { code: -32601, message: 'eth_getLogs needs numeric fromBlock and toBlock' } });
    }
  });

  test('the chain proxy asks again once when the connection to the chain fails, instead of answering 502 for a healthy chain', async () => {
    // A chain whose server drops the first connection (as a pooled keep-alive socket it closed meanwhile fails) and then answers.
    let connections = 0;
    const flaky = http.createServer((req, res) => {
      if (connections++ === 0) {
        req.socket.destroy();
        return;
      }
      req.resume().on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify([{ jsonrpc: '2.0', id: 7, result: '0x2a' }]));
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    try {
      const upstream = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
      const proxy = networkRoutes({ ...node.api.ctx, config: { ...node.api.ctx.config, chainRpcUrl: upstream } });
      const res = await proxy.request('/public/v1/chain-rpc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'eth_blockNumber' }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 7, result: '0x2a' });
      expect(connections).toBe(2);
    } finally {
      flaky.closeAllConnections();
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  test('a counted quantity beyond what the stock tables hold (32-bit) is a 422, not an overflow in the database', async () => {
    const count = await post('POST /api/v1/cycle-counts/{id}/count', '/api/v1/cycle-counts/1/count', { quantities: [{ gtin: LOT_GTIN, lot: 'B1', quantity: 2 ** 31 }] });
    expect(await readProblem(count)).toMatchObject({ status: 422, field: 'quantities.0.quantity' });
  });
});
