// (a) Building the anchoring tree: the SDK's RFC 6962 merkleRoot with Node's
// native SHA-256 plugged in, beside @openzeppelin/merkle-tree and merkletreejs
// (each with its defaults) over the same random 32-byte leaves in the same run.
import { createHash, randomBytes } from 'node:crypto';
import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import { MerkleTree as MerkleTreeJs } from 'merkletreejs';
import { merkleRoot, nobleSha256 } from '../../sdk';
import { type BenchResult, fmt, log, timeRuns } from './measure';

export const TREE_TARGET_LEAVES_PER_S = 200_000;

/** `n` random 32-byte leaf hashes (views into one buffer). */
export function randomLeaves(n: number): Uint8Array[] {
  const all = randomBytes(32 * n);
  const leaves = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) leaves[i] = new Uint8Array(all.buffer, all.byteOffset + 32 * i, 32);
  return leaves;
}

// merkletreejs' README hashes with Node's crypto; its options are left at their defaults.
export function nodeSha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

interface Contender {
  name: string;
  note: string;
  /** Our own implementation: the row measured against the target. */
  ours: boolean;
  /** Largest tree it is run on unless `full` (OpenZeppelin's takes minutes on 1,000,000 leaves). */
  maxLeaves?: number;
  build(leaves: Uint8Array[], buffers: Buffer[]): unknown;
}

const CONTENDERS: Contender[] = [
  {
    name: 'SDK merkleRoot, native SHA-256',
    note: 'RFC 6962, what the anchoring worker runs',
    ours: true,
    build: (leaves) => merkleRoot(leaves),
  },
  {
    name: 'SDK merkleRoot, @noble/hashes',
    note: 'RFC 6962, pure-JS SHA-256 as in a browser (slower under tsx than in a browser)',
    ours: false,
    maxLeaves: 100_000,
    build: (leaves) => merkleRoot(leaves, { sha256: nobleSha256 }),
  },
  {
    name: '@openzeppelin/merkle-tree SimpleMerkleTree.of',
    note: 'defaults: keccak256, sorted leaves, validates the tree',
    ours: false,
    maxLeaves: 100_000,
    build: (leaves) => SimpleMerkleTree.of(leaves).root,
  },
  {
    name: 'merkletreejs new MerkleTree(leaves, sha256)',
    note: 'defaults (no leaf/node separation), native SHA-256',
    ours: false,
    build: (_leaves, buffers) => new MerkleTreeJs(buffers, nodeSha256).getRoot(),
  },
];

/** Tree builds per contender and size; `full` also runs the slow libraries on the biggest trees. */
export async function benchTree(sizes: number[], options: { full?: boolean } = {}): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const size of sizes) {
    const leaves = randomLeaves(size);
    const buffers = leaves.map((leaf) => Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength));
    const runs = size <= 100_000 ? 5 : 3;
    for (const contender of CONTENDERS) {
      if (!options.full && contender.maxLeaves !== undefined && size > contender.maxLeaves) {
        log(`tree: ${contender.name} skipped on ${fmt(size)} leaves (run with --full to include it)`);
        continue;
      }
      log(`tree: ${contender.name} on ${fmt(size)} leaves…`);
      const { medianMs, samplesMs } = await timeRuns(() => contender.build(leaves, buffers), { runs, slowMs: 2000 });
      const leavesPerS = size / (medianMs / 1000);
      results.push({
        group: 'tree',
        name: `${contender.name}, ${fmt(size)} leaves`,
        value: leavesPerS,
        unit: 'leaves/s',
        ...(contender.ours ? { target: `>= ${fmt(TREE_TARGET_LEAVES_PER_S)}`, meets: leavesPerS >= TREE_TARGET_LEAVES_PER_S } : {}),
        note: `${contender.note}; ${samplesMs.length === 1 ? '1 run' : `median of ${samplesMs.length}`}, ${fmt(medianMs)} ms`,
        detail: { leaves: size, medianMs, samplesMs },
      });
    }
  }
  return results;
}
