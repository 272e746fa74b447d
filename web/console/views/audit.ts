// The audit trail (#/audit?entity=&entityId=&actor=&action=&from=&to=): who did
// what, when, before and after, and why; filtered, oldest first, page by page;
// and the check of its hash chain against the ledger checkpoints.
import { h, replace } from '../../lib/dom';
import type { ConsoleContext, View } from '../types';
import { badge, shortHex } from './net/format';
import { netMessages } from './net/messages';
import { pager } from './net/pager';
import './net/net.css';

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  ledgerSeq: number | null;
  entrySha256: string | null;
  chainSeq: number | null;
  hash: string | null;
}

interface ChainVerification {
  valid: boolean;
  entries: number;
  head: { chainSeq: number; hash: string; auditId: number | null };
  legacyEntries: number;
  checkpoints: { checked: number; lastLedgerSeq: number | null; lastChainSeq: number | null; anchoredChainSeq: number | null };
  failures: { problem: string; chainSeq?: number; auditId?: number; ledgerSeq?: number; detail: string }[];
}

const FILTERS = ['entity', 'entityId', 'actor', 'action', 'from', 'to'] as const;
type Filter = Record<(typeof FILTERS)[number], string>;

export const auditView: View = {
  id: 'audit',
  title: 'audit.title',
  roles: ['admin', 'qa', 'viewer'],
  messages: {
    en: {
      ...netMessages.en,
      'audit.title': 'Audit trail',
      'audit.intro': 'Every change: who, when, what before and after, and why. Each entry is chained to the previous one by its hash; checkpoints of the chain are written to the anchored ledger.',
      'audit.filter.entity': 'Record type',
      'audit.filter.entityHint': 'e.g. lot, recall, unit, inbound_notice',
      'audit.filter.entityId': 'Record id',
      'audit.filter.actor': 'Who',
      'audit.filter.action': 'Action',
      'audit.filter.actionHint': 'e.g. lot.release, recall.issue',
      'audit.filter.from': 'From (date)',
      'audit.filter.to': 'Before (date)',
      'audit.col.id': 'No.',
      'audit.col.at': 'When',
      'audit.col.actor': 'Who',
      'audit.col.action': 'Action',
      'audit.col.record': 'Record',
      'audit.col.reason': 'Why',
      'audit.col.ledger': 'Ledger event',
      'audit.col.chain': 'Chain position',
      'audit.col.change': 'Before / after',
      'audit.showChange': 'Show',
      'audit.before': 'Before',
      'audit.after': 'After',
      'audit.verify': 'Check the hash chain',
      'audit.verify.ok': 'The audit trail is intact: {entries} entries chained, head {head}; {checkpoints} ledger checkpoints match (anchored up to position {anchored}).',
      'audit.verify.bad': 'The audit trail does not verify: {n} problems.',
      'audit.verify.legacy': '{n} entries were written before the chain existed.',
      'audit.err.dates': 'From and Before: "From" must be earlier than "Before"',
    },
    zh: {
      ...netMessages.zh,
      'audit.title': '审计追踪',
      'audit.intro': '每一次变更：谁、何时、变更前后以及原因。每条记录以哈希与上一条相连；链的检查点写入已锚定的账本。',
      'audit.filter.entity': '记录类型',
      'audit.filter.entityHint': '例如 lot、recall、unit、inbound_notice',
      'audit.filter.entityId': '记录编号',
      'audit.filter.actor': '操作人',
      'audit.filter.action': '操作',
      'audit.filter.actionHint': '例如 lot.release、recall.issue',
      'audit.filter.from': '起始日期',
      'audit.filter.to': '截止日期（不含）',
      'audit.col.id': '序号',
      'audit.col.at': '时间',
      'audit.col.actor': '操作人',
      'audit.col.action': '操作',
      'audit.col.record': '记录',
      'audit.col.reason': '原因',
      'audit.col.ledger': '账本事件',
      'audit.col.chain': '链位置',
      'audit.col.change': '变更前 / 后',
      'audit.showChange': '显示',
      'audit.before': '变更前',
      'audit.after': '变更后',
      'audit.verify': '检查哈希链',
      'audit.verify.ok': '审计追踪完整：{entries} 条记录已链接，链头 {head}；{checkpoints} 个账本检查点一致（已锚定至位置 {anchored}）。',
      'audit.verify.bad': '审计追踪验证失败：{n} 个问题。',
      'audit.verify.legacy': '{n} 条记录写于哈希链建立之前。',
      'audit.err.dates': '起始与截止日期：起始日期必须早于截止日期',
    },
  },
  async render(root, ctx, _params, query) {
    root.classList.add('net');
    const { t } = ctx;
    const filter = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Filter;
    const verification = h('div', { 'data-testid': 'audit-verify', 'aria-live': 'polite' });
    const verify = h('button', { type: 'button', class: 'secondary', 'data-testid': 'audit-verify-button' }, t('audit.verify'));
    verify.addEventListener('click', async () => {
      verify.disabled = true;
      replace(verification, h('p', { class: 'muted' }, t('common.loading')));
      try {
        replace(verification, verificationView(ctx, await ctx.api.get<ChainVerification>('/api/v1/audit-trail/verify')));
      } catch (err) {
        replace(verification);
        ctx.showError(err);
      } finally {
        verify.disabled = false;
      }
    });
    const list = pager<Entry>(ctx, {
      caption: t('audit.title'),
      testid: 'audit-entries',
      head: [t('audit.col.id'), t('audit.col.at'), t('audit.col.actor'), t('audit.col.action'), t('audit.col.record'), t('audit.col.reason'), t('audit.col.ledger'), t('audit.col.chain'), t('audit.col.change')],
      load: (cursor) => ctx.api.get('/api/v1/audit-trail', { ...queryFilter(filter), cursor, limit: 50 }),
      row: (e) => entryRow(ctx, e),
    });
    root.append(h('p', { class: 'muted' }, t('audit.intro')), filterForm(ctx, filter), h('div', { class: 'row no-print' }, verify), verification, list.element);
    await list.ready;
  },
};

/** Dates typed in the form are days; the node takes ISO dates or date-times. */
function queryFilter(filter: Filter): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, v || undefined]));
}

function filterForm(ctx: ConsoleContext, filter: Filter): HTMLElement {
  const { t } = ctx;
  const input = (name: keyof Filter, attrs: Record<string, string | number> = {}) => h('input', { id: `audit-${name}`, name, value: filter[name], ...attrs });
  const fields = {
    entity: input('entity', { maxlength: 100, 'aria-describedby': 'audit-entity-hint' }),
    entityId: input('entityId', { maxlength: 500 }),
    actor: input('actor', { maxlength: 100 }),
    action: input('action', { maxlength: 100, 'aria-describedby': 'audit-action-hint' }),
    from: input('from', { type: 'date' }),
    to: input('to', { type: 'date' }),
  };
  const labelled = (name: keyof Filter, label: string, hint?: string) =>
    h('div', null, h('label', { for: fields[name].id }, label), fields[name], hint ? h('p', { id: `audit-${name}-hint`, class: 'hint' }, hint) : null);
  const form = h(
    'form',
    { class: 'filters no-print', role: 'search' },
    h(
      'div',
      { class: 'row' },
      labelled('entity', t('audit.filter.entity'), t('audit.filter.entityHint')),
      labelled('entityId', t('audit.filter.entityId')),
      labelled('actor', t('audit.filter.actor')),
      labelled('action', t('audit.filter.action'), t('audit.filter.actionHint')),
      labelled('from', t('audit.filter.from')),
      labelled('to', t('audit.filter.to')),
    ),
    h('div', { class: 'row' }, h('button', { type: 'submit' }, t('filter.apply')), h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('/audit') }, t('filter.clear'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (fields.from.value && fields.to.value && fields.from.value >= fields.to.value) {
      fields.from.focus();
      return ctx.showError(new Error(t('audit.err.dates')));
    }
    const qs = new URLSearchParams(Object.entries(fields).map(([k, el]) => [k, el.value.trim()] as [string, string]).filter(([, v]) => v)).toString();
    ctx.navigate(`/audit${qs ? `?${qs}` : ''}`);
  });
  return form;
}

function entryRow(ctx: ConsoleContext, e: Entry): HTMLElement {
  const { t, i18n } = ctx;
  const json = (value: unknown) => h('pre', { class: 'json' }, value === null || value === undefined ? '—' : JSON.stringify(value, null, 2));
  return h(
    'tr',
    { 'data-audit': e.id, 'data-action': e.action },
    h('td', null, String(e.id)),
    h('td', null, i18n.date(e.at, true)),
    h('td', null, e.actor),
    h('td', { class: 'mono' }, e.action),
    h('td', null, h('span', null, e.entity), ' ', h('span', { class: 'mono' }, e.entityId)),
    h('td', null, e.reason ?? '—'),
    h('td', null, e.ledgerSeq === null ? '—' : String(e.ledgerSeq)),
    h('td', null, e.chainSeq === null ? '—' : [String(e.chainSeq), ' ', e.hash ? shortHex(e.hash, 4) : null]),
    h(
      'td',
      null,
      h(
        'details',
        null,
        h('summary', null, t('audit.showChange')),
        h('div', null, h('strong', null, t('audit.before')), json(e.before)),
        h('div', null, h('strong', null, t('audit.after')), json(e.after)),
      ),
    ),
  );
}

function verificationView(ctx: ConsoleContext, v: ChainVerification): HTMLElement {
  const { t } = ctx;
  if (v.valid) {
    return h(
      'div',
      { class: 'banner ok', 'data-valid': 'true' },
      t('audit.verify.ok', {
        entries: v.entries,
        head: v.head.hash.slice(0, 12) + '…',
        checkpoints: v.checkpoints.checked,
        anchored: v.checkpoints.anchoredChainSeq ?? '—',
      }),
      v.legacyEntries ? h('div', null, t('audit.verify.legacy', { n: v.legacyEntries })) : null,
    );
  }
  return h(
    'div',
    { class: 'banner bad', 'data-valid': 'false' },
    t('audit.verify.bad', { n: v.failures.length }),
    h(
      'ul',
      null,
      v.failures.map((f) => h('li', null, badge('bad', f.problem), ' ', h('span', { lang: 'en' }, f.detail))),
    ),
  );
}
