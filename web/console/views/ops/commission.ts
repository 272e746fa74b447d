// Commissioning a lot (#/lots/new): the product, the lot, its dates and its
// units — generated serials (count and prefix), a list of serials (typed or
// from a file), or a quantity for a lot-controlled product. A big lot is a big
// request and real work for the node, so it runs with progress: the upload,
// then the node commissioning, then the result (units, ledger seq).
import { ApiError, idempotencyKey } from '../../../lib/api';
import { h, replace } from '../../../lib/dom';
import type { ConsoleContext } from '../../types';
import { loadProducts, type Product } from './catalog';
import { facts, refusalBox, statusBadge } from './format';
import { refusalOf } from './session';
import { longWrite } from './upload';

type Mode = 'count' | 'list' | 'quantity';

interface Commissioned {
  gtin: string;
  lot: string;
  unitCount: number;
  status: string;
  expiry: string;
  ledgerSeq: number;
  commissioningSeq: number | null;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function field(id: string, label: string, input: HTMLElement, hint?: string): HTMLElement {
  if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
  return h('div', { 'data-field': id }, h('label', { for: id }, label), input, hint ? h('p', { id: `${id}-hint`, class: 'muted', style: 'margin: 0.2em 0' }, hint) : null);
}

/** Serials from text: one per line (or separated by commas, semicolons or blanks), empty ones dropped. */
export function serialsFrom(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean);
}

export async function renderCommission(root: HTMLElement, ctx: ConsoleContext): Promise<void> {
  const { t } = ctx;
  const products = await loadProducts(ctx.api);
  const today = new Date().toISOString().slice(0, 10);
  const product = h('select', { id: 'commission-product', name: 'gtin', required: true }, [...products.values()].map((p) => h('option', { value: p.gtin }, `${p.name} (${p.model}) · ${p.gtin}`)));
  const lot = h('input', { id: 'commission-lot', name: 'lot', required: true, maxlength: 20, autocomplete: 'off', class: 'mono' });
  const production = h('input', { id: 'commission-production', name: 'productionDate', type: 'date', required: true, value: today });
  const expiry = h('input', { id: 'commission-expiry', name: 'expiry', type: 'date', required: true });
  const count = h('input', { id: 'commission-count', name: 'serialCount', type: 'number', min: 1, max: 1_000_000, step: 1, value: 100, inputmode: 'numeric' });
  const prefix = h('input', { id: 'commission-prefix', name: 'serialPrefix', maxlength: 19, autocomplete: 'off', class: 'mono' });
  const list = h('textarea', { id: 'commission-serials', name: 'serials', rows: 5, class: 'mono' });
  const file = h('input', { id: 'commission-file', name: 'serialsFile', type: 'file', accept: '.txt,.csv,text/plain,text/csv' });
  const quantity = h('input', { id: 'commission-quantity', name: 'quantity', type: 'number', min: 1, max: 1_000_000_000, step: 1, value: 100, inputmode: 'numeric' });
  const reason = h('input', { id: 'commission-reason', name: 'reason', maxlength: 1000 });
  const mode = (value: Mode) =>
    h('label', { style: 'display: inline-flex; gap: 0.4em; font-weight: normal; margin-right: 1.2em' }, h('input', { type: 'radio', name: 'mode', value, checked: value === 'count', style: 'width: auto; min-height: 0' }), t(`commission.mode.${value}`));
  const serialModes = h('fieldset', { style: 'border: 0; padding: 0; margin: 0.6em 0' }, h('legend', { style: 'font-weight: 600' }, t('commission.units')), mode('count'), mode('list'));
  const countFields = h('div', { class: 'row' }, field('commission-count', t('commission.count'), count), field('commission-prefix', t('commission.prefix'), prefix, t('commission.prefixHint')));
  const listFields = h('div', { hidden: true }, field('commission-serials', t('commission.serials'), list, t('commission.serialsHint')), field('commission-file', t('commission.file'), file));
  const quantityFields = h('div', { hidden: true }, field('commission-quantity', t('commission.quantity'), quantity, t('commission.quantityHint')));
  const tracking = h('p', { class: 'muted', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', 'data-testid': 'commission-submit' }, t('commission.submit'));
  const outcome = h('div', { 'data-testid': 'commission-outcome' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'commission-heading', novalidate: true },
    h('h2', { id: 'commission-heading' }, t('commission.heading')),
    field('commission-product', t('ops.product'), product),
    tracking,
    h('div', { class: 'row' }, field('commission-lot', t('ops.lot'), lot, t('commission.lotHint'))),
    h('div', { class: 'row' }, field('commission-production', t('commission.productionDate'), production), field('commission-expiry', t('ops.expiry'), expiry)),
    serialModes,
    countFields,
    listFields,
    quantityFields,
    field('commission-reason', t('ops.reason'), reason),
    h('div', { style: 'margin-top: 0.8em' }, submit),
  );
  root.append(form, outcome);
  if (products.size === 0) {
    submit.disabled = true;
    tracking.textContent = t('commission.noProducts');
    return;
  }

  const current = (): Product => products.get(product.value)!;
  const selectedMode = (): Mode => (current().tracking === 'lot' ? 'quantity' : ((form.elements.namedItem('mode') as RadioNodeList).value as Mode));
  const sync = () => {
    const p = current();
    tracking.textContent = t(p.tracking === 'lot' ? 'commission.trackingLot' : 'commission.trackingSerial');
    serialModes.hidden = p.tracking === 'lot';
    const m = selectedMode();
    countFields.hidden = m !== 'count';
    listFields.hidden = m !== 'list';
    quantityFields.hidden = m !== 'quantity';
    if (!expiry.dataset.touched && p.shelfLifeDays && production.value) expiry.value = addDays(production.value, p.shelfLifeDays);
  };
  product.addEventListener('change', sync);
  serialModes.addEventListener('change', sync);
  production.addEventListener('change', sync);
  expiry.addEventListener('input', () => (expiry.dataset.touched = '1'));
  lot.addEventListener('input', () => {
    if (!prefix.dataset.touched) prefix.value = lot.value ? `${lot.value}-` : '';
  });
  prefix.addEventListener('input', () => (prefix.dataset.touched = '1'));
  if (!expiry.value) expiry.value = addDays(today, 730);
  sync();

  // A retry after a network failure is the same request: the node answers it once.
  let key = idempotencyKey();
  let lastBody = '';

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
    const m = selectedMode();
    const body: Record<string, unknown> = { gtin: product.value, lot: lot.value.trim(), productionDate: production.value, expiry: expiry.value };
    if (m === 'count') Object.assign(body, { serialCount: Number(count.value), serialPrefix: prefix.value });
    if (m === 'quantity') body.quantity = Number(quantity.value);
    if (m === 'list') body.serials = serialsFrom(file.files?.[0] ? await file.files[0].text() : list.value);
    if (reason.value.trim()) body.reason = reason.value.trim();
    const json = JSON.stringify(body);
    if (json !== lastBody) key = idempotencyKey();
    lastBody = json;

    submit.disabled = true;
    const run = longWrite(ctx, {
      url: '/api/v1/lots',
      body: json,
      contentType: 'application/json',
      idempotencyKey: key,
      uploadLabel: t('commission.step.upload'),
      workLabel: t('commission.step.work'),
      testId: 'commission-progress',
    });
    replace(outcome, run.panel.element);
    try {
      const { body: answer } = await run.result;
      const lotDone = answer as Commissioned;
      key = idempotencyKey();
      lastBody = '';
      outcome.append(
        h(
          'section',
          { class: 'banner ok', 'data-testid': 'commission-result', 'aria-labelledby': 'commission-result-heading', tabindex: -1 },
          h('h3', { id: 'commission-result-heading', style: 'margin-top: 0' }, t('commission.result', { lot: lotDone.lot, units: ctx.i18n.number(lotDone.unitCount) })),
          facts([
            [t('ops.gtin'), h('span', { class: 'mono' }, lotDone.gtin)],
            [t('ops.lot'), h('a', { href: `#/lots/${lotDone.gtin}/${encodeURIComponent(lotDone.lot)}` }, lotDone.lot)],
            [t('commission.unitsDone'), ctx.i18n.number(lotDone.unitCount)],
            [t('ops.status'), statusBadge(ctx, lotDone.status)],
            [t('commission.ledgerSeq'), String(lotDone.ledgerSeq)],
          ]),
          h('p', null, t('commission.next')),
        ),
      );
      ctx.notify(t('commission.done', { lot: lotDone.lot, units: lotDone.unitCount, seq: lotDone.ledgerSeq }));
      outcome.querySelector<HTMLElement>('[data-testid="commission-result"]')?.focus();
    } catch (err) {
      const refusal = refusalOf(err);
      ctx.showError(err);
      outcome.append(refusalBox(ctx, refusal, 'commission-refusal'));
      // The field the node names (serials.3 → serials): marked on the form.
      const name = refusal.field?.split('.')[0];
      const input = name ? (form.elements.namedItem(name) as HTMLElement | null) : null;
      if (input && 'setAttribute' in input) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
      // A refusal wrote nothing: the next attempt is a new request. A network failure keeps the key for the retry.
      if (err instanceof ApiError) {
        key = idempotencyKey();
        lastBody = '';
      }
    } finally {
      submit.disabled = false;
    }
  });
}

export const commissionMessages = {
  en: {
    'commission.heading': 'Commission a lot',
    'commission.noProducts': 'There are no products yet: create or import one first.',
    'commission.trackingSerial': 'Serialised product: every unit gets its own serial.',
    'commission.trackingLot': 'Lot-controlled product: the lot is commissioned as a quantity.',
    'commission.lotHint': 'Up to 20 characters of the GS1 set (letters, digits, - . / and a few more).',
    'commission.productionDate': 'Production date',
    'commission.units': 'Units',
    'commission.mode.count': 'Generate serials',
    'commission.mode.list': 'List the serials',
    'commission.mode.quantity': 'Quantity',
    'commission.count': 'Number of serials',
    'commission.prefix': 'Serial prefix',
    'commission.prefixHint': 'Serials are the prefix and a running number: PREFIX000001, PREFIX000002…',
    'commission.serials': 'Serials',
    'commission.serialsHint': 'One per line (commas and blanks also separate).',
    'commission.file': 'Or a file of serials (.txt or .csv)',
    'commission.quantity': 'Quantity',
    'commission.quantityHint': 'How many units the lot holds.',
    'commission.submit': 'Commission lot',
    'commission.step.upload': 'Sending the lot to the node',
    'commission.step.work': 'The node records the units and the commissioning event',
    'commission.result': 'Lot {lot} commissioned: {units} units',
    'commission.unitsDone': 'Units commissioned',
    'commission.ledgerSeq': 'Commissioning event (ledger seq)',
    'commission.next': 'The lot is in quarantine: record its final inspection, then release it.',
    'commission.done': 'Lot {lot} commissioned with {units} units (ledger seq {seq}).',
  },
  zh: {
    'commission.heading': '新建批次（赋码）',
    'commission.noProducts': '尚无产品：请先创建或导入产品。',
    'commission.trackingSerial': '序列号管理产品：每件产品有自己的序列号。',
    'commission.trackingLot': '批号管理产品：按数量赋码。',
    'commission.lotHint': '最多 20 个 GS1 字符集中的字符（字母、数字、- . / 等）。',
    'commission.productionDate': '生产日期',
    'commission.units': '产品单元',
    'commission.mode.count': '自动生成序列号',
    'commission.mode.list': '列出序列号',
    'commission.mode.quantity': '数量',
    'commission.count': '序列号数量',
    'commission.prefix': '序列号前缀',
    'commission.prefixHint': '序列号由前缀加流水号组成：PREFIX000001、PREFIX000002…',
    'commission.serials': '序列号',
    'commission.serialsHint': '每行一个（也可用逗号或空格分隔）。',
    'commission.file': '或上传序列号文件（.txt 或 .csv）',
    'commission.quantity': '数量',
    'commission.quantityHint': '本批次的产品数量。',
    'commission.submit': '赋码',
    'commission.step.upload': '向节点发送批次',
    'commission.step.work': '节点登记产品单元并写入赋码事件',
    'commission.result': '批次 {lot} 已赋码：{units} 件',
    'commission.unitsDone': '已赋码数量',
    'commission.ledgerSeq': '赋码事件（账本序号）',
    'commission.next': '批次处于待验状态：请记录成品检验，然后放行。',
    'commission.done': '批次 {lot} 已赋码 {units} 件（账本序号 {seq}）。',
  },
};
