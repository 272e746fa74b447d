// A worker thread of the proof-verification benchmark: verifies the proofs it is
// given with the SDK when told to start, and reports how many it checked.
import { parentPort, workerData } from 'node:worker_threads';
import { type InclusionProof, verifyInclusion } from '../../sdk';

interface Job {
  root: Uint8Array;
  cases: { leaf: Uint8Array; proof: InclusionProof }[];
}

const job = workerData as Job;
parentPort!.on('message', (message: string) => {
  if (message !== 'go') return;
  for (const c of job.cases) verifyInclusion(c.leaf, c.proof, job.root);
  parentPort!.postMessage(job.cases.length);
});
parentPort!.postMessage('ready');
