// Forward trace for an auditor (DESIGN 7): where did this lot go? The node's own
// shipment records, then the same question to every customer that runs a node,
// with the auditor's own token (the customer accepts it only when the token's
// issuer owns the GTIN), up to MAX_TRACE_DEPTH hops; the answers are merged.
import type { NodeContext } from '../context';

export const MAX_TRACE_DEPTH = 5;
const DOWNSTREAM_TIMEOUT_MS = 10_000;

export interface ForwardShipment {
  shipmentId: number;
  shippedAt: string;
  /** The seq of the shipping event in the shipping node's ledger. */
  ledgerSeq: number | null;
  customer: { name: string; participant: string | null };
  quantity: number;
  units: string[];
}

export interface ForwardNode {
  participant: string;
  name: string;
  depth: number;
  shipments: ForwardShipment[];
}

export interface Unreachable {
  participant: string;
  name: string;
  depth: number;
  /** `depth-limit`, `no-endpoint`, `no-forwardable-token`, `unreachable`, or `http-<status>:<problem slug>`. */
  reason: string;
  detail?: string;
}

export interface ForwardTrace {
  gtin: string;
  lot: string;
  nodes: ForwardNode[];
  unreachable: Unreachable[];
}

export interface ForwardTraceOptions {
  gtin: string;
  lot: string;
  depth: number;
  /** The bearer token to ask downstream nodes with; undefined: they are not asked. */
  token?: string;
}

export async function forwardTrace(ctx: Pick<NodeContext, 'sql' | 'participant' | 'config' | 'directory'>, options: ForwardTraceOptions): Promise<ForwardTrace> {
  const { gtin, lot, depth } = options;
  const rows = await ctx.sql<
    { id: string; shipped_at: Date; ledger_seq: string | null; name: string; participant: string | null; serial: string | null; quantity: number }[]
  >`
    select s.id, s.shipped_at, s.ledger_seq, p.name, p.participant, l.serial, l.quantity
    from shipment_lines l
    join shipments s on s.id = l.shipment_id
    join partners p on p.id = s.customer_id
    where l.gtin = ${gtin} and l.lot = ${lot}
    order by s.shipped_at, s.id, l.id`;
  const byShipment = new Map<number, ForwardShipment>();
  for (const row of rows) {
    const id = Number(row.id);
    let shipment = byShipment.get(id);
    if (!shipment) {
      shipment = {
        shipmentId: id,
        shippedAt: new Date(row.shipped_at).toISOString(),
        ledgerSeq: row.ledger_seq === null ? null : Number(row.ledger_seq),
        customer: { name: row.name, participant: row.participant },
        quantity: 0,
        units: [],
      };
      byShipment.set(id, shipment);
    }
    shipment.quantity += row.quantity;
    if (row.serial !== null) shipment.units.push(row.serial);
  }
  const shipments = [...byShipment.values()];
  const trace: ForwardTrace = {
    gtin,
    lot,
    nodes: [{ participant: ctx.participant, name: ctx.config.participantName, depth, shipments }],
    unreachable: [],
  };

  const downstream = new Map<string, string>();
  for (const shipment of shipments) {
    const { participant, name } = shipment.customer;
    if (participant && participant !== ctx.participant && !downstream.has(participant)) downstream.set(participant, name);
  }
  const answers = await Promise.all(
    [...downstream].map(async ([participant, name]) => askDownstream(ctx, participant, name, options)),
  );
  const seen = new Set([ctx.participant]);
  for (const answer of answers) {
    if ('reason' in answer) {
      trace.unreachable.push(answer);
      continue;
    }
    for (const node of answer.nodes) {
      if (seen.has(node.participant)) continue;
      seen.add(node.participant);
      trace.nodes.push(node);
    }
    trace.unreachable.push(...answer.unreachable);
  }
  return trace;
}

async function askDownstream(
  ctx: Pick<NodeContext, 'directory'>,
  participant: string,
  name: string,
  options: ForwardTraceOptions,
): Promise<ForwardTrace | Unreachable> {
  const depth = options.depth + 1;
  const out = (reason: string, detail?: string): Unreachable => ({ participant, name, depth, reason, ...(detail ? { detail } : {}) });
  if (depth > MAX_TRACE_DEPTH) return out('depth-limit', `the trace stops after ${MAX_TRACE_DEPTH} hops`);
  if (!options.token) return out('no-forwardable-token', 'a staff token is valid only at its own node; ask with an auditor token of the GTIN owner');
  let endpoint: string;
  try {
    const peer = await ctx.directory.get(participant);
    endpoint = peer.endpoint;
    if (peer.status !== 'active') return out('unreachable', `the participant is ${peer.status} in the registry`);
  } catch (error) {
    return out('unreachable', `registry: ${(error as Error).message}`);
  }
  if (!endpoint) return out('no-endpoint', 'the registry names no endpoint for this participant');
  const query = new URLSearchParams({ gtin: options.gtin, lot: options.lot, depth: String(depth) });
  let res: Response;
  try {
    res = await fetch(`${endpoint}/audit/v1/trace/forward?${query}`, {
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(DOWNSTREAM_TIMEOUT_MS),
    });
  } catch (error) {
    return out('unreachable', (error as Error).message);
  }
  const body = (await res.json().catch(() => null)) as (ForwardTrace & { type?: string; detail?: string }) | null;
  if (res.status !== 200 || !body || !Array.isArray(body.nodes)) {
    const slug = typeof body?.type === 'string' ? body.type.replace(/^.*\//, '') : 'unexpected-answer';
    return out(`http-${res.status}:${slug}`, typeof body?.detail === 'string' ? body.detail : undefined);
  }
  return { gtin: options.gtin, lot: options.lot, nodes: body.nodes, unreachable: Array.isArray(body.unreachable) ? body.unreachable : [] };
}
