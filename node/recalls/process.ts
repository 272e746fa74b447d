// What a node does about a recall on the board (DESIGN 7 "Recall in seconds"):
// - mirror it (recall_board), whoever issued it;
// - quarantine the affected stock it holds: every affected lot becomes `recalled`
//   through changeLotStatus (released stock moves back into quarantine; event,
//   history row, audit entry);
// - tell every customer it shipped affected goods to (peer message
//   `recall-notice` → POST /peer/v1/recall-notices);
// - acknowledge with counts to its supplier of the goods (peer message
//   `recall-ack` → POST /peer/v1/recall-acks), relaying the acknowledgements its
//   own customers sent, so the issuer ends up seeing every company.
// Processing is idempotent (the board row is locked; done once); counts are
// recomputed and re-sent whenever a customer's acknowledgement arrives.
//
// Counts per company, in units (serials) or quantity (lot-controlled):
// - located: affected stock the company holds (on hand, allocated, picked, returned);
// - quarantined: the part of it in lots now `recalled`;
// - inField: affected goods it passed on that no node accounts for: units used on
//   patients (consumed), quantities shipped to customers without a node, and
//   quantities shipped to customers with a node that has not acknowledged yet.
// Summed over companies, each unit is counted once: where it is, or by the last
// company that knows where it went.
import { recordAudit } from '../auth/auditTrail';
import type { NodeContext } from '../context';
import type { Sql, Tx } from '../db';
import { ProblemError } from '../http/problem';
import { changeLotStatus } from '../lots/status';
import { enqueuePeerMessage } from '../network/outbox';
import { actionName, readRecall, type BoardRecall, type RecallStatus } from './board';

export const RECALL_ACTOR = 'recall-watcher';
export const RECALL_NOTICE_KIND = 'recall-notice';
export const RECALL_NOTICE_PATH = '/peer/v1/recall-notices';
export const RECALL_ACK_KIND = 'recall-ack';
export const RECALL_ACK_PATH = '/peer/v1/recall-acks';

export type RecallContext = Pick<NodeContext, 'sql' | 'chain' | 'participant' | 'chainId' | 'config' | 'directory' | 'log'>;

/** Where on the chain a recall was published (from its log; read from the board when unknown). */
export interface PublishedAt {
  blockNumber: number;
  txHash?: string;
}

/** Stores a recall seen on the board (no-op when known). */
export async function mirrorRecall(sql: Sql | Tx, recall: BoardRecall, at: PublishedAt): Promise<void> {
  await sql`
    insert into recall_board (chain_recall_id, issuer, gtin, lots, recall_class, action, status, notice_sha256, notice_uri,
                              published_at, published_block, tx_hash, status_updated_at)
    values (${recall.chainRecallId}, ${recall.issuer}, ${recall.gtin}, ${sql.array(recall.lots)}, ${recall.recallClass},
            ${['return', 'correct', 'destroy', 'notice'].indexOf(recall.action) + 1}, ${recall.status}, ${recall.noticeSha256},
            ${recall.noticeUri}, ${recall.publishedAt}, ${at.blockNumber}, ${at.txHash ?? null}, ${recall.updatedAt})
    on conflict (chain_recall_id) do nothing`;
}

/** Records a status change seen on the board. */
export async function mirrorStatus(sql: Sql | Tx, chainRecallId: number, status: RecallStatus): Promise<void> {
  await sql`update recall_board set status = ${status}, status_updated_at = now() where chain_recall_id = ${chainRecallId}`;
  await sql`
    update issued_recalls set status = ${status}, status_changed_at = coalesce(status_changed_at, now())
    where chain_recall_id = ${chainRecallId} and status <> ${status}`;
}

export interface RecallOutcome {
  chainRecallId: number;
  /** False when it had been processed before (nothing done now). */
  processedNow: boolean;
  /** Lots changed to recalled here, with the quantity held and moved. */
  lots: { lot: string; from: string; held: number; moved: number; ledgerSeq: number }[];
  /** Lots already recalled before, or that could not be changed (with the reason). */
  skipped: { lot: string; reason: string }[];
  notified: { target: string; shippedQuantity: number }[];
  ack?: OwnAck;
}

interface BoardRow {
  chain_recall_id: string;
  issuer: string;
  gtin: string;
  lots: string[];
  recall_class: number;
  action: number;
  status: RecallStatus;
  processed_at: Date | null;
  published_at: Date;
}

/**
 * Makes sure recall `chainRecallId` is mirrored and processed: reads it from the board
 * when unknown (a peer message may arrive before the watcher sees the block).
 * Answers undefined when the board has no such recall.
 */
export async function ensureRecallProcessed(ctx: RecallContext, chainRecallId: number): Promise<RecallOutcome | undefined> {
  const [known] = await ctx.sql`select 1 from recall_board where chain_recall_id = ${chainRecallId}`;
  if (!known) {
    const recall = await readRecall(ctx.chain, chainRecallId);
    if (!recall) return undefined;
    await mirrorRecall(ctx.sql, recall, { blockNumber: await blockOfRecall(ctx, chainRecallId) });
  }
  return processRecall(ctx, chainRecallId);
}

// The block a recall was published in, found by its (indexed) id.
async function blockOfRecall(ctx: RecallContext, id: number): Promise<number> {
  const board = ctx.chain.contracts.recallBoard;
  const logs = await board.queryFilter(board.filters.RecallPublished(id), ctx.chain.deployment.deployBlock ?? 0, 'latest').catch(() => []);
  return logs[0]?.blockNumber ?? 0;
}

/** Quarantines the affected stock, notifies customers and acknowledges upstream, once per recall. */
export async function processRecall(ctx: RecallContext, chainRecallId: number): Promise<RecallOutcome> {
  const outcome: RecallOutcome = { chainRecallId, processedNow: false, lots: [], skipped: [], notified: [] };
  await ctx.sql.begin(async (tx) => {
    const [row] = await tx<BoardRow[]>`
      select chain_recall_id, issuer, gtin, lots, recall_class, action, status, processed_at, published_at
      from recall_board where chain_recall_id = ${chainRecallId} for update`;
    if (!row) throw new Error(`recall ${chainRecallId} is not mirrored`);
    if (row.processed_at !== null) return;
    outcome.processedNow = true;
    const reason = `recall #${chainRecallId} published by ${row.issuer}: class ${row.recall_class}, action ${actionName(Number(row.action))}` + (row.lots.length === 0 ? ', all lots' : '');
    const ledger = { participant: ctx.participant, chainId: ctx.chainId, eventTimeZoneOffset: ctx.config.eventTimeZoneOffset };

    // A withdrawn recall (published in error) quarantines nothing.
    const affected =
      row.status === 'withdrawn'
        ? []
        : await tx<{ lot: string; status: string }[]>`
            select lot, status from lots where gtin = ${row.gtin} and (${row.lots.length === 0} or lot = any(${tx.array(row.lots)}))
            order by lot`;
    for (const lot of affected) {
      if (lot.status === 'recalled') {
        outcome.skipped.push({ lot: lot.lot, reason: 'already recalled' });
        continue;
      }
      try {
        // A savepoint per lot: one lot that cannot change does not undo the others.
        const changed = await tx.savepoint((sp) =>
          changeLotStatus(
            { tx: sp as unknown as Tx, actor: RECALL_ACTOR, reason, audit: (entry) => recordAudit(sp, { ...entry, actor: RECALL_ACTOR, reason }) },
            ledger,
            { gtin: row.gtin, lot: lot.lot, action: 'recall', reason },
          ),
        );
        const [held] = await tx<{ n: number }[]>`select ${heldSql(tx, row.gtin, [lot.lot])} as n`;
        outcome.lots.push({ lot: lot.lot, from: changed.from, held: Number(held.n), moved: changed.moved.quantity, ledgerSeq: changed.ledgerSeq });
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        outcome.skipped.push({ lot: lot.lot, reason: `${error.type.split('/').pop()}: ${error.detail}` });
        ctx.log.warn('recall: lot not recalled', { chainRecallId, gtin: row.gtin, lot: lot.lot, error: error.detail });
      }
    }

    // Customers it shipped affected goods to, that run a node.
    const customers = await tx<{ partner_id: string; participant: string; quantity: string }[]>`
      select p.id as partner_id, p.participant, sum(sl.quantity) as quantity
      from shipment_lines sl join shipments s on s.id = sl.shipment_id join partners p on p.id = s.customer_id
      where sl.gtin = ${row.gtin} and (${row.lots.length === 0} or sl.lot = any(${tx.array(row.lots)}))
        and p.participant is not null and p.participant <> ${ctx.participant}
      group by p.id, p.participant order by p.participant`;
    const body = {
      chainRecallId,
      issuer: row.issuer,
      gtin: row.gtin,
      lots: row.lots,
      recallClass: Number(row.recall_class),
      action: actionName(Number(row.action)),
    };
    for (const customer of customers) {
      const shippedQuantity = Number(customer.quantity);
      await tx`
        insert into recall_notifications (chain_recall_id, target, partner_id, shipped_quantity)
        values (${chainRecallId}, ${customer.participant}, ${customer.partner_id}, ${shippedQuantity})
        on conflict do nothing`;
      await enqueuePeerMessage(tx, {
        target: customer.participant,
        kind: RECALL_NOTICE_KIND,
        ref: `${chainRecallId}:${customer.participant}`,
        path: RECALL_NOTICE_PATH,
        body: { ...body, shippedQuantity },
      });
      outcome.notified.push({ target: customer.participant, shippedQuantity });
    }

    await tx`
      update recall_board set processed_at = now(), outcome = ${tx.json({ lots: outcome.lots, skipped: outcome.skipped, notified: outcome.notified } as never)}
      where chain_recall_id = ${chainRecallId}`;
    outcome.ack = await acknowledge(tx, ctx, chainRecallId);
  });
  return outcome;
}

/** This node's acknowledgement of a recall. */
export interface OwnAck {
  chainRecallId: number;
  company: string;
  located: number;
  quarantined: number;
  inField: number;
  acknowledgedAt: string;
  version: number;
  /** The supplier nodes it was sent to (none for the issuer, or a node the recall does not concern). */
  sentTo: string[];
}

export interface AckEntry {
  company: string;
  located: number;
  quarantined: number;
  inField: number;
  /** Of inField: units shipped to customers that run a node and have not acknowledged yet (0 when absent). */
  awaiting?: number;
  acknowledgedAt: string;
  version: number;
}

/** The body of POST /peer/v1/recall-acks. */
export interface RecallAckMessage extends AckEntry {
  chainRecallId: number;
  relayed: AckEntry[];
}

// Held affected stock: units not gone (on hand, allocated, picked, returned) plus lot-controlled quantities.
function heldSql(tx: Tx | Sql, gtin: string, lots: string[], onlyRecalled = false) {
  const allLots = lots.length === 0;
  const recalledOnly = onlyRecalled
    ? tx`and exists (select 1 from lots l where l.gtin = x.gtin and l.lot = x.lot and l.status = 'recalled')`
    : tx``;
  return tx`(
    (select count(*) from units x where x.gtin = ${gtin} and (${allLots} or x.lot = any(${tx.array(lots)}))
       and x.state in ('on_hand', 'allocated', 'picked', 'returned') ${recalledOnly})
    + (select coalesce(sum(x.quantity), 0) from lot_stock x where x.gtin = ${gtin} and (${allLots} or x.lot = any(${tx.array(lots)})) ${recalledOnly})
  )::int`;
}

/** Counts this node's affected goods for a recall (see the top of this file). */
export async function countOwn(tx: Tx | Sql, participant: string, recall: { chainRecallId: number; gtin: string; lots: string[] }) {
  const { gtin, lots, chainRecallId } = recall;
  const allLots = lots.length === 0;
  const [row] = await tx<{ located: number; quarantined: number; consumed: number; unreached: number; awaiting: number; lots_known: number; shipped: number }[]>`
    select ${heldSql(tx, gtin, lots)} as located,
           ${heldSql(tx, gtin, lots, true)} as quarantined,
           (select count(*) from units where gtin = ${gtin} and (${allLots} or lot = any(${tx.array(lots)})) and state = 'consumed')::int as consumed,
           (select coalesce(sum(sl.quantity), 0) from shipment_lines sl
              join shipments s on s.id = sl.shipment_id join partners p on p.id = s.customer_id
            where sl.gtin = ${gtin} and (${allLots} or sl.lot = any(${tx.array(lots)}))
              and (p.participant is null or not exists (
                select 1 from recall_acks a where a.chain_recall_id = ${chainRecallId} and a.company = p.participant)))::int as unreached,
           (select coalesce(sum(sl.quantity), 0) from shipment_lines sl
              join shipments s on s.id = sl.shipment_id join partners p on p.id = s.customer_id
            where sl.gtin = ${gtin} and (${allLots} or sl.lot = any(${tx.array(lots)}))
              and p.participant is not null and not exists (
                select 1 from recall_acks a where a.chain_recall_id = ${chainRecallId} and a.company = p.participant))::int as awaiting,
           (select count(*) from lots where gtin = ${gtin} and (${allLots} or lot = any(${tx.array(lots)})))::int as lots_known,
           (select coalesce(sum(sl.quantity), 0) from shipment_lines sl where sl.gtin = ${gtin} and (${allLots} or sl.lot = any(${tx.array(lots)})))::int as shipped`;
  return {
    located: row.located,
    quarantined: row.quarantined,
    inField: row.consumed + row.unreached,
    /** Of inField: shipped to customers running a node that have not acknowledged yet. */
    awaiting: row.awaiting,
    /** Whether this node ever had any of the recalled goods. */
    concerned: row.lots_known > 0 || row.shipped > 0,
  };
}

// The supplier nodes of the affected lots: the lot's supplier partner, and the senders of inbound notices naming them.
async function suppliersOf(tx: Tx, participant: string, gtin: string, lots: string[]): Promise<string[]> {
  const allLots = lots.length === 0;
  const rows = await tx<{ participant: string }[]>`
    select distinct p.participant from lots l join partners p on p.id = l.supplier_id
    where l.gtin = ${gtin} and (${allLots} or l.lot = any(${tx.array(lots)})) and p.participant is not null and p.participant <> ${participant}`;
  const out = new Set(rows.map((r) => r.participant));
  const [hasNotices] = await tx<{ present: boolean }[]>`select to_regclass('inbound_notice_lines') is not null as present`;
  if (hasNotices.present) {
    const senders = await tx.unsafe<{ sender: string }[]>(
      `select distinct n.sender from inbound_notice_lines l join inbound_notices n on n.id = l.notice_id
       where l.gtin = $1 and ($2 or l.lot = any($3)) and n.sender <> $4`,
      [gtin, allLots, lots, participant],
    );
    for (const s of senders) out.add(s.sender.toLowerCase());
  }
  return [...out].sort();
}

/**
 * Recomputes and stores this node's acknowledgement of a recall it processed, and, unless it
 * issued the recall, queues it (with the acknowledgements of its customers, relayed) to its
 * suppliers of the goods, or to the issuer when no supplier node is known. A node the recall
 * does not concern (never had the goods) acknowledges nothing.
 */
export async function acknowledge(tx: Tx, ctx: Pick<RecallContext, 'participant'>, chainRecallId: number): Promise<OwnAck | undefined> {
  const [row] = await tx<{ issuer: string; gtin: string; lots: string[]; acknowledged_at: Date | null; processed_at: Date | null }[]>`
    select issuer, gtin, lots, acknowledged_at, processed_at from recall_board where chain_recall_id = ${chainRecallId}`;
  if (!row || row.processed_at === null) return undefined;
  const counts = await countOwn(tx, ctx.participant, { chainRecallId, gtin: row.gtin, lots: row.lots });
  const isIssuer = row.issuer === ctx.participant;
  if (!counts.concerned && !isIssuer) return undefined;
  const acknowledgedAt = row.acknowledged_at ?? new Date();
  if (row.acknowledged_at === null) await tx`update recall_board set acknowledged_at = ${acknowledgedAt} where chain_recall_id = ${chainRecallId}`;
  const [{ version }] = await tx<{ version: string }[]>`select nextval('recall_ack_versions') as version`;
  const own: AckEntry = {
    company: ctx.participant,
    located: counts.located,
    quarantined: counts.quarantined,
    inField: counts.inField,
    awaiting: counts.awaiting,
    acknowledgedAt: acknowledgedAt.toISOString(),
    version: Number(version),
  };
  await storeAck(tx, chainRecallId, own, ctx.participant);
  const sentTo: string[] = [];
  if (!isIssuer) {
    const relayed = await tx<{ company: string; located: number; quarantined: number; in_field: number; awaiting: number; acknowledged_at: Date; version: string }[]>`
      select company, located, quarantined, in_field, awaiting, acknowledged_at, version from recall_acks
      where chain_recall_id = ${chainRecallId} and company <> ${ctx.participant} order by company`;
    const message: RecallAckMessage = {
      chainRecallId,
      ...own,
      relayed: relayed.map((r) => ({
        company: r.company,
        located: r.located,
        quarantined: r.quarantined,
        inField: r.in_field,
        awaiting: r.awaiting,
        acknowledgedAt: r.acknowledged_at.toISOString(),
        version: Number(r.version),
      })),
    };
    const suppliers = await suppliersOf(tx, ctx.participant, row.gtin, row.lots);
    const targets = suppliers.length > 0 ? suppliers : [row.issuer];
    for (const target of targets) {
      await enqueuePeerMessage(tx, { target, kind: RECALL_ACK_KIND, ref: `${chainRecallId}:${target}:${own.version}`, path: RECALL_ACK_PATH, body: message });
      sentTo.push(target);
    }
  }
  return { chainRecallId, ...own, sentTo };
}

/** Stores an acknowledgement unless a newer version of that company's is already there. Answers whether it changed anything. */
export async function storeAck(tx: Tx | Sql, chainRecallId: number, entry: AckEntry, reportedBy: string): Promise<boolean> {
  const rows = await tx`
    insert into recall_acks (chain_recall_id, company, reported_by, located, quarantined, in_field, awaiting, acknowledged_at, version)
    values (${chainRecallId}, ${entry.company.toLowerCase()}, ${reportedBy.toLowerCase()}, ${entry.located}, ${entry.quarantined}, ${entry.inField},
            ${entry.awaiting ?? 0}, ${entry.acknowledgedAt}, ${entry.version})
    on conflict (chain_recall_id, company) do update set
      reported_by = excluded.reported_by, located = excluded.located, quarantined = excluded.quarantined, in_field = excluded.in_field,
      awaiting = excluded.awaiting,
      acknowledged_at = least(recall_acks.acknowledged_at, excluded.acknowledged_at), version = excluded.version, received_at = now()
    where excluded.version > recall_acks.version
    returning company`;
  return rows.length > 0;
}

/**
 * An acknowledgement received from customer `sender` (its own, plus those it relays): stored,
 * then this node's own acknowledgement is recomputed (that customer is no longer "in the field")
 * and sent on upstream with the new entries relayed.
 */
export async function receiveAck(ctx: RecallContext, sender: string, message: RecallAckMessage): Promise<{ stored: number; forwarded: string[] }> {
  const processed = await ensureRecallProcessed(ctx, message.chainRecallId);
  if (!processed) throw new ProblemError(404, 'unknown-recall', 'Not found', `the RecallBoard has no recall ${message.chainRecallId}`, { field: 'chainRecallId' });
  return ctx.sql.begin(async (tx) => {
    let stored = 0;
    const self = ctx.participant;
    const direct: AckEntry = { company: sender, located: message.located, quarantined: message.quarantined, inField: message.inField, awaiting: message.awaiting, acknowledgedAt: message.acknowledgedAt, version: message.version };
    if (await storeAck(tx, message.chainRecallId, direct, sender)) stored++;
    for (const entry of message.relayed) {
      const company = entry.company.toLowerCase();
      // Nobody reports for this node or overrides what the sender says of itself.
      if (company === self || company === sender) continue;
      if (await storeAck(tx, message.chainRecallId, { ...entry, company }, sender)) stored++;
    }
    if (stored === 0) return { stored, forwarded: [] };
    const own = await acknowledge(tx, ctx, message.chainRecallId);
    return { stored, forwarded: own?.sentTo ?? [] };
  });
}

/** A recall notice from supplier `sender`: deduplicated, and the recall processed now (the board is the truth, not the message). */
export async function receiveNotice(ctx: RecallContext, sender: string, chainRecallId: number): Promise<{ duplicate: boolean; outcome?: RecallOutcome }> {
  const inserted = await ctx.sql`
    insert into recall_notices_received (chain_recall_id, sender) values (${chainRecallId}, ${sender}) on conflict do nothing returning sender`;
  const outcome = await ensureRecallProcessed(ctx, chainRecallId);
  if (!outcome) {
    await ctx.sql`delete from recall_notices_received where chain_recall_id = ${chainRecallId} and sender = ${sender}`;
    throw new ProblemError(404, 'unknown-recall', 'Not found', `the RecallBoard has no recall ${chainRecallId}`, { field: 'chainRecallId' });
  }
  return { duplicate: inserted.length === 0, outcome };
}
