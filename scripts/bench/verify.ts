// (b') Proof verification side by side: the SDK's verifyInclusion (RFC 6962 /
// RFC 9162), @openzeppelin/merkle-tree and merkletreejs, each with its
// defaults, on one thread: the same random 32-byte leaves, proofs of the same
// sampled indices, each library verifying proofs of its own tree (they hash
// differently, so their roots and proofs differ). Only the verification is
// timed; every proof must verify, or the run stops.
import { randomInt } from 'node:crypto';
import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import { MerkleTree as MerkleTreeJs } from 'merkletreejs';
import { MerkleTree, verifyInclusion } from '../../sdk';
import { type BenchResult, fmt, log, timeRuns } from './measure';
import { nodeSha256, randomLeaves } from './tree';

interface Verifier {
  name: string;
  note: string;
  /** Builds the library's tree and the proofs of `indices` (not timed); returns the verification of them all. */
  prepare(leaves: Uint8Array[], buffers: Buffer[], indices: number[]): () => number;
}

const VERIFIERS: Verifier[] = [
  {
    name: 'SDK verifyInclusion, native SHA-256',
    note: 'RFC 6962 leaf/node prefixes, sides from index and size, hex siblings',
    prepare: (leaves, _buffers, indices) => {
      const tree = MerkleTree.fromLeafHashes(leaves);
      const root = tree.root;
      const cases = indices.map((i) => ({ leaf: tree.leaf(i), proof: tree.proof(i) }));
      return () => {
        let ok = 0;
        // It returns nothing and throws a coded error on a bad proof.
        for (const c of cases) {
          verifyInclusion(c.leaf, c.proof, root);
          ok++;
        }
        return ok;
      };
    },
  },
  {
    name: '@openzeppelin/merkle-tree SimpleMerkleTree.verify',
    note: 'defaults: keccak256, sorted pairs (hashes differ from ours); static verify of hex proofs',
    prepare: (leaves, _buffers, indices) => {
      const tree = SimpleMerkleTree.of(leaves);
      const root = tree.root;
      const cases = indices.map((i) => ({ leaf: leaves[i], proof: tree.getProof(i) }));
      return () => {
        let ok = 0;
        for (const c of cases) if (SimpleMerkleTree.verify(root, c.leaf, c.proof)) ok++;
        return ok;
      };
    },
  },
  {
    name: 'merkletreejs tree.verify, sha256',
    note: 'defaults: no leaf/node separation, unsorted pairs, odd node promoted (hashes differ from ours); native SHA-256',
    prepare: (_leaves, buffers, indices) => {
      const tree = new MerkleTreeJs(buffers, nodeSha256);
      const root = tree.getRoot();
      const cases = indices.map((i) => ({ leaf: buffers[i], proof: tree.getProof(buffers[i], i) }));
      return () => {
        let ok = 0;
        for (const c of cases) if (tree.verify(c.proof, c.leaf, root)) ok++;
        return ok;
      };
    },
  },
];

/** Proofs of `proofCount` sampled leaves of a `treeSize`-leaf tree, verified by each library. */
export async function benchVerify(treeSize: number, proofCount: number): Promise<BenchResult[]> {
  const leaves = randomLeaves(treeSize);
  const buffers = leaves.map((leaf) => Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength));
  const indices = Array.from({ length: proofCount }, () => randomInt(treeSize));
  const results: BenchResult[] = [];
  for (const verifier of VERIFIERS) {
    log(`verify: ${verifier.name}: building the ${fmt(treeSize)}-leaf tree and ${fmt(proofCount)} proofs…`);
    const verifyAll = verifier.prepare(leaves, buffers, indices);
    log(`verify: ${verifier.name}: verifying…`);
    let verified = 0;
    // A slow library is timed once (its figure is already far from the others').
    const { medianMs, samplesMs } = await timeRuns(() => (verified = verifyAll()), { runs: 5, slowMs: 3000 });
    if (verified !== proofCount) throw new Error(`verify: ${verifier.name} accepted ${verified} of ${proofCount} valid proofs`);
    const perS = proofCount / (medianMs / 1000);
    results.push({
      group: 'verify',
      name: `${verifier.name}, ${fmt(treeSize)}-leaf tree`,
      value: perS,
      unit: 'proofs/s',
      note: `${verifier.note}; same leaves and indices for all; ${fmt(proofCount)} proofs, 1 thread, ${samplesMs.length === 1 ? '1 run' : `median of ${samplesMs.length}`}, ${fmt(medianMs)} ms`,
      detail: { treeSize, proofCount, medianMs, samplesMs },
    });
  }
  return results;
}
