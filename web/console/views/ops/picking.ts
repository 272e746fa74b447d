// Picking an order by scanning: the scan field reads each code with the SDK
// (a unit or lot UDI, or a case label of lot-controlled goods), shows what it
// says, and sends it to the node, which checks it against the allocation. A
// refusal shows the node's reason and code; an accepted scan ticks its line
// and the picked count goes up.
import { idempotencyKey } from '../../../lib/api';
import { h, replace, type Child } from '../../../lib/dom';
import { parseGs1, parseGs1Case, type Gs1CaseData, type Gs1Data } from '../../../../sdk/gs1';
import { scanField } from '../../widgets/scanField';
import type { OrderPage } from './orderDetail';
import { refusalOf } from './session';

export type PickScan = { kind: 'unit'; data: Gs1Data } | { kind: 'case'; data: Gs1CaseData };

/** A unit or lot UDI; failing that, a case label naming its content and count (what the node accepts too). */
export function parsePickScan(text: string): PickScan {
  try {
    return { kind: 'unit', data: parseGs1(text) };
  } catch (unitError) {
    let found: Gs1CaseData;
    try {
      found = parseGs1Case(text);
    } catch {
      throw unitError;
    }
    if (found.content === undefined || found.count === undefined) throw unitError;
    return { kind: 'case', data: found };
  }
}

interface PickAnswer {
  picks: { orderLineId: number; lot: string; serial: string | null; quantity: number }[];
  order: { lines: { id: number; lineNo: number; quantity: number; picked: number }[] };
}

export function pickingSection(page: OrderPage): { element: HTMLElement; focus(): void } {
  const { ctx, id } = page;
  const { t } = ctx;
  const count = h('p', { 'data-testid': 'pick-count', 'aria-live': 'polite', style: 'font-size: 1.2em' });
  const quantity = h('input', { id: 'pick-quantity', name: 'quantity', type: 'number', min: 1, step: 1, inputmode: 'numeric', 'aria-describedby': 'pick-quantity-hint' });
  const closed = h('p', { class: 'muted' });
  const lotControlled = h(
    'details',
    null,
    h('summary', null, t('pick.lotControlled')),
    h('label', { for: 'pick-quantity' }, t('pick.quantity')),
    quantity,
    h('p', { id: 'pick-quantity-hint', class: 'muted' }, t('pick.quantityHint')),
  );

  const field = scanField<PickScan>({
    id: 'pick-scan',
    testId: 'pick-scan',
    label: t('pick.label'),
    hint: t('pick.hint'),
    submitLabel: t('pick.submit'),
    scannedLabel: t('pick.scanned'),
    historyLabel: t('pick.history'),
    parse: parsePickScan,
    describe: (scan) => {
      const d = scan.data;
      const gtin = scan.kind === 'unit' ? scan.data.gtin : scan.data.content!;
      const pairs: [string, string | undefined][] = [
        [t('ops.product'), page.products.get(gtin)?.name ?? t('pick.unknownProduct')],
        [t('ops.gtin'), gtin],
        [t('ops.lot'), d.lot],
        [t('ops.serial'), scan.kind === 'unit' ? scan.data.serial : undefined],
        [t('ops.expiry'), d.expiry],
        [t('pick.caseCount'), scan.kind === 'case' ? String(scan.data.count) : undefined],
        [t('pick.sscc'), scan.kind === 'case' ? scan.data.sscc : undefined],
      ];
      return pairs.filter((p): p is [string, string] => p[1] !== undefined);
    },
    malformed: (err) => t('pick.malformed', { detail: err instanceof Error ? err.message : String(err) }),
    onScan: async (text) => {
      const asked = quantity.value ? Number(quantity.value) : undefined;
      try {
        const answer = await ctx.api.post<PickAnswer>(`/api/v1/orders/${id}/picks`, { scan: text, ...(asked ? { quantity: asked } : {}) }, { 'Idempotency-Key': idempotencyKey() });
        quantity.value = '';
        await page.refresh();
        const first = answer.picks[0];
        const line = answer.order.lines.find((l) => l.id === first.orderLineId)!;
        const what = first.serial ? t('pick.unit', { serial: first.serial, lot: first.lot }) : t('pick.lotQuantity', { quantity: first.quantity, lot: first.lot });
        return { ok: true, message: t('pick.accepted', { what, line: line.lineNo, picked: line.picked, quantity: line.quantity }) };
      } catch (err) {
        const refusal = refusalOf(err);
        const message: Child = [h('strong', null, refusal.title), ': ', refusal.detail, h('br'), h('span', { class: 'muted' }, t('ops.refusal.code', { code: refusal.slug }))];
        return { ok: false, message };
      }
    },
  });

  const update = () => {
    const lines = page.state.order.lines;
    const picked = lines.reduce((n, l) => n + l.picked, 0);
    const ordered = lines.reduce((n, l) => n + l.quantity, 0);
    replace(count, t('pick.count', { picked, ordered }));
    count.dataset.picked = String(picked);
    const status = page.state.order.status;
    const open = status !== 'shipped' && status !== 'cancelled';
    field.element.hidden = !open;
    closed.textContent = open ? '' : t('pick.closed', { status: t(`ops.status.${status}`).toLowerCase() });
    lotControlled.hidden = !open;
  };
  update();
  page.updates.push(update);

  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'picking-heading' },
    h('h2', { id: 'picking-heading' }, t('pick.heading')),
    count,
    closed,
    field.element,
    lotControlled,
  );
  return { element, focus: () => field.focus() };
}

export const pickMessages = {
  en: {
    'pick.heading': 'Picking',
    'pick.label': 'Scan',
    'pick.hint': 'Scan the UDI on the item (DataMatrix, QR or Digital Link). A scanner types it here and presses Enter; GS separators may be typed as <GS>.',
    'pick.submit': 'Pick',
    'pick.scanned': 'Scanned:',
    'pick.history': 'Scans so far, latest first',
    'pick.unknownProduct': 'not a product of this node',
    'pick.caseCount': 'Items in the case',
    'pick.sscc': 'SSCC',
    'pick.malformed': 'Not a readable GS1 code, nothing was sent: {detail}',
    'pick.unit': 'unit {serial} of lot {lot}',
    'pick.lotQuantity': '{quantity} of lot {lot}',
    'pick.accepted': 'Picked {what} for line {line}: {picked} of {quantity}.',
    'pick.count': 'Picked {picked} of {ordered}',
    'pick.closed': 'The order is {status}: nothing more to pick.',
    'pick.lotControlled': 'Lot-controlled goods: a quantity per scan',
    'pick.quantity': 'Quantity of the next scan',
    'pick.quantityHint': 'Leave empty for one item, or for a case label (its count is read from the label).',
  },
  zh: {
    'pick.heading': '拣货',
    'pick.label': '扫码',
    'pick.hint': '扫描产品上的 UDI（DataMatrix、二维码或数字链接）。扫码枪在此输入并回车；GS 分隔符可写作 <GS>。',
    'pick.submit': '拣货',
    'pick.scanned': '扫描内容：',
    'pick.history': '扫码记录（最新在前）',
    'pick.unknownProduct': '不是本节点的产品',
    'pick.caseCount': '箱内数量',
    'pick.sscc': 'SSCC',
    'pick.malformed': '无法识别的 GS1 条码，未发送：{detail}',
    'pick.unit': '批次 {lot} 的单元 {serial}',
    'pick.lotQuantity': '批次 {lot} 共 {quantity} 件',
    'pick.accepted': '已为第 {line} 行拣货：{what}；已拣 {picked} / {quantity}。',
    'pick.count': '已拣货 {picked} / {ordered}',
    'pick.closed': '订单{status}：无需再拣货。',
    'pick.lotControlled': '批号管理产品：每次扫码的数量',
    'pick.quantity': '下一次扫码的数量',
    'pick.quantityHint': '一件或扫描箱标签时留空（箱内数量从标签读取）。',
  },
};
