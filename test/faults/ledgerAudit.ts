// What every fault run checks afterwards, counted rather than asserted so the
// run can print its counts before it asserts them:
// - lost: acknowledged writes whose business row or ledger event is missing;
// - gaps: seqs missing from 1..head, broken `prev` links, a head row off the last event;
// - duplicates: batches on chain overlapping earlier ones, transactions beyond one per batch,
//   the same tagged write recorded twice;
// - halfWritten: business rows without their event, events without their row, lots whose
//   serials or unit set disagree with the lot;
// - unverified: events whose proof bundle from the node fails the SDK's verifyBundle.
import { Contract, getAddress } from 'ethers';
import { ANCHOR_LOG_ABI, createVerificationCache, verifyBundle } from '../../sdk';
import type { Sql } from '../../node/db';
import type { TestChain, TestNode } from '../support';
import { waitFor } from '../support';
import { chainBatches, type ChainBatchView } from '../chain/chainAudit';
import type { Ack } from './load';
import type { FaultDatabase } from './setup';

export interface LedgerCounts {
  events: number;
  batches: number;
  lost: number;
  gaps: number;
  duplicates: number;
  halfWritten: number;
  unanchored: number;
  /** Anchor transactions that reverted, and intents that did not end mined. */
  reverted: number;
  unminedIntents: number;
  /** Batches in the node's database that differ from the chain's. */
  batchMismatches: number;
  /** Writes of the load that were saved though their client got no answer (cut off by the fault): not a loss, shown for the record. */
  savedUnanswered: number;
}

export interface LedgerFindings {
  counts: LedgerCounts;
  /** The first few problems, in words, for assertion messages. */
  details: string[];
}

// The names startLoad gives its writes (tag, client, number).
const LOAD_MARKER = /^[A-Z0-9]{1,4}C\d+N\d+$/;

/** The last anchored seq of `participant` on chain. */
export async function chainLastAnchored(chain: TestChain, participant: string): Promise<number> {
  const anchorLog = new Contract(chain.deployment.anchorLog, ANCHOR_LOG_ABI, chain.provider);
  const count = Number(await anchorLog.batchCount(getAddress(participant)));
  if (count === 0) return 0;
  const [, , to] = await anchorLog.getBatch(getAddress(participant), count - 1);
  return Number(to);
}

/** The node's ledger head, from its /metrics (works whichever database it runs on). */
export async function nodeLedgerHead(node: TestNode): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const match = /^medtrace_ledger_head_seq(?:\{[^}]*\})? (\d+)/m.exec(text);
  if (!match) throw new Error('no medtrace_ledger_head_seq in /metrics');
  return Number(match[1]);
}

/** Waits until the chain holds every event the node has recorded; returns the head. */
export async function waitAllAnchored(node: TestNode, chain: TestChain, participant: string, timeoutMs = 180_000): Promise<number> {
  let seen = { head: 0, anchored: 0 };
  try {
    return await waitFor(
      async () => {
        seen = { head: await nodeLedgerHead(node), anchored: await chainLastAnchored(chain, participant) };
        return seen.head > 0 && seen.anchored === seen.head ? seen.head : undefined;
      },
      timeoutMs,
      'every recorded event to be anchored',
    );
  } catch (error) {
    const worker = node
      .output()
      .split('\n')
      .filter((line) => /anchor|leader|lock/i.test(line) && !/"msg":"request"/.test(line))
      .slice(-40)
      .join('\n');
    throw new Error(`${(error as Error).message}: ledger head ${seen.head}, anchored ${seen.anchored}; the node's anchoring log:\n${worker}`);
  }
}

/**
 * Fetches the proof bundle of every event 1..head from the node and verifies it with the
 * SDK against the chain (pinned chain id and AnchorLog). Returns the failures.
 */
export async function verifyEveryEvent(node: TestNode, chain: TestChain, head: number, concurrency = 4): Promise<{ verified: number; failures: string[] }> {
  const cache = createVerificationCache();
  const expect = { chainId: chain.deployment.chainId, anchorLog: chain.deployment.anchorLog };
  const failures: string[] = [];
  let verified = 0;
  let next = 1;
  const worker = async () => {
    for (let seq = next++; seq <= head; seq = next++) {
      try {
        const res = await node.request(`/audit/v1/events/${seq}`);
        if (res.status !== 200) throw new Error(`HTTP ${res.status} ${await res.text()}`);
        const { bundle } = (await res.json()) as { bundle: unknown };
        const result = await verifyBundle(bundle, { provider: chain.provider, cache, expect });
        if (result.seq !== seq) throw new Error(`bundle of seq ${result.seq}`);
        verified++;
      } catch (error) {
        failures.push(`seq ${seq}: ${(error as Error).message.slice(0, 300)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { verified, failures };
}

/** auditLedger on a fault run's database, opened for it and closed after (embedded: no node may be running). */
export async function auditFaultDatabase(db: FaultDatabase, chain: TestChain, participant: string, acks: readonly Ack[]): Promise<LedgerFindings> {
  const database = await db.open();
  try {
    return await auditLedger(database.sql, chain, participant, acks);
  } finally {
    await database.close();
  }
}

/** Everything but the bundles: database and chain, after the run, with no node writing. */
export async function auditLedger(sql: Sql, chain: TestChain, participant: string, acks: readonly Ack[]): Promise<LedgerFindings> {
  const details: string[] = [];
  const note = (text: string) => {
    if (details.length < 30) details.push(text);
  };
  const counts: LedgerCounts = {
    events: 0,
    batches: 0,
    lost: 0,
    gaps: 0,
    duplicates: 0,
    halfWritten: 0,
    unanchored: 0,
    reverted: 0,
    unminedIntents: 0,
    batchMismatches: 0,
    savedUnanswered: 0,
  };

  // The ledger: seq 1..head without a hole, each event chained to the one before.
  const events = await sql<{ seq: number; leaf: string; prev: string; biz_step: string | null }[]>`
    select seq, leaf, prev, envelope -> 'event' ->> 'bizStep' as biz_step
    from ledger_events where participant = ${participant} order by seq`;
  counts.events = events.length;
  const bySeq = new Map(events.map((event) => [Number(event.seq), event]));
  const head = events.length === 0 ? 0 : Number(events[events.length - 1].seq);
  for (let seq = 1; seq <= head; seq++) {
    const event = bySeq.get(seq);
    if (!event) {
      counts.gaps++;
      note(`no event at seq ${seq}`);
      continue;
    }
    const before = bySeq.get(seq - 1);
    const prev = seq === 1 ? '0x' + '0'.repeat(64) : before?.leaf;
    if (prev !== undefined && event.prev !== prev) {
      counts.gaps++;
      note(`event ${seq} does not chain to event ${seq - 1}`);
    }
  }
  const [headRow] = await sql<{ seq: number }[]>`select seq from ledger_heads where participant = ${participant}`;
  if (Number(headRow?.seq ?? 0) !== head) {
    counts.gaps++;
    note(`ledger head row says ${headRow?.seq}, the last event is ${head}`);
  }

  // Every acknowledged write is there, once, with its event.
  const inspections = await sql<{ id: number; method: string; ledger_seq: number }[]>`select id, method, ledger_seq from inspections`;
  const inspectionById = new Map(inspections.map((row) => [Number(row.id), row]));
  const lots = await sql<{ gtin: string; lot: string; unit_count: number; commissioning_seq: number | null }[]>`
    select gtin, lot, unit_count, commissioning_seq from lots`;
  const lotByKey = new Map(lots.map((row) => [`${row.gtin}/${row.lot}`, row]));
  for (const ack of acks) {
    const event = bySeq.get(ack.seq);
    if (ack.kind === 'inspection') {
      const row = inspectionById.get(ack.id);
      if (!row || row.method !== ack.marker || Number(row.ledger_seq) !== ack.seq || event?.biz_step !== 'inspecting') {
        counts.lost++;
        note(`acknowledged inspection ${ack.marker} (id ${ack.id}, seq ${ack.seq}) is missing or altered`);
      }
    } else {
      const row = lotByKey.get(`${ack.gtin}/${ack.lot}`);
      if (!row || Number(row.commissioning_seq) !== ack.seq || row.unit_count !== ack.units || event?.biz_step !== 'commissioning') {
        counts.lost++;
        note(`acknowledged lot ${ack.lot} (seq ${ack.seq}) is missing or altered`);
      }
    }
  }
  const ackedInspections = new Set(acks.flatMap((ack) => (ack.kind === 'inspection' ? [ack.id] : [])));
  const ackedLots = new Set(acks.flatMap((ack) => (ack.kind === 'lot' ? [`${ack.gtin}/${ack.lot}`] : [])));
  counts.savedUnanswered =
    inspections.filter((row) => !ackedInspections.has(Number(row.id))).length +
    lots.filter((row) => LOAD_MARKER.test(row.lot) && !ackedLots.has(`${row.gtin}/${row.lot}`)).length;
  const markerTwice = await sql<{ method: string; n: number }[]>`select method, count(*)::int as n from inspections group by method having count(*) > 1`;
  for (const row of markerTwice) {
    counts.duplicates += row.n - 1;
    note(`inspection ${row.method} recorded ${row.n} times`);
  }

  // No half-written change: rows and events pair up one to one, by seq and kind.
  const rowKindBySeq = new Map<number, string>();
  for (const row of inspections) rowKindBySeq.set(Number(row.ledger_seq), 'inspecting');
  for (const row of lots) if (row.commissioning_seq !== null) rowKindBySeq.set(Number(row.commissioning_seq), 'commissioning');
  for (const event of events) {
    if (event.biz_step !== 'inspecting' && event.biz_step !== 'commissioning') continue;
    if (rowKindBySeq.get(Number(event.seq)) !== event.biz_step) {
      counts.halfWritten++;
      note(`${event.biz_step} event ${event.seq} has no business row`);
    }
  }
  for (const [seq, kind] of rowKindBySeq) {
    if (bySeq.get(seq)?.biz_step !== kind) {
      counts.halfWritten++;
      note(`${kind} row at seq ${seq} has no matching event`);
    }
  }
  const unitMismatch = await sql<{ gtin: string; lot: string; unit_count: number; units: number; set_count: number | null }[]>`
    select l.gtin, l.lot, l.unit_count, coalesce(u.n, 0)::int as units, s.count as set_count
    from lots l
    left join (select gtin, lot, count(*) as n from units group by gtin, lot) u on u.gtin = l.gtin and u.lot = l.lot
    left join ledger_unit_sets s on s.participant = ${participant} and s.seq = l.commissioning_seq and s.field = 'epcList'
    where coalesce(u.n, 0) <> l.unit_count or s.count is distinct from l.unit_count`;
  for (const row of unitMismatch) {
    counts.halfWritten++;
    note(`lot ${row.lot}: unit_count ${row.unit_count}, ${row.units} unit rows, unit set of ${row.set_count}`);
  }

  // The chain: batches in order, none overlapping, ending at the head; one successful transaction each.
  const batches = await chainBatches(chain, participant);
  counts.batches = batches.length;
  let covered = 0;
  for (const batch of batches) {
    if (batch.from <= covered) {
      counts.duplicates++;
      note(`batch ${batch.batch} (${batch.from}..${batch.to}) anchors seqs already anchored`);
    } else if (batch.from !== covered + 1) {
      counts.gaps++;
      note(`batch ${batch.batch} starts at ${batch.from}, after ${covered}`);
    }
    covered = Math.max(covered, batch.to);
  }
  counts.unanchored = Math.max(0, head - covered);
  if (covered > head) {
    counts.gaps++;
    note(`the chain has seqs up to ${covered} anchored, the ledger ends at ${head}`);
  }
  const sent = await chain.provider.getTransactionCount(getAddress(participant));
  counts.duplicates += Math.max(0, sent - batches.length);
  counts.reverted = await revertedTransactions(chain, participant);
  if (sent !== batches.length) note(`${sent} anchor transactions sent for ${batches.length} batches (${counts.reverted} reverted)`);

  // The node's own record agrees with the chain, and every anchor intent ended mined.
  const recorded = await sql<ChainBatchView[]>`
    select batch, root, from_seq as "from", to_seq as "to" from anchor_batches where participant = ${participant} order by batch`;
  const same = (a: ChainBatchView, b: ChainBatchView) => a.batch === b.batch && a.root === b.root && a.from === b.from && a.to === b.to;
  counts.batchMismatches = Math.abs(recorded.length - batches.length) + batches.filter((b, i) => recorded[i] && !same(b, recorded[i])).length;
  const intents = await sql<{ state: string; n: number }[]>`select state, count(*)::int as n from anchor_intents group by state`;
  counts.unminedIntents = intents.filter((row) => row.state !== 'mined').reduce((sum, row) => sum + row.n, 0);
  if (counts.unminedIntents > 0) note(`anchor intents: ${JSON.stringify(intents)}`);
  return { counts, details };
}

async function revertedTransactions(chain: TestChain, participant: string): Promise<number> {
  const address = getAddress(participant);
  const head = await chain.provider.getBlockNumber();
  let reverted = 0;
  for (let n = chain.deployment.deployBlock; n <= head; n++) {
    const block = await chain.provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (getAddress(tx.from) !== address) continue;
      const receipt = await chain.provider.getTransactionReceipt(tx.hash);
      if (receipt?.status !== 1) reverted++;
    }
  }
  return reverted;
}
