// The ledger and its anchors (#/ledger): this participant's events in seq order
// and the batches anchored on the chain, each with its transaction; any anchored
// event's proof bundle verified in this browser on demand, and the batch roots
// compared with the AnchorLog from here. Read with readAudit (admin) through
// /audit/v1, the same routes an auditor's token opens.
import { Contract } from 'ethers';
import { ANCHOR_LOG_ABI } from '../../../sdk';
import { h, replace } from '../../lib/dom';
import type { ConsoleContext, View } from '../types';
import { chainOf, verifyHere } from './net/browserCheck';
import { badge, sdkCodeText, shortHex, txCell } from './net/format';
import { netMessages } from './net/messages';
import { pager } from './net/pager';
import './net/net.css';

interface LedgerEntry {
  seq: number;
  leaf: string;
  prev: string;
  recordedAt: string;
  event: Record<string, unknown>;
  batch: number | null;
}

interface AnchorBatch {
  batch: number;
  from: number;
  to: number;
  root: string;
  txHash: string;
  blockNumber: number;
  anchoredAt: string;
  rootMatches: boolean;
}

export const ledgerView: View = {
  id: 'ledger',
  title: 'ledger.title',
  roles: ['admin'],
  messages: {
    en: {
      ...netMessages.en,
      'ledger.title': 'Ledger & anchors',
      'ledger.intro': 'The events of this participant, hash-linked in seq order, and the batches whose Merkle roots are anchored on chain {chainId} (AnchorLog {anchorLog}).',
      'ledger.anchors': 'Anchored batches',
      'ledger.events': 'Events',
      'ledger.col.batch': 'Batch',
      'ledger.col.events': 'Events',
      'ledger.col.root': 'Merkle root',
      'ledger.col.tx': 'Transaction',
      'ledger.col.anchoredAt': 'Anchored',
      'ledger.col.nodeCheck': 'Node: root matches',
      'ledger.col.chainCheck': 'Chain, read in this browser',
      'ledger.col.seq': 'Seq',
      'ledger.col.time': 'Event time',
      'ledger.col.step': 'Business step',
      'ledger.col.what': 'What',
      'ledger.col.leaf': 'Leaf hash',
      'ledger.col.verify': 'Proof',
      'ledger.range': '{from}–{to}',
      'ledger.units': '{n} units',
      'ledger.lot': 'lot {lot}',
      'ledger.quantity': '{n} of lot {lot}',
      'ledger.pending': 'not anchored yet',
      'ledger.inBatch': 'batch {batch}',
      'ledger.verify': 'Verify in this browser',
      'ledger.verifySeq': 'Verify event {seq} in this browser',
      'ledger.checkRoots': 'Compare the roots with the chain in this browser',
      'ledger.rootOk': 'root on chain matches',
      'ledger.rootBad': 'the chain holds {root} for events {from}–{to}',
      'ledger.rootMissing': 'not on the chain',
    },
    zh: {
      ...netMessages.zh,
      'ledger.title': '账本与锚定',
      'ledger.intro': '本参与方的事件按序号以哈希相连；各批次的 Merkle 根锚定在链 {chainId}（AnchorLog {anchorLog}）上。',
      'ledger.anchors': '已锚定的批次',
      'ledger.events': '事件',
      'ledger.col.batch': '批次',
      'ledger.col.events': '事件',
      'ledger.col.root': 'Merkle 根',
      'ledger.col.tx': '交易',
      'ledger.col.anchoredAt': '锚定时间',
      'ledger.col.nodeCheck': '节点：根一致',
      'ledger.col.chainCheck': '链上（在本浏览器读取）',
      'ledger.col.seq': '序号',
      'ledger.col.time': '事件时间',
      'ledger.col.step': '业务步骤',
      'ledger.col.what': '内容',
      'ledger.col.leaf': '叶哈希',
      'ledger.col.verify': '证明',
      'ledger.range': '{from}–{to}',
      'ledger.units': '{n} 件',
      'ledger.lot': '批次 {lot}',
      'ledger.quantity': '批次 {lot} 共 {n}',
      'ledger.pending': '尚未锚定',
      'ledger.inBatch': '批次 {batch}',
      'ledger.verify': '在本浏览器验证',
      'ledger.verifySeq': '在本浏览器验证事件 {seq}',
      'ledger.checkRoots': '在本浏览器将根与链上比对',
      'ledger.rootOk': '链上的根一致',
      'ledger.rootBad': '链上事件 {from}–{to} 的根为 {root}',
      'ledger.rootMissing': '链上没有',
    },
  },
  async render(root, ctx) {
    root.classList.add('net');
    const { t } = ctx;
    const anchors = pager<AnchorBatch>(ctx, {
      caption: t('ledger.anchors'),
      testid: 'anchors',
      head: [t('ledger.col.batch'), t('ledger.col.events'), t('ledger.col.root'), t('ledger.col.tx'), t('ledger.col.anchoredAt'), t('ledger.col.nodeCheck'), t('ledger.col.chainCheck')],
      load: (cursor) => ctx.api.get('/audit/v1/anchors', { cursor, limit: 50 }),
      row: (b) => anchorRow(ctx, b),
    });
    const events = pager<LedgerEntry>(ctx, {
      caption: t('ledger.events'),
      testid: 'ledger-events',
      head: [t('ledger.col.seq'), t('ledger.col.time'), t('ledger.col.step'), t('ledger.col.what'), t('ledger.col.batch'), t('ledger.col.leaf'), t('ledger.col.verify')],
      load: (cursor) => ctx.api.get('/audit/v1/events', { cursor, limit: 50 }),
      row: (e) => eventRow(ctx, e),
    });
    const checkRoots = h('button', { type: 'button', class: 'secondary', 'data-testid': 'check-roots' }, t('ledger.checkRoots'));
    checkRoots.addEventListener('click', async () => {
      checkRoots.disabled = true;
      try {
        await compareRoots(ctx, anchors.element);
      } catch (err) {
        ctx.showError(err);
      } finally {
        checkRoots.disabled = false;
      }
    });
    root.append(
      h('p', { class: 'muted' }, t('ledger.intro', { chainId: ctx.network.chainId, anchorLog: ctx.network.contracts.anchorLog })),
      h('h2', null, t('ledger.anchors')),
      h('div', { class: 'row no-print' }, checkRoots),
      anchors.element,
      h('h2', null, t('ledger.events')),
      events.element,
    );
    await Promise.all([anchors.ready, events.ready]);
  },
};

function anchorRow(ctx: ConsoleContext, b: AnchorBatch): HTMLElement {
  const { t, i18n } = ctx;
  return h(
    'tr',
    { 'data-batch': b.batch, 'data-root': b.root, 'data-from': b.from, 'data-to': b.to },
    h('td', null, String(b.batch)),
    h('td', null, t('ledger.range', { from: b.from, to: b.to })),
    h('td', null, shortHex(b.root, 6)),
    h('td', null, txCell(t, ctx.network, b.txHash, b.blockNumber)),
    h('td', null, i18n.date(b.anchoredAt, true)),
    h('td', null, b.rootMatches ? badge('ok', t('common.yes')) : badge('bad', t('common.no'))),
    h('td', { 'data-testid': 'chain-root' }, '—'),
  );
}

/** Every listed batch's root, from and to read from the AnchorLog here and compared with the node's. */
async function compareRoots(ctx: ConsoleContext, table: HTMLElement): Promise<void> {
  const { t } = ctx;
  const anchorLog = new Contract(ctx.network.contracts.anchorLog, ANCHOR_LOG_ABI, chainOf(ctx.network).provider);
  const count = Number(await anchorLog.batchCount(ctx.network.participant));
  const rows = Array.from(table.querySelectorAll<HTMLElement>('tr[data-batch]'));
  await Promise.all(
    rows.map(async (row) => {
      const cell = row.querySelector('[data-testid="chain-root"]')!;
      const batch = Number(row.dataset.batch);
      if (batch >= count) {
        cell.setAttribute('data-result', 'missing');
        return replace(cell, badge('bad', t('ledger.rootMissing')));
      }
      const [root, from, to] = (await anchorLog.getBatch(ctx.network.participant, batch)) as [string, bigint, bigint, bigint];
      const same = root.toLowerCase() === row.dataset.root && Number(from) === Number(row.dataset.from) && Number(to) === Number(row.dataset.to);
      cell.setAttribute('data-result', same ? 'ok' : 'mismatch');
      replace(cell, same ? badge('ok', t('ledger.rootOk')) : badge('bad', t('ledger.rootBad', { root: `${root.slice(0, 10)}…`, from: Number(from), to: Number(to) })));
    }),
  );
}

/** A line on what an event is about: its lot, its unit count, its quantities. */
function eventSubject(ctx: ConsoleContext, event: Record<string, unknown>): string {
  const { t } = ctx;
  const parts: string[] = [];
  const lot = (event['medtrace:lot'] as { lot?: string } | undefined)?.lot;
  if (lot) parts.push(t('ledger.lot', { lot }));
  const epcs = event.epcList as { count?: number } | undefined;
  if (epcs && typeof epcs.count === 'number') parts.push(t('ledger.units', { n: epcs.count }));
  for (const q of (event.quantityList as { epcClass?: string; quantity?: number }[] | undefined) ?? []) {
    const m = /\/10\/([^/?#]+)/.exec(q.epcClass ?? '');
    if (m && typeof q.quantity === 'number') parts.push(t('ledger.quantity', { n: q.quantity, lot: decodeURIComponent(m[1]) }));
  }
  return parts.join(' · ') || '—';
}

function eventRow(ctx: ConsoleContext, e: LedgerEntry): HTMLElement {
  const { t, i18n } = ctx;
  const step = String(e.event.bizStep ?? '').replace(/^urn:medtrace:bizstep:/, '');
  const result = h('div', { 'data-testid': 'event-verification', 'aria-live': 'polite' });
  const verify = h('button', { type: 'button', class: 'secondary', 'aria-label': t('ledger.verifySeq', { seq: e.seq }), disabled: e.batch === null }, t('ledger.verify'));
  verify.addEventListener('click', async () => {
    verify.disabled = true;
    replace(result, h('span', { class: 'muted' }, t('bv.pending')));
    try {
      const { bundle } = await ctx.api.get<{ bundle: unknown }>(`/audit/v1/events/${e.seq}`);
      const verdict = await verifyHere(ctx.network, bundle);
      result.setAttribute('data-result', verdict.ok ? 'ok' : 'failed');
      replace(
        result,
        verdict.ok
          ? badge('ok', t('bv.okDetail', { chainId: ctx.network.chainId, batch: verdict.verified.batch, block: verdict.verified.blockNumber }))
          : badge('bad', t('bv.failed', { reason: sdkCodeText(t, verdict.code) })),
      );
    } catch (err) {
      replace(result);
      ctx.showError(err);
    } finally {
      verify.disabled = false;
    }
  });
  return h(
    'tr',
    { 'data-seq': e.seq },
    h('td', null, String(e.seq)),
    h('td', null, typeof e.event.eventTime === 'string' ? i18n.date(e.event.eventTime, true) : i18n.date(e.recordedAt, true)),
    h('td', null, step),
    h('td', null, eventSubject(ctx, e.event)),
    h('td', null, e.batch === null ? h('span', { class: 'muted' }, t('ledger.pending')) : t('ledger.inBatch', { batch: e.batch })),
    h('td', null, shortHex(e.leaf, 4)),
    h('td', null, verify, result),
  );
}
