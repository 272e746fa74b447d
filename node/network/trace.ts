// Trace (DESIGN 7). Backward — where did this unit come from — is local: the
// pedigree received with the goods (pedigreeOf) plus this node's own events
// about the unit and its lot, every bundle verified against the chain (through
// the shared verification cache) and listed as hops in time order. Forward —
// where did this lot go — walks this node's own shipment records.
import { MedtraceError, parseGs1, unitUri, type ProofBundle } from '../../sdk';
import type { NodeContext } from '../context';
import type { Sql } from '../db';
import { ProblemError } from '../http/problem';
import { buildBundle, BundleError } from '../ledger/bundles';
import { mergeBundles, pedigreeOf } from './evidence';
import { createEvidenceVerifier } from './verify';

export interface TraceHop {
  participant: string;
  name: string;
  role: string;
  bizStep: string;
  disposition: string | null;
  eventTime: string;
  seq: number;
  batch: number | null;
  blockNumber: number | null;
  verified: boolean;
  /** Why the hop is not verified: the SDK's code (`proof-failed:ROOT_NOT_ON_CHAIN`) or `not-anchored`. */
  failure?: string;
}

export interface UnitTrace {
  unit: { gtin: string; lot: string; serial: string };
  /** Every hop verified, and at least one hop. */
  verified: boolean;
  hops: TraceHop[];
  bundles: ProofBundle[];
}

type TraceContext = Pick<NodeContext, 'sql' | 'chain' | 'directory' | 'participant'>;

// Own anchored bundles never change: kept per chain connection (seq + disclosed unit),
// so a warm trace does not rebuild unit-set trees.
const ownBundles = new WeakMap<object, Map<string, ProofBundle>>();
const OWN_BUNDLE_CACHE_SIZE = 10_000;

function bundleCacheOf(ctx: TraceContext): Map<string, ProofBundle> {
  let cache = ownBundles.get(ctx.chain);
  if (!cache) {
    cache = new Map();
    ownBundles.set(ctx.chain, cache);
  }
  return cache;
}

/** The bundle of own event `seq` disclosing `uri` when the event names it; null while not anchored. */
async function ownBundle(ctx: TraceContext, seq: number, uri: string): Promise<ProofBundle | null> {
  const cache = bundleCacheOf(ctx);
  const key = `${seq}\u0000${uri}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let bundle: ProofBundle | null;
  try {
    bundle = await buildBundle(ctx.sql, ctx.chain, seq, uri);
  } catch (error) {
    if (!(error instanceof BundleError) || error.kind !== 'unit-not-in-event') throw error;
    bundle = await buildBundle(ctx.sql, ctx.chain, seq);
  }
  if (bundle) {
    cache.set(key, bundle);
    if (cache.size > OWN_BUNDLE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return bundle;
}

/** This node's ledger seqs about a unit: its lot's commissioning, status changes, inspections, and every stock move of the unit or of the whole lot. */
async function ownSeqs(sql: Sql, participant: string, unit: { gtin: string; lot: string; serial: string }): Promise<number[]> {
  const rows = await sql<{ seq: string }[]>`
    select commissioning_seq as seq from lots where gtin = ${unit.gtin} and lot = ${unit.lot} and commissioning_seq is not null
    union select ledger_seq from lot_status_changes where gtin = ${unit.gtin} and lot = ${unit.lot}
    union select ledger_seq from inspections where gtin = ${unit.gtin} and lot = ${unit.lot}
    union select ledger_seq from stock_moves
      where gtin = ${unit.gtin} and lot = ${unit.lot} and (serial = ${unit.serial} or serial is null) and ledger_seq is not null`;
  const seqs = rows.map((row) => Number(row.seq));
  if (seqs.length === 0) return [];
  // Only events of this participant's ledger (the business tables hold own seqs only).
  const present = await sql<{ seq: string }[]>`
    select seq from ledger_events where participant = ${participant} and seq = any(${seqs}::bigint[]) order by seq`;
  return present.map((row) => Number(row.seq));
}

/** The unit a UDI names: GTIN and serial from the code, the lot from the local units or a notice line (404 when neither knows it). */
async function resolveUnit(sql: Sql, udi: string): Promise<{ gtin: string; lot: string; serial: string }> {
  const data = parseGs1(udi.trim());
  if (data.serial === undefined) {
    throw new ProblemError(422, 'udi-serial-missing', 'Serial missing', `a unit is traced by its UDI with a serial (AI 21); ${udi} names none`, { field: 'udi' });
  }
  // The unit must be known here: a unit row, or a line of a notice naming it.
  const [known] = await sql<{ lot: string }[]>`
    select lot from units where gtin = ${data.gtin} and serial = ${data.serial}
    union all
    (select lot from inbound_notice_lines where gtin = ${data.gtin} and serial = ${data.serial} order by notice_id desc limit 1)
    limit 1`;
  if (!known) {
    throw new ProblemError(404, 'unit-unknown', 'Unknown unit', `unit ${data.serial} of GTIN ${data.gtin} is not known here`, { field: 'udi' });
  }
  if (data.lot !== undefined && data.lot !== known.lot) {
    throw new ProblemError(409, 'udi-wrong-lot', 'Wrong lot', `the UDI says lot ${data.lot} but unit ${data.serial} of GTIN ${data.gtin} is of lot ${known.lot}`, { field: 'udi', lot: known.lot });
  }
  return { gtin: data.gtin, lot: known.lot, serial: data.serial };
}

function failureOf(error: unknown): string {
  if (error instanceof MedtraceError) return `proof-failed:${error.code}`;
  throw error;
}

/** The backward trace of one unit (see the module comment). 404 `unit-unknown` when nothing here concerns it. */
export async function traceUnit(ctx: TraceContext, udi: string): Promise<UnitTrace> {
  const unit = await resolveUnit(ctx.sql, udi);
  const uri = unitUri(unit.gtin, unit.serial);
  const participant = ctx.participant.toLowerCase();
  const [pedigree, seqs] = await Promise.all([pedigreeOf(ctx.sql, unit), ownSeqs(ctx.sql, participant, unit)]);
  if (pedigree.length === 0 && seqs.length === 0) {
    throw new ProblemError(404, 'unit-unknown', 'Unknown unit', `no event here or in received evidence concerns unit ${unit.serial} of GTIN ${unit.gtin}`, {
      field: 'udi',
    });
  }
  const own = await Promise.all(seqs.map(async (seq) => ({ seq, bundle: await ownBundle(ctx, seq, uri) })));
  const bundles = mergeBundles([...pedigree, ...own.flatMap((o) => (o.bundle ? [o.bundle] : []))]);

  const verifier = createEvidenceVerifier(ctx.chain);
  const hops: (TraceHop & { order: number })[] = [];
  await Promise.all(
    bundles.map(async (bundle, order) => {
      const { envelope, anchor } = bundle;
      const event = envelope.event;
      let failure: string | undefined;
      try {
        await verifier.verify(bundle);
      } catch (error) {
        failure = failureOf(error);
      }
      const info = await ctx.directory.get(envelope.participant);
      hops.push({
        order,
        participant: envelope.participant,
        name: info.name,
        role: info.role,
        bizStep: String(event.bizStep ?? ''),
        disposition: typeof event.disposition === 'string' ? event.disposition : null,
        eventTime: String(event.eventTime ?? ''),
        seq: envelope.seq,
        batch: anchor.batch,
        blockNumber: anchor.blockNumber,
        verified: failure === undefined,
        ...(failure === undefined ? {} : { failure }),
      });
    }),
  );
  // Own events not anchored yet: listed, not verified.
  const pending = own.filter((o) => o.bundle === null).map((o) => o.seq);
  if (pending.length > 0) {
    const self = await ctx.directory.get(participant);
    const rows = await ctx.sql<{ seq: string; event: Record<string, unknown> }[]>`
      select seq, envelope -> 'event' as event from ledger_events where participant = ${participant} and seq = any(${pending}::bigint[])`;
    for (const row of rows) {
      hops.push({
        order: bundles.length + Number(row.seq),
        participant,
        name: self.name,
        role: self.role,
        bizStep: String(row.event.bizStep ?? ''),
        disposition: typeof row.event.disposition === 'string' ? row.event.disposition : null,
        eventTime: String(row.event.eventTime ?? ''),
        seq: Number(row.seq),
        batch: null,
        blockNumber: null,
        verified: false,
        failure: 'not-anchored',
      });
    }
  }
  hops.sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime) || a.order - b.order);
  return {
    unit,
    verified: hops.length > 0 && hops.every((hop) => hop.verified),
    hops: hops.map(({ order: _order, ...hop }) => hop),
    bundles,
  };
}

export interface LotShipment {
  shipmentId: number;
  orderId: number;
  customer: { id: number; code: string; name: string; participant: string | null };
  shippedAt: string;
  ledgerSeq: number | null;
  quantity: number;
  /** Serials shipped (serialised goods); empty for lot-controlled goods. */
  serials: string[];
}

export interface LotTrace {
  gtin: string;
  lot: string;
  shipments: LotShipment[];
  totals: { shipped: number; shipments: number; customers: number };
}

/** The forward trace of a lot from this node's shipment records, oldest shipment first. */
export async function traceLot(sql: Sql, gtin: string, lot: string): Promise<LotTrace> {
  const rows = await sql<
    {
      shipment_id: string;
      order_id: string;
      customer_id: string;
      code: string;
      name: string;
      participant: string | null;
      shipped_at: Date;
      ledger_seq: string | null;
      quantity: number;
      serials: string[];
    }[]
  >`
    select s.id as shipment_id, s.order_id, s.customer_id, p.code, p.name, p.participant, s.shipped_at, s.ledger_seq,
           sum(sl.quantity)::int as quantity,
           coalesce(array_agg(sl.serial order by sl.serial) filter (where sl.serial is not null), '{}') as serials
    from shipment_lines sl join shipments s on s.id = sl.shipment_id join partners p on p.id = s.customer_id
    where sl.gtin = ${gtin} and sl.lot = ${lot}
    group by s.id, p.id
    order by s.shipped_at, s.id`;
  const shipments = rows.map((row) => ({
    shipmentId: Number(row.shipment_id),
    orderId: Number(row.order_id),
    customer: { id: Number(row.customer_id), code: row.code, name: row.name, participant: row.participant },
    shippedAt: row.shipped_at.toISOString(),
    ledgerSeq: row.ledger_seq === null ? null : Number(row.ledger_seq),
    quantity: row.quantity,
    serials: row.serials,
  }));
  return {
    gtin,
    lot,
    shipments,
    totals: {
      shipped: shipments.reduce((sum, s) => sum + s.quantity, 0),
      shipments: shipments.length,
      customers: new Set(shipments.map((s) => s.customer.id)).size,
    },
  };
}
