// Proof bundles (DESIGN 4.6) for the node's own events: envelope and salt from
// the ledger, the unit proof from the stored sorted URIs, the inclusion proof
// from the anchored batch's leaves. Every bundle is verified (offline) before
// it leaves the node.
import { buildUnitSet, fromHex, inclusionProof, parseGs1, unitProof, unitUri, verifyBundleOffline } from '../../sdk';
import type { BundleUnit, LedgerEnvelope, ProofBundle, UnitSetField } from '../../sdk';
import type { Sql } from '../db';

export type BundleErrorKind = 'unknown-seq' | 'unit-not-in-event' | 'root-mismatch';

export class BundleError extends Error {
  constructor(
    readonly kind: BundleErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** The chain facts a bundle names (a ChainClient fits). */
export interface BundleChain {
  chainId: number;
  address: string;
  deployment: { anchorLog: string };
}

/**
 * The proof bundle of event `seq` of this node's participant, disclosing `unit` (a Digital
 * Link, element string or EPC URI) or each of several units when given; null while the
 * event is not anchored. Throws BundleError for an unknown seq or a unit that is not in the event.
 */
export async function buildBundle(sql: Sql, chain: BundleChain, seq: number, unit?: string | readonly string[]): Promise<ProofBundle | null> {
  const participant = chain.address.toLowerCase();
  const [event] = await sql`select envelope, salt from ledger_events where participant = ${participant} and seq = ${seq}`;
  if (!event) throw new BundleError('unknown-seq', `no event with seq ${seq} in the ledger of ${participant}`);

  const units: BundleUnit[] =
    unit === undefined ? [] : typeof unit === 'string' ? [await proveUnit(sql, participant, seq, unit)] : await proveUnits(sql, participant, seq, unit);

  const [batch] = await sql`
    select batch, from_seq, to_seq, root, tx_hash, block_number, root_matches from anchor_batches
    where participant = ${participant} and from_seq <= ${seq} and to_seq >= ${seq}`;
  if (!batch) return null;
  if (batch.root_matches === false) {
    throw new BundleError('root-mismatch', `batch ${batch.batch} on chain does not match the local ledger; no valid proof exists`);
  }
  const from = Number(batch.from_seq);
  const to = Number(batch.to_seq);
  const leaves = await sql`select leaf from ledger_events where participant = ${participant} and seq between ${from} and ${to} order by seq`;
  const inclusion = inclusionProof(
    leaves.map((row) => fromHex(row.leaf as string, 32, 'leaf')),
    seq - from,
  );

  const bundle: ProofBundle = {
    version: 1,
    envelope: event.envelope as LedgerEnvelope,
    salt: event.salt as string,
    units,
    inclusion,
    anchor: {
      chainId: chain.chainId,
      anchorLog: chain.deployment.anchorLog.toLowerCase(),
      participant,
      batch: Number(batch.batch),
      root: batch.root as string,
      from,
      to,
      txHash: batch.tx_hash as string,
      blockNumber: Number(batch.block_number),
    },
  };
  // Never hand out a bundle our own verifier would refuse.
  verifyBundleOffline(bundle);
  return bundle;
}

/** The EPC URI a unit set stores for a scanned or typed unit identifier. */
export function normaliseUnit(unit: string): string {
  let data;
  try {
    data = parseGs1(unit);
  } catch {
    // Not a GS1 form we parse: look it up as given (an EPC URI of another kind).
    return unit;
  }
  if (!data.serial) throw new BundleError('unit-not-in-event', `${unit} names no serial number, so no single unit`);
  return unitUri(data.gtin, data.serial);
}

async function proveUnit(sql: Sql, participant: string, seq: number, unit: string): Promise<BundleUnit> {
  const uri = normaliseUnit(unit);
  const [set] = await sql`
    select field, root, uris from ledger_unit_sets
    where participant = ${participant} and seq = ${seq} and ${uri} = any(uris)
    order by field limit 1`;
  if (!set) throw new BundleError('unit-not-in-event', `${uri} is not a unit of event ${seq}`);
  const field = set.field as UnitSetField;
  const built = buildUnitSet(set.uris as string[], { field });
  if (built.root !== set.root) throw new Error(`stored unit set ${field} of event ${seq} does not hash to its root`);
  const proof = unitProof(built, uri);
  return { field, uri, proof: proof.proof };
}

/**
 * Proofs for many units of one event: each unit set of the event is rebuilt once (not once
 * per unit). Units are de-duplicated; the proofs come in the order of the URIs' first mention.
 */
async function proveUnits(sql: Sql, participant: string, seq: number, units: readonly string[]): Promise<BundleUnit[]> {
  const uris = [...new Set(units.map(normaliseUnit))];
  if (uris.length === 0) return [];
  const sets = await sql`select field, root, uris from ledger_unit_sets where participant = ${participant} and seq = ${seq} order by field`;
  const built = sets.map((set) => {
    const field = set.field as UnitSetField;
    const unitSet = buildUnitSet(set.uris as string[], { field });
    if (unitSet.root !== set.root) throw new Error(`stored unit set ${field} of event ${seq} does not hash to its root`);
    return { field, unitSet, members: new Set(set.uris as string[]) };
  });
  return uris.map((uri) => {
    const set = built.find((candidate) => candidate.members.has(uri));
    if (!set) throw new BundleError('unit-not-in-event', `${uri} is not a unit of event ${seq}`);
    return { field: set.field, uri, proof: unitProof(set.unitSet, uri).proof };
  });
}
