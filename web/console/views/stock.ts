// Stock (#/stock?…): what the node holds by product, lot, bin, state and lot
// status, with totals over the whole selection, and the lots expiring soon.
import { h } from '../../lib/dom';
import type { ConsoleContext, View } from '../types';
import { pagedTable, type KeysetPage } from '../widgets/table';
import { expiringTable, LOT_STATUSES, lotPath } from './lots';
import { loadBins } from './ops/bins';
import { loadProducts, productLabel } from './ops/catalog';
import { countLabel, expiryBadge, localToday, statusBadge } from './ops/format';

const ZONES = ['quarantine', 'qualified', 'nonconforming', 'returns'] as const;
const STATES = ['on_hand', 'allocated', 'picked', 'returned', 'shipped', 'scrapped', 'consumed'] as const;
const SOON_DAYS = 30;

interface StockRow {
  gtin: string;
  lot: string;
  binId: number | null;
  bin: string | null;
  zone: string | null;
  state: string;
  lotStatus: string;
  expiry: string;
  quantity: number;
}

interface Totals {
  quantity: number;
  byState: Record<string, number>;
  byZone: Record<string, number>;
  byLotStatus: Record<string, number>;
}

function choice(id: string, label: string, options: [string, string][], value: string): HTMLElement {
  return h(
    'div',
    null,
    h('label', { for: id }, label),
    h('select', { id, name: id.replace(/^stock-/, '') }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))),
  );
}

function totalsCard(ctx: ConsoleContext, totals: Totals): HTMLElement {
  const { t } = ctx;
  const group = (title: string, entries: Record<string, number>, word: (key: string) => HTMLElement | string) =>
    h(
      'div',
      null,
      h('h3', { style: 'margin: 0.4em 0; font-size: 1em' }, title),
      Object.keys(entries).length === 0
        ? h('span', { class: 'muted' }, '—')
        : Object.entries(entries).map(([key, n]) => h('span', { style: 'display: inline-block; margin: 0 0.8em 0.3em 0' }, word(key), ' ', h('strong', null, ctx.i18n.number(n)))),
    );
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'stock-totals-heading', 'data-testid': 'stock-totals' },
    h('h2', { id: 'stock-totals-heading', style: 'margin-top: 0' }, t('stock.totals', { quantity: ctx.i18n.number(totals.quantity) })),
    h(
      'div',
      { class: 'row', style: 'align-items: start' },
      group(t('ops.lotStatus'), totals.byLotStatus, (s) => statusBadge(ctx, s)),
      group(t('ops.zone'), totals.byZone, (z) => t(`ops.zone.${z}`)),
      group(t('ops.state'), totals.byState, (s) => t(`ops.state.${s}`)),
    ),
  );
}

export const stockView: View = {
  id: 'stock',
  title: 'stock.title',
  messages: {
    en: {
      'stock.title': 'Stock',
      'stock.filters': 'Filter stock',
      'stock.anyBin': 'Any bin',
      'stock.totals': '{quantity} units in this selection',
      'stock.caption': 'Stock by product, lot, bin and state',
      'stock.empty': 'No stock matches.',
      'stock.defaultState': 'In the warehouse',
      'stock.soon': 'Expiring within {days} days',
      'stock.soonAll': 'All expiring lots…',
      'stock.lotFilter': 'Lot',
    },
    zh: {
      'stock.title': '库存',
      'stock.filters': '筛选库存',
      'stock.anyBin': '全部货位',
      'stock.totals': '所选范围共 {quantity} 件',
      'stock.caption': '按产品、批次、货位和状态的库存',
      'stock.empty': '没有符合条件的库存。',
      'stock.defaultState': '在库（含已分配、已拣货、退回）',
      'stock.soon': '{days} 天内到期',
      'stock.soonAll': '全部近效期批次…',
      'stock.lotFilter': '批号',
    },
  },
  async render(root, ctx, _params, query) {
    const { t } = ctx;
    const filter = {
      gtin: query.get('gtin') ?? '',
      lot: query.get('lot') ?? '',
      binId: query.get('binId') ?? '',
      zone: query.get('zone') ?? '',
      state: query.get('state') ?? '',
      lotStatus: query.get('lotStatus') ?? '',
    };
    const [products, bins, first, soon] = await Promise.all([
      loadProducts(ctx.api),
      loadBins(ctx.api),
      ctx.api.get<KeysetPage<StockRow> & { totals: Totals }>('/api/v1/stock', { ...filter, limit: 50 }),
      ctx.api.get<{ asOf: string; items: Parameters<typeof expiringTable>[1] }>('/api/v1/stock/expiring', { days: SOON_DAYS }),
    ]);
    const lot = h('input', { id: 'stock-lot', name: 'lot', value: filter.lot, maxlength: 20, class: 'mono' });
    const form = h(
      'form',
      { class: 'card row', role: 'search', 'aria-label': t('stock.filters') },
      choice('stock-gtin', t('ops.product'), [['', t('ops.all')], ...[...products.values()].map((p): [string, string] => [p.gtin, `${p.name} · ${p.gtin}`])], filter.gtin),
      h('div', null, h('label', { for: 'stock-lot' }, t('stock.lotFilter')), lot),
      choice('stock-lotStatus', t('ops.lotStatus'), [['', t('ops.all')], ...LOT_STATUSES.map((s): [string, string] => [s, t(`ops.status.${s}`)])], filter.lotStatus),
      choice('stock-zone', t('ops.zone'), [['', t('ops.all')], ...ZONES.map((z): [string, string] => [z, t(`ops.zone.${z}`)])], filter.zone),
      choice('stock-state', t('ops.state'), [['', t('stock.defaultState')], ...STATES.map((s): [string, string] => [s, t(`ops.state.${s}`)])], filter.state),
      choice('stock-binId', t('ops.bin'), [['', t('stock.anyBin')], ...bins.map((b): [string, string] => [String(b.id), `${b.warehouse}/${b.code} (${t(`ops.zone.${b.zone}`)})`])], filter.binId),
      h('button', { type: 'submit' }, t('ops.filter')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      new FormData(form).forEach((value, name) => {
        if (typeof value === 'string' && value.trim()) next.set(name, value.trim());
      });
      ctx.navigate(`/stock${next.toString() ? `?${next}` : ''}`);
    });
    const today = localToday();
    // The first page came with the totals; later pages are read by the table.
    let firstPage: KeysetPage<StockRow> | null = first;
    const table = pagedTable<StockRow>({
      caption: t('stock.caption'),
      empty: t('stock.empty'),
      testId: 'stock-table',
      moreLabel: t('common.more'),
      loadingLabel: t('common.loading'),
      countLabel: countLabel(ctx),
      onError: (err) => ctx.showError(err),
      load: async (cursor) => {
        if (cursor === null && firstPage) {
          const page = firstPage;
          firstPage = null;
          return page;
        }
        return ctx.api.get<KeysetPage<StockRow>>('/api/v1/stock', { ...filter, limit: 50, cursor });
      },
      columns: [
        { header: t('ops.lot'), cell: (r) => h('a', { href: `#${lotPath(r.gtin, r.lot)}` }, r.lot) },
        { header: t('ops.product'), cell: (r) => [productLabel(products, r.gtin), h('br'), h('span', { class: 'mono muted' }, r.gtin)] },
        { header: t('ops.bin'), cell: (r) => (r.bin ? h('span', { class: 'mono' }, r.bin) : '—') },
        { header: t('ops.zone'), cell: (r) => (r.zone ? t(`ops.zone.${r.zone}`) : '—') },
        { header: t('ops.state'), cell: (r) => t(`ops.state.${r.state}`) },
        { header: t('ops.lotStatus'), cell: (r) => statusBadge(ctx, r.lotStatus) },
        { header: t('ops.expiry'), cell: (r) => expiryBadge(ctx, r.expiry, today) },
        { header: t('ops.quantity'), numeric: true, cell: (r) => ctx.i18n.number(r.quantity) },
      ],
    });
    root.append(
      form,
      totalsCard(ctx, first.totals),
      table.element,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'stock-soon-heading' },
        h('h2', { id: 'stock-soon-heading', style: 'margin-top: 0' }, t('stock.soon', { days: SOON_DAYS })),
        expiringTable(ctx, soon.items.slice(0, 10), soon.asOf, products, t('stock.soon', { days: SOON_DAYS }), 'stock-expiring'),
        h('p', null, h('a', { href: `#/lots/expiring?days=${SOON_DAYS}` }, t('stock.soonAll'))),
      ),
    );
    await table.ready;
  },
};
