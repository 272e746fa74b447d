// One lot (#/lots/{gtin}/{lot}): its facts, release with the e-signature
// dialog, the other status changes (with a reason), its inspections and
// recording one, and its status history with the signatures. Every refusal
// of the node is shown where it happened, with its reason code.
import { idempotencyKey } from '../../../lib/api';
import { h, replace } from '../../../lib/dom';
import type { ConsoleContext } from '../../types';
import { dataTable } from '../../widgets/table';
import { loadProducts, productLabel } from './catalog';
import { expiryBadge, facts, refusalBox, statusBadge } from './format';
import { refusalOf, signingApi } from './session';
import type { Lot } from '../lots';


interface Inspection {
  id: number;
  kind: 'incoming' | 'final';
  result: 'pass' | 'fail';
  method: string;
  reportSha256: string | null;
  nonconformanceId: number | null;
  ledgerSeq: number;
  inspectedAt: string;
  inspectedBy: string;
}

interface Signature {
  id: number;
  signer: string;
  meaning: string;
  recordSha256: string;
  reason: string | null;
  signedAt: string;
}

interface History {
  status: string;
  changes: { id: number; from: string; to: string; reason: string | null; actor: string; signatureId: number | null; ledgerSeq: number; changedAt: string }[];
  signatures: Signature[];
}

const STATUS_ACTIONS = ['quarantine', 'block', 'unblock', 'reject'] as const;

export async function renderLotDetail(root: HTMLElement, ctx: ConsoleContext, gtin: string, lotCode: string): Promise<void> {
  const { t } = ctx;
  const base = `/api/v1/lots/${encodeURIComponent(gtin)}/${encodeURIComponent(lotCode)}`;
  const [lot, inspections, history, products] = await Promise.all([
    ctx.api.get<Lot>(base),
    ctx.api.get<{ items: Inspection[] }>(`${base}/inspections`, { limit: 500 }),
    ctx.api.get<History>(`${base}/status-history`),
    loadProducts(ctx.api),
  ]);
  const refresh = async () => {
    replace(root);
    await renderLotDetail(root, ctx, gtin, lotCode);
    root.querySelector<HTMLElement>('h2')?.focus();
  };
  const product = productLabel(products, lot.gtin);

  const heading = h('h2', { tabindex: -1 }, t('lot.heading', { lot: lot.lot }), ' ', statusBadge(ctx, lot.status, 'lot-status'));
  const summary = facts(
    [
      [t('ops.product'), product],
      [t('ops.gtin'), h('span', { class: 'mono' }, lot.gtin)],
      [t('ops.lot'), h('span', { class: 'mono' }, lot.lot)],
      [t('lot.productionDate'), ctx.i18n.date(lot.productionDate)],
      [t('ops.expiry'), expiryBadge(ctx, lot.expiry)],
      [t('lot.units'), ctx.i18n.number(lot.unitCount)],
      [t('lot.origin'), t(`lots.origin.${lot.origin}`)],
      [t('lot.supplierLot'), lot.supplierLot],
      [t('lot.commissioningSeq'), lot.commissioningSeq === null ? null : String(lot.commissioningSeq)],
      [t('lot.statusChangedAt'), ctx.i18n.date(lot.statusChangedAt, true)],
      [t('lot.releaseSignature'), lot.releaseSignatureId === null ? null : `#${lot.releaseSignatureId}`],
      [t('lot.createdBy'), `${lot.createdBy} · ${ctx.i18n.date(lot.createdAt, true)}`],
    ],
    'lot-facts',
  );

  root.append(
    h('p', null, h('a', { href: '#/lots' }, t('lot.back'))),
    h('section', { class: 'card', 'aria-labelledby': 'lot-heading' }, Object.assign(heading, { id: 'lot-heading' }), summary),
    releaseSection(ctx, lot, product, inspections.items, base, refresh),
    statusSection(ctx, lot, base, refresh),
    inspectionSection(ctx, lot, inspections.items, base, refresh),
    historySection(ctx, history),
  );
}

function releaseSection(ctx: ConsoleContext, lot: Lot, product: string, inspections: Inspection[], base: string, refresh: () => Promise<void>): HTMLElement {
  const { t } = ctx;
  const needed = lot.origin === 'received' ? 'incoming' : 'final';
  const latest = [...inspections].reverse().find((i) => i.kind === needed);
  const outcome = h('div', { 'aria-live': 'polite' });
  const section = h('section', { class: 'card', 'aria-labelledby': 'release-heading' }, h('h2', { id: 'release-heading' }, t('lot.release.heading')));
  if (lot.status !== 'quarantined') {
    section.append(h('p', null, t('lot.release.notQuarantined', { status: t(`ops.status.${lot.status}`).toLowerCase() })));
    return section;
  }
  const button = h('button', { type: 'button', 'data-testid': 'release-button' }, t('lot.release.button'));
  button.addEventListener('click', async () => {
    const summary = t('lot.release.summary', { lot: lot.lot, gtin: lot.gtin, product, expiry: ctx.i18n.date(lot.expiry), units: ctx.i18n.number(lot.unitCount) });
    const signature = await ctx.sign('released', summary);
    if (!signature) {
      button.focus();
      return;
    }
    button.disabled = true;
    replace(outcome);
    try {
      const changed = await signingApi.post<{ ledgerSeq: number; signature: { id: number } }>(`${base}/release`, { signature }, { 'Idempotency-Key': idempotencyKey() });
      ctx.notify(t('lot.release.done', { lot: lot.lot, seq: changed.ledgerSeq, signature: changed.signature.id }));
      await refresh();
    } catch (err) {
      ctx.showError(err);
      replace(outcome, refusalBox(ctx, refusalOf(err), 'release-refusal'));
      button.disabled = false;
      button.focus();
    }
  });
  section.append(
    h('p', null, t('lot.release.rule', { kind: t(`lot.inspection.kind.${needed}`) })),
    h(
      'p',
      null,
      latest
        ? t('lot.release.latest', { id: latest.id, kind: t(`lot.inspection.kind.${needed}`), result: t(`ops.status.${latest.result}`) })
        : t('lot.release.noInspection', { kind: t(`lot.inspection.kind.${needed}`) }),
    ),
    button,
    outcome,
  );
  return section;
}

function statusSection(ctx: ConsoleContext, lot: Lot, base: string, refresh: () => Promise<void>): HTMLElement {
  const { t } = ctx;
  const action = h('select', { id: 'status-action', name: 'action' }, STATUS_ACTIONS.map((a) => h('option', { value: a }, t(`lot.action.${a}`))));
  const reason = h('input', { id: 'status-reason', name: 'reason', required: true, maxlength: 1000 });
  const outcome = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'secondary' }, t('lot.action.submit'));
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'status-heading' },
    h('h2', { id: 'status-heading' }, t('lot.action.heading')),
    h('div', { class: 'row' }, h('div', null, h('label', { for: 'status-action' }, t('lot.action.label')), action), h('div', null, h('label', { for: 'status-reason' }, t('ops.reasonRequired')), reason), submit),
    outcome,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(outcome);
    try {
      const changed = await ctx.api.post<{ status: string; ledgerSeq: number }>(`${base}/${action.value}`, { reason: reason.value.trim() }, { 'Idempotency-Key': idempotencyKey() });
      ctx.notify(t('lot.action.done', { lot: lot.lot, status: t(`ops.status.${changed.status}`).toLowerCase(), seq: changed.ledgerSeq }));
      await refresh();
    } catch (err) {
      ctx.showError(err);
      replace(outcome, refusalBox(ctx, refusalOf(err), 'status-refusal'));
      submit.disabled = false;
    }
  });
  return form;
}

function inspectionSection(ctx: ConsoleContext, lot: Lot, inspections: Inspection[], base: string, refresh: () => Promise<void>): HTMLElement {
  const { t } = ctx;
  const table = dataTable<Inspection>(
    [
      { header: '#', cell: (i) => String(i.id) },
      { header: t('lot.inspection.kind'), cell: (i) => t(`lot.inspection.kind.${i.kind}`) },
      { header: t('lot.inspection.result'), cell: (i) => statusBadge(ctx, i.result) },
      { header: t('lot.inspection.method'), cell: (i) => i.method },
      { header: t('ops.when'), cell: (i) => ctx.i18n.date(i.inspectedAt, true) },
      { header: t('ops.who'), cell: (i) => i.inspectedBy },
      { header: t('lot.inspection.nc'), cell: (i) => (i.nonconformanceId === null ? '' : `#${i.nonconformanceId}`) },
      { header: t('ops.ledgerSeq'), numeric: true, cell: (i) => String(i.ledgerSeq) },
    ],
    inspections,
    { caption: t('lot.inspection.caption'), empty: t('lot.inspection.none'), testId: 'inspections-table' },
  );
  const kind = h(
    'select',
    { id: 'inspection-kind', name: 'kind' },
    (['final', 'incoming'] as const).map((k) => h('option', { value: k, selected: k === (lot.origin === 'received' ? 'incoming' : 'final') }, t(`lot.inspection.kind.${k}`))),
  );
  const radio = (value: 'pass' | 'fail') =>
    h('label', { style: 'display: inline-flex; gap: 0.4em; font-weight: normal; margin-right: 1.2em' }, h('input', { type: 'radio', name: 'result', value, checked: value === 'pass', style: 'width: auto; min-height: 0' }), t(`ops.status.${value}`));
  const method = h('input', { id: 'inspection-method', name: 'method', required: true, maxlength: 200, placeholder: t('lot.inspection.methodExample') });
  const report = h('input', { id: 'inspection-report', name: 'reportSha256', pattern: '0x[0-9a-fA-F]{64}', class: 'mono', 'aria-describedby': 'inspection-report-hint' });
  const reason = h('input', { id: 'inspection-reason', name: 'reason', maxlength: 1000 });
  const outcome = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, t('lot.inspection.submit'));
  const form = h(
    'form',
    { 'aria-labelledby': 'inspection-form-heading' },
    h('h3', { id: 'inspection-form-heading' }, t('lot.inspection.record')),
    h('div', { class: 'row' }, h('div', null, h('label', { for: 'inspection-kind' }, t('lot.inspection.kind')), kind), h('div', null, h('label', { for: 'inspection-method' }, t('lot.inspection.method')), method)),
    h('fieldset', { style: 'border: 0; padding: 0; margin: 0.6em 0' }, h('legend', { style: 'font-weight: 600' }, t('lot.inspection.result')), radio('pass'), radio('fail')),
    h('label', { for: 'inspection-report' }, t('lot.inspection.report')),
    report,
    h('p', { id: 'inspection-report-hint', class: 'muted' }, t('lot.inspection.reportHint')),
    h('label', { for: 'inspection-reason' }, t('ops.reason')),
    reason,
    h('div', { style: 'margin-top: 0.8em' }, submit),
    outcome,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(outcome);
    const result = (form.elements.namedItem('result') as RadioNodeList).value;
    try {
      const recorded = await ctx.api.post<Inspection>(
        `${base}/inspections`,
        {
          kind: kind.value,
          result,
          method: method.value.trim(),
          ...(report.value.trim() ? { reportSha256: report.value.trim().toLowerCase() } : {}),
          ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
        },
        { 'Idempotency-Key': idempotencyKey() },
      );
      ctx.notify(
        recorded.nonconformanceId === null
          ? t('lot.inspection.done', { id: recorded.id, result: t(`ops.status.${recorded.result}`), seq: recorded.ledgerSeq })
          : t('lot.inspection.doneNc', { id: recorded.id, nc: recorded.nonconformanceId, seq: recorded.ledgerSeq }),
      );
      await refresh();
    } catch (err) {
      ctx.showError(err);
      replace(outcome, refusalBox(ctx, refusalOf(err), 'inspection-refusal'));
      submit.disabled = false;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'inspections-heading' }, h('h2', { id: 'inspections-heading' }, t('lot.inspection.heading')), table, form);
}

function historySection(ctx: ConsoleContext, history: History): HTMLElement {
  const { t } = ctx;
  const signatures = new Map(history.signatures.map((s) => [s.id, s]));
  const table = dataTable<History['changes'][number]>(
    [
      { header: t('ops.when'), cell: (c) => ctx.i18n.date(c.changedAt, true) },
      { header: t('lot.history.change'), cell: (c) => [statusBadge(ctx, c.from), ' → ', statusBadge(ctx, c.to)] },
      { header: t('ops.who'), cell: (c) => c.actor },
      { header: t('lot.history.reason'), cell: (c) => c.reason ?? '' },
      {
        header: t('lot.history.signature'),
        cell: (c) => {
          const s = c.signatureId === null ? undefined : signatures.get(c.signatureId);
          return s
            ? [t('lot.history.signed', { signer: s.signer, meaning: t(`meaning.${s.meaning}`), at: ctx.i18n.date(s.signedAt, true) }), h('br'), h('span', { class: 'mono muted', title: s.recordSha256 }, `${s.recordSha256.slice(0, 18)}…`)]
            : '';
        },
      },
      { header: t('ops.ledgerSeq'), numeric: true, cell: (c) => String(c.ledgerSeq) },
    ],
    history.changes,
    { caption: t('lot.history.caption'), empty: t('lot.history.none'), testId: 'history-table' },
  );
  return h('section', { class: 'card', 'aria-labelledby': 'history-heading' }, h('h2', { id: 'history-heading' }, t('lot.history.heading')), table);
}

export const lotDetailMessages = {
  en: {
    'lot.heading': 'Lot {lot}',
    'lot.back': '← All lots',
    'lot.productionDate': 'Production date',
    'lot.units': 'Units',
    'lot.origin': 'Origin',
    'lot.supplierLot': "Supplier's lot",
    'lot.commissioningSeq': 'Commissioning event (ledger seq)',
    'lot.statusChangedAt': 'Status since',
    'lot.releaseSignature': 'Release signature',
    'lot.createdBy': 'Created by',
    'lot.release.heading': 'Release',
    'lot.release.rule': 'A lot is released after a passed {kind} inspection, with no open nonconformance, by the e-signature of QA.',
    'lot.release.latest': 'Latest {kind} inspection: #{id}, {result}.',
    'lot.release.noInspection': 'No {kind} inspection is recorded yet.',
    'lot.release.button': 'Release with e-signature…',
    'lot.release.summary': 'Release lot {lot} of {product} (GTIN {gtin}), expiry {expiry}, {units} units, for sale and distribution.',
    'lot.release.done': 'Lot {lot} released: releasing event seq {seq}, signature #{signature}.',
    'lot.release.notQuarantined': 'The lot is {status}; only a quarantined lot can be released.',
    'lot.action.heading': 'Change status',
    'lot.action.label': 'Action',
    'lot.action.quarantine': 'Back to quarantine',
    'lot.action.block': 'Block',
    'lot.action.unblock': 'Unblock',
    'lot.action.reject': 'Reject',
    'lot.action.submit': 'Apply',
    'lot.action.done': 'Lot {lot} is now {status} (ledger seq {seq}).',
    'lot.inspection.heading': 'Inspections',
    'lot.inspection.caption': 'Inspections of this lot, oldest first',
    'lot.inspection.none': 'No inspections yet.',
    'lot.inspection.kind': 'Kind',
    'lot.inspection.kind.final': 'Final',
    'lot.inspection.kind.incoming': 'Incoming',
    'lot.inspection.result': 'Result',
    'lot.inspection.method': 'Method',
    'lot.inspection.methodExample': 'visual + dimensional',
    'lot.inspection.nc': 'Nonconformance',
    'lot.inspection.record': 'Record an inspection',
    'lot.inspection.report': 'SHA-256 of the signed report (optional)',
    'lot.inspection.reportHint': '0x followed by 64 hex digits.',
    'lot.inspection.submit': 'Record inspection',
    'lot.inspection.done': 'Inspection #{id} recorded: {result} (ledger seq {seq}).',
    'lot.inspection.doneNc': 'Inspection #{id} recorded as failed; nonconformance #{nc} opened (ledger seq {seq}).',
    'lot.history.heading': 'Status history',
    'lot.history.caption': 'Status changes, oldest first, with their signatures',
    'lot.history.none': 'No status changes yet: the lot is as it was commissioned or received.',
    'lot.history.change': 'Change',
    'lot.history.reason': 'Reason',
    'lot.history.signature': 'E-signature',
    'lot.history.signed': '{signer}, {meaning}, {at}',
  },
  zh: {
    'lot.heading': '批次 {lot}',
    'lot.back': '← 全部批次',
    'lot.productionDate': '生产日期',
    'lot.units': '数量',
    'lot.origin': '来源',
    'lot.supplierLot': '供应商批号',
    'lot.commissioningSeq': '赋码事件（账本序号）',
    'lot.statusChangedAt': '状态起始时间',
    'lot.releaseSignature': '放行签名',
    'lot.createdBy': '创建人',
    'lot.release.heading': '放行',
    'lot.release.rule': '批次须经{kind}检验合格、无未关闭的不合格项，并由质量人员电子签名后放行。',
    'lot.release.latest': '最近一次{kind}检验：#{id}，{result}。',
    'lot.release.noInspection': '尚无{kind}检验记录。',
    'lot.release.button': '电子签名放行…',
    'lot.release.summary': '放行 {product}（GTIN {gtin}）批次 {lot}，有效期 {expiry}，共 {units} 件，准予销售和流通。',
    'lot.release.done': '批次 {lot} 已放行：放行事件序号 {seq}，签名 #{signature}。',
    'lot.release.notQuarantined': '该批次当前为{status}；只有待验批次可以放行。',
    'lot.action.heading': '变更状态',
    'lot.action.label': '操作',
    'lot.action.quarantine': '退回待验',
    'lot.action.block': '冻结',
    'lot.action.unblock': '解冻',
    'lot.action.reject': '拒收',
    'lot.action.submit': '执行',
    'lot.action.done': '批次 {lot} 现为{status}（账本序号 {seq}）。',
    'lot.inspection.heading': '检验',
    'lot.inspection.caption': '本批次的检验记录（按时间先后）',
    'lot.inspection.none': '暂无检验记录。',
    'lot.inspection.kind': '类型',
    'lot.inspection.kind.final': '成品',
    'lot.inspection.kind.incoming': '进货',
    'lot.inspection.result': '结论',
    'lot.inspection.method': '方法',
    'lot.inspection.methodExample': '外观 + 尺寸',
    'lot.inspection.nc': '不合格项',
    'lot.inspection.record': '记录检验',
    'lot.inspection.report': '签署报告的 SHA-256（可选）',
    'lot.inspection.reportHint': '0x 加 64 位十六进制数字。',
    'lot.inspection.submit': '记录检验',
    'lot.inspection.done': '检验 #{id} 已记录：{result}（账本序号 {seq}）。',
    'lot.inspection.doneNc': '检验 #{id} 记录为不合格；已开立不合格项 #{nc}（账本序号 {seq}）。',
    'lot.history.heading': '状态历史',
    'lot.history.caption': '状态变更及其签名（按时间先后）',
    'lot.history.none': '尚无状态变更：批次保持赋码或收货时的状态。',
    'lot.history.change': '变更',
    'lot.history.reason': '原因',
    'lot.history.signature': '电子签名',
    'lot.history.signed': '{signer}，{meaning}，{at}',
  },
};
