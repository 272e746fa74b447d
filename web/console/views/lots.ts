// Lots: every lot of the node by status (#/lots?status=&gtin=), the lots with
// stock expiring within N days (#/lots/expiring?days=), commissioning a new
// lot (#/lots/new) and one lot with its inspections, history and release
// (#/lots/{gtin}/{lot}).
import { h } from '../../lib/dom';
import type { ConsoleContext, View } from '../types';
import { dataTable, pagedTable, type KeysetPage } from '../widgets/table';
import { loadProducts, productLabel, type Product } from './ops/catalog';
import { commissionMessages, renderCommission } from './ops/commission';
import { countLabel, expiryBadge, localToday, statusBadge, tabs } from './ops/format';
import { lotDetailMessages, renderLotDetail } from './ops/lotDetail';
import { opsMessages } from './ops/messages';

export const LOT_STATUSES = ['quarantined', 'released', 'blocked', 'rejected', 'expired', 'recalled'] as const;

export interface Lot {
  gtin: string;
  lot: string;
  productionDate: string;
  expiry: string;
  unitCount: number;
  commissioningSeq: number | null;
  status: string;
  statusChangedAt: string;
  origin: 'commissioned' | 'received';
  supplierLot: string | null;
  releaseSignatureId: number | null;
  createdAt: string;
  createdBy: string;
}

export const lotPath = (gtin: string, lot: string) => `/lots/${gtin}/${encodeURIComponent(lot)}`;

function lotTabs(ctx: ConsoleContext, current: string): HTMLElement {
  return tabs(
    ctx,
    ctx.t('lots.sections'),
    [
      ['/lots', 'lots.tab.all'],
      ['/lots/expiring', 'lots.tab.expiring'],
      ['/lots/new', 'lots.tab.new'],
    ],
    current,
  );
}

function select(id: string, label: string, options: [value: string, text: string][], value: string): [HTMLLabelElement, HTMLSelectElement] {
  const el = h('select', { id, name: id }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  return [h('label', { for: id }, label), el];
}

// A status filter the node's list does not take: pages are read until a page's worth matches (or 10 pages were read).
async function lotsPage(ctx: ConsoleContext, filter: { gtin?: string; status?: string }, cursor: string | null): Promise<KeysetPage<Lot>> {
  const items: Lot[] = [];
  let next = cursor;
  let pages = 0;
  do {
    const page = await ctx.api.get<KeysetPage<Lot>>('/api/v1/lots', { gtin: filter.gtin, limit: filter.status ? 200 : 50, cursor: next });
    items.push(...page.items.filter((lot) => !filter.status || lot.status === filter.status));
    next = page.nextCursor;
    pages += 1;
  } while (filter.status && next && items.length < 50 && pages < 10);
  return { items, nextCursor: next };
}

async function renderList(root: HTMLElement, ctx: ConsoleContext, query: URLSearchParams): Promise<void> {
  const { t } = ctx;
  const products = await loadProducts(ctx.api);
  const status = query.get('status') ?? '';
  const gtin = query.get('gtin') ?? '';
  const [statusLabel, statusSelect] = select('lots-status', t('ops.status'), [['', t('ops.all')], ...LOT_STATUSES.map((s): [string, string] => [s, t(`ops.status.${s}`)])], status);
  const [gtinLabel, gtinSelect] = select('lots-gtin', t('ops.product'), [['', t('ops.all')], ...[...products.values()].map((p): [string, string] => [p.gtin, `${p.name} · ${p.gtin}`])], gtin);
  const form = h(
    'form',
    { class: 'card row', role: 'search', 'aria-label': t('lots.filters') },
    h('div', null, statusLabel, statusSelect),
    h('div', null, gtinLabel, gtinSelect),
    h('button', { type: 'submit' }, t('ops.filter')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (statusSelect.value) next.set('status', statusSelect.value);
    if (gtinSelect.value) next.set('gtin', gtinSelect.value);
    ctx.navigate(`/lots${next.toString() ? `?${next}` : ''}`);
  });
  const today = localToday();
  const table = pagedTable<Lot>({
    caption: status ? t('lots.captionStatus', { status: t(`ops.status.${status}`) }) : t('lots.caption'),
    empty: t('lots.empty'),
    testId: 'lots-table',
    moreLabel: t('common.more'),
    loadingLabel: t('common.loading'),
    countLabel: countLabel(ctx),
    onError: (err) => ctx.showError(err),
    load: (cursor) => lotsPage(ctx, { gtin: gtin || undefined, status: status || undefined }, cursor),
    columns: [
      { header: t('ops.lot'), cell: (lot) => h('a', { href: `#${lotPath(lot.gtin, lot.lot)}` }, lot.lot) },
      { header: t('ops.product'), cell: (lot) => [productLabel(products, lot.gtin), h('br'), h('span', { class: 'mono muted' }, lot.gtin)] },
      { header: t('ops.status'), cell: (lot) => statusBadge(ctx, lot.status) },
      { header: t('ops.expiry'), cell: (lot) => expiryBadge(ctx, lot.expiry, today) },
      { header: t('lots.units'), numeric: true, cell: (lot) => ctx.i18n.number(lot.unitCount) },
      { header: t('lots.origin'), cell: (lot) => t(`lots.origin.${lot.origin}`) },
    ],
  });
  root.append(lotTabs(ctx, '/lots'), form, table.element);
  await table.ready;
}

interface ExpiringLot {
  gtin: string;
  lot: string;
  expiry: string;
  daysLeft: number;
  lotStatus: string;
  quantity: number;
  byState: Record<string, number>;
}

async function renderExpiring(root: HTMLElement, ctx: ConsoleContext, query: URLSearchParams): Promise<void> {
  const { t } = ctx;
  const requested = query.get('days') ?? '30';
  const days = /^\d{1,4}$/.test(requested) && Number(requested) <= 3650 ? Number(requested) : 30;
  const [answer, products] = await Promise.all([
    ctx.api.get<{ asOf: string; days: number; items: ExpiringLot[]; totals: { lots: number; quantity: number; expired: number } }>('/api/v1/stock/expiring', { days }),
    loadProducts(ctx.api),
  ]);
  const input = h('input', { id: 'expiring-days', name: 'days', type: 'number', min: 0, max: 3650, step: 1, value: days, inputmode: 'numeric', required: true });
  const form = h(
    'form',
    { class: 'card row', role: 'search', 'aria-label': t('lots.expiring.filters') },
    h('div', null, h('label', { for: 'expiring-days' }, t('lots.expiring.days')), input),
    h('button', { type: 'submit' }, t('ops.filter')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`/lots/expiring?days=${encodeURIComponent(input.value)}`);
  });
  root.append(
    lotTabs(ctx, '/lots/expiring'),
    form,
    h(
      'p',
      { 'data-testid': 'expiring-summary' },
      t('lots.expiring.summary', { lots: answer.totals.lots, quantity: ctx.i18n.number(answer.totals.quantity), expired: answer.totals.expired, days: answer.days, asOf: ctx.i18n.date(answer.asOf) }),
    ),
    expiringTable(ctx, answer.items, answer.asOf, products, t('lots.expiring.caption', { days: answer.days }), 'expiring-table'),
  );
}

/** The lots with stock expiring soon, soonest first (the stock view shows the same table). */
export function expiringTable(ctx: ConsoleContext, items: ExpiringLot[], asOf: string, products: Map<string, Product>, caption: string, testId: string): HTMLElement {
  const { t } = ctx;
  return dataTable<ExpiringLot>(
    [
      { header: t('ops.lot'), cell: (lot) => h('a', { href: `#${lotPath(lot.gtin, lot.lot)}` }, lot.lot) },
      { header: t('ops.product'), cell: (lot) => [productLabel(products, lot.gtin), h('br'), h('span', { class: 'mono muted' }, lot.gtin)] },
      { header: t('ops.expiry'), cell: (lot) => expiryBadge(ctx, lot.expiry, asOf, lot.daysLeft) },
      { header: t('ops.lotStatus'), cell: (lot) => statusBadge(ctx, lot.lotStatus) },
      { header: t('ops.quantity'), numeric: true, cell: (lot) => ctx.i18n.number(lot.quantity) },
      {
        header: t('ops.state'),
        cell: (lot) =>
          Object.entries(lot.byState)
            .map(([state, n]) => `${t(`ops.state.${state}`)} ${ctx.i18n.number(n)}`)
            .join(', '),
      },
    ],
    items,
    { caption, empty: t('lots.expiring.none'), testId },
  );
}

export const lotsView: View = {
  id: 'lots',
  title: 'lots.title',
  messages: {
    en: {
      ...opsMessages.en,
      ...lotDetailMessages.en,
      ...commissionMessages.en,
      'lots.title': 'Lots',
      'lots.sections': 'Lot pages',
      'lots.tab.all': 'All lots',
      'lots.tab.expiring': 'Expiring',
      'lots.tab.new': 'Commission a lot',
      'lots.filters': 'Filter lots',
      'lots.caption': 'Lots',
      'lots.captionStatus': 'Lots: {status}',
      'lots.empty': 'No lots match.',
      'lots.units': 'Units',
      'lots.origin': 'Origin',
      'lots.origin.commissioned': 'Made here',
      'lots.origin.received': 'Received',
      'lots.expiring.filters': 'Expiry horizon',
      'lots.expiring.days': 'Expiring within (days)',
      'lots.expiring.caption': 'Lots with stock expiring within {days} days, soonest first',
      'lots.expiring.summary': 'Within {days} days of {asOf}: lots {lots}, units {quantity}, already expired {expired}.',
      'lots.expiring.none': 'No stock expires in that time.',
    },
    zh: {
      ...opsMessages.zh,
      ...lotDetailMessages.zh,
      ...commissionMessages.zh,
      'lots.title': '批次',
      'lots.sections': '批次页面',
      'lots.tab.all': '全部批次',
      'lots.tab.expiring': '近效期',
      'lots.tab.new': '新建批次',
      'lots.filters': '筛选批次',
      'lots.caption': '批次',
      'lots.captionStatus': '批次：{status}',
      'lots.empty': '没有符合条件的批次。',
      'lots.units': '数量',
      'lots.origin': '来源',
      'lots.origin.commissioned': '本厂生产',
      'lots.origin.received': '收货入库',
      'lots.expiring.filters': '效期范围',
      'lots.expiring.days': '多少天内到期',
      'lots.expiring.caption': '{days} 天内到期的库存批次（按到期先后）',
      'lots.expiring.summary': '截至 {asOf}，{lots} 个批次（{quantity} 件）将在 {days} 天内到期；{expired} 个已过期。',
      'lots.expiring.none': '此期间内没有到期的库存。',
    },
  },
  async render(root, ctx, params, query) {
    if (params[0] === 'expiring') return renderExpiring(root, ctx, query);
    if (params[0] === 'new') {
      root.append(lotTabs(ctx, '/lots/new'));
      return renderCommission(root, ctx);
    }
    if (params.length >= 2) return renderLotDetail(root, ctx, params[0], params[1]);
    return renderList(root, ctx, query);
  },
};
