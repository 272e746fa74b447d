// Reconciliation (#/reconciliation?company=&shipment=&status=&role=): what was
// shipped against what was received, item by item, with totals by company and
// by shipment; an open item is resolved here and the other company is told.
import { idempotencyKey } from '../../lib/api';
import { h, replace } from '../../lib/dom';
import type { ConsoleContext, View } from '../types';
import { badge, partyCell, reasonText, scrollTable, shortHex } from './net/format';
import { netMessages } from './net/messages';
import { pager, type Page } from './net/pager';
import './net/net.css';

interface Item {
  id: number;
  counterpart: string;
  counterpartName: string | null;
  role: 'receiver' | 'sender';
  shipmentRef: string;
  noticeId: number | null;
  shipmentId: number | null;
  gtin: string;
  lot: string | null;
  serial: string | null;
  expected: number;
  received: number;
  reason: string;
  status: 'open' | 'resolved';
  resolution: string | null;
  note: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

interface Totals {
  byCompany: { counterpart: string; name: string | null; open: number; resolved: number; expected: number; received: number }[];
  byShipment: { shipmentRef: string; counterpart: string; role: 'receiver' | 'sender'; shipped: number; received: number; open: number; resolved: number }[];
}

const RECONCILE_ROLES = ['admin', 'warehouse', 'sales'];
const RESOLUTIONS = ['credit-note', 'replacement-sent', 'found', 'written-off', 'returned-to-sender', 'received-late'];
const FILTERS = ['company', 'shipment', 'status', 'role'] as const;

export const reconciliationView: View = {
  id: 'reconciliation',
  title: 'recon.title',
  messages: {
    en: {
      ...netMessages.en,
      'recon.title': 'Reconciliation',
      'recon.intro': 'Shipped against received, item by item, on both sides of each shipment. Whoever resolves an item tells the other company.',
      'recon.company': 'Company (address or partner code)',
      'recon.shipment': 'Shipment (reference or own shipment id)',
      'recon.status': 'Status',
      'recon.role': 'Side',
      'recon.status.open': 'open',
      'recon.status.resolved': 'resolved',
      'recon.role.receiver': 'we received',
      'recon.role.sender': 'we shipped',
      'recon.byCompany': 'Totals by company',
      'recon.byShipment': 'Totals by shipment',
      'recon.items': 'Items',
      'recon.col.company': 'Company',
      'recon.col.open': 'Open',
      'recon.col.resolved': 'Resolved',
      'recon.col.expected': 'Expected',
      'recon.col.received': 'Received',
      'recon.col.shipment': 'Shipment',
      'recon.col.side': 'Side',
      'recon.col.shipped': 'Shipped',
      'recon.col.item': 'Item',
      'recon.col.id': 'Item no.',
      'recon.col.reason': 'Why',
      'recon.col.status': 'Status',
      'recon.col.resolution': 'Resolution',
      'recon.col.action': 'Action',
      'recon.filterBy': 'Show only this',
      'recon.item': 'GTIN {gtin} · lot {lot} · serial {serial}',
      'recon.resolvedBy': '{resolution} by {by}, {at}',
      'recon.resolve': 'Resolve',
      'recon.resolveItem': 'Resolve item {id}',
      'recon.resolution': 'Resolution',
      'recon.resolutionHint': 'e.g. credit-note, replacement-sent, found, written-off',
      'recon.note': 'Note (optional)',
      'recon.submit': 'Resolve the item',
      'recon.resolutionRequired': 'resolution: say how the item was settled (1-100 characters)',
      'recon.resolved': 'Item {id} resolved; {company} is told.',
    },
    zh: {
      ...netMessages.zh,
      'recon.title': '对账',
      'recon.intro': '每个发货单两边逐项核对发出与收到的数量。任一方解决某项后都会通知对方。',
      'recon.company': '公司（地址或伙伴代码）',
      'recon.shipment': '发货单（引用或本方发货单号）',
      'recon.status': '状态',
      'recon.role': '方向',
      'recon.status.open': '未解决',
      'recon.status.resolved': '已解决',
      'recon.role.receiver': '我方收货',
      'recon.role.sender': '我方发货',
      'recon.byCompany': '按公司汇总',
      'recon.byShipment': '按发货单汇总',
      'recon.items': '对账项',
      'recon.col.company': '公司',
      'recon.col.open': '未解决',
      'recon.col.resolved': '已解决',
      'recon.col.expected': '应收',
      'recon.col.received': '实收',
      'recon.col.shipment': '发货单',
      'recon.col.side': '方向',
      'recon.col.shipped': '发出',
      'recon.col.item': '货物',
      'recon.col.id': '编号',
      'recon.col.reason': '原因',
      'recon.col.status': '状态',
      'recon.col.resolution': '处理结果',
      'recon.col.action': '操作',
      'recon.filterBy': '只看此项',
      'recon.item': 'GTIN {gtin} · 批次 {lot} · 序列号 {serial}',
      'recon.resolvedBy': '{resolution}，{by}，{at}',
      'recon.resolve': '解决',
      'recon.resolveItem': '解决对账项 {id}',
      'recon.resolution': '处理结果',
      'recon.resolutionHint': '例如 credit-note、replacement-sent、found、written-off',
      'recon.note': '备注（可选）',
      'recon.submit': '解决此项',
      'recon.resolutionRequired': '处理结果：请说明如何处理（1-100 个字符）',
      'recon.resolved': '对账项 {id} 已解决；已通知 {company}。',
    },
  },
  async render(root, ctx, _params, query) {
    root.classList.add('net');
    const { t } = ctx;
    const filter = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
    const totals = h('div', { 'data-testid': 'recon-totals' });
    const list = pager<Item>(ctx, {
      caption: t('recon.items'),
      testid: 'recon-items',
      head: [t('recon.col.id'), t('recon.col.company'), t('recon.col.side'), t('recon.col.shipment'), t('recon.col.item'), t('recon.col.expected'), t('recon.col.received'), t('recon.col.reason'), t('recon.col.status'), t('recon.col.resolution'), t('recon.col.action')],
      load: (cursor) => ctx.api.get<Page<Item> & { totals: Totals }>('/api/v1/reconciliation', { ...filter, cursor, limit: 50 }),
      onPage: (page) => replace(totals, totalsView(ctx, (page as Page<Item> & { totals: Totals }).totals)),
      row: (item) => itemRow(ctx, item),
    });
    root.append(h('p', { class: 'muted' }, t('recon.intro')), filterForm(ctx, filter), totals, h('h2', null, t('recon.items')), list.element);
    await list.ready;
  },
};

function filterForm(ctx: ConsoleContext, filter: Record<(typeof FILTERS)[number], string>): HTMLElement {
  const { t } = ctx;
  const company = h('input', { id: 'recon-company', name: 'company', value: filter.company, maxlength: 100 });
  const shipment = h('input', { id: 'recon-shipment', name: 'shipment', value: filter.shipment, maxlength: 200 });
  const status = h(
    'select',
    { id: 'recon-status', name: 'status' },
    h('option', { value: '' }, t('filter.all')),
    (['open', 'resolved'] as const).map((s) => h('option', { value: s, selected: filter.status === s }, t(`recon.status.${s}`))),
  );
  const role = h(
    'select',
    { id: 'recon-role', name: 'role' },
    h('option', { value: '' }, t('filter.all')),
    (['receiver', 'sender'] as const).map((r) => h('option', { value: r, selected: filter.role === r }, t(`recon.role.${r}`))),
  );
  const form = h(
    'form',
    { class: 'filters no-print', role: 'search' },
    h(
      'div',
      { class: 'row' },
      h('div', null, h('label', { for: 'recon-company' }, t('recon.company')), company),
      h('div', null, h('label', { for: 'recon-shipment' }, t('recon.shipment')), shipment),
      h('div', null, h('label', { for: 'recon-status' }, t('recon.status')), status),
      h('div', null, h('label', { for: 'recon-role' }, t('recon.role')), role),
      h('button', { type: 'submit' }, t('filter.apply')),
      h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('/reconciliation') }, t('filter.clear')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`/reconciliation${queryOf({ company: company.value.trim(), shipment: shipment.value.trim(), status: status.value, role: role.value })}`);
  });
  return form;
}

function queryOf(values: Record<string, string>): string {
  const qs = new URLSearchParams(Object.entries(values).filter(([, v]) => v !== '')).toString();
  return qs ? `?${qs}` : '';
}

function totalsView(ctx: ConsoleContext, totals: Totals): HTMLElement {
  const { t, i18n } = ctx;
  const n = (v: number) => i18n.number(v);
  return h(
    'div',
    null,
    h('h2', null, t('recon.byCompany')),
    scrollTable(
      t('recon.byCompany'),
      [t('recon.col.company'), t('recon.col.open'), t('recon.col.resolved'), t('recon.col.expected'), t('recon.col.received')],
      totals.byCompany.length
        ? totals.byCompany.map((c) =>
            h(
              'tr',
              null,
              h('td', null, h('a', { href: `#/reconciliation${queryOf({ company: c.counterpart })}`, title: t('recon.filterBy') }, partyCell(c.name, c.counterpart))),
              h('td', null, n(c.open)),
              h('td', null, n(c.resolved)),
              h('td', null, n(c.expected)),
              h('td', null, n(c.received)),
            ),
          )
        : [h('tr', null, h('td', { colspan: 5, class: 'muted' }, t('common.none')))],
      { 'data-testid': 'recon-by-company' },
    ),
    h('h2', null, t('recon.byShipment')),
    scrollTable(
      t('recon.byShipment'),
      [t('recon.col.shipment'), t('recon.col.company'), t('recon.col.side'), t('recon.col.shipped'), t('recon.col.received'), t('recon.col.open'), t('recon.col.resolved')],
      totals.byShipment.length
        ? totals.byShipment.map((s) =>
            h(
              'tr',
              null,
              h('td', null, h('a', { href: `#/reconciliation${queryOf({ shipment: s.shipmentRef })}`, title: t('recon.filterBy') }, shipmentLabel(s.shipmentRef))),
              h('td', null, shortHex(s.counterpart, 4)),
              h('td', null, t(`recon.role.${s.role}`)),
              h('td', null, n(s.shipped)),
              h('td', null, n(s.received)),
              h('td', null, n(s.open)),
              h('td', null, n(s.resolved)),
            ),
          )
        : [h('tr', null, h('td', { colspan: 7, class: 'muted' }, t('common.none')))],
      { 'data-testid': 'recon-by-shipment' },
    ),
  );
}

/** urn:medtrace:shipment:<sender>:<id> → "0x1234…abcd #id" (the full reference as a tooltip). */
function shipmentLabel(ref: string): HTMLElement {
  const m = /^urn:medtrace:shipment:(0x[0-9a-f]{40}):(\d+)$/i.exec(ref);
  if (!m) return h('span', { class: 'mono' }, ref);
  return h('span', { title: ref }, shortHex(m[1], 4), ` #${m[2]}`);
}

function itemRow(ctx: ConsoleContext, item: Item): HTMLElement {
  const { t, i18n } = ctx;
  const canResolve = item.status === 'open' && ctx.user.roles.some((r) => RECONCILE_ROLES.includes(r));
  const action = canResolve ? h('button', { type: 'button', class: 'secondary', 'aria-label': t('recon.resolveItem', { id: item.id }) }, t('recon.resolve')) : null;
  const row = h(
    'tr',
    { 'data-item': item.id, 'data-status': item.status },
    h('td', null, String(item.id)),
    h('td', null, partyCell(item.counterpartName, item.counterpart)),
    h('td', null, t(`recon.role.${item.role}`)),
    h('td', null, shipmentLabel(item.shipmentRef)),
    h('td', null, t('recon.item', { gtin: item.gtin, lot: item.lot ?? '—', serial: item.serial ?? '—' })),
    h('td', null, i18n.number(item.expected)),
    h('td', null, i18n.number(item.received)),
    h('td', null, reasonText(t, item.reason)),
    h('td', null, badge(item.status === 'open' ? 'warn' : 'ok', t(`recon.status.${item.status}`))),
    h(
      'td',
      null,
      item.resolution ? t('recon.resolvedBy', { resolution: item.resolution, by: item.resolvedBy ?? '', at: item.resolvedAt ? i18n.date(item.resolvedAt, true) : '' }) : '—',
      item.note ? h('div', { class: 'muted' }, item.note) : null,
    ),
    h('td', null, action),
  );
  if (action) {
    action.addEventListener('click', () => {
      const next = row.nextElementSibling;
      if (next?.classList.contains('resolve-row')) return next.querySelector('input')?.focus();
      const closeForm = () => {
        formRow.remove();
        action.focus();
      };
      const formRow = h('tr', { class: 'resolve-row' }, h('td', { colspan: 11 }, resolveForm(ctx, item, row, closeForm)));
      row.after(formRow);
      formRow.querySelector('input')?.focus();
    });
  }
  return row;
}

function resolveForm(ctx: ConsoleContext, item: Item, row: HTMLElement, close: () => void): HTMLElement {
  const { t } = ctx;
  const prefix = `resolve-${item.id}`;
  const resolution = h('input', { id: `${prefix}-resolution`, name: 'resolution', list: `${prefix}-options`, maxlength: 100, required: true, 'aria-describedby': `${prefix}-hint` });
  const note = h('textarea', { id: `${prefix}-note`, name: 'note', maxlength: 2000, rows: 2 });
  const reason = h('input', { id: `${prefix}-reason`, name: 'reason', maxlength: 1000 });
  const submit = h('button', { type: 'submit' }, t('recon.submit'));
  const key = idempotencyKey();
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': t('recon.resolveItem', { id: item.id }), novalidate: true },
    h('label', { for: resolution.id }, t('recon.resolution')),
    resolution,
    h('datalist', { id: `${prefix}-options` }, RESOLUTIONS.map((r) => h('option', { value: r }))),
    h('p', { id: `${prefix}-hint`, class: 'hint' }, t('recon.resolutionHint')),
    h('label', { for: note.id }, t('recon.note')),
    note,
    h('label', { for: reason.id }, t('common.reasonOptional')),
    reason,
    h('div', { class: 'row', style: 'margin-top: 0.6em' }, submit, h('button', { type: 'button', class: 'secondary', onclick: close }, t('common.cancel'))),
  );
  form.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Escape') close();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = resolution.value.trim();
    if (!value || value.length > 100) {
      resolution.focus();
      return ctx.showError(new Error(t('recon.resolutionRequired')));
    }
    submit.disabled = true;
    try {
      const body = { resolution: value, ...(note.value.trim() ? { note: note.value.trim() } : {}), ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) };
      const resolved = await ctx.api.post<Item>(`/api/v1/reconciliation/${item.id}/resolve`, body, { 'Idempotency-Key': key });
      const fresh = itemRow(ctx, resolved);
      row.replaceWith(fresh);
      form.closest('tr')?.remove();
      ctx.notify(t('recon.resolved', { id: item.id, company: resolved.counterpartName ?? resolved.counterpart }));
      fresh.querySelector('td')?.setAttribute('tabindex', '-1');
      (fresh.querySelector('td') as HTMLElement | null)?.focus();
    } catch (err) {
      ctx.showError(err);
      submit.disabled = false;
    }
  });
  return form;
}
