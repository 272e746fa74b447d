// Recalls (#/recalls): the recalls this node has seen on the RecallBoard; issuing
// one (#/recalls/new, the GTIN owner only, with the e-signature `recalled`); and
// one recall (#/recalls/{id}), live while it is open on screen: per company the
// units located, quarantined, still in the field and awaiting acknowledgement,
// time to acknowledge, totals; the board read again in this browser; closing,
// withdrawing or reopening it.
import { isMedtraceError, readBoardRecall, recallBoardAt, validateGtin, validateLotOrSerial, type BoardRecall } from '../../../sdk';
import { ApiError, idempotencyKey } from '../../lib/api';
import { append, h, replace } from '../../lib/dom';
import type { ConsoleContext, View } from '../types';
import { chainOf } from './net/browserCheck';
import { badge, duration, partyCell, scrollTable, shortHex, txCell } from './net/format';
import { live } from './net/live';
import { netMessages } from './net/messages';
import { pager } from './net/pager';
import './net/net.css';

type RecallStatus = 'open' | 'closed' | 'withdrawn';
const ACTIONS = ['return', 'correct', 'destroy', 'notice'] as const;

interface CompanyReach {
  company: string;
  name: string;
  role: string;
  located: number;
  quarantined: number;
  inField: number;
  awaiting: number;
  acknowledgedAt: string;
  timeToAcknowledgeMs: number;
  reportedBy: string;
}

interface Recall {
  id: number;
  issuer: string;
  issuedHere: boolean;
  gtin: string;
  lots: string[];
  recallClass: number;
  action: string;
  status: RecallStatus;
  noticeSha256: string;
  noticeUri: string;
  publishedAt: string;
  publishedBlock: number;
  txHash: string | null;
  issued: { localId: number; ledgerSeq: number | null; signatureId: number | null; issuedBy: string; statusReason: string | null } | null;
  local: {
    processedAt: string | null;
    acknowledgedAt: string | null;
    lots: { lot: string; from: string; held: number; moved: number; ledgerSeq: number }[];
    skipped: { lot: string; reason: string }[];
    notified: { target: string; shippedQuantity: number }[];
  };
  companies: CompanyReach[];
  awaiting: { company: string; name: string; shippedQuantity: number; notifiedAt: string }[];
  totals: { companies: number; located: number; quarantined: number; inField: number; awaiting: number; maxTimeToAcknowledgeMs: number | null };
}

const ISSUE_ROLES = ['admin', 'qa'];
/** How often an open recall view asks the node again. */
const POLL_MS = 1500;

const CLASS_ROMAN = ['', 'I', 'II', 'III'];

export const recallsView: View = {
  id: 'recalls',
  title: 'recalls.title',
  messages: {
    en: {
      ...netMessages.en,
      'recalls.title': 'Recalls',
      'recalls.intro': 'Recalls on the RecallBoard that concern this node: issued here, or by a supplier.',
      'recalls.issue': 'Issue a recall',
      'recalls.filterStatus': 'Status',
      'recalls.filterIssuer': 'Issued by',
      'recalls.issuer.here': 'this node',
      'recalls.issuer.others': 'other companies',
      'recalls.status.open': 'open',
      'recalls.status.closed': 'closed',
      'recalls.status.withdrawn': 'withdrawn',
      'recalls.class': 'class {roman}',
      'recalls.class.1': 'Class I: serious harm or death is likely',
      'recalls.class.2': 'Class II: temporary or reversible harm is possible',
      'recalls.class.3': 'Class III: harm is unlikely',
      'recalls.action.return': 'return or remove',
      'recalls.action.correct': 'correct in the field',
      'recalls.action.destroy': 'destroy',
      'recalls.action.notice': 'safety notice only',
      'recalls.allLots': 'all lots',
      'recalls.col.id': 'Recall',
      'recalls.col.gtin': 'GTIN',
      'recalls.col.lots': 'Lots',
      'recalls.col.class': 'Class',
      'recalls.col.action': 'Action',
      'recalls.col.status': 'Status',
      'recalls.col.published': 'Published',
      'recalls.col.issuer': 'Issuer',
      'recalls.col.reach': 'Acknowledged / in the field',
      'recalls.reach': '{companies} companies / {inField} units',
      // issuing
      'recalls.new.title': 'Issue a recall',
      'recalls.new.intro': 'Only the owner of the GTIN (its company prefix on the registry) can recall it. The recall is published on the chain: every node and the public verification page will show it.',
      'recalls.new.gtin': 'GTIN',
      'recalls.new.gtinHint': '8, 12, 13 or 14 digits with the check digit',
      'recalls.new.lots': 'Lots, one per line',
      'recalls.new.lotsHint': 'Leave empty and tick "all lots" to recall every lot of the GTIN.',
      'recalls.new.allLots': 'Recall all lots of this GTIN',
      'recalls.new.class': 'Recall class',
      'recalls.new.action': 'Action',
      'recalls.new.noticeTitle': 'Notice title',
      'recalls.new.noticeText': 'Notice text (what happened, what to do)',
      'recalls.new.submit': 'Sign and issue the recall',
      'recalls.new.summary': 'Recall of GTIN {gtin}, {lots}: class {roman}, {action}. "{title}". It is published on the chain and cannot be deleted, only closed or withdrawn.',
      'recalls.new.issuing': 'Publishing the recall on the chain…',
      'recalls.new.issued': 'Recall {id} published in block {block}.',
      'recalls.err.gtin': 'GTIN: {detail}',
      'recalls.err.lot': 'Lots, line {line}: {detail}',
      'recalls.err.lots': 'Lots: name at least one lot, or tick "all lots"',
      'recalls.err.lotsAndAll': 'Lots: either name lots or tick "all lots", not both',
      'recalls.err.tooManyLots': 'Lots: at most 200 lots in one recall',
      'recalls.err.class': 'Recall class: choose I, II or III',
      'recalls.err.title': 'Notice title: 1-200 characters',
      'recalls.err.text': 'Notice text: 1-100,000 characters',
      'recalls.signCancelled': 'Not issued: the signature was cancelled.',
      // one recall
      'recalls.back': 'All recalls',
      'recalls.heading': 'Recall {id}',
      'recalls.fact.gtin': 'GTIN',
      'recalls.fact.lots': 'Lots',
      'recalls.fact.class': 'Class',
      'recalls.fact.action': 'Action',
      'recalls.fact.status': 'Status',
      'recalls.fact.published': 'Published',
      'recalls.fact.tx': 'Transaction',
      'recalls.fact.issuer': 'Issuer',
      'recalls.fact.issuedBy': 'Issued and signed by',
      'recalls.fact.notice': 'Notice',
      'recalls.fact.statusReason': 'Reason of the last status change',
      'recalls.notice': 'Public notice',
      'recalls.noticeHash': 'SHA-256 on the chain: {hash}',
      'recalls.chain': 'On the chain, read in this browser',
      'recalls.chain.ok': 'RecallBoard recall {id}: {status}, class {roman}, {lots}, issuer {issuer}.',
      'recalls.chain.differs': 'The chain says {chain}, the node says {node}: the node has not caught up yet.',
      'recalls.chain.failed': 'Could not read the RecallBoard: {detail}',
      'recalls.live': 'Live: refreshed {time}, every {seconds} s while this page is open',
      'recalls.paused': 'Paused while the page is hidden',
      'recalls.totals': 'Reach',
      'recalls.tile.companies': 'companies acknowledged',
      'recalls.tile.located': 'units located',
      'recalls.tile.quarantined': 'quarantined',
      'recalls.tile.inField': 'still in the field',
      'recalls.tile.awaiting': 'awaiting downstream acknowledgement',
      'recalls.tile.slowest': 'slowest acknowledgement',
      'recalls.reachComplete': 'Reach complete: every company the goods reached has acknowledged.',
      'recalls.reachOpen': 'Waiting for acknowledgements of {n} units downstream.',
      'recalls.companies': 'Per company',
      'recalls.col.company': 'Company',
      'recalls.col.located': 'Located',
      'recalls.col.quarantined': 'Quarantined',
      'recalls.col.inField': 'In the field',
      'recalls.col.awaiting': 'Awaiting',
      'recalls.col.acknowledged': 'Acknowledged',
      'recalls.col.tta': 'Time to acknowledge',
      'recalls.col.reportedBy': 'Reported by',
      'recalls.self': 'itself',
      'recalls.relayedBy': 'relayed by {name}',
      'recalls.noAcks': 'No acknowledgement yet.',
      'recalls.awaitingHeading': 'Told, not acknowledged yet',
      'recalls.col.shipped': 'Units shipped to it',
      'recalls.col.notified': 'Told at',
      'recalls.col.waiting': 'Waiting for',
      'recalls.local': 'What this node did',
      'recalls.local.processed': 'Processed {at}',
      'recalls.local.notProcessed': 'Not processed yet.',
      'recalls.local.lot': 'Lot {lot}: {held} units held in quarantine, {moved} moved (from {from}), event {seq}',
      'recalls.local.skipped': 'Lot {lot} skipped: {reason}',
      'recalls.local.notified': 'Told {target} ({n} units shipped to it)',
      'recalls.change': 'Change the status',
      'recalls.change.status': 'New status',
      'recalls.change.closed': 'Close (the recall is completed)',
      'recalls.change.withdrawn': 'Withdraw (published in error; final)',
      'recalls.change.open': 'Reopen',
      'recalls.change.submit': 'Update on the chain',
      'recalls.change.reasonRequired': 'Reason: say why the status changes',
      'recalls.change.done': 'Recall {id} is now {status} (block {block}).',
      'recalls.change.withdrawWarning': 'Withdrawing is final: nodes stop treating the lots as recalled.',
    },
    zh: {
      ...netMessages.zh,
      'recalls.title': '召回',
      'recalls.intro': 'RecallBoard 上与本节点有关的召回：本节点发布的，或供应商发布的。',
      'recalls.issue': '发布召回',
      'recalls.filterStatus': '状态',
      'recalls.filterIssuer': '发布方',
      'recalls.issuer.here': '本节点',
      'recalls.issuer.others': '其他公司',
      'recalls.status.open': '进行中',
      'recalls.status.closed': '已关闭',
      'recalls.status.withdrawn': '已撤回',
      'recalls.class': '{roman} 级',
      'recalls.class.1': 'I 级：可能造成严重伤害或死亡',
      'recalls.class.2': 'II 级：可能造成暂时或可逆的伤害',
      'recalls.class.3': 'III 级：不太可能造成伤害',
      'recalls.action.return': '退回或移除',
      'recalls.action.correct': '现场纠正',
      'recalls.action.destroy': '销毁',
      'recalls.action.notice': '仅安全通知',
      'recalls.allLots': '全部批次',
      'recalls.col.id': '召回',
      'recalls.col.gtin': 'GTIN',
      'recalls.col.lots': '批次',
      'recalls.col.class': '级别',
      'recalls.col.action': '措施',
      'recalls.col.status': '状态',
      'recalls.col.published': '发布时间',
      'recalls.col.issuer': '发布方',
      'recalls.col.reach': '已确认 / 仍在市场',
      'recalls.reach': '{companies} 家公司 / {inField} 件',
      'recalls.new.title': '发布召回',
      'recalls.new.intro': '只有 GTIN 的所有者（注册表上的厂商前缀所有者）可以召回。召回发布在区块链上：每个节点和公开验证页面都会显示。',
      'recalls.new.gtin': 'GTIN',
      'recalls.new.gtinHint': '8、12、13 或 14 位数字，含校验位',
      'recalls.new.lots': '批次，每行一个',
      'recalls.new.lotsHint': '留空并勾选“全部批次”即召回该 GTIN 的所有批次。',
      'recalls.new.allLots': '召回此 GTIN 的全部批次',
      'recalls.new.class': '召回级别',
      'recalls.new.action': '措施',
      'recalls.new.noticeTitle': '通知标题',
      'recalls.new.noticeText': '通知正文（发生了什么，应该做什么）',
      'recalls.new.submit': '签名并发布召回',
      'recalls.new.summary': '召回 GTIN {gtin}，{lots}：{roman} 级，{action}。“{title}”。召回将发布在区块链上，不能删除，只能关闭或撤回。',
      'recalls.new.issuing': '正在区块链上发布召回…',
      'recalls.new.issued': '召回 {id} 已在区块 {block} 发布。',
      'recalls.err.gtin': 'GTIN：{detail}',
      'recalls.err.lot': '批次第 {line} 行：{detail}',
      'recalls.err.lots': '批次：请至少填写一个批次，或勾选“全部批次”',
      'recalls.err.lotsAndAll': '批次：填写批次与勾选“全部批次”只能二选一',
      'recalls.err.tooManyLots': '批次：一次召回最多 200 个批次',
      'recalls.err.class': '召回级别：请选择 I、II 或 III',
      'recalls.err.title': '通知标题：1-200 个字符',
      'recalls.err.text': '通知正文：1-100,000 个字符',
      'recalls.signCancelled': '未发布：签名已取消。',
      'recalls.back': '全部召回',
      'recalls.heading': '召回 {id}',
      'recalls.fact.gtin': 'GTIN',
      'recalls.fact.lots': '批次',
      'recalls.fact.class': '级别',
      'recalls.fact.action': '措施',
      'recalls.fact.status': '状态',
      'recalls.fact.published': '发布时间',
      'recalls.fact.tx': '交易',
      'recalls.fact.issuer': '发布方',
      'recalls.fact.issuedBy': '发布并签名人',
      'recalls.fact.notice': '通知',
      'recalls.fact.statusReason': '最近一次状态变更的原因',
      'recalls.notice': '公开通知',
      'recalls.noticeHash': '链上 SHA-256：{hash}',
      'recalls.chain': '链上信息（在本浏览器读取）',
      'recalls.chain.ok': 'RecallBoard 召回 {id}：{status}，{roman} 级，{lots}，发布方 {issuer}。',
      'recalls.chain.differs': '链上为 {chain}，节点为 {node}：节点尚未同步。',
      'recalls.chain.failed': '无法读取 RecallBoard：{detail}',
      'recalls.live': '实时：{time} 刷新，页面打开时每 {seconds} 秒刷新',
      'recalls.paused': '页面隐藏时暂停',
      'recalls.totals': '覆盖情况',
      'recalls.tile.companies': '已确认的公司',
      'recalls.tile.located': '已定位件数',
      'recalls.tile.quarantined': '已隔离',
      'recalls.tile.inField': '仍在市场',
      'recalls.tile.awaiting': '等待下游确认',
      'recalls.tile.slowest': '最慢的确认',
      'recalls.reachComplete': '覆盖完成：货物到达的每家公司都已确认。',
      'recalls.reachOpen': '正在等待下游 {n} 件的确认。',
      'recalls.companies': '按公司',
      'recalls.col.company': '公司',
      'recalls.col.located': '已定位',
      'recalls.col.quarantined': '已隔离',
      'recalls.col.inField': '仍在市场',
      'recalls.col.awaiting': '等待中',
      'recalls.col.acknowledged': '确认时间',
      'recalls.col.tta': '确认用时',
      'recalls.col.reportedBy': '报告方',
      'recalls.self': '本公司',
      'recalls.relayedBy': '由 {name} 转报',
      'recalls.noAcks': '尚无确认。',
      'recalls.awaitingHeading': '已通知，尚未确认',
      'recalls.col.shipped': '发给它的件数',
      'recalls.col.notified': '通知时间',
      'recalls.col.waiting': '已等待',
      'recalls.local': '本节点的处理',
      'recalls.local.processed': '已于 {at} 处理',
      'recalls.local.notProcessed': '尚未处理。',
      'recalls.local.lot': '批次 {lot}：{held} 件隔离，{moved} 件已移动（自 {from}），事件 {seq}',
      'recalls.local.skipped': '跳过批次 {lot}：{reason}',
      'recalls.local.notified': '已通知 {target}（发给它 {n} 件）',
      'recalls.change': '更改状态',
      'recalls.change.status': '新状态',
      'recalls.change.closed': '关闭（召回已完成）',
      'recalls.change.withdrawn': '撤回（发布有误；不可恢复）',
      'recalls.change.open': '重新打开',
      'recalls.change.submit': '在区块链上更新',
      'recalls.change.reasonRequired': '原因：请说明更改状态的原因',
      'recalls.change.done': '召回 {id} 现为 {status}（区块 {block}）。',
      'recalls.change.withdrawWarning': '撤回不可恢复：各节点将不再把这些批次视为召回。',
    },
  },
  async render(root, ctx, params, query) {
    root.classList.add('net');
    if (params[0] === 'new') return renderIssue(root, ctx, query);
    if (params[0]) return renderRecall(root, ctx, params[0]);
    return renderList(root, ctx, query);
  },
};

const canIssue = (ctx: ConsoleContext) => ctx.user.roles.some((r) => ISSUE_ROLES.includes(r));
const lotsText = (ctx: ConsoleContext, lots: string[]) => (lots.length ? lots.join(', ') : ctx.t('recalls.allLots'));
const statusBadge = (ctx: ConsoleContext, status: RecallStatus) =>
  badge(status === 'open' ? 'bad' : status === 'closed' ? 'ok' : '', ctx.t(`recalls.status.${status}`), { 'data-testid': 'recall-status', 'data-status': status });

async function renderList(root: HTMLElement, ctx: ConsoleContext, query: URLSearchParams): Promise<void> {
  const { t, i18n } = ctx;
  const status = query.get('status') ?? '';
  const issuedHere = query.get('issuedHere') ?? '';
  const statusSelect = h(
    'select',
    { id: 'recall-filter-status', name: 'status' },
    h('option', { value: '' }, t('filter.all')),
    (['open', 'closed', 'withdrawn'] as const).map((s) => h('option', { value: s, selected: s === status }, t(`recalls.status.${s}`))),
  );
  const issuerSelect = h(
    'select',
    { id: 'recall-filter-issuer', name: 'issuedHere' },
    h('option', { value: '' }, t('filter.all')),
    h('option', { value: 'true', selected: issuedHere === 'true' }, t('recalls.issuer.here')),
    h('option', { value: 'false', selected: issuedHere === 'false' }, t('recalls.issuer.others')),
  );
  const filters = h(
    'form',
    { class: 'filters no-print', role: 'search' },
    h(
      'div',
      { class: 'row' },
      h('div', null, h('label', { for: 'recall-filter-status' }, t('recalls.filterStatus')), statusSelect),
      h('div', null, h('label', { for: 'recall-filter-issuer' }, t('recalls.filterIssuer')), issuerSelect),
      h('button', { type: 'submit' }, t('filter.apply')),
    ),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const qs = new URLSearchParams(Object.entries({ status: statusSelect.value, issuedHere: issuerSelect.value }).filter(([, v]) => v)).toString();
    ctx.navigate(`/recalls${qs ? `?${qs}` : ''}`);
  });
  const list = pager<Recall>(ctx, {
    caption: t('recalls.title'),
    testid: 'recalls',
    head: [t('recalls.col.id'), t('recalls.col.gtin'), t('recalls.col.lots'), t('recalls.col.class'), t('recalls.col.action'), t('recalls.col.status'), t('recalls.col.published'), t('recalls.col.issuer'), t('recalls.col.reach')],
    load: (cursor) => ctx.api.get('/api/v1/recalls', { status: status || undefined, issuedHere: issuedHere || undefined, cursor, limit: 25 }),
    row: (r) =>
      h(
        'tr',
        { 'data-recall': r.id },
        h('td', null, h('a', { href: `#/recalls/${r.id}` }, `#${r.id}`)),
        h('td', { class: 'mono' }, r.gtin),
        h('td', null, lotsText(ctx, r.lots)),
        h('td', null, t('recalls.class', { roman: CLASS_ROMAN[r.recallClass] ?? String(r.recallClass) })),
        h('td', null, t(`recalls.action.${r.action}`)),
        h('td', null, statusBadge(ctx, r.status)),
        h('td', null, i18n.date(r.publishedAt, true)),
        h('td', null, r.issuedHere ? t('recalls.issuer.here') : shortHex(r.issuer, 4)),
        h('td', null, t('recalls.reach', { companies: r.totals.companies, inField: i18n.number(r.totals.inField) })),
      ),
  });
  append(root, [
    h('p', { class: 'muted' }, t('recalls.intro')),
    canIssue(ctx) ? h('p', { class: 'no-print' }, h('a', { href: '#/recalls/new', class: 'button-link', 'data-testid': 'issue-recall' }, t('recalls.issue'))) : null,
    filters,
    list.element,
  ]);
  await list.ready;
}

// ---------------------------------------------------------------------------
// Issuing

function renderIssue(root: HTMLElement, ctx: ConsoleContext, query: URLSearchParams): void {
  const { t } = ctx;
  const gtin = h('input', { id: 'recall-gtin', name: 'gtin', inputmode: 'numeric', autocomplete: 'off', value: query.get('gtin') ?? '', 'aria-describedby': 'recall-gtin-hint', required: true });
  const lots = h('textarea', { id: 'recall-lots', name: 'lots', rows: 3, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'recall-lots-hint' });
  lots.value = query.getAll('lot').join('\n');
  const allLots = h('input', { id: 'recall-all-lots', name: 'allLots', type: 'checkbox' });
  const classes = [1, 2, 3].map((c) => h('input', { type: 'radio', name: 'recallClass', id: `recall-class-${c}`, value: c, required: true }));
  const action = h(
    'select',
    { id: 'recall-action', name: 'action' },
    ACTIONS.map((a) => h('option', { value: a }, t(`recalls.action.${a}`))),
  );
  const title = h('input', { id: 'recall-title', name: 'title', maxlength: 200, required: true });
  const text = h('textarea', { id: 'recall-text', name: 'text', rows: 6, maxlength: 100_000, required: true });
  const reason = h('input', { id: 'recall-reason', name: 'reason', maxlength: 1000 });
  const submit = h('button', { type: 'submit', class: 'danger' }, t('recalls.new.submit'));
  const progress = h('p', { role: 'status', class: 'muted' });
  let key = idempotencyKey();

  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'recall-new-title', novalidate: true, 'data-testid': 'recall-form' },
    h('h2', { id: 'recall-new-title' }, t('recalls.new.title')),
    h('p', { class: 'hint' }, t('recalls.new.intro')),
    h('label', { for: gtin.id }, t('recalls.new.gtin')),
    gtin,
    h('p', { id: 'recall-gtin-hint', class: 'hint' }, t('recalls.new.gtinHint')),
    h('label', { for: lots.id }, t('recalls.new.lots')),
    lots,
    h('p', { id: 'recall-lots-hint', class: 'hint' }, t('recalls.new.lotsHint')),
    h('label', { class: 'check-option', for: allLots.id }, allLots, t('recalls.new.allLots')),
    h(
      'fieldset',
      null,
      h('legend', null, t('recalls.new.class')),
      classes.map((input, i) => h('label', { class: 'check-option', for: input.id }, input, t(`recalls.class.${i + 1}`))),
    ),
    h('label', { for: action.id }, t('recalls.new.action')),
    action,
    h('label', { for: title.id }, t('recalls.new.noticeTitle')),
    title,
    h('label', { for: text.id }, t('recalls.new.noticeText')),
    text,
    h('label', { for: reason.id }, t('common.reasonOptional')),
    reason,
    h('div', { class: 'row', style: 'margin-top: 1em' }, submit),
    progress,
  );
  form.addEventListener('input', () => (key = idempotencyKey()));

  /** The request, or the first input at fault (focused, with the rule it breaks). */
  const validate = (): { gtin: string; lots: string[]; recallClass: 1 | 2 | 3; action: string; title: string; text: string } | null => {
    const fail = (input: HTMLElement, message: string) => {
      input.focus();
      ctx.showError(new Error(message));
      return null;
    };
    let gtin14: string;
    try {
      gtin14 = validateGtin(gtin.value.trim());
    } catch (err) {
      return fail(gtin, t('recalls.err.gtin', { detail: isMedtraceError(err) ? err.message : String(err) }));
    }
    const lines = lots.value.split(/\r?\n|,/).map((s) => s.trim());
    const named: string[] = [];
    for (const [i, lot] of lines.entries()) {
      if (!lot) continue;
      try {
        named.push(validateLotOrSerial(lot, 'lot'));
      } catch (err) {
        return fail(lots, t('recalls.err.lot', { line: i + 1, detail: isMedtraceError(err) ? err.message : String(err) }));
      }
    }
    if (named.length === 0 && !allLots.checked) return fail(lots, t('recalls.err.lots'));
    if (named.length > 0 && allLots.checked) return fail(allLots, t('recalls.err.lotsAndAll'));
    if (named.length > 200) return fail(lots, t('recalls.err.tooManyLots'));
    const chosen = classes.find((c) => c.checked);
    if (!chosen) return fail(classes[0], t('recalls.err.class'));
    if (!title.value.trim() || title.value.trim().length > 200) return fail(title, t('recalls.err.title'));
    if (!text.value.trim() || text.value.length > 100_000) return fail(text, t('recalls.err.text'));
    return { gtin: gtin14, lots: [...new Set(named)], recallClass: Number(chosen.value) as 1 | 2 | 3, action: action.value, title: title.value.trim(), text: text.value.trim() };
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = validate();
    if (!input) return;
    const summary = t('recalls.new.summary', {
      gtin: input.gtin,
      lots: lotsText(ctx, input.lots),
      roman: CLASS_ROMAN[input.recallClass],
      action: t(`recalls.action.${input.action}`),
      title: input.title,
    });
    const signature = await ctx.sign('recalled', summary);
    if (!signature) {
      ctx.notify(t('recalls.signCancelled'));
      return submit.focus();
    }
    submit.disabled = true;
    progress.textContent = t('recalls.new.issuing');
    try {
      const body = {
        gtin: input.gtin,
        lots: input.lots,
        recallClass: input.recallClass,
        action: input.action,
        notice: { title: input.title, text: input.text },
        signature,
        ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
      };
      const recall = await ctx.api.post<Recall>('/api/v1/recalls', body, { 'Idempotency-Key': key });
      ctx.notify(t('recalls.new.issued', { id: recall.id, block: recall.publishedBlock }));
      ctx.navigate(`/recalls/${recall.id}`);
    } catch (err) {
      progress.textContent = '';
      if (err instanceof ApiError && err.field === 'gtin') gtin.focus();
      else if (err instanceof ApiError && err.field?.startsWith('lots')) lots.focus();
      ctx.showError(err);
    } finally {
      submit.disabled = false;
    }
  });
  root.append(h('p', { class: 'no-print' }, h('a', { href: '#/recalls' }, `← ${t('recalls.back')}`)), form);
  (gtin.value ? lots : gtin).focus();
}

// ---------------------------------------------------------------------------
// One recall, live

async function renderRecall(root: HTMLElement, ctx: ConsoleContext, rawId: string): Promise<void> {
  const { t, i18n } = ctx;
  if (!/^[1-9]\d{0,15}$/.test(rawId)) throw new ApiError(404, t('common.error'), `id: ${rawId}`, 'id');
  const id = Number(rawId);
  const facts = h('div');
  const chain = h('div', { 'data-testid': 'chain-recall', 'aria-live': 'polite' }, t('common.loading'));
  const liveStatus = h('p', { class: 'muted live', 'data-testid': 'live' });
  const reach = h('div', { 'data-testid': 'recall-reach' });
  const local = h('div');
  const change = h('div');
  let acknowledged: Set<string> | undefined;
  let lastStatus: RecallStatus | undefined;

  const refresh = async () => {
    let recall: Recall;
    try {
      recall = await ctx.api.get<Recall>(`/api/v1/recalls/${id}`);
    } catch (err) {
      ctx.showError(err);
      throw err;
    }
    if (!root.isConnected) return;
    replace(facts, recallFacts(ctx, recall));
    replace(reach, reachView(ctx, recall));
    replace(local, localView(ctx, recall));
    if (recall.status !== lastStatus) {
      lastStatus = recall.status;
      replace(change, recall.issuedHere && recall.status !== 'withdrawn' && canIssue(ctx) ? statusForm(ctx, recall, () => void poll.refresh()) : null);
    }
    // Tell a screen reader when a company acknowledges while the page is open.
    const now = new Set(recall.companies.map((c) => c.company));
    if (acknowledged) {
      for (const c of recall.companies) if (!acknowledged.has(c.company)) ctx.notify(`${c.name || c.company}: ${t('recalls.col.acknowledged')} ${i18n.date(c.acknowledgedAt, true)}`);
    }
    acknowledged = now;
    liveStatus.classList.remove('paused');
    liveStatus.textContent = t('recalls.live', { time: new Date().toLocaleTimeString(i18n.lang === 'zh' ? 'zh-CN' : 'en-GB'), seconds: POLL_MS / 1000 });
    liveStatus.setAttribute('data-updated', String(Date.now()));
    void chainCheck(ctx, chain, recall);
  };

  root.append(
    h('p', { class: 'no-print' }, h('a', { href: '#/recalls' }, `← ${t('recalls.back')}`)),
    h('h2', null, t('recalls.heading', { id })),
    liveStatus,
    facts,
    h('section', { 'aria-labelledby': 'recall-chain-heading' }, h('h3', { id: 'recall-chain-heading' }, t('recalls.chain')), chain),
    reach,
    local,
    change,
  );
  await refresh();
  const poll = live(root, POLL_MS, refresh);
  document.addEventListener('visibilitychange', function onHidden() {
    if (!root.isConnected) return document.removeEventListener('visibilitychange', onHidden);
    if (document.visibilityState === 'hidden') {
      liveStatus.classList.add('paused');
      liveStatus.textContent = t('recalls.paused');
    }
  });
}

function recallFacts(ctx: ConsoleContext, r: Recall): HTMLElement {
  const { t, i18n } = ctx;
  const roman = CLASS_ROMAN[r.recallClass] ?? String(r.recallClass);
  return h(
    'dl',
    { class: 'facts', 'data-testid': 'recall-facts', 'data-recall': r.id },
    h('dt', null, t('recalls.fact.status')),
    h('dd', null, statusBadge(ctx, r.status)),
    h('dt', null, t('recalls.fact.gtin')),
    h('dd', { class: 'mono' }, r.gtin),
    h('dt', null, t('recalls.fact.lots')),
    h('dd', { 'data-testid': 'recall-lots' }, lotsText(ctx, r.lots)),
    h('dt', null, t('recalls.fact.class')),
    h('dd', null, r.recallClass >= 1 && r.recallClass <= 3 ? t(`recalls.class.${r.recallClass}`) : t('recalls.class', { roman })),
    h('dt', null, t('recalls.fact.action')),
    h('dd', null, t(`recalls.action.${r.action}`)),
    h('dt', null, t('recalls.fact.published')),
    h('dd', null, i18n.date(r.publishedAt, true)),
    h('dt', null, t('recalls.fact.tx')),
    h('dd', null, txCell(t, ctx.network, r.txHash, r.publishedBlock)),
    h('dt', null, t('recalls.fact.issuer')),
    h('dd', null, r.issuedHere ? `${ctx.network.participantName} (${t('recalls.issuer.here')})` : shortHex(r.issuer, 6)),
    r.issued ? [h('dt', null, t('recalls.fact.issuedBy')), h('dd', null, r.issued.issuedBy)] : null,
    r.issued?.statusReason ? [h('dt', null, t('recalls.fact.statusReason')), h('dd', null, r.issued.statusReason)] : null,
    h('dt', null, t('recalls.fact.notice')),
    h(
      'dd',
      null,
      h('a', { href: r.noticeUri, target: '_blank', rel: 'noopener', 'data-testid': 'recall-notice' }, t('recalls.notice')),
      h('div', { class: 'muted' }, t('recalls.noticeHash', { hash: '' }), shortHex(r.noticeSha256, 8)),
    ),
  );
}

function reachView(ctx: ConsoleContext, r: Recall): HTMLElement {
  const { t, i18n } = ctx;
  const n = (v: number) => i18n.number(v);
  const tile = (value: string, label: string, testid: string) => h('div', { class: 'tile', 'data-testid': testid }, h('span', { class: 'n' }, value), h('span', { class: 'l' }, label));
  const complete = r.companies.length > 0 && r.totals.awaiting === 0 && r.awaiting.length === 0;
  return h(
    'section',
    { 'aria-labelledby': 'reach-heading' },
    h('h3', { id: 'reach-heading' }, t('recalls.totals')),
    h(
      'div',
      { class: 'tiles' },
      tile(n(r.totals.companies), t('recalls.tile.companies'), 'total-companies'),
      tile(n(r.totals.located), t('recalls.tile.located'), 'total-located'),
      tile(n(r.totals.quarantined), t('recalls.tile.quarantined'), 'total-quarantined'),
      tile(n(r.totals.inField), t('recalls.tile.inField'), 'total-in-field'),
      tile(n(r.totals.awaiting), t('recalls.tile.awaiting'), 'total-awaiting'),
      tile(r.totals.maxTimeToAcknowledgeMs === null ? '—' : duration(t, r.totals.maxTimeToAcknowledgeMs), t('recalls.tile.slowest'), 'total-slowest'),
    ),
    r.companies.length
      ? h('p', { class: `banner ${complete ? 'ok' : 'warn'}`, 'data-testid': 'reach-state', 'data-complete': String(complete) }, complete ? t('recalls.reachComplete') : t('recalls.reachOpen', { n: n(r.totals.awaiting + r.awaiting.reduce((s, a) => s + a.shippedQuantity, 0)) }))
      : null,
    h('h3', null, t('recalls.companies')),
    r.companies.length
      ? scrollTable(
          t('recalls.companies'),
          [t('recalls.col.company'), t('recalls.col.located'), t('recalls.col.quarantined'), t('recalls.col.inField'), t('recalls.col.awaiting'), t('recalls.col.acknowledged'), t('recalls.col.tta'), t('recalls.col.reportedBy')],
          r.companies.map((c) =>
            h(
              'tr',
              { 'data-company': c.company },
              h('td', null, c.name || shortHex(c.company, 4), c.role && c.role !== 'unknown' ? h('div', { class: 'muted' }, c.role) : null),
              h('td', { 'data-col': 'located' }, n(c.located)),
              h('td', { 'data-col': 'quarantined' }, n(c.quarantined)),
              h('td', { 'data-col': 'inField' }, n(c.inField)),
              h('td', { 'data-col': 'awaiting' }, n(c.awaiting)),
              h('td', null, i18n.date(c.acknowledgedAt, true)),
              h('td', { 'data-col': 'tta' }, duration(t, c.timeToAcknowledgeMs)),
              h('td', null, c.reportedBy === c.company ? t('recalls.self') : t('recalls.relayedBy', { name: nameOf(r, c.reportedBy) })),
            ),
          ),
          { 'data-testid': 'recall-companies' },
        )
      : h('p', { class: 'muted' }, t('recalls.noAcks')),
    r.awaiting.length
      ? [
          h('h3', null, t('recalls.awaitingHeading')),
          scrollTable(
            t('recalls.awaitingHeading'),
            [t('recalls.col.company'), t('recalls.col.shipped'), t('recalls.col.notified'), t('recalls.col.waiting')],
            r.awaiting.map((a) =>
              h(
                'tr',
                { 'data-awaiting': a.company },
                h('td', null, partyCell(a.name, a.company)),
                h('td', null, n(a.shippedQuantity)),
                h('td', null, i18n.date(a.notifiedAt, true)),
                h('td', null, duration(t, Math.max(0, Date.now() - Date.parse(a.notifiedAt)))),
              ),
            ),
            { 'data-testid': 'recall-awaiting' },
          ),
        ]
      : null,
  );
}

/** A company's name as the acknowledgements or the waiting list give it, else its address. */
function nameOf(r: Recall, company: string): string {
  return r.companies.find((c) => c.company === company)?.name || r.awaiting.find((a) => a.company === company)?.name || company;
}

function localView(ctx: ConsoleContext, r: Recall): HTMLElement {
  const { t, i18n } = ctx;
  return h(
    'section',
    { 'aria-labelledby': 'local-heading' },
    h('h3', { id: 'local-heading' }, t('recalls.local')),
    h(
      'ul',
      { 'data-testid': 'recall-local' },
      h('li', null, r.local.processedAt ? t('recalls.local.processed', { at: i18n.date(r.local.processedAt, true) }) : t('recalls.local.notProcessed')),
      r.local.lots.map((l) => h('li', null, t('recalls.local.lot', { lot: l.lot, held: i18n.number(l.held), moved: i18n.number(l.moved), from: l.from, seq: l.ledgerSeq }))),
      r.local.skipped.map((s) => h('li', null, t('recalls.local.skipped', { lot: s.lot, reason: s.reason }))),
      r.local.notified.map((n) => h('li', null, t('recalls.local.notified', { target: nameOf(r, n.target), n: i18n.number(n.shippedQuantity) }))),
    ),
  );
}

/** The board read again here: what the chain itself says of the recall. */
async function chainCheck(ctx: ConsoleContext, el: HTMLElement, r: Recall): Promise<void> {
  const { t } = ctx;
  let onChain: BoardRecall | undefined;
  try {
    onChain = await readBoardRecall(recallBoardAt(ctx.network.contracts.recallBoard, chainOf(ctx.network).provider), r.id);
  } catch (err) {
    replace(el, h('p', { class: 'banner warn' }, t('recalls.chain.failed', { detail: err instanceof Error ? err.message : String(err) })));
    return;
  }
  if (!el.isConnected) return;
  if (!onChain) {
    replace(el, h('p', { class: 'banner warn' }, t('recalls.chain.failed', { detail: `no recall ${r.id}` })));
    return;
  }
  const text = t('recalls.chain.ok', {
    id: r.id,
    status: t(`recalls.status.${onChain.status}`),
    roman: CLASS_ROMAN[onChain.recallClass] ?? String(onChain.recallClass),
    lots: lotsText(ctx, onChain.lots),
    issuer: `${onChain.issuer.slice(0, 10)}…`,
  });
  const same = onChain.status === r.status && onChain.gtin === r.gtin && onChain.lots.join() === r.lots.join();
  replace(
    el,
    h(
      'p',
      { class: `banner ${same ? 'ok' : 'warn'}`, 'data-chain-status': onChain.status },
      text,
      same ? null : h('br'),
      same ? null : t('recalls.chain.differs', { chain: t(`recalls.status.${onChain.status}`), node: t(`recalls.status.${r.status}`) }),
    ),
  );
}

function statusForm(ctx: ConsoleContext, r: Recall, changed: () => void): HTMLElement {
  const { t } = ctx;
  const targets: RecallStatus[] = r.status === 'open' ? ['closed', 'withdrawn'] : ['open', 'withdrawn'];
  const select = h(
    'select',
    { id: 'recall-new-status', name: 'status' },
    targets.map((s) => h('option', { value: s }, t(`recalls.change.${s}`))),
  );
  const warning = h('p', { class: 'hint', hidden: true }, t('recalls.change.withdrawWarning'));
  const reason = h('input', { id: 'recall-status-reason', name: 'reason', maxlength: 1000, required: true });
  const submit = h('button', { type: 'submit' }, t('recalls.change.submit'));
  let key = idempotencyKey();
  const form = h(
    'form',
    { class: 'card no-print', 'aria-labelledby': 'recall-change-heading', novalidate: true, 'data-testid': 'recall-status-form' },
    h('h3', { id: 'recall-change-heading' }, t('recalls.change')),
    h('label', { for: select.id }, t('recalls.change.status')),
    select,
    warning,
    h('label', { for: reason.id }, t('common.reasonRequired')),
    reason,
    h('div', { class: 'row', style: 'margin-top: 0.8em' }, submit),
  );
  const syncWarning = () => (warning.hidden = select.value !== 'withdrawn');
  select.addEventListener('change', syncWarning);
  form.addEventListener('input', () => (key = idempotencyKey()));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      reason.focus();
      return ctx.showError(new Error(t('recalls.change.reasonRequired')));
    }
    submit.disabled = true;
    try {
      const done = await ctx.api.post<{ status: RecallStatus; blockNumber: number }>(`/api/v1/recalls/${r.id}/status`, { status: select.value, reason: reason.value.trim() }, { 'Idempotency-Key': key });
      ctx.notify(t('recalls.change.done', { id: r.id, status: t(`recalls.status.${done.status}`), block: done.blockNumber }));
      changed();
    } catch (err) {
      ctx.showError(err);
      submit.disabled = false;
    }
  });
  return form;
}
