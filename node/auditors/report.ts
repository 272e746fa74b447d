// The full-ledger verification report an auditor asks for: every event's leaf
// recomputed from its stored bytes and salt, the prev chain, gapless seqs, the
// unit sets, contiguous batches, every batch root recomputed and compared with
// what AnchorLog holds on chain. Anomalies are listed with their seq or batch;
// nothing is trusted because the node's own tables say so.
import { canonicalize, concatBytes, equalBytes, fromHex, leafHash, merkleRoot, toHex, buildUnitSet, ZERO_HASH } from '../../sdk';
import type { LedgerEnvelope, UnitSetField } from '../../sdk';
import { batchCount, getBatch } from '../chain/anchorLog';
import type { NodeContext } from '../context';

export type AnomalyKind =
  | 'seq-gap'
  | 'envelope-mismatch'
  | 'leaf-mismatch'
  | 'prev-mismatch'
  | 'wrong-participant'
  | 'unit-set-mismatch'
  | 'head-mismatch'
  | 'batch-gap'
  | 'batch-root-mismatch'
  | 'batch-not-on-chain'
  | 'batch-chain-mismatch'
  | 'batch-missing-locally'
  | 'batch-beyond-ledger'
  | 'batch-invalidated';

export interface Anomaly {
  kind: AnomalyKind;
  seq?: number;
  batch?: number;
  detail: string;
}

export interface LedgerReport {
  participant: string;
  chainId: number;
  anchorLog: string;
  generatedAt: string;
  /** True when no anomaly was found. */
  ok: boolean;
  ledger: { events: number; lastSeq: number; anchoredThrough: number; unanchored: number };
  batches: { local: number; onChain: number; verified: number };
  registry: { status: string; invalidFromBatch: number };
  anomalyCount: number;
  /** The first MAX_LISTED anomalies, in the order found. */
  anomalies: Anomaly[];
}

const PAGE = 2_000;
const MAX_LISTED = 1_000;

export async function verifyLedger(ctx: Pick<NodeContext, 'sql' | 'chain' | 'participant' | 'chainId' | 'directory'>): Promise<LedgerReport> {
  const { sql, participant } = ctx;
  const anomalies: Anomaly[] = [];
  let anomalyCount = 0;
  const flag = (anomaly: Anomaly) => {
    anomalyCount++;
    if (anomalies.length < MAX_LISTED) anomalies.push(anomaly);
  };

  // 1. Events, in seq order: leaves recomputed from the stored canonical bytes and salt.
  const leaves: Uint8Array[] = [];
  let expectedSeq = 1;
  let prevLeaf = ZERO_HASH;
  let after = 0;
  let events = 0;
  for (;;) {
    const rows = await sql<{ seq: string; envelope: LedgerEnvelope; canonical: Uint8Array; salt: string; leaf: string; prev: string }[]>`
      select seq, envelope, canonical, salt, leaf, prev from ledger_events
      where participant = ${participant} and seq > ${after} order by seq limit ${PAGE}`;
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      after = seq;
      events++;
      if (seq !== expectedSeq) {
        flag({ kind: 'seq-gap', seq, detail: `seq ${expectedSeq}${seq - 1 > expectedSeq ? `-${seq - 1}` : ''} missing before ${seq}` });
        // Keep leaf positions aligned with seq numbers for the batch roots below.
        while (leaves.length < seq - 1) leaves.push(new Uint8Array(32));
        prevLeaf = '';
      }
      expectedSeq = seq + 1;
      const canonical = new Uint8Array(row.canonical);
      const leaf = leafHash(concatBytes(fromHex(row.salt, 32, 'salt'), canonical));
      leaves.push(leaf);
      const leafHex = toHex(leaf);
      const envelope = row.envelope;
      let stored: Uint8Array | undefined;
      try {
        stored = canonicalize(envelope);
      } catch {
        stored = undefined;
      }
      if (!stored || !equalBytes(stored, canonical)) {
        flag({ kind: 'envelope-mismatch', seq, detail: `the stored envelope of seq ${seq} is not the JSON of the bytes that were hashed` });
      }
      if (envelope.participant !== participant || envelope.chainId !== ctx.chainId || envelope.seq !== seq) {
        flag({ kind: 'wrong-participant', seq, detail: `seq ${seq}: the envelope names participant ${envelope.participant}, chain ${envelope.chainId}, seq ${envelope.seq}` });
      }
      if (leafHex !== row.leaf) flag({ kind: 'leaf-mismatch', seq, detail: `seq ${seq}: stored leaf ${row.leaf}, recomputed ${leafHex}` });
      if (prevLeaf !== '' && (row.prev !== prevLeaf || envelope.prev !== prevLeaf)) {
        flag({ kind: 'prev-mismatch', seq, detail: `seq ${seq}: prev should be the leaf of seq ${seq - 1}, ${prevLeaf}` });
      }
      prevLeaf = leafHex;
    }
  }
  const lastSeq = expectedSeq - 1;

  // 2. The ledger head agrees with the last event.
  const [head] = await sql<{ seq: string; leaf: string }[]>`select seq, leaf from ledger_heads where participant = ${participant}`;
  if (lastSeq > 0 && (!head || Number(head.seq) !== lastSeq || head.leaf !== prevLeaf)) {
    flag({ kind: 'head-mismatch', seq: lastSeq, detail: `the ledger head says seq ${head?.seq ?? 'none'}, the ledger ends at ${lastSeq}` });
  }

  // 3. Unit sets: the stored URIs hash to the root the event carries.
  const sets = await sql<{ seq: string; field: UnitSetField; count: number; root: string; uris: string[]; event_ref: { count: number; root: string } | null }[]>`
    select s.seq, s.field, s.count, s.root, s.uris, e.envelope -> 'event' -> s.field as event_ref
    from ledger_unit_sets s join ledger_events e on e.participant = s.participant and e.seq = s.seq
    where s.participant = ${participant} order by s.seq, s.field`;
  for (const set of sets) {
    const seq = Number(set.seq);
    const built = buildUnitSet(set.uris, { field: set.field });
    if (built.root !== set.root || built.count !== set.count || set.event_ref?.root !== set.root || set.event_ref?.count !== set.count) {
      flag({ kind: 'unit-set-mismatch', seq, detail: `seq ${seq} ${set.field}: the stored units do not hash to the event's unit set root` });
    }
  }

  // 4. Batches: contiguous, each root recomputed and compared with the chain.
  const batches = await sql<{ batch: string; from_seq: string; to_seq: string; root: string }[]>`
    select batch, from_seq, to_seq, root from anchor_batches where participant = ${participant} order by batch`;
  const anchorLog = ctx.chain.contracts.anchorLog;
  const onChain = await batchCount(anchorLog, participant);
  const registry = await ctx.directory.get(participant, { fresh: true });
  let expectedFrom = 1;
  let verified = 0;
  let anchoredThrough = 0;
  for (const [index, row] of batches.entries()) {
    const batch = Number(row.batch);
    const from = Number(row.from_seq);
    const to = Number(row.to_seq);
    if (batch !== index) flag({ kind: 'batch-gap', batch, detail: `batch ${index} is missing locally before batch ${batch}` });
    if (from !== expectedFrom) flag({ kind: 'batch-gap', batch, detail: `batch ${batch} starts at seq ${from}, expected ${expectedFrom}` });
    expectedFrom = to + 1;
    anchoredThrough = Math.max(anchoredThrough, to);
    let problem = false;
    if (to > lastSeq) {
      flag({ kind: 'batch-beyond-ledger', batch, detail: `batch ${batch} covers seq ${from}-${to}, the ledger ends at ${lastSeq}` });
      continue;
    }
    const root = toHex(merkleRoot(leaves.slice(from - 1, to)));
    if (root !== row.root) {
      problem = true;
      flag({ kind: 'batch-root-mismatch', batch, seq: from, detail: `batch ${batch} (seq ${from}-${to}): the ledger's leaves hash to ${root}, the batch records ${row.root}` });
    }
    if (batch >= onChain) {
      problem = true;
      flag({ kind: 'batch-not-on-chain', batch, detail: `batch ${batch} is not on chain (AnchorLog holds ${onChain} batches)` });
    } else {
      const chainBatch = await getBatch(anchorLog, participant, batch);
      if (chainBatch.root !== root || chainBatch.from !== from || chainBatch.to !== to) {
        problem = true;
        flag({
          kind: 'batch-chain-mismatch',
          batch,
          seq: from,
          detail: `batch ${batch}: on chain root ${chainBatch.root} seq ${chainBatch.from}-${chainBatch.to}; the ledger gives ${root} seq ${from}-${to}`,
        });
      }
    }
    if (registry.status === 'revoked' && batch >= registry.invalidFromBatch) {
      problem = true;
      flag({ kind: 'batch-invalidated', batch, detail: `the registry revoked this participant from batch ${registry.invalidFromBatch}` });
    }
    if (!problem) verified++;
  }
  for (let batch = batches.length; batch < onChain; batch++) {
    flag({ kind: 'batch-missing-locally', batch, detail: `AnchorLog holds batch ${batch} of this participant; the node has no record of it` });
  }

  return {
    participant,
    chainId: ctx.chainId,
    anchorLog: ctx.chain.deployment.anchorLog.toLowerCase(),
    generatedAt: new Date().toISOString(),
    ok: anomalyCount === 0,
    ledger: { events, lastSeq, anchoredThrough, unanchored: Math.max(0, lastSeq - anchoredThrough) },
    batches: { local: batches.length, onChain, verified },
    registry: { status: registry.status, invalidFromBatch: registry.invalidFromBatch },
    anomalyCount,
    anomalies,
  };
}
