// The anchoring worker (DESIGN 4.5): closes batches of unanchored ledger events
// on size or age and anchors their Merkle root with AnchorLog.anchor(root, to).
//
// Exactly once, whatever the crash point: the worker signs the transaction
// with an explicit nonce and stores it (an "intent") before broadcasting it.
// On every round a pending intent is settled first: mined → recorded; not
// mined and its nonce unused → the very same bytes are rebroadcast (same hash),
// so a second anchor for the same range can never be signed. The chain is the
// source of truth for the last anchored `to`; batches on chain but missing in
// the database are recovered from getBatch + the Anchored log.
import { Transaction } from 'ethers';
import { fromHex, merkleRoot, toHex } from '../../sdk';
import type { ChainClient } from '../chain/client';
import { anchoredInReceipt, findAnchoredEvent, getBatch, lastAnchoredTo } from '../chain/anchorLog';
import type { AnchoredEvent } from '../chain/anchorLog';
import { feeOverrides } from '../chain/transactions';
import type { Database } from '../db';
import type { Logger } from '../http/logger';
import * as store from './anchorStore';
import { injectFault } from './faults';
import { AnchorLeadership } from './leadership';

export interface AnchorWorkerContext {
  db: Database;
  chain: ChainClient;
  /** Lowercase 0x address; defaults to the chain wallet's. */
  participant?: string;
  log?: Logger;
}

export interface AnchorWorkerOptions {
  /** Close a batch at this many events (ANCHOR_BATCH_SIZE, default 1,000). */
  batchSize?: number;
  /** Or when its oldest event is this old (ANCHOR_MAX_AGE_MS, default 5,000). */
  maxAgeMs?: number;
  /** Pause between rounds (ANCHOR_POLL_MS, default 250). */
  pollMs?: number;
  /** MEDTRACE_FAULT, tests only. */
  fault?: string;
  /** Start the polling loop (default true); false: call runOnce() yourself. */
  autoStart?: boolean;
  /** How long to wait for a receipt before leaving the intent for the next round (default 60 s). */
  receiptTimeoutMs?: number;
}

export type AnchorRoundResult =
  | { kind: 'not-leader' }
  | { kind: 'idle'; lastAnchored: number; head: number }
  | { kind: 'waiting'; lastAnchored: number; head: number }
  | { kind: 'anchored'; batch: number; from: number; to: number; txHash: string }
  | { kind: 'intent-unresolved'; txHash: string };

export interface AnchorWorkerStatus {
  leader: boolean;
  lastAnchoredSeq: number;
  headSeq: number;
  pendingEvents: number;
  lastError?: string;
}

export interface AnchorWorker {
  /** One round: settle a pending intent, recover missing batches, anchor at most one new batch. */
  runOnce(): Promise<AnchorRoundResult>;
  status(): AnchorWorkerStatus;
  stop(): Promise<void>;
}

const DEFAULTS = { batchSize: 1000, maxAgeMs: 5000, pollMs: 250, receiptTimeoutMs: 60_000 };

export function startAnchorWorker(ctx: AnchorWorkerContext, options: AnchorWorkerOptions = {}): AnchorWorker {
  const opts = { ...DEFAULTS, ...stripUndefined(options) };
  const { db, chain } = ctx;
  const sql = db.sql;
  const participant = (ctx.participant ?? chain.address).toLowerCase();
  const log = ctx.log?.child({ component: 'anchor-worker' });
  const anchorLog = chain.contracts.anchorLog;
  const leadership = new AnchorLeadership(db, participant, log);
  const state: AnchorWorkerStatus = { leader: false, lastAnchoredSeq: 0, headSeq: 0, pendingEvents: 0 };
  let running: Promise<AnchorRoundResult> | null = null;
  let stopped = false;
  let wake: (() => void) | null = null;

  async function round(): Promise<AnchorRoundResult> {
    state.leader = await leadership.acquire();
    if (!state.leader) return { kind: 'not-leader' };

    const intent = await store.pendingIntent(sql, participant);
    if (intent && !(await settleIntent(intent)).resolved) return { kind: 'intent-unresolved', txHash: intent.txHash };

    const { count, lastTo } = await lastAnchoredTo(anchorLog, participant);
    await recoverMissingBatches(count);
    const head = await store.headSeq(sql, participant);
    Object.assign(state, { lastAnchoredSeq: lastTo, headSeq: head, pendingEvents: Math.max(0, head - lastTo) });
    if (head < lastTo) {
      throw new Error(`the chain has ${participant} anchored up to seq ${lastTo} but the local ledger ends at ${head}`);
    }
    if (head === lastTo) return { kind: 'idle', lastAnchored: lastTo, head };
    const from = lastTo + 1;
    if (head - lastTo < opts.batchSize) {
      const age = await store.eventAgeMs(sql, participant, from);
      if (age !== null && age < opts.maxAgeMs) return { kind: 'waiting', lastAnchored: lastTo, head };
    }
    const to = Math.min(head, lastTo + opts.batchSize);
    return anchorRange(from, to);
  }

  async function anchorRange(from: number, to: number): Promise<AnchorRoundResult> {
    const leaves = await store.leavesInRange(sql, participant, from, to);
    const root = toHex(merkleRoot(leaves.map((leaf) => fromHex(leaf, 32, 'leaf'))));
    injectFault('anchor:after-build', opts.fault);

    const wallet = chain.wallet;
    const data = anchorLog.interface.encodeFunctionData('anchor', [root, to]);
    const request = { to: chain.deployment.anchorLog, data, from: wallet.address, chainId: chain.chainId };
    // The estimate doubles as a preflight: a transaction that would revert is never sent.
    const estimate = await chain.provider.estimateGas(request);
    const nonce = await chain.provider.getTransactionCount(wallet.address, 'pending');
    const populated = await wallet.populateTransaction({
      ...request,
      ...(await feeOverrides(chain.provider)),
      nonce,
      gasLimit: (estimate * 125n) / 100n + 20_000n,
    });
    const rawTx = await wallet.signTransaction(populated);
    const txHash = Transaction.from(rawTx).hash!.toLowerCase();
    const intentId = await store.insertIntent(sql, {
      participant,
      fromAddress: wallet.address.toLowerCase(),
      toAddress: chain.deployment.anchorLog.toLowerCase(),
      fromSeq: from,
      toSeq: to,
      root,
      txHash,
      rawTx,
      nonce,
    });
    log?.info('anchor intent stored', { from, to, root, txHash, nonce });
    injectFault('anchor:after-intent', opts.fault);
    if (!(await broadcast(rawTx))) return { kind: 'intent-unresolved', txHash };
    injectFault('anchor:after-send', opts.fault);

    const settled = await settleIntent({ id: intentId, fromSeq: from, toSeq: to, root, txHash, rawTx, nonce }, false);
    if (!settled.anchored) return { kind: 'intent-unresolved', txHash };
    return { kind: 'anchored', batch: settled.anchored.batch, from, to, txHash };
  }

  /**
   * Brings a pending intent to an end: resolved when it is mined and recorded, reverted
   * or dropped; not resolved while it is still in flight (tried again next round).
   */
  async function settleIntent(
    intent: store.AnchorIntent,
    rebroadcast = true,
  ): Promise<{ resolved: boolean; anchored?: AnchoredEvent }> {
    let receipt = await chain.provider.getTransactionReceipt(intent.txHash);
    if (!receipt && rebroadcast) {
      const latestNonce = await chain.provider.getTransactionCount(chain.wallet.address, 'latest');
      // Mined between the two reads? Then the nonce was used by our own transaction.
      if (latestNonce > intent.nonce) receipt = await chain.provider.getTransactionReceipt(intent.txHash);
    }
    if (!receipt && rebroadcast) {
      const latestNonce = await chain.provider.getTransactionCount(chain.wallet.address, 'latest');
      if (latestNonce > intent.nonce) {
        // Our nonce was used by another transaction and ours is not mined: it can never be.
        log?.warn('anchor intent dropped: its nonce was used by another transaction', { txHash: intent.txHash });
        await store.resolveIntent(sql, intent.id, 'dropped');
        return { resolved: true };
      }
      const { lastTo } = await lastAnchoredTo(anchorLog, participant);
      if (lastTo !== intent.fromSeq - 1) {
        log?.warn('anchor intent dropped: the chain moved past it', { txHash: intent.txHash, lastTo, from: intent.fromSeq });
        await store.resolveIntent(sql, intent.id, 'dropped');
        return { resolved: true };
      }
      log?.info('rebroadcasting stored anchor transaction', { txHash: intent.txHash, from: intent.fromSeq, to: intent.toSeq });
      if (!(await broadcast(intent.rawTx))) return { resolved: false };
    }
    if (!receipt) receipt = await chain.provider.waitForTransaction(intent.txHash, 1, opts.receiptTimeoutMs).catch(() => null);
    if (!receipt) return { resolved: false };
    injectFault('anchor:after-mined', opts.fault);
    if (receipt.status !== 1) {
      log?.error('anchor transaction reverted', { txHash: intent.txHash, from: intent.fromSeq, to: intent.toSeq });
      await store.resolveIntent(sql, intent.id, 'reverted');
      return { resolved: true };
    }
    const [anchored] = anchoredInReceipt(anchorLog, participant, receipt);
    if (!anchored) throw new Error(`anchor transaction ${intent.txHash} emitted no Anchored event for ${participant}`);
    const onChain = await getBatch(anchorLog, participant, anchored.batch);
    await store.recordBatch(sql, participant, { ...toRecord(anchored), anchoredAt: onChain.anchoredAt }, intent.id);
    state.lastAnchoredSeq = anchored.to;
    state.pendingEvents = Math.max(0, state.headSeq - anchored.to);
    log?.info('batch anchored', { batch: anchored.batch, from: anchored.from, to: anchored.to, txHash: anchored.txHash });
    return { resolved: true, anchored };
  }

  /** Sends a signed transaction; false when the node refused it for a reason other than already having it. */
  async function broadcast(rawTx: string): Promise<boolean> {
    try {
      await chain.provider.broadcastTransaction(rawTx);
      return true;
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      // Already known or already mined: the receipt lookup settles it.
      if (code === 'NONCE_EXPIRED' || /already known|known transaction|already imported/i.test(message ?? '')) return true;
      log?.warn('the chain refused the anchor transaction; it stays stored and is retried', { error });
      return false;
    }
  }

  async function recoverMissingBatches(count: number): Promise<void> {
    for (const batch of await store.missingBatches(sql, participant, count)) {
      const onChain = await getBatch(anchorLog, participant, batch);
      const event = await findAnchoredEvent(anchorLog, participant, batch, chain.deployment.deployBlock);
      if (!event) throw new Error(`batch ${batch} of ${participant} is on chain but its Anchored event was not found`);
      let rootMatches = false;
      try {
        const leaves = await store.leavesInRange(sql, participant, onChain.from, onChain.to);
        rootMatches = toHex(merkleRoot(leaves.map((leaf) => fromHex(leaf, 32, 'leaf')))) === onChain.root;
      } catch {
        rootMatches = false;
      }
      if (!rootMatches) {
        log?.error('ANCHORED ROOT MISMATCH: a batch on chain does not match the local ledger', {
          batch,
          from: onChain.from,
          to: onChain.to,
          root: onChain.root,
        });
      }
      await store.recordBatch(sql, participant, { ...toRecord(event), anchoredAt: onChain.anchoredAt, rootMatches });
      log?.info('batch recovered from chain', { batch, from: onChain.from, to: onChain.to, txHash: event.txHash });
    }
  }

  function runOnce(): Promise<AnchorRoundResult> {
    // Rounds never overlap, whether from the loop or a caller.
    const next = (running ?? Promise.resolve()).catch(() => undefined).then(round);
    running = next;
    return next.then(
      (result) => {
        delete state.lastError;
        return result;
      },
      (error: unknown) => {
        state.lastError = (error as Error).message;
        throw error;
      },
    );
  }

  async function loop(): Promise<void> {
    let lastLogged = '';
    while (!stopped) {
      let result: AnchorRoundResult | null = null;
      try {
        result = await runOnce();
        lastLogged = '';
      } catch (error) {
        const message = (error as Error).message;
        // Log a persistent failure once, not every poll.
        if (message !== lastLogged) log?.error('anchoring round failed', { error });
        lastLogged = message;
      }
      if (stopped) break;
      // A full batch was just anchored: more may be waiting, go again at once.
      if (result?.kind === 'anchored' && state.pendingEvents > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  const looping = options.autoStart === false ? Promise.resolve() : loop();

  return {
    runOnce,
    status: () => ({ ...state }),
    async stop() {
      stopped = true;
      wake?.();
      // A round still waiting for a receipt is left behind after 5 s: its intent is
      // stored and gets settled by whichever worker runs next.
      const settled = looping.then(() => running?.catch(() => undefined));
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      await leadership.release();
    },
  };
}

function toRecord(event: AnchoredEvent): Omit<store.BatchRecord, 'anchoredAt'> {
  return {
    batch: event.batch,
    fromSeq: event.from,
    toSeq: event.to,
    root: event.root,
    txHash: event.txHash,
    blockNumber: event.blockNumber,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
