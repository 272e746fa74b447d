// Shipment notices received from other nodes (#/notices) and one notice
// (#/notices/{id}): each line's pedigree checks as the node ran them, the same
// evidence verified again here in the browser with the SDK, and receiving the
// goods against the notice with dock scans (the result per line).
import { toElementString, type ProofBundle } from '../../../sdk';
import { ApiError, idempotencyKey } from '../../lib/api';
import { h, replace } from '../../lib/dom';
import type { ConsoleContext, View } from '../types';
import { verifyHere, type BrowserVerdict } from './net/browserCheck';
import { badge, partyCell, reasonText, scrollTable, sdkCodeText } from './net/format';
import { netMessages } from './net/messages';
import { pager } from './net/pager';
import './net/net.css';

interface NoticeSummary {
  id: number;
  sender: string;
  senderName: string | null;
  senderShipmentId: number;
  shippedAt: string;
  receivedAt: string;
  status: 'verified' | 'failed';
  checkedAt: string;
  lineCount: number;
  blockedLines: number;
  quantity: number;
}

interface NoticeLine {
  lineNo: number;
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
  expiry: string;
  verdict: 'ok' | 'blocked';
  reason: string | null;
  state: 'expected' | 'received' | 'blocked' | 'resolved';
  receivedQuantity: number;
}

interface NoticeProblem {
  line?: number;
  bundle?: string;
  reason: string;
  detail: string;
}

interface Notice extends NoticeSummary {
  lines: NoticeLine[];
  problems: NoticeProblem[];
  bundleCount: number;
}

interface ReceiptLine {
  lineNo: number;
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
  outcome: 'booked' | 'blocked' | 'not-received' | 'short' | 'already-received';
  reason: string | null;
}

interface Receipt {
  id: number;
  noticeId: number;
  shipmentRef: string;
  closed: boolean;
  ledgerSeq: number | null;
  lines: ReceiptLine[];
  unmatched: { scan: string | null; gtin: string; lot: string | null; serial: string | null; quantity: number; reason: string }[];
  reconciliation: unknown[];
}

/** The node's checks of a line, in the order it runs them (node/network/checkNotice.ts). */
const CHECKS = ['shippingProof', 'shipped', 'recall', 'expiry', 'pedigreeProofs', 'commissioned', 'released', 'custody'] as const;
type Check = (typeof CHECKS)[number];

/** Which check a blocked line failed, from its reason (and the node's detail where one reason fits two checks). */
function failedCheck(reason: string, detail: string): Check | null {
  if (reason.startsWith('proof-failed:')) return /shipping bundle/.test(detail) ? 'shippingProof' : 'pedigreeProofs';
  switch (reason) {
    case 'wrong-sender':
    case 'unit-not-shipped':
      return 'shipped';
    case 'wrong-lot':
    case 'quantity-mismatch':
      return /commission/.test(detail) ? 'commissioned' : 'shipped';
    case 'lot-recalled':
      return 'recall';
    case 'lot-expired':
      return 'expiry';
    case 'no-commissioning-evidence':
      return 'commissioned';
    case 'no-release-evidence':
      return 'released';
    case 'unit-not-received-by-sender':
      return 'custody';
    default:
      return null;
  }
}

/** Serialised lines checked in the browser on opening (more on request). */
const AUTO_CHECK_LINES = 100;
const CHECK_CONCURRENCY = 4;

const RECEIVE_ROLES = ['admin', 'warehouse'];

export const noticesView: View = {
  id: 'notices',
  title: 'notices.title',
  messages: {
    en: {
      ...netMessages.en,
      'notices.title': 'Notices & receipts',
      'notices.intro': 'Shipment notices other nodes sent this node, each line checked against the chain on arrival and again at receipt.',
      'notices.filterStatus': 'Status',
      'notices.status.verified': 'verified',
      'notices.status.failed': 'failed',
      'notices.col.id': 'Notice',
      'notices.col.sender': 'Sender',
      'notices.col.shipment': "Sender's shipment",
      'notices.col.shipped': 'Shipped',
      'notices.col.arrived': 'Arrived',
      'notices.col.lines': 'Lines ok',
      'notices.col.quantity': 'Quantity',
      'notices.col.status': 'Status',
      'notices.linesOk': '{ok} of {total}',
      'notices.back': 'All notices',
      'notices.heading': 'Notice {id} from {sender}',
      'notices.fact.sender': 'Sender',
      'notices.fact.shipment': "Sender's shipment",
      'notices.fact.shipped': 'Shipped',
      'notices.fact.arrived': 'Arrived',
      'notices.fact.checked': 'Checked by the node',
      'notices.fact.bundles': 'Proof bundles carried',
      'notices.fact.quantity': 'Lines and quantity',
      'notices.linesQuantity': '{lines} lines, {quantity} units',
      'notices.node.verified': 'The node verified every line of this notice against the chain.',
      'notices.node.failed': 'The node blocked {blocked} of {total} lines.',
      'notices.lines': 'Lines and their pedigree checks',
      'notices.col.line': 'Line',
      'notices.col.gtin': 'GTIN',
      'notices.col.lot': 'Lot',
      'notices.col.serial': 'Serial',
      'notices.col.qty': 'Qty',
      'notices.col.expiry': 'Expiry',
      'notices.col.state': 'State',
      'notices.col.received': 'Received',
      'notices.state.expected': 'expected',
      'notices.state.received': 'received',
      'notices.state.blocked': 'blocked',
      'notices.state.resolved': 'resolved',
      'notices.checks': 'Checks ({n})',
      'notices.checksPassed': 'All {n} checks passed',
      'notices.check.shippingProof': "The shipping event's proof verifies on the chain",
      'notices.check.shipped': "The shipping event is the sender's and names these goods and quantity",
      'notices.check.recall': 'No open recall of the lot on the chain',
      'notices.check.expiry': 'The lot has not expired',
      'notices.check.pedigreeProofs': 'Every proof about these goods verifies',
      'notices.check.commissioned': 'Commissioned by the GTIN owner (this lot)',
      'notices.check.released': 'The lot was released by its owner',
      'notices.check.custody': 'The sender received the goods from the owner through verified hand-overs (or is the owner)',
      'notices.check.skipped': 'not checked: the node stops at the first failing check',
      'notices.problems': 'Problems the node found',
      'notices.problem.line': 'line {line}',
      'notices.problem.bundle': '{bundle}',
      'notices.bv.heading': 'Checked again in this browser',
      'notices.bv.summary': '{ok} of {total} received units verified in this browser against chain {chainId}; {failed} failed.',
      'notices.bv.nothingYet': 'Nothing received yet: the evidence of each unit is checked here once it is received.',
      'notices.bv.running': 'Verifying the evidence in this browser… {done} of {total} lines',
      'notices.bv.lotLine': 'lot-level line: no unit to trace',
      'notices.bv.notReceived': 'not received yet: checked here once received',
      'notices.bv.proofs': 'verified in this browser ({n} proofs)',
      'notices.bv.more': 'Check all {n} lines in this browser',
      'notices.bv.note': 'The browser fetches the evidence received with each unit from this node and verifies every proof bundle itself with the SDK against chain {chainId} (AnchorLog pinned).',
      'notices.receive': 'Receive the goods (dock scans)',
      'notices.receive.scans': 'Scanned codes, one per line',
      'notices.receive.scansHint': 'Scan each unit label (GS1 DataMatrix or QR, Digital Link or element string); a scanner types the code and a new line.',
      'notices.receive.lotQty': 'Quantity received of lot {lot} (GTIN {gtin})',
      'notices.receive.close': 'The delivery is complete: lines not received become reconciliation items',
      'notices.receive.submit': 'Record the receipt',
      'notices.receive.empty': 'scans: scan at least one unit, or enter a quantity for a lot-level line',
      'notices.receive.qtyInvalid': 'quantity of lot {lot}: must be a whole number from 1',
      'notices.receive.done': 'Receipt {id} recorded: {booked} booked into quarantine.',
      'notices.receipt': 'Receipt {id}, line by line',
      'notices.col.outcome': 'Outcome',
      'notices.col.reason': 'Why',
      'notices.outcome.booked': 'booked into quarantine',
      'notices.outcome.blocked': 'blocked',
      'notices.outcome.not-received': 'not received',
      'notices.outcome.short': 'short',
      'notices.outcome.already-received': 'already received',
      'notices.unmatched': 'Scans the notice does not list',
      'notices.col.scan': 'Scan',
      'notices.reconciliation': '{n} reconciliation items created.',
      'notices.reconciliationLink': 'Open the reconciliation of this shipment',
    },
    zh: {
      ...netMessages.zh,
      'notices.title': '发货通知与收货',
      'notices.intro': '其他节点发给本节点的发货通知，每一行在到达时和收货时都对照区块链检查。',
      'notices.filterStatus': '状态',
      'notices.status.verified': '已验证',
      'notices.status.failed': '未通过',
      'notices.col.id': '通知',
      'notices.col.sender': '发货方',
      'notices.col.shipment': '发货方的发货单',
      'notices.col.shipped': '发货时间',
      'notices.col.arrived': '到达时间',
      'notices.col.lines': '通过的行',
      'notices.col.quantity': '数量',
      'notices.col.status': '状态',
      'notices.linesOk': '{ok} / {total}',
      'notices.back': '全部通知',
      'notices.heading': '来自 {sender} 的通知 {id}',
      'notices.fact.sender': '发货方',
      'notices.fact.shipment': '发货方的发货单',
      'notices.fact.shipped': '发货时间',
      'notices.fact.arrived': '到达时间',
      'notices.fact.checked': '节点检查时间',
      'notices.fact.bundles': '携带的证明包',
      'notices.fact.quantity': '行数与数量',
      'notices.linesQuantity': '{lines} 行，{quantity} 件',
      'notices.node.verified': '节点已对照区块链验证此通知的每一行。',
      'notices.node.failed': '节点拦截了 {total} 行中的 {blocked} 行。',
      'notices.lines': '各行及其谱系检查',
      'notices.col.line': '行',
      'notices.col.gtin': 'GTIN',
      'notices.col.lot': '批次',
      'notices.col.serial': '序列号',
      'notices.col.qty': '数量',
      'notices.col.expiry': '有效期',
      'notices.col.state': '状态',
      'notices.col.received': '已收',
      'notices.state.expected': '待收',
      'notices.state.received': '已收',
      'notices.state.blocked': '已拦截',
      'notices.state.resolved': '已解决',
      'notices.checks': '检查（{n}）',
      'notices.checksPassed': '全部 {n} 项检查通过',
      'notices.check.shippingProof': '发货事件的证明在链上验证通过',
      'notices.check.shipped': '发货事件属于发货方，并列出这些货物和数量',
      'notices.check.recall': '链上没有该批次的未结召回',
      'notices.check.expiry': '批次未过期',
      'notices.check.pedigreeProofs': '关于这些货物的每个证明都验证通过',
      'notices.check.commissioned': '由 GTIN 所有者赋码（本批次）',
      'notices.check.released': '批次已由其所有者放行',
      'notices.check.custody': '发货方通过经验证的交接从所有者处收到货物（或本身就是所有者）',
      'notices.check.skipped': '未检查：节点在第一个失败的检查处停止',
      'notices.problems': '节点发现的问题',
      'notices.problem.line': '第 {line} 行',
      'notices.problem.bundle': '{bundle}',
      'notices.bv.heading': '在本浏览器再次检查',
      'notices.bv.summary': '已收到的 {total} 件中有 {ok} 件已在本浏览器对照链 {chainId} 验证；{failed} 件失败。',
      'notices.bv.nothingYet': '尚未收到货物：每个单件收到后即在此检查其证据。',
      'notices.bv.running': '正在本浏览器验证证据… {done} / {total} 行',
      'notices.bv.lotLine': '批次级行：没有可追溯的单件',
      'notices.bv.notReceived': '尚未收到：收到后在此检查',
      'notices.bv.proofs': '已在本浏览器验证（{n} 个证明）',
      'notices.bv.more': '在本浏览器检查全部 {n} 行',
      'notices.bv.note': '浏览器从本节点取得每个单件随货收到的证据，并用 SDK 自行对照链 {chainId}（固定 AnchorLog）验证每个证明包。',
      'notices.receive': '收货（码头扫描）',
      'notices.receive.scans': '扫描的码，每行一个',
      'notices.receive.scansHint': '扫描每个单件的标签（GS1 DataMatrix 或二维码，Digital Link 或元素串）；扫描枪输入码后换行。',
      'notices.receive.lotQty': '批次 {lot}（GTIN {gtin}）的收货数量',
      'notices.receive.close': '本次到货已完整：未收到的行将成为对账项',
      'notices.receive.submit': '记录收货',
      'notices.receive.empty': '扫描：请至少扫描一个单件，或为批次级行填写数量',
      'notices.receive.qtyInvalid': '批次 {lot} 的数量：必须是不小于 1 的整数',
      'notices.receive.done': '已记录收货 {id}：{booked} 件入待检区。',
      'notices.receipt': '收货 {id}（逐行）',
      'notices.col.outcome': '结果',
      'notices.col.reason': '原因',
      'notices.outcome.booked': '已入待检区',
      'notices.outcome.blocked': '已拦截',
      'notices.outcome.not-received': '未收到',
      'notices.outcome.short': '短缺',
      'notices.outcome.already-received': '此前已收',
      'notices.unmatched': '通知中没有的扫描',
      'notices.col.scan': '扫描',
      'notices.reconciliation': '已创建 {n} 个对账项。',
      'notices.reconciliationLink': '打开此发货单的对账',
    },
  },
  async render(root, ctx, params, query) {
    root.classList.add('net');
    if (params[0]) return renderNotice(root, ctx, params[0]);
    return renderList(root, ctx, query);
  },
};

async function renderList(root: HTMLElement, ctx: ConsoleContext, query: URLSearchParams): Promise<void> {
  const { t, i18n } = ctx;
  const status = query.get('status') ?? '';
  const select = h(
    'select',
    { id: 'notice-status', name: 'status' },
    h('option', { value: '' }, t('filter.all')),
    (['verified', 'failed'] as const).map((s) => h('option', { value: s, selected: s === status }, t(`notices.status.${s}`))),
  );
  const filters = h(
    'form',
    { class: 'filters no-print', role: 'search' },
    h('div', { class: 'row' }, h('div', null, h('label', { for: 'notice-status' }, t('notices.filterStatus')), select), h('button', { type: 'submit' }, t('filter.apply'))),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(select.value ? `/notices?status=${select.value}` : '/notices');
  });
  const list = pager<NoticeSummary>(ctx, {
    caption: t('notices.title'),
    testid: 'notices',
    head: [t('notices.col.id'), t('notices.col.sender'), t('notices.col.shipment'), t('notices.col.shipped'), t('notices.col.arrived'), t('notices.col.lines'), t('notices.col.quantity'), t('notices.col.status')],
    load: (cursor) => ctx.api.get('/api/v1/notices', { status: status || undefined, cursor, limit: 25 }),
    row: (n) =>
      h(
        'tr',
        { 'data-notice': n.id },
        h('td', null, h('a', { href: `#/notices/${n.id}` }, `#${n.id}`)),
        h('td', null, partyCell(n.senderName, n.sender)),
        h('td', null, String(n.senderShipmentId)),
        h('td', null, n.shippedAt ? i18n.date(n.shippedAt, true) : '—'),
        h('td', null, i18n.date(n.receivedAt, true)),
        h('td', null, t('notices.linesOk', { ok: n.lineCount - n.blockedLines, total: n.lineCount })),
        h('td', null, i18n.number(n.quantity)),
        h('td', null, badge(n.status === 'verified' ? 'ok' : 'bad', t(`notices.status.${n.status}`))),
      ),
  });
  root.append(h('p', { class: 'muted' }, t('notices.intro')), filters, list.element);
  await list.ready;
}

async function renderNotice(root: HTMLElement, ctx: ConsoleContext, rawId: string): Promise<void> {
  const { t } = ctx;
  if (!/^\d{1,18}$/.test(rawId)) throw new ApiError(404, t('common.error'), `id: ${rawId}`, 'id');
  const id = Number(rawId);
  const noticePart = h('div');
  const receiptResult = h('div', { 'data-testid': 'receipt-result' });
  root.append(h('p', { class: 'no-print' }, h('a', { href: '#/notices' }, `← ${t('notices.back')}`)), noticePart);

  const show = async () => {
    const notice = await ctx.api.get<Notice>(`/api/v1/notices/${id}`);
    replace(noticePart, noticeDetail(ctx, notice));
    // The browser's own check runs after the page is shown; it never blocks reading it.
    void browserChecks(ctx, notice, noticePart);
    return notice;
  };
  const notice = await show();
  // Receiving is offered while something is still expected (and to those who may receive).
  if (notice.lines.some((l) => l.state === 'expected') && ctx.user.roles.some((r) => RECEIVE_ROLES.includes(r))) {
    root.append(receiptForm(ctx, notice, receiptResult, show), receiptResult);
  }
}

function noticeDetail(ctx: ConsoleContext, notice: Notice): HTMLElement {
  const { t, i18n } = ctx;
  const sender = notice.senderName ?? notice.sender;
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', null, t('notices.fact.sender')),
    h('dd', null, partyCell(notice.senderName, notice.sender)),
    h('dt', null, t('notices.fact.shipment')),
    h('dd', null, String(notice.senderShipmentId)),
    h('dt', null, t('notices.fact.shipped')),
    h('dd', null, notice.shippedAt ? i18n.date(notice.shippedAt, true) : '—'),
    h('dt', null, t('notices.fact.arrived')),
    h('dd', null, i18n.date(notice.receivedAt, true)),
    h('dt', null, t('notices.fact.checked')),
    h('dd', null, i18n.date(notice.checkedAt, true)),
    h('dt', null, t('notices.fact.quantity')),
    h('dd', null, t('notices.linesQuantity', { lines: notice.lineCount, quantity: i18n.number(notice.quantity) })),
    h('dt', null, t('notices.fact.bundles')),
    h('dd', null, String(notice.bundleCount)),
  );
  const verdict =
    notice.status === 'verified' && notice.blockedLines === 0
      ? h('div', { class: 'banner ok', 'data-testid': 'node-verdict' }, t('notices.node.verified'))
      : h('div', { class: 'banner bad', 'data-testid': 'node-verdict' }, t('notices.node.failed', { blocked: notice.blockedLines, total: notice.lineCount }));
  const serialised = notice.lines.filter((l) => l.serial).length;
  const browser = h(
    'section',
    { 'aria-labelledby': 'bv-heading' },
    h('h3', { id: 'bv-heading' }, t('notices.bv.heading')),
    h('p', { class: 'hint' }, t('notices.bv.note', { chainId: ctx.network.chainId })),
    h('p', { 'data-testid': 'bv-summary', 'aria-live': 'polite' }, serialised ? t('bv.pending') : t('notices.bv.lotLine')),
  );
  const rows = notice.lines.map((line) => lineRow(ctx, notice, line));
  const problems = notice.problems.length
    ? h(
        'section',
        { 'aria-labelledby': 'problems-heading' },
        h('h3', { id: 'problems-heading' }, t('notices.problems')),
        h(
          'ul',
          { 'data-testid': 'notice-problems' },
          notice.problems.map((p) =>
            h(
              'li',
              null,
              h('strong', null, p.line ? t('notices.problem.line', { line: p.line }) : t('notices.problem.bundle', { bundle: p.bundle ?? '' })),
              ': ',
              reasonText(t, p.reason),
              h('br'),
              h('span', { class: 'muted', lang: 'en' }, p.detail),
            ),
          ),
        ),
      )
    : null;
  return h(
    'article',
    { 'data-testid': 'notice', 'data-status': notice.status },
    h('h2', null, t('notices.heading', { id: notice.id, sender })),
    facts,
    verdict,
    browser,
    h('h3', { id: 'lines-heading' }, t('notices.lines')),
    scrollTable(
      t('notices.lines'),
      [
        t('notices.col.line'),
        t('notices.col.gtin'),
        t('notices.col.lot'),
        t('notices.col.serial'),
        t('notices.col.qty'),
        t('notices.col.expiry'),
        t('notices.col.state'),
        t('notices.col.received'),
        t('node.label'),
        t('bv.label'),
      ],
      rows,
      { 'data-testid': 'notice-lines' },
    ),
    problems,
  );
}

function lineRow(ctx: ConsoleContext, notice: Notice, line: NoticeLine): HTMLElement {
  const { t, i18n } = ctx;
  const detail = notice.problems.find((p) => p.line === line.lineNo)?.detail ?? '';
  const failed = line.verdict === 'blocked' && line.reason ? failedCheck(line.reason, detail) : null;
  const failedAt = failed ? CHECKS.indexOf(failed) : -1;
  const items = CHECKS.map((check, i) => {
    const state = line.verdict === 'ok' ? 'pass' : failedAt < 0 ? 'skip' : i < failedAt ? 'pass' : i === failedAt ? 'fail' : 'skip';
    return h(
      'li',
      { class: state, 'data-check': check, 'data-result': state },
      t(`notices.check.${check}`),
      state === 'fail' ? h('span', null, ' — ', reasonText(t, line.reason)) : null,
      state === 'skip' && line.verdict === 'blocked' ? h('span', { class: 'muted' }, ` (${t('notices.check.skipped')})`) : null,
    );
  });
  const nodeCell = h(
    'td',
    { 'data-testid': 'node-check' },
    line.verdict === 'ok' ? badge('ok', t('node.ok'), { 'data-verdict': 'ok' }) : badge('bad', t('node.blocked'), { 'data-verdict': 'blocked' }),
    line.reason ? h('div', { 'data-testid': 'line-reason' }, reasonText(t, line.reason)) : null,
    detail ? h('div', { class: 'muted', lang: 'en' }, detail) : null,
    h('details', null, h('summary', null, line.verdict === 'ok' ? t('notices.checksPassed', { n: CHECKS.length }) : t('notices.checks', { n: CHECKS.length })), h('ul', { class: 'checks' }, items)),
  );
  return h(
    'tr',
    { 'data-line': line.lineNo },
    h('td', null, String(line.lineNo)),
    h('td', { class: 'mono nowrap' }, line.gtin),
    h('td', null, line.lot),
    h('td', null, line.serial ?? '—'),
    h('td', null, i18n.number(line.quantity)),
    h('td', null, i18n.date(line.expiry)),
    h('td', null, t(`notices.state.${line.state}`)),
    h('td', null, i18n.number(line.receivedQuantity)),
    nodeCell,
    h('td', { 'data-testid': 'browser-check' }, line.serial ? h('span', { class: 'muted' }, t('bv.pending')) : h('span', { class: 'muted' }, t('notices.bv.lotLine'))),
  );
}

interface UnitTrace {
  bundles: ProofBundle[];
}

/** What the browser found for one line: every received proof about its unit verified, or the first failure. */
type LineCheck = { kind: 'ok'; proofs: number; verdicts: BrowserVerdict[] } | { kind: 'failed'; code: string } | { kind: 'not-received' } | { kind: 'none' } | { kind: 'error'; detail: string };

async function checkLine(ctx: ConsoleContext, line: NoticeLine): Promise<LineCheck> {
  let trace: UnitTrace;
  try {
    trace = await ctx.api.get<UnitTrace>('/api/v1/trace/unit', { udi: toElementString({ gtin: line.gtin, lot: line.lot, serial: line.serial! }) });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return { kind: 'not-received' };
    return { kind: 'error', detail: err instanceof Error ? err.message : String(err) };
  }
  // The evidence that came with the goods: every bundle not of this node's own ledger.
  const self = ctx.network.participant.toLowerCase();
  const received = trace.bundles.filter((b) => b.envelope.participant.toLowerCase() !== self);
  if (received.length === 0) return { kind: 'none' };
  const verdicts = await Promise.all(received.map((bundle) => verifyHere(ctx.network, bundle)));
  const failure = verdicts.find((v) => !v.ok);
  if (failure && !failure.ok) return { kind: 'failed', code: failure.code };
  return { kind: 'ok', proofs: received.length, verdicts };
}

function showLineCheck(ctx: ConsoleContext, cell: Element, result: LineCheck): void {
  const { t } = ctx;
  cell.setAttribute('data-result', result.kind);
  switch (result.kind) {
    case 'ok':
      return replace(cell, badge('ok', t('notices.bv.proofs', { n: result.proofs })));
    case 'failed':
      return replace(cell, badge('bad', t('bv.failed', { reason: sdkCodeText(t, result.code) })));
    case 'not-received':
      return replace(cell, h('span', { class: 'muted' }, t('notices.bv.notReceived')));
    case 'none':
      return replace(cell, h('span', { class: 'muted' }, t('bv.none')));
    case 'error':
      return replace(cell, badge('warn', t('bv.error', { detail: result.detail })));
  }
}

async function browserChecks(ctx: ConsoleContext, notice: Notice, container: HTMLElement, limit = AUTO_CHECK_LINES): Promise<void> {
  const { t } = ctx;
  const summary = container.querySelector('[data-testid="bv-summary"]');
  const serialised = notice.lines.filter((l) => l.serial);
  if (!summary || serialised.length === 0) return;
  const cellOf = (line: NoticeLine) => container.querySelector(`tr[data-line="${line.lineNo}"] [data-testid="browser-check"]`);
  // The node hands out a unit's evidence once the unit is received (its trace): nothing to ask before.
  const received = serialised.filter((l) => l.receivedQuantity > 0);
  for (const line of serialised) {
    const cell = cellOf(line);
    if (cell && line.receivedQuantity === 0) showLineCheck(ctx, cell, { kind: 'not-received' });
  }
  const todo = received.slice(0, limit);
  let done = 0;
  let ok = 0;
  let failed = 0;
  const queue = [...todo];
  const worker = async () => {
    for (let line = queue.shift(); line; line = queue.shift()) {
      const result = await checkLine(ctx, line);
      if (!container.isConnected) return;
      const cell = cellOf(line);
      if (cell) showLineCheck(ctx, cell, result);
      done++;
      if (result.kind === 'ok') ok++;
      if (result.kind === 'failed') failed++;
      summary.textContent = t('notices.bv.running', { done, total: todo.length });
    }
  };
  await Promise.all(Array.from({ length: CHECK_CONCURRENCY }, worker));
  if (!container.isConnected) return;
  replace(summary, todo.length ? t('notices.bv.summary', { ok, total: todo.length, failed, chainId: ctx.network.chainId }) : t('notices.bv.nothingYet'));
  summary.setAttribute('data-done', 'true');
  summary.setAttribute('data-ok', String(ok));
  summary.setAttribute('data-failed', String(failed));
  if (received.length > todo.length) {
    const more = h('button', { type: 'button', class: 'secondary' }, t('notices.bv.more', { n: received.length }));
    more.addEventListener('click', () => {
      more.remove();
      void browserChecks(ctx, notice, container, received.length);
    });
    summary.after(more);
  }
}

function receiptForm(ctx: ConsoleContext, notice: Notice, result: HTMLElement, reload: () => Promise<Notice>): HTMLElement {
  const { t } = ctx;
  const scans = h('textarea', { id: 'receipt-scans', name: 'scans', rows: 6, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'receipt-scans-hint' });
  // Lot-level lines (no serial) are received by quantity, one field per lot.
  const lots = new Map<string, { gtin: string; lot: string; input: HTMLInputElement }>();
  for (const line of notice.lines) {
    const key = `${line.gtin}/${line.lot}`;
    if (line.serial || lots.has(key)) continue;
    const input = h('input', { id: `receipt-qty-${lots.size}`, name: `qty-${key}`, type: 'number', inputmode: 'numeric', min: 1, step: 1 });
    lots.set(key, { gtin: line.gtin, lot: line.lot, input });
  }
  const close = h('input', { id: 'receipt-close', name: 'close', type: 'checkbox' });
  const reason = h('input', { id: 'receipt-reason', name: 'reason', maxlength: 1000 });
  const submit = h('button', { type: 'submit' }, t('notices.receive.submit'));
  let key = idempotencyKey();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'receive-heading', 'data-testid': 'receipt-form', novalidate: true },
    h('h3', { id: 'receive-heading' }, t('notices.receive')),
    h('label', { for: 'receipt-scans' }, t('notices.receive.scans')),
    scans,
    h('p', { id: 'receipt-scans-hint', class: 'hint' }, t('notices.receive.scansHint')),
    [...lots.values()].map(({ gtin, lot, input }) => [h('label', { for: input.id }, t('notices.receive.lotQty', { lot, gtin })), input]),
    h('label', { class: 'check-option', for: 'receipt-close' }, close, t('notices.receive.close')),
    h('label', { for: 'receipt-reason' }, t('common.reasonOptional')),
    reason,
    h('div', { class: 'row', style: 'margin-top: 0.8em' }, submit),
  );
  // Any change makes it a new request (a retry of the same one reuses its key).
  form.addEventListener('input', () => (key = idempotencyKey()));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const codes = scans.value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
    const quantities: { gtin: string; lot: string; quantity: number }[] = [];
    for (const { gtin, lot, input } of lots.values()) {
      if (input.value === '') continue;
      const quantity = Number(input.value);
      if (!Number.isInteger(quantity) || quantity < 1) {
        input.focus();
        return ctx.showError(new Error(t('notices.receive.qtyInvalid', { lot })));
      }
      quantities.push({ gtin, lot, quantity });
    }
    if (codes.length === 0 && quantities.length === 0) {
      scans.focus();
      return ctx.showError(new Error(t('notices.receive.empty')));
    }
    submit.disabled = true;
    try {
      const body = { scans: codes, ...(quantities.length ? { quantities } : {}), close: close.checked, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) };
      const receipt = await ctx.api.post<Receipt>(`/api/v1/notices/${notice.id}/receipts`, body, { 'Idempotency-Key': key });
      key = idempotencyKey();
      scans.value = '';
      for (const { input } of lots.values()) input.value = '';
      replace(result, receiptView(ctx, receipt));
      const booked = receipt.lines.filter((l) => l.outcome === 'booked').reduce((n, l) => n + l.quantity, 0);
      ctx.notify(t('notices.receive.done', { id: receipt.id, booked }));
      await reload();
    } catch (err) {
      if (err instanceof ApiError && err.field === 'scans') scans.focus();
      ctx.showError(err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function receiptView(ctx: ConsoleContext, receipt: Receipt): HTMLElement {
  const { t, i18n } = ctx;
  const outcomeKind = (o: ReceiptLine['outcome']) => (o === 'booked' ? 'ok' : o === 'already-received' ? '' : o === 'blocked' ? 'bad' : 'warn');
  return h(
    'section',
    { 'aria-labelledby': 'receipt-heading', 'data-receipt': receipt.id },
    h('h3', { id: 'receipt-heading' }, t('notices.receipt', { id: receipt.id })),
    scrollTable(
      t('notices.receipt', { id: receipt.id }),
      [t('notices.col.line'), t('notices.col.lot'), t('notices.col.serial'), t('notices.col.qty'), t('notices.col.outcome'), t('notices.col.reason')],
      receipt.lines.map((l) =>
        h(
          'tr',
          { 'data-line': l.lineNo, 'data-outcome': l.outcome },
          h('td', null, String(l.lineNo)),
          h('td', null, l.lot),
          h('td', null, l.serial ?? '—'),
          h('td', null, i18n.number(l.quantity)),
          h('td', null, badge(outcomeKind(l.outcome), t(`notices.outcome.${l.outcome}`))),
          h('td', null, reasonText(t, l.reason)),
        ),
      ),
      { 'data-testid': 'receipt-lines' },
    ),
    receipt.unmatched.length
      ? [
          h('h4', null, t('notices.unmatched')),
          scrollTable(
            t('notices.unmatched'),
            [t('notices.col.scan'), t('notices.col.gtin'), t('notices.col.lot'), t('notices.col.serial'), t('notices.col.qty'), t('notices.col.reason')],
            receipt.unmatched.map((u) =>
              h(
                'tr',
                null,
                h('td', { class: 'mono' }, u.scan ?? '—'),
                h('td', { class: 'mono' }, u.gtin),
                h('td', null, u.lot ?? '—'),
                h('td', null, u.serial ?? '—'),
                h('td', null, i18n.number(u.quantity)),
                h('td', null, reasonText(t, u.reason)),
              ),
            ),
          ),
        ]
      : null,
    receipt.reconciliation.length
      ? h(
          'p',
          null,
          t('notices.reconciliation', { n: receipt.reconciliation.length }),
          ' ',
          h('a', { href: `#/reconciliation?shipment=${encodeURIComponent(receipt.shipmentRef)}` }, t('notices.reconciliationLink')),
        )
      : null,
  );
}
