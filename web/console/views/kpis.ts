// Key figures (#/kpis?asOf=&shipWithinDays=) as small SVG charts, each with its
// data as a table for screen readers (and for anyone who asks for it).
import { h } from '../../lib/dom';
import { barChart, lineChart, type ChartOptions, type Datum } from '../charts';
import type { ConsoleContext, View } from '../types';
import { netMessages } from './net/messages';
import './net/net.css';

interface Figure {
  quantity: number;
  value: string;
  unvaluedQuantity: number;
}

interface Kpis {
  asOf: string;
  stock: { total: Figure; byLotStatus: (Figure & { status: string })[]; byState: (Figure & { state: string })[] };
  expiring: (Figure & { withinDays: number; lots: number })[];
  expired: Figure & { lots: number };
  inspections: { total: number; passed: number; passRate: number | null; byKind: { kind: string; total: number; passed: number; passRate: number | null }[] };
  shipments: { shipWithinDays: number; shippedOrders: number; onTime: number; onTimeRate: number | null; openOverdue: number; basis: string };
  quality: { openNonconformances: number; dispositionedNonconformances: number; openCapas: number; overdueCapaActions: number };
  suppliers: { partnerId: number; code: string; name: string; receipts: number; onTimeRate: number | null; qualityRate: number | null; nonconformances: number; score: number | null }[];
}

export const kpisView: View = {
  id: 'kpis',
  title: 'kpis.title',
  roles: ['admin', 'qa', 'viewer'],
  messages: {
    en: {
      ...netMessages.en,
      'kpis.title': 'KPIs',
      'kpis.asOf': 'As of (date)',
      'kpis.shipWithin': 'An order ships on time within (days)',
      'kpis.refresh': 'Show',
      'kpis.figuresOf': 'Figures of {date}.',
      'kpis.err.shipWithin': 'An order ships on time within: a whole number of days from 0 to 365',
      'kpis.tile.stock': 'units in stock',
      'kpis.tile.value': 'stock value at standard cost',
      'kpis.tile.passRate': 'inspections passed',
      'kpis.tile.onTime': 'orders shipped on time',
      'kpis.tile.overdue': 'open orders overdue',
      'kpis.tile.expired': 'units expired ({lots} lots)',
      'kpis.chart.lotStatus': 'Stock by lot status (units)',
      'kpis.chart.state': 'Stock by state (units)',
      'kpis.chart.expiring': 'Units expiring within … days (expired first)',
      'kpis.chart.inspections': 'Inspection pass rate by kind',
      'kpis.chart.shipments': 'Shipped orders: on time and late; open orders overdue',
      'kpis.chart.quality': 'Quality records',
      'kpis.chart.suppliers': 'Supplier score (on time and incoming quality)',
      'kpis.col.what': 'What',
      'kpis.col.units': 'Units',
      'kpis.col.rate': 'Rate',
      'kpis.col.count': 'Count',
      'kpis.col.score': 'Score',
      'kpis.expired': 'expired',
      'kpis.within': '≤ {days} d',
      'kpis.onTime': 'on time',
      'kpis.late': 'late',
      'kpis.overdue': 'open, overdue',
      'kpis.openNcs': 'open nonconformances',
      'kpis.dispositionedNcs': 'dispositioned nonconformances',
      'kpis.openCapas': 'open CAPAs',
      'kpis.overdueCapaActions': 'overdue CAPA actions',
      'kpis.rateOf': '{rate} ({passed} of {total})',
      'kpis.noData': 'No data yet.',
      'kpis.basis': 'Basis: {basis}',
    },
    zh: {
      ...netMessages.zh,
      'kpis.title': '关键指标',
      'kpis.asOf': '截至日期',
      'kpis.shipWithin': '订单准时发货的天数',
      'kpis.refresh': '显示',
      'kpis.figuresOf': '{date} 的数据。',
      'kpis.err.shipWithin': '准时发货天数：0 到 365 的整数',
      'kpis.tile.stock': '库存件数',
      'kpis.tile.value': '按标准成本计的库存价值',
      'kpis.tile.passRate': '检验合格率',
      'kpis.tile.onTime': '准时发货的订单',
      'kpis.tile.overdue': '逾期未发的订单',
      'kpis.tile.expired': '已过期件数（{lots} 个批次）',
      'kpis.chart.lotStatus': '按批次状态的库存（件）',
      'kpis.chart.state': '按库存状态的库存（件）',
      'kpis.chart.expiring': '在 … 天内到期的件数（先列已过期）',
      'kpis.chart.inspections': '按检验类型的合格率',
      'kpis.chart.shipments': '已发订单：准时与延迟；逾期未发订单',
      'kpis.chart.quality': '质量记录',
      'kpis.chart.suppliers': '供应商评分（准时与来料质量）',
      'kpis.col.what': '项目',
      'kpis.col.units': '件数',
      'kpis.col.rate': '比率',
      'kpis.col.count': '数量',
      'kpis.col.score': '评分',
      'kpis.expired': '已过期',
      'kpis.within': '≤ {days} 天',
      'kpis.onTime': '准时',
      'kpis.late': '延迟',
      'kpis.overdue': '未发且逾期',
      'kpis.openNcs': '未结不合格项',
      'kpis.dispositionedNcs': '已处置不合格项',
      'kpis.openCapas': '未结 CAPA',
      'kpis.overdueCapaActions': '逾期 CAPA 措施',
      'kpis.rateOf': '{rate}（{total} 中 {passed}）',
      'kpis.noData': '暂无数据。',
      'kpis.basis': '依据：{basis}',
    },
  },
  async render(root, ctx, _params, query) {
    root.classList.add('net');
    const { t } = ctx;
    const asOf = h('input', { id: 'kpi-as-of', name: 'asOf', type: 'date', value: query.get('asOf') ?? '' });
    const within = h('input', { id: 'kpi-ship-within', name: 'shipWithinDays', type: 'number', inputmode: 'numeric', min: 0, max: 365, step: 1, value: query.get('shipWithinDays') ?? '2' });
    const form = h(
      'form',
      { class: 'filters no-print' },
      h(
        'div',
        { class: 'row' },
        h('div', null, h('label', { for: asOf.id }, t('kpis.asOf')), asOf),
        h('div', null, h('label', { for: within.id }, t('kpis.shipWithin')), within),
        h('button', { type: 'submit' }, t('kpis.refresh')),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const days = Number(within.value);
      if (within.value !== '' && (!Number.isInteger(days) || days < 0 || days > 365)) {
        within.focus();
        return ctx.showError(new Error(t('kpis.err.shipWithin')));
      }
      const qs = new URLSearchParams(Object.entries({ asOf: asOf.value, shipWithinDays: within.value }).filter(([, v]) => v)).toString();
      ctx.navigate(`/kpis${qs ? `?${qs}` : ''}`);
    });
    root.append(form);
    const kpis = await ctx.api.get<Kpis>('/api/v1/kpis', { asOf: query.get('asOf') || undefined, shipWithinDays: query.get('shipWithinDays') || undefined });
    root.append(figures(ctx, kpis));
  },
};

function figures(ctx: ConsoleContext, k: Kpis): HTMLElement {
  const { t, i18n } = ctx;
  const n = (v: number) => i18n.number(v);
  const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toLocaleString(i18n.lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: 1 })}%`);
  const money = (value: string) => Number(value).toLocaleString(i18n.lang === 'zh' ? 'zh-CN' : 'en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const base = (title: string, columns: [string, string], format: (v: number) => string, testid: string): ChartOptions => ({
    title,
    columns,
    format,
    toggle: { show: t('table.show'), hide: t('table.hide') },
    empty: t('kpis.noData'),
    testid,
  });
  const units = (title: string, testid: string) => base(title, [t('kpis.col.what'), t('kpis.col.units')], n, testid);
  const tile = (value: string, label: string) => h('div', { class: 'tile' }, h('span', { class: 'n' }, value), h('span', { class: 'l' }, label));

  const late = Math.max(0, k.shipments.shippedOrders - k.shipments.onTime);
  const expiring: Datum[] = [
    { label: t('kpis.expired'), value: k.expired.quantity },
    ...k.expiring.map((e) => ({ label: t('kpis.within', { days: e.withinDays }), value: e.quantity })),
  ];
  const inspections: Datum[] = k.inspections.byKind.map((i) => ({
    label: i.kind,
    value: i.passRate ?? 0,
    display: t('kpis.rateOf', { rate: pct(i.passRate), passed: i.passed, total: i.total }),
  }));
  return h(
    'div',
    { 'data-testid': 'kpis' },
    h('p', { class: 'muted' }, t('kpis.figuresOf', { date: i18n.date(k.asOf) })),
    h(
      'div',
      { class: 'tiles' },
      tile(n(k.stock.total.quantity), t('kpis.tile.stock')),
      tile(money(k.stock.total.value), t('kpis.tile.value')),
      tile(pct(k.inspections.passRate), t('kpis.tile.passRate')),
      tile(pct(k.shipments.onTimeRate), t('kpis.tile.onTime')),
      tile(n(k.shipments.openOverdue), t('kpis.tile.overdue')),
      tile(n(k.expired.quantity), t('kpis.tile.expired', { lots: k.expired.lots })),
    ),
    h(
      'div',
      { class: 'charts' },
      barChart(
        k.stock.byLotStatus.map((s) => ({ label: s.status, value: s.quantity })),
        units(t('kpis.chart.lotStatus'), 'chart-lot-status'),
      ),
      barChart(
        k.stock.byState.map((s) => ({ label: s.state, value: s.quantity })),
        units(t('kpis.chart.state'), 'chart-state'),
      ),
      lineChart(expiring, units(t('kpis.chart.expiring'), 'chart-expiring')),
      barChart(inspections, { ...base(t('kpis.chart.inspections'), [t('kpis.col.what'), t('kpis.col.rate')], (v) => pct(v), 'chart-inspections'), max: 1 }),
      barChart(
        k.shipments.shippedOrders + k.shipments.openOverdue === 0
          ? []
          : [
              { label: t('kpis.onTime'), value: k.shipments.onTime },
              { label: t('kpis.late'), value: late },
              { label: t('kpis.overdue'), value: k.shipments.openOverdue },
            ],
        base(t('kpis.chart.shipments'), [t('kpis.col.what'), t('kpis.col.count')], n, 'chart-shipments'),
      ),
      barChart(
        [
          { label: t('kpis.openNcs'), value: k.quality.openNonconformances },
          { label: t('kpis.dispositionedNcs'), value: k.quality.dispositionedNonconformances },
          { label: t('kpis.openCapas'), value: k.quality.openCapas },
          { label: t('kpis.overdueCapaActions'), value: k.quality.overdueCapaActions },
        ],
        base(t('kpis.chart.quality'), [t('kpis.col.what'), t('kpis.col.count')], n, 'chart-quality'),
      ),
      barChart(
        k.suppliers.filter((s) => s.score !== null).map((s) => ({ label: `${s.name} (${s.code})`, value: s.score!, display: pct(s.score) })),
        { ...base(t('kpis.chart.suppliers'), [t('kpis.col.what'), t('kpis.col.score')], (v) => pct(v), 'chart-suppliers'), max: 1 },
      ),
    ),
    h('p', { class: 'hint' }, t('kpis.basis', { basis: k.shipments.basis })),
  );
}
