// API inputs never produce a 5xx, by property-based fuzzing: every operation
// of the node's OpenAPI document gets requests with bodies that almost fit the
// schema (its types, enums and examples with adversarial contents), that have
// one property spoiled (another type, a huge string, deep nesting, unicode,
// NUL, prototype keys) or a nasty key added, any JSON, broken JSON and other
// content types; path parameters that name seeded records or anything (broken
// percent-escapes too); query strings with good, almost valid and nasty values,
// repeated names and junk; odd Idempotency-Keys. The chain proxy gets JSON-RPC
// shaped requests. Every answer must be below 500, an error problem+json with
// its status, and Object.prototype untouched (./support/seededNode.ts).
// test/attacks/apiSweep.test.ts tries one bad value at a time in every place.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { READ_METHODS } from '../../node/web/network';
import { FUZZ_SEED, runs } from './support/fuzz';
import { bodiesFor, jsonBody, nastyString, nastyValue, pathValue, queryFor, type FuzzBody, type Operation } from './support/openapi';
import { checkAnswer, describeRequest, selectedByEnvironment, startSeededNode, type FuzzRequest, type SeededNode } from './support/seededNode';

let node: SeededNode;

beforeAll(async () => {
  node = await startSeededNode();
}, 300_000);

afterAll(async () => {
  await node?.close();
});

/** JSON-RPC requests for the chain proxy (its schema says only "unknown"): read methods with odd parameters, writes, batches. */
const hexish = fc.oneof(
  fc.constantFrom('0x', '0x0', '0x1', '0xzz', '0x-1', '0x1.5', ' 0x1', '0x' + 'f'.repeat(80), 'latest', 'earliest', 'pending', '1', ''),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map((n) => `0x${n.toString(16)}`),
);
const rpcParam = fc.oneof(
  hexish,
  fc.record(
    { fromBlock: fc.oneof(hexish, nastyValue), toBlock: fc.oneof(hexish, nastyValue), blockHash: hexish, address: hexish, topics: fc.array(fc.oneof(hexish, fc.constant(null))) },
    { requiredKeys: [] },
  ),
  fc.record({ to: hexish, data: hexish, from: hexish, gas: hexish }, { requiredKeys: [] }),
  fc.boolean(),
  nastyValue,
);
const rpcRequest = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('2.0'), nastyValue),
    id: fc.oneof(fc.nat(), fc.string({ maxLength: 8 }), fc.constant(null), nastyValue),
    method: fc.oneof(fc.constantFrom(...READ_METHODS, 'eth_getLogs', 'eth_getLogs', 'eth_sendRawTransaction', 'eth_sendTransaction', 'evm_mine', 'hardhat_reset'), nastyString),
    params: fc.oneof(fc.array(rpcParam, { maxLength: 3 }), nastyValue),
  },
  { requiredKeys: ['method'] },
);
const rpcBodies: fc.Arbitrary<FuzzBody> = fc.oneof(rpcRequest, fc.array(rpcRequest, { maxLength: 60 })).map((value) => jsonBody(value, 'JSON-RPC'));

/** Bodies of operations whose schema does not say enough. */
const SHAPED_BODIES: Record<string, fc.Arbitrary<FuzzBody>> = {
  'POST /public/v1/chain-rpc': rpcBodies,
};

function requestsFor(op: Operation): fc.Arbitrary<FuzzRequest> {
  const path = fc.tuple(...op.pathParams.map((p) => pathValue(p, node.known[p.name] ?? []))).map((values) => {
    let i = 0;
    return op.path.replace(/\{(\w+)\}/g, () => values[i++]);
  });
  const idempotencyKey = fc.option(fc.oneof(fc.string({ unit: fc.constantFrom(...'abcXYZ019-_ !~'), maxLength: 300 }), fc.constant('k'.repeat(5000))), { nil: undefined });
  const shaped = SHAPED_BODIES[op.key];
  const body = op.body && op.method !== 'GET' ? { body: shaped ? fc.oneof(shaped, bodiesFor(op, node.doc)) : bodiesFor(op, node.doc) } : {};
  return fc.record({ path, query: queryFor(op, node.doc, node.known), ...body, idempotencyKey }) as fc.Arbitrary<FuzzRequest>;
}

/** Fuzzes the operations matching `which` with `numRuns` requests each; returns every failure found (the first per operation). */
async function fuzz(which: (op: Operation) => boolean, numRuns: number): Promise<{ operations: number; failures: string[] }> {
  const chosen = node.operations.filter((op) => which(op) && selectedByEnvironment(op));
  const failures: string[] = [];
  for (const op of chosen) {
    const result = await fc.check(
      fc.asyncProperty(requestsFor(op), async (req) => {
        const wrong = await checkAnswer(await node.send(op, req));
        if (wrong) throw new Error(`${wrong}\n    request: ${describeRequest(op, req)}`);
      }),
      { seed: FUZZ_SEED, numRuns, endOnFailure: true },
    );
    if (result.failed) failures.push(`${op.key} (seed ${result.seed}, path ${result.counterexamplePath}): ${(result.errorInstance as Error)?.message ?? String(result.errorInstance)}`);
  }
  return { operations: chosen.length, failures };
}

const isPublic = (op: Operation) => op.auth === 'none';
const hasBody = (op: Operation) => op.body !== undefined && op.method !== 'GET';

describe('fuzzed requests never get a 5xx', () => {
  test('the document lists the node’s operations', () => {
    expect(node.operations.length).toBeGreaterThan(100);
  });

  test('operations with a body: fuzzed bodies, path parameters, query strings and Idempotency-Keys', async () => {
    const result = await fuzz(hasBody, runs(25));
    console.log(`fuzzed ${result.operations} operations with a body, ${node.stats.sent} requests so far; failures: ${result.failures.length}`);
    expect(result.failures).toEqual([]);
  }, 600_000);

  test('operations without a body: fuzzed path parameters and query strings', async () => {
    const result = await fuzz((op) => !hasBody(op) && !isPublic(op), runs(12));
    console.log(`fuzzed ${result.operations} operations without a body, ${node.stats.sent} requests so far; failures: ${result.failures.length}`);
    expect(result.failures).toEqual([]);
  }, 600_000);

  test('public operations: fuzzed path parameters and query strings (each request a client of its own)', async () => {
    const result = await fuzz((op) => !hasBody(op) && isPublic(op), runs(25));
    console.log(
      `fuzzed ${result.operations} public operations, ${node.stats.sent} requests in all; failures: ${result.failures.length}; answers by status: ${JSON.stringify(node.stats.statuses)}`,
    );
    expect(result.failures).toEqual([]);
  }, 600_000);
});
