// Shipping an order: everything picked leaves in one shipment with a shipping
// event in the ledger and an invoice. A customer running a node gets a
// shipment notice with the pedigree, sent from the node's outbox once the
// shipping event is anchored: the view shows whether it is anchored yet (the
// API does not expose the outbox's delivery state itself).
import { ApiError, idempotencyKey } from '../../../lib/api';
import { h, replace } from '../../../lib/dom';
import { txLink } from '../../../lib/network';
import { dataTable } from '../../widgets/table';
import { facts, refusalBox } from './format';
import type { OrderPage } from './orderDetail';
import { refusalOf } from './session';

interface Shipment {
  id: number;
  orderId: number;
  shippedAt: string;
  shippedBy: string;
  ledgerSeq: number;
  invoiceId: number;
  lines: { orderLineId: number; gtin: string; lot: string; serial: string | null; quantity: number }[];
}

interface Anchored {
  status: 'anchored';
  bundle: { anchor?: { batch: number; blockNumber: number; txHash: string } };
}

export function shipmentsSection(page: OrderPage): { element: HTMLElement; ready: Promise<void> } {
  const { ctx, id } = page;
  const { t } = ctx;
  const button = h('button', { type: 'button', 'data-testid': 'ship-button' }, t('ship.button'));
  const outcome = h('div', { 'aria-live': 'polite' });
  const list = h('div', { 'data-testid': 'shipments' });
  const sync = () => {
    const o = page.state.order;
    const waiting = o.lines.reduce((n, l) => n + l.picked - l.shipped, 0);
    button.disabled = waiting <= 0 || o.status === 'cancelled' || o.status === 'shipped';
    button.textContent = waiting > 0 ? t('ship.buttonCount', { count: waiting }) : t('ship.button');
  };
  const load = async () => {
    const page1 = await ctx.api.get<{ items: { id: number }[] }>('/api/v1/shipments', { orderId: String(id), limit: 100 });
    const shipments = await Promise.all(page1.items.map((s) => ctx.api.get<Shipment>(`/api/v1/shipments/${s.id}`)));
    replace(list, shipments.length === 0 ? h('p', { class: 'muted' }, t('ship.none')) : shipments.map((s) => shipmentCard(page, s)));
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(outcome);
    try {
      const answer = await ctx.api.post<{ shipment: Shipment }>(`/api/v1/orders/${id}/shipments`, {}, { 'Idempotency-Key': idempotencyKey() });
      const message = t('ship.done', { id: answer.shipment.id, units: answer.shipment.lines.reduce((n, l) => n + l.quantity, 0), seq: answer.shipment.ledgerSeq });
      ctx.notify(message);
      await page.refresh();
      await load();
      list.querySelector<HTMLElement>(`[data-shipment="${answer.shipment.id}"] h3`)?.focus();
    } catch (err) {
      ctx.showError(err);
      replace(outcome, refusalBox(ctx, refusalOf(err), 'ship-refusal'));
    } finally {
      sync();
    }
  });
  sync();
  page.updates.push(sync);
  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'shipping-heading' },
    h('h2', { id: 'shipping-heading' }, t('ship.heading')),
    h('p', { class: 'muted' }, t('ship.rule')),
    button,
    outcome,
    list,
  );
  return { element, ready: load().catch((err) => ctx.showError(err)) };
}

function shipmentCard(page: OrderPage, shipment: Shipment): HTMLElement {
  const { ctx, customer } = page;
  const { t } = ctx;
  const units = shipment.lines.reduce((n, l) => n + l.quantity, 0);
  const notice = h('div', { 'data-testid': 'shipment-notice' });
  const lines = dataTable<Shipment['lines'][number]>(
    [
      { header: t('ops.gtin'), cell: (l) => h('span', { class: 'mono' }, l.gtin) },
      { header: t('ops.lot'), cell: (l) => l.lot },
      { header: t('ops.serial'), cell: (l) => (l.serial ? h('span', { class: 'mono' }, l.serial) : '—') },
      { header: t('ops.quantity'), numeric: true, cell: (l) => String(l.quantity) },
    ],
    shipment.lines,
    { caption: t('ship.linesCaption', { id: shipment.id }), empty: '' },
  );
  const card = h(
    'article',
    { class: 'card', 'data-shipment': shipment.id, 'data-testid': 'shipment' },
    h('h3', { tabindex: -1, style: 'margin-top: 0' }, t('ship.shipment', { id: shipment.id })),
    facts([
      [t('ship.shippedAt'), `${ctx.i18n.date(shipment.shippedAt, true)} · ${shipment.shippedBy}`],
      [t('ship.units'), ctx.i18n.number(units)],
      [t('ship.event'), h('span', { 'data-testid': 'shipment-seq' }, t('ship.seq', { seq: shipment.ledgerSeq }))],
      [t('ship.invoice'), `#${shipment.invoiceId}`],
    ]),
    lines,
    notice,
  );
  if (!customer?.participant) {
    notice.append(h('p', { class: 'muted' }, t('ship.noNode')));
    return card;
  }
  const check = async () => {
    replace(notice, h('p', { class: 'muted' }, t('common.loading')));
    const intro = h('p', null, t('ship.notice', { name: customer.name, participant: customer.participant! }));
    try {
      const anchored = await ctx.api.get<Anchored>(`/audit/v1/events/${shipment.ledgerSeq}`);
      const anchor = anchored.bundle.anchor;
      const link = anchor ? txLink(ctx.network, anchor.txHash) : null;
      replace(
        notice,
        intro,
        h(
          'p',
          { class: 'banner ok', 'data-anchored': 'true' },
          anchor ? t('ship.anchored', { batch: anchor.batch, block: anchor.blockNumber }) : t('ship.anchoredNoDetail'),
          anchor ? [' ', link ? h('a', { href: link, rel: 'noopener', target: '_blank' }, t('ship.tx')) : h('span', { class: 'mono' }, anchor.txHash)] : null,
          h('br'),
          t('ship.noticeSent'),
        ),
      );
    } catch (err) {
      const notYet = err instanceof ApiError && err.status === 409;
      const again = h('button', { type: 'button', class: 'secondary', onclick: () => void check() }, t('ship.checkAgain'));
      replace(
        notice,
        intro,
        h('p', { class: notYet ? 'banner warn' : 'banner', 'data-anchored': 'false' }, notYet ? t('ship.notAnchored') : t('ship.anchorUnknown', { detail: refusalOf(err).detail })),
        again,
      );
    }
  };
  void check();
  return card;
}

export const shippingMessages = {
  en: {
    'ship.heading': 'Shipping',
    'ship.rule': 'Ships everything picked and not yet shipped: a shipping event in the ledger and an invoice.',
    'ship.button': 'Ship',
    'ship.buttonCount': 'Ship {count} picked',
    'ship.done': 'Shipment {id} made: {units} units, shipping event seq {seq}.',
    'ship.none': 'Nothing shipped yet.',
    'ship.shipment': 'Shipment {id}',
    'ship.shippedAt': 'Shipped',
    'ship.units': 'Units',
    'ship.event': 'Shipping event',
    'ship.seq': 'ledger seq {seq}',
    'ship.invoice': 'Invoice',
    'ship.linesCaption': 'What shipment {id} holds',
    'ship.noNode': 'The customer does not run a node: no shipment notice is sent.',
    'ship.notice': '{name} runs a node (participant {participant}): it gets a shipment notice with the pedigree of every unit, from this node’s outbox.',
    'ship.anchored': 'The shipping event is anchored on chain in batch {batch}, block {block}.',
    'ship.anchoredNoDetail': 'The shipping event is anchored on chain.',
    'ship.tx': 'Transaction',
    'ship.noticeSent': 'The notice goes out now that its proof exists (its delivery is retried until the customer’s node accepts it; the API does not report the delivery).',
    'ship.notAnchored': 'Not anchored yet: the notice waits in the outbox until the shipping event is anchored (usually seconds).',
    'ship.anchorUnknown': 'Whether the shipping event is anchored cannot be read here: {detail}',
    'ship.checkAgain': 'Check again',
  },
  zh: {
    'ship.heading': '发货',
    'ship.rule': '发出所有已拣未发的货物：在账本中记录发货事件并开具发票。',
    'ship.button': '发货',
    'ship.buttonCount': '发出已拣的 {count} 件',
    'ship.done': '发货单 {id} 已生成：{units} 件，发货事件序号 {seq}。',
    'ship.none': '尚未发货。',
    'ship.shipment': '发货单 {id}',
    'ship.shippedAt': '发货时间',
    'ship.units': '数量',
    'ship.event': '发货事件',
    'ship.seq': '账本序号 {seq}',
    'ship.invoice': '发票',
    'ship.linesCaption': '发货单 {id} 的内容',
    'ship.noNode': '客户未运行节点：不发送发货通知。',
    'ship.notice': '{name} 运行节点（参与方 {participant}）：本节点的发件箱会向其发送附带每件产品谱系的发货通知。',
    'ship.anchored': '发货事件已锚定上链：批次 {batch}，区块 {block}。',
    'ship.anchoredNoDetail': '发货事件已锚定上链。',
    'ship.tx': '交易',
    'ship.noticeSent': '证明已生成，通知随即发出（直到客户节点接收为止会持续重试；接口不提供投递状态）。',
    'ship.notAnchored': '尚未锚定：通知在发件箱中等待，直到发货事件锚定上链（通常几秒钟）。',
    'ship.anchorUnknown': '无法读取发货事件的锚定状态：{detail}',
    'ship.checkAgain': '再次检查',
  },
};
