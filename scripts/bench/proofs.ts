// (b) Offline proof verification: the SDK's verifyInclusion (RFC 9162 2.1.3.2)
// on proofs of random leaves of a 100,000-leaf tree, as an auditor checks them.
import { randomInt } from 'node:crypto';
import { MerkleTree, type InclusionProof, verifyInclusion } from '../../sdk';
import { NATIVE_HASH } from '../../node/ledger/nativeHash';
import { type BenchResult, fmt, log, timeRuns } from './measure';
import { randomLeaves } from './tree';

export const VERIFY_TARGET_PROOFS_PER_S = 50_000;

export async function benchProofs(treeSize: number, proofCount: number): Promise<BenchResult[]> {
  log(`proofs: building a ${fmt(treeSize)}-leaf tree and ${fmt(proofCount)} proofs of random leaves…`);
  const tree = MerkleTree.fromLeafHashes(randomLeaves(treeSize), NATIVE_HASH);
  const cases: { leaf: Uint8Array; proof: InclusionProof }[] = [];
  for (let i = 0; i < proofCount; i++) {
    const index = randomInt(treeSize);
    cases.push({ leaf: tree.leaf(index), proof: tree.proof(index) });
  }
  const root = tree.root;
  const results: BenchResult[] = [];
  const variants = [
    { name: 'SDK verifyInclusion, native SHA-256', note: 'as the node and a Node.js auditor run it', opts: NATIVE_HASH },
    { name: 'SDK verifyInclusion, @noble/hashes', note: 'the SDK default, as in a browser', opts: undefined },
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
    results.push({
      group: 'proofs',
      name: `${variant.name}, ${fmt(treeSize)}-leaf tree`,
      value: perS,
      unit: 'proofs/s',
      target: `>= ${fmt(VERIFY_TARGET_PROOFS_PER_S)}`,
      meets: perS >= VERIFY_TARGET_PROOFS_PER_S,
      note: `${variant.note}; ${fmt(proofCount)} proofs of ${cases[0].proof.siblings.length} siblings, median of ${samplesMs.length}`,
      detail: { treeSize, proofCount, medianMs, samplesMs },
    });
  }
  return results;
}
