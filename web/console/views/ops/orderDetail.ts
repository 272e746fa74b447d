// One sales order (#/orders/{id}): its lines; allocation FEFO, shown per lot,
// bin and expiry; picking with the scan field (each scan read in the browser
// by the SDK, then checked by the node: a unit that is not what the order was
// allocated is refused with the node's reason, a good one ticks its line);
// shipping, with the shipping event and the notice a customer running a node
// gets. The allocation and picks are read back from the stock journal, so a
// reload shows them; the allocated serials are known from the allocation
// answer only (the API lists no order's allocated units), kept for the tab.
import { idempotencyKey } from '../../../lib/api';
import { h, replace } from '../../../lib/dom';
import type { ConsoleContext } from '../../types';
import { dataTable } from '../../widgets/table';
import type { Order } from '../orders';
import { loadBins, type Bin } from './bins';
import { loadProducts, productLabel, type Product } from './catalog';
import { expiryBadge, facts, refusalBox, statusBadge } from './format';
import { loadCustomers, type Partner } from './partners';
import { pickingSection, pickMessages } from './picking';
import { refusalOf } from './session';
import { shipmentsSection, shippingMessages } from './shipping';

interface Move {
  kind: string;
  gtin: string;
  lot: string;
  serial: string | null;
  quantity: number;
  fromBinId: number | null;
}

export interface AllocatedUnit {
  lineId: number;
  gtin: string;
  lot: string;
  serial?: string;
  quantity: number;
  binId: number;
  expiry: string;
}

interface AllocationRow {
  lineNo: number;
  gtin: string;
  lot: string;
  binId: number;
  allocated: number;
  picked: number;
}

/** What the order detail shows, re-read after every allocation, pick and shipment. */
export interface OrderState {
  order: Order;
  rows: AllocationRow[];
  pickedSerials: Set<string>;
  expiries: Map<string, string>;
}

export interface OrderPage {
  ctx: ConsoleContext;
  id: number;
  products: Map<string, Product>;
  bins: Map<number, Bin>;
  customer: Partner | undefined;
  state: OrderState;
  /** What each section redraws after the state is re-read. */
  updates: (() => void)[];
  /** Re-reads the order and runs every update (the scan field itself stays, focused). */
  refresh(): Promise<void>;
}

const storageKey = (id: number) => `medtrace.console.allocation.${location.host}.${id}`;

function rememberedUnits(id: number): AllocatedUnit[] {
  try {
    return JSON.parse(sessionStorage.getItem(storageKey(id)) ?? '[]') as AllocatedUnit[];
  } catch {
    return [];
  }
}

function remember(id: number, units: AllocatedUnit[]): void {
  const known = rememberedUnits(id);
  sessionStorage.setItem(storageKey(id), JSON.stringify([...known, ...units]));
}

async function readState(ctx: ConsoleContext, id: number, expiries: Map<string, string>): Promise<OrderState> {
  const order = await ctx.api.get<Order>(`/api/v1/orders/${id}`);
  const journals = await Promise.all(
    order.lines.map((line) => ctx.api.get<{ items: Move[] }>('/api/v1/stock/moves', { refType: 'order_line', refId: String(line.id), limit: 500 }).then((page) => ({ line, moves: page.items }))),
  );
  const rows = new Map<string, AllocationRow>();
  const pickedSerials = new Set<string>();
  for (const { line, moves } of journals) {
    for (const move of moves) {
      if (move.fromBinId === null) continue;
      const key = `${line.id}|${move.lot}|${move.fromBinId}`;
      const row = rows.get(key) ?? { lineNo: line.lineNo, gtin: move.gtin, lot: move.lot, binId: move.fromBinId, allocated: 0, picked: 0 };
      if (move.kind === 'allocate') row.allocated += move.quantity;
      if (move.kind === 'deallocate') row.allocated -= move.quantity;
      if (move.kind === 'pick') row.picked += move.quantity;
      if (move.kind === 'unpick') row.picked -= move.quantity;
      if (move.kind === 'pick' && move.serial) pickedSerials.add(`${move.gtin}|${move.serial}`);
      rows.set(key, row);
    }
  }
  const lots = [...new Set([...rows.values()].map((r) => `${r.gtin}|${r.lot}`))].filter((key) => !expiries.has(key));
  await Promise.all(
    lots.map(async (key) => {
      const [gtin, lot] = key.split('|');
      const found = await ctx.api.get<{ expiry: string }>(`/api/v1/lots/${gtin}/${encodeURIComponent(lot)}`);
      expiries.set(key, found.expiry);
    }),
  );
  const sorted = [...rows.values()].filter((r) => r.allocated > 0 || r.picked > 0).sort((a, b) => a.lineNo - b.lineNo || a.lot.localeCompare(b.lot) || a.binId - b.binId);
  return { order, rows: sorted, pickedSerials, expiries };
}

export async function renderOrderDetail(root: HTMLElement, ctx: ConsoleContext, id: number): Promise<void> {
  const { t } = ctx;
  const [state, customers, products, bins] = await Promise.all([readState(ctx, id, new Map()), loadCustomers(ctx.api), loadProducts(ctx.api), loadBins(ctx.api)]);
  const headerHost = h('div');
  const linesHost = h('div');
  const allocationHost = h('div');
  const page: OrderPage = {
    ctx,
    id,
    products,
    bins: new Map(bins.map((b) => [b.id, b])),
    customer: customers.get(state.order.customerId),
    state,
    updates: [],
    async refresh() {
      page.state = await readState(ctx, id, page.state.expiries);
      for (const update of page.updates) update();
    },
  };
  const draw = () => {
    replace(headerHost, header(page));
    replace(linesHost, linesTable(page));
    replace(allocationHost, allocationView(page));
  };
  page.updates.push(draw);
  draw();
  const allocation = allocateSection(page, allocationHost);
  const picking = pickingSection(page);
  const shipping = shipmentsSection(page);
  root.append(
    h('p', null, h('a', { href: '#/orders' }, t('order.back'))),
    headerHost,
    h('section', { class: 'card', 'aria-labelledby': 'order-lines-heading' }, h('h2', { id: 'order-lines-heading' }, t('order.lines')), linesHost),
    allocation,
    picking.element,
    shipping.element,
  );
  await shipping.ready;
  // The picker's hands are on the scanner: the scan field takes the focus once the shell is done drawing.
  if (!picking.element.querySelector('form')?.hidden) setTimeout(() => picking.focus(), 0);
}

function header(page: OrderPage): HTMLElement {
  const { ctx, state, customer } = page;
  const { t } = ctx;
  const o = state.order;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'order-heading' },
    h('h2', { id: 'order-heading', tabindex: -1 }, t('orders.number', { id: o.id }), ' ', statusBadge(ctx, o.status, 'order-status')),
    facts([
      [t('orders.customer'), customer ? `${customer.name} (${customer.code})` : `#${o.customerId}`],
      [t('order.customerNode'), customer?.participant ? h('span', { class: 'mono' }, customer.participant) : t('order.noNode')],
      [t('order.reference'), o.customerReference],
      [t('orders.total'), `${o.total} ${o.currency}`],
      [t('order.source'), o.externalId ? `${o.source} · ${o.externalId}` : o.source],
      [t('order.created'), `${o.createdBy} · ${ctx.i18n.date(o.createdAt, true)}`],
    ]),
  );
}

function linesTable(page: OrderPage): HTMLElement {
  const { ctx, state, products } = page;
  const { t } = ctx;
  return dataTable<Order['lines'][number]>(
    [
      { header: '#', cell: (l) => String(l.lineNo) },
      { header: t('ops.product'), cell: (l) => [productLabel(products, l.gtin), h('br'), h('span', { class: 'mono muted' }, l.gtin)] },
      { header: t('order.lotAsked'), cell: (l) => l.lot ?? t('order.fefo') },
      { header: t('ops.quantity'), numeric: true, cell: (l) => String(l.quantity) },
      { header: t('order.allocated'), numeric: true, cell: (l) => String(l.allocated) },
      {
        header: t('order.picked'),
        numeric: true,
        cell: (l) => h('span', { 'data-testid': `line-${l.lineNo}-picked` }, l.picked >= l.quantity ? h('span', { class: 'tick', 'aria-label': t('order.linePicked') }, '✓ ') : null, `${l.picked} / ${l.quantity}`),
      },
      { header: t('order.shipped'), numeric: true, cell: (l) => String(l.shipped) },
    ],
    state.order.lines,
    { caption: t('order.linesCaption'), empty: t('order.noLines'), testId: 'order-lines' },
  );
}

function allocationView(page: OrderPage): HTMLElement {
  const { ctx, state, bins } = page;
  const { t } = ctx;
  const units = rememberedUnits(page.id).filter((u) => u.serial);
  const table = dataTable<AllocationRow>(
    [
      { header: t('order.line'), cell: (r) => String(r.lineNo) },
      { header: t('ops.lot'), cell: (r) => h('a', { href: `#/lots/${r.gtin}/${encodeURIComponent(r.lot)}` }, r.lot) },
      { header: t('ops.bin'), cell: (r) => h('span', { class: 'mono' }, bins.get(r.binId) ? `${bins.get(r.binId)!.warehouse}/${bins.get(r.binId)!.code}` : `#${r.binId}`) },
      { header: t('ops.expiry'), cell: (r) => (state.expiries.has(`${r.gtin}|${r.lot}`) ? expiryBadge(ctx, state.expiries.get(`${r.gtin}|${r.lot}`)!) : '') },
      { header: t('order.allocated'), numeric: true, cell: (r) => String(r.allocated) },
      { header: t('order.picked'), numeric: true, cell: (r) => [r.allocated > 0 && r.picked >= r.allocated ? h('span', { class: 'tick' }, '✓ ') : null, String(r.picked)] },
    ],
    state.rows,
    { caption: t('order.allocationCaption'), empty: t('order.noAllocation'), testId: 'allocation-table' },
  );
  if (units.length === 0) return table;
  const list = h(
    'ul',
    { class: 'scan-history', 'data-testid': 'pick-list', 'aria-label': t('order.pickList') },
    units.map((u) => {
      const picked = state.pickedSerials.has(`${u.gtin}|${u.serial}`);
      return h(
        'li',
        { 'data-serial': u.serial!, 'data-picked': String(picked) },
        h('span', { class: picked ? 'tick' : 'muted', 'aria-hidden': 'true' }, picked ? '✓ ' : '○ '),
        h('span', { class: 'mono' }, u.serial!),
        ` · ${t('ops.lot')} ${u.lot} · ${bins.get(u.binId) ? `${bins.get(u.binId)!.warehouse}/${bins.get(u.binId)!.code}` : `#${u.binId}`} · `,
        picked ? t('order.unitPicked') : t('order.unitToPick'),
      );
    }),
  );
  return h('div', null, table, h('h3', null, t('order.pickList')), list);
}

function allocateSection(page: OrderPage, allocationHost: HTMLElement): HTMLElement {
  const { ctx, id } = page;
  const { t } = ctx;
  const outcome = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button', 'data-testid': 'allocate-button' }, t('order.allocate'));
  const sync = () => {
    const o = page.state.order;
    button.hidden = o.status === 'shipped' || o.status === 'cancelled' || o.lines.every((l) => l.allocated >= l.quantity);
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(outcome);
    try {
      const answer = await ctx.api.post<{ lines: { lineId: number; allocated: Omit<AllocatedUnit, 'lineId'>[]; shortfall: number }[] }>(`/api/v1/orders/${id}/allocations`, undefined, {
        'Idempotency-Key': idempotencyKey(),
      });
      remember(
        id,
        answer.lines.flatMap((line) => line.allocated.map((a) => ({ ...a, lineId: line.lineId }))),
      );
      const allocated = answer.lines.reduce((n, l) => n + l.allocated.reduce((m, a) => m + a.quantity, 0), 0);
      const shortfall = answer.lines.reduce((n, l) => n + l.shortfall, 0);
      await page.refresh();
      const message = shortfall > 0 ? t('order.allocatedShort', { allocated, shortfall }) : t('order.allocatedAll', { allocated });
      replace(outcome, h('div', { class: shortfall > 0 ? 'banner warn' : 'banner ok', 'data-testid': 'allocate-outcome' }, message));
      ctx.notify(message);
      // Picking comes next: back to the scan field.
      if (allocated > 0) document.getElementById('pick-scan')?.focus();
    } catch (err) {
      ctx.showError(err);
      replace(outcome, refusalBox(ctx, refusalOf(err), 'allocate-refusal'));
    } finally {
      button.disabled = false;
      sync();
    }
  });
  sync();
  page.updates.push(sync);
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'allocation-heading' },
    h('h2', { id: 'allocation-heading' }, t('order.allocation')),
    h('p', { class: 'muted' }, t('order.fefoRule')),
    button,
    outcome,
    allocationHost,
  );
}

export const orderDetailMessages = {
  en: {
    ...pickMessages.en,
    ...shippingMessages.en,
    'orders.badId': 'There is no order {id}: an order number is a positive integer.',
    'order.back': '← All orders',
    'order.customerNode': "Customer's node",
    'order.noNode': 'none (no shipment notices are sent)',
    'order.reference': "Customer's reference",
    'order.source': 'Source',
    'order.created': 'Placed by',
    'order.lines': 'Lines',
    'order.linesCaption': 'Order lines: ordered, allocated, picked and shipped',
    'order.noLines': 'No lines.',
    'order.line': 'Line',
    'order.lotAsked': 'Lot asked',
    'order.fefo': 'any (FEFO)',
    'order.allocated': 'Allocated',
    'order.picked': 'Picked',
    'order.shipped': 'Shipped',
    'order.linePicked': 'line picked',
    'order.allocation': 'Allocation',
    'order.fefoRule': 'First expiry, first out: released, unexpired stock in qualified bins, the lot expiring soonest first.',
    'order.allocate': 'Allocate (FEFO)',
    'order.allocatedAll': '{allocated} allocated; every line is covered.',
    'order.allocatedShort': '{allocated} allocated; {shortfall} short: not enough allocatable stock.',
    'order.allocationCaption': 'Allocated stock per line, lot and bin',
    'order.noAllocation': 'Nothing allocated yet.',
    'order.pickList': 'Units to pick',
    'order.unitPicked': 'picked',
    'order.unitToPick': 'to pick',
  },
  zh: {
    ...pickMessages.zh,
    ...shippingMessages.zh,
    'orders.badId': '没有订单 {id}：订单号是正整数。',
    'order.back': '← 全部订单',
    'order.customerNode': '客户节点',
    'order.noNode': '无（不发送发货通知）',
    'order.reference': '客户参考号',
    'order.source': '来源',
    'order.created': '下单人',
    'order.lines': '订单行',
    'order.linesCaption': '订单行：订购、分配、拣货和发货数量',
    'order.noLines': '没有订单行。',
    'order.line': '行',
    'order.lotAsked': '指定批号',
    'order.fefo': '不限（近效期先出）',
    'order.allocated': '已分配',
    'order.picked': '已拣货',
    'order.shipped': '已发货',
    'order.linePicked': '本行已拣完',
    'order.allocation': '分配',
    'order.fefoRule': '近效期先出：从合格区已放行、未过期的库存中，优先分配最早到期的批次。',
    'order.allocate': '分配（近效期先出）',
    'order.allocatedAll': '已分配 {allocated} 件；所有订单行均已满足。',
    'order.allocatedShort': '已分配 {allocated} 件；缺 {shortfall} 件：可分配库存不足。',
    'order.allocationCaption': '按订单行、批次和货位的分配',
    'order.noAllocation': '尚未分配。',
    'order.pickList': '待拣货单元',
    'order.unitPicked': '已拣货',
    'order.unitToPick': '待拣货',
  },
};
