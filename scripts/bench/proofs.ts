// (b) Offline proof verification: the SDK's verifyInclusion (RFC 9162 2.1.3.2)
// on proofs of random leaves of a 100,000-leaf tree, as an auditor checks them:
// on one thread (native and pure-JS SHA-256), and spread over every core.
import { randomInt } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { type InclusionProof, MerkleTree, nobleSha256, verifyInclusion } from '../../sdk';
import { type BenchResult, fmt, log, timeRuns } from './measure';
import { randomLeaves } from './tree';

export const VERIFY_TARGET_PROOFS_PER_S = 50_000;

type Case = { leaf: Uint8Array; proof: InclusionProof };

/** Wall time for `threads` worker threads to verify `cases` between them (started together once all are loaded). */
async function verifyOnWorkers(cases: Case[], root: Uint8Array, threads: number): Promise<number> {
  // The worker registers tsx's CommonJS hook itself, then loads the TypeScript worker module.
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.join(__dirname, 'proofsWorker.ts'))});`;
  const share = Math.ceil(cases.length / threads);
  const workers = Array.from(
    { length: threads },
    (_, i) => new Worker(bootstrap, { eval: true, workerData: { root, cases: cases.slice(i * share, (i + 1) * share) } }),
  );
  try {
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('error', reject);
      w.once('message', () => resolve());
    })));
    const start = performance.now();
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      w.once('message', () => resolve());
      w.postMessage('go');
    })));
    return performance.now() - start;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export async function benchProofs(treeSize: number, proofCount: number): Promise<BenchResult[]> {
  log(`proofs: building a ${fmt(treeSize)}-leaf tree and ${fmt(proofCount)} proofs of random leaves…`);
  const tree = MerkleTree.fromLeafHashes(randomLeaves(treeSize));
  const cases: Case[] = [];
  for (let i = 0; i < proofCount; i++) {
    const index = randomInt(treeSize);
    cases.push({ leaf: tree.leaf(index), proof: tree.proof(index) });
  }
  const root = tree.root;
  const siblings = cases[0].proof.siblings.length;
  const results: BenchResult[] = [];
  const result = (name: string, perS: number, note: string, detail: Record<string, unknown>): BenchResult => ({
    group: 'proofs',
    name: `${name}, ${fmt(treeSize)}-leaf tree`,
    value: perS,
    unit: 'proofs/s',
    target: `>= ${fmt(VERIFY_TARGET_PROOFS_PER_S)}`,
    meets: perS >= VERIFY_TARGET_PROOFS_PER_S,
    note,
    detail: { treeSize, proofCount, ...detail },
  });

  const variants = [
    { name: 'SDK verifyInclusion, native SHA-256, 1 thread', note: 'as the node and a Node.js auditor run it', opts: undefined },
    { name: 'SDK verifyInclusion, @noble/hashes, 1 thread', note: 'pure-JS SHA-256 as in a browser (slower under tsx)', opts: { sha256: nobleSha256 } },
  ];
  for (const variant of variants) {
    log(`proofs: ${variant.name}…`);
    const { medianMs, samplesMs } = await timeRuns(
      () => {
        for (const c of cases) verifyInclusion(c.leaf, c.proof, root, variant.opts);
      },
      { runs: 5 },
    );
    const perS = proofCount / (medianMs / 1000);
    results.push(result(variant.name, perS, `${variant.note}; ${fmt(proofCount)} proofs of ${siblings} siblings, median of ${samplesMs.length}`, { medianMs, samplesMs }));
  }

  const threads = os.cpus().length;
  log(`proofs: SDK verifyInclusion on ${threads} worker threads…`);
  const samplesMs: number[] = [];
  for (let i = 0; i < 3; i++) samplesMs.push(await verifyOnWorkers(cases, root, threads));
  const medianMs = [...samplesMs].sort((a, b) => a - b)[1];
  results.push(
    result(
      `SDK verifyInclusion, native SHA-256, ${threads} threads`,
      proofCount / (medianMs / 1000),
      `one worker thread per core, the proofs split between them; median of 3`,
      { threads, medianMs, samplesMs: samplesMs.map((ms) => Math.round(ms * 10) / 10) },
    ),
  );
  return results;
}
