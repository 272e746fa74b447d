// Sales orders: the list by status (#/orders?status=), placing an order
// (#/orders/new), and one order (#/orders/{id}) with its allocation, the
// scan-verified picking and shipping.
import { idempotencyKey } from '../../lib/api';
import { h, replace } from '../../lib/dom';
import type { ConsoleContext, View } from '../types';
import { pagedTable, type KeysetPage } from '../widgets/table';
import { loadProducts } from './ops/catalog';
import { countLabel, refusalBox, statusBadge, tabs } from './ops/format';
import { orderDetailMessages, renderOrderDetail } from './ops/orderDetail';
import { loadCustomers, type Partner } from './ops/partners';
import { refusalOf } from './ops/session';

export const ORDER_STATUSES = ['open', 'allocated', 'picked', 'partially_shipped', 'shipped', 'cancelled'] as const;

export interface OrderLine {
  id: number;
  lineNo: number;
  gtin: string;
  lot: string | null;
  quantity: number;
  unitPrice: string;
  allocated: number;
  picked: number;
  shipped: number;
}

export interface Order {
  id: number;
  customerId: number;
  source: 'api' | 'webhook';
  externalId: string | null;
  status: string;
  currency: string;
  total: string;
  customerReference: string | null;
  createdAt: string;
  createdBy: string;
  lines: OrderLine[];
}

function orderTabs(ctx: ConsoleContext, current: string): HTMLElement {
  return tabs(
    ctx,
    ctx.t('orders.sections'),
    [
      ['/orders', 'orders.tab.all'],
      ['/orders/new', 'orders.tab.new'],
    ],
    current,
  );
}

const customerName = (customers: Map<number, Partner>, id: number) => {
  const c = customers.get(id);
  return c ? `${c.name} (${c.code})` : `#${id}`;
};

async function renderList(root: HTMLElement, ctx: ConsoleContext, query: URLSearchParams): Promise<void> {
  const { t } = ctx;
  const status = query.get('status') ?? '';
  const customers = await loadCustomers(ctx.api);
  const statusSelect = h('select', { id: 'orders-status', name: 'status' }, [['', t('ops.all')], ...ORDER_STATUSES.map((s) => [s, t(`ops.status.${s}`)])].map(([v, text]) => h('option', { value: v, selected: v === status }, text)));
  const form = h('form', { class: 'card row', role: 'search', 'aria-label': t('orders.filters') }, h('div', null, h('label', { for: 'orders-status' }, t('ops.status')), statusSelect), h('button', { type: 'submit' }, t('ops.filter')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`/orders${statusSelect.value ? `?status=${statusSelect.value}` : ''}`);
  });
  const table = pagedTable<Order>({
    caption: t('orders.caption'),
    empty: t('orders.empty'),
    testId: 'orders-table',
    moreLabel: t('common.more'),
    loadingLabel: t('common.loading'),
    countLabel: countLabel(ctx),
    onError: (err) => ctx.showError(err),
    load: (cursor) => ctx.api.get<KeysetPage<Order>>('/api/v1/orders', { status: status || undefined, limit: 50, cursor }),
    columns: [
      { header: t('orders.order'), cell: (o) => h('a', { href: `#/orders/${o.id}` }, t('orders.number', { id: o.id })) },
      { header: t('orders.customer'), cell: (o) => customerName(customers, o.customerId) },
      { header: t('ops.status'), cell: (o) => statusBadge(ctx, o.status) },
      { header: t('orders.lines'), numeric: true, cell: (o) => String(o.lines.length) },
      { header: t('orders.units'), numeric: true, cell: (o) => ctx.i18n.number(o.lines.reduce((n, l) => n + l.quantity, 0)) },
      { header: t('orders.total'), numeric: true, cell: (o) => `${o.total} ${o.currency}` },
      { header: t('ops.when'), cell: (o) => ctx.i18n.date(o.createdAt, true) },
    ],
  });
  root.append(orderTabs(ctx, '/orders'), form, table.element);
  await table.ready;
}

async function renderNewOrder(root: HTMLElement, ctx: ConsoleContext): Promise<void> {
  const { t } = ctx;
  const [customers, products] = await Promise.all([loadCustomers(ctx.api), loadProducts(ctx.api)]);
  const customer = h('select', { id: 'order-customer', name: 'customerId', required: true }, [...customers.values()].map((c) => h('option', { value: c.id }, `${c.name} (${c.code})`)));
  const currency = h('input', { id: 'order-currency', name: 'currency', value: 'EUR', maxlength: 3, pattern: '[A-Z]{3}', required: true });
  const reference = h('input', { id: 'order-reference', name: 'customerReference', maxlength: 100 });
  const lines = h('div');
  let lineCount = 0;
  const addLine = () => {
    const n = ++lineCount;
    const id = (name: string) => `order-line${n}-${name}`;
    const fieldset = h(
      'fieldset',
      { class: 'card', 'data-line': n },
      h('legend', null, t('orders.new.line', { n })),
      h(
        'div',
        { class: 'row' },
        h('div', null, h('label', { for: id('gtin') }, t('ops.product')), h('select', { id: id('gtin'), name: 'gtin' }, [...products.values()].map((p) => h('option', { value: p.gtin }, `${p.name} · ${p.gtin}`)))),
        h('div', null, h('label', { for: id('lot') }, t('orders.new.lot')), h('input', { id: id('lot'), name: 'lot', maxlength: 20, class: 'mono' })),
        h('div', null, h('label', { for: id('quantity') }, t('ops.quantity')), h('input', { id: id('quantity'), name: 'quantity', type: 'number', min: 1, step: 1, value: 1, required: true, inputmode: 'numeric' })),
        h('div', null, h('label', { for: id('price') }, t('orders.new.price')), h('input', { id: id('price'), name: 'unitPrice', inputmode: 'decimal', value: '0.00', required: true })),
      ),
    );
    lines.append(fieldset);
    fieldset.querySelector('select')?.focus();
  };
  addLine();
  const outcome = h('div');
  const submit = h('button', { type: 'submit' }, t('orders.new.submit'));
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'order-new-heading' },
    h('h2', { id: 'order-new-heading' }, t('orders.new.heading')),
    h(
      'div',
      { class: 'row' },
      h('div', null, h('label', { for: 'order-customer' }, t('orders.customer')), customer),
      h('div', null, h('label', { for: 'order-currency' }, t('orders.new.currency')), currency),
      h('div', null, h('label', { for: 'order-reference' }, t('orders.new.reference')), reference),
    ),
    lines,
    h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', onclick: addLine }, t('orders.new.addLine')), submit),
    outcome,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(outcome);
    const body = {
      customerId: Number(customer.value),
      currency: currency.value.trim(),
      ...(reference.value.trim() ? { customerReference: reference.value.trim() } : {}),
      lines: Array.from(lines.querySelectorAll('fieldset'), (fs) => {
        const value = (name: string) => (fs.querySelector(`[name="${name}"]`) as HTMLInputElement).value.trim();
        return { gtin: value('gtin'), ...(value('lot') ? { lot: value('lot') } : {}), quantity: Number(value('quantity')), unitPrice: value('unitPrice') };
      }),
    };
    try {
      const order = await ctx.api.post<Order>('/api/v1/orders', body, { 'Idempotency-Key': idempotencyKey() });
      ctx.notify(t('orders.new.done', { id: order.id }));
      ctx.navigate(`/orders/${order.id}`);
    } catch (err) {
      ctx.showError(err);
      replace(outcome, refusalBox(ctx, refusalOf(err), 'order-refusal'));
      submit.disabled = false;
    }
  });
  root.append(orderTabs(ctx, '/orders/new'), customers.size === 0 ? h('p', null, t('orders.new.noCustomers')) : form);
}

export const ordersView: View = {
  id: 'orders',
  title: 'orders.title',
  messages: {
    en: {
      ...orderDetailMessages.en,
      'orders.title': 'Orders',
      'orders.sections': 'Order pages',
      'orders.tab.all': 'All orders',
      'orders.tab.new': 'New order',
      'orders.filters': 'Filter orders',
      'orders.caption': 'Sales orders, newest first',
      'orders.empty': 'No orders match.',
      'orders.order': 'Order',
      'orders.number': 'Order {id}',
      'orders.customer': 'Customer',
      'orders.lines': 'Lines',
      'orders.units': 'Units',
      'orders.total': 'Total',
      'orders.new.heading': 'Place an order',
      'orders.new.line': 'Line {n}',
      'orders.new.lot': 'Lot (optional: FEFO chooses)',
      'orders.new.price': 'Unit price',
      'orders.new.currency': 'Currency',
      'orders.new.reference': "Customer's reference (optional)",
      'orders.new.addLine': 'Add a line',
      'orders.new.submit': 'Place order',
      'orders.new.done': 'Order {id} placed.',
      'orders.new.noCustomers': 'There are no customers yet: add a partner who is a customer first.',
    },
    zh: {
      ...orderDetailMessages.zh,
      'orders.title': '订单',
      'orders.sections': '订单页面',
      'orders.tab.all': '全部订单',
      'orders.tab.new': '新建订单',
      'orders.filters': '筛选订单',
      'orders.caption': '销售订单（最新在前）',
      'orders.empty': '没有符合条件的订单。',
      'orders.order': '订单',
      'orders.number': '订单 {id}',
      'orders.customer': '客户',
      'orders.lines': '行数',
      'orders.units': '数量',
      'orders.total': '金额',
      'orders.new.heading': '下订单',
      'orders.new.line': '第 {n} 行',
      'orders.new.lot': '批号（可选，默认近效期先出）',
      'orders.new.price': '单价',
      'orders.new.currency': '币种',
      'orders.new.reference': '客户参考号（可选）',
      'orders.new.addLine': '添加一行',
      'orders.new.submit': '提交订单',
      'orders.new.done': '订单 {id} 已提交。',
      'orders.new.noCustomers': '尚无客户：请先添加客户类合作方。',
    },
  },
  async render(root, ctx, params, query) {
    if (params[0] === 'new') return renderNewOrder(root, ctx);
    if (params[0] !== undefined) {
      if (!/^\d{1,15}$/.test(params[0])) throw new Error(ctx.t('orders.badId', { id: params[0] }));
      return renderOrderDetail(root, ctx, Number(params[0]));
    }
    return renderList(root, ctx, query);
  },
};
