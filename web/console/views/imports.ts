// Bulk import (#/imports): products, partners or opening stock from a CSV file
// (or a JSON array of rows, turned into the same CSV in the browser), with
// upload progress, then the node's report: rows imported and skipped, and every
// row error naming the row, the field and the rule it breaks. A file with
// errors imports nothing unless "valid rows only" is ticked; a dry run only checks.
import { ApiError, idempotencyKey } from '../../lib/api';
import { download, h, replace } from '../../lib/dom';
import type { ConsoleContext, View } from '../types';
import { dataTable } from '../widgets/table';
import { facts, refusalBox } from './ops/format';
import { csvFromJson, JsonRowsError } from './ops/jsonCsv';
import { refusalOf } from './ops/session';
import { longWrite } from './ops/upload';

/** The columns each import takes (node/imports), required ones first. */
const KINDS = {
  products: {
    required: ['gtin', 'name', 'model', 'deviceClass'],
    optional: ['shelfLifeDays', 'tracking', 'registrationNumber', 'registrationExpiry', 'storageConditions', 'standardCost'],
  },
  partners: {
    required: ['code', 'name'],
    optional: ['isSupplier', 'isCustomer', 'gln', 'participant', 'creditLimit', 'certificateKind', 'certificateNumber', 'certificateValidFrom', 'certificateValidUntil', 'certificateDocumentSha256'],
  },
  'opening-stock': {
    required: ['gtin', 'lot', 'productionDate', 'expiry'],
    optional: ['serial', 'quantity', 'warehouse', 'bin', 'supplierLot'],
  },
} as const;
type Kind = keyof typeof KINDS;

interface ImportError {
  row: number;
  field: string;
  rule: string;
  message: string;
}

interface ImportReport {
  kind: Kind;
  fileSha256: string;
  rows: number;
  imported: number;
  skipped: number;
  dryRun: boolean;
  validRowsOnly: boolean;
  errors: ImportError[];
  created: string[];
}

function reportView(ctx: ConsoleContext, report: ImportReport, refused: boolean): HTMLElement {
  const { t } = ctx;
  const badRows = new Set(report.errors.filter((e) => e.row > 1).map((e) => e.row)).size;
  const fileErrors = report.errors.some((e) => e.row === 1 || e.field === 'file');
  const tone = refused ? 'bad' : report.errors.length > 0 ? 'warn' : 'ok';
  const headline = refused
    ? t('imports.refused')
    : report.dryRun
      ? t(report.errors.length > 0 ? 'imports.dryRunErrors' : 'imports.dryRunOk')
      : t('imports.imported', { imported: report.imported });
  return h(
    'section',
    { class: `banner ${tone}`, 'data-testid': 'import-report', 'aria-labelledby': 'import-report-heading', tabindex: -1 },
    h('h2', { id: 'import-report-heading', style: 'margin-top: 0' }, headline),
    facts([
      [t('imports.kind'), t(`imports.kind.${report.kind}`)],
      [t('imports.rows'), ctx.i18n.number(report.rows)],
      [t('imports.rowsValid'), fileErrors ? t('imports.fileError') : ctx.i18n.number(Math.max(report.rows - badRows, 0))],
      [t('imports.rowsBad'), ctx.i18n.number(badRows)],
      [t('imports.importedCount'), ctx.i18n.number(report.imported)],
      [t('imports.skipped'), ctx.i18n.number(report.skipped)],
      [t('imports.fileSha256'), h('span', { class: 'mono' }, report.fileSha256)],
    ]),
    report.errors.length > 0
      ? dataTable<ImportError>(
          [
            { header: t('imports.row'), numeric: true, cell: (e) => String(e.row) },
            { header: t('imports.field'), cell: (e) => h('code', null, e.field) },
            { header: t('imports.rule'), cell: (e) => h('code', null, e.rule) },
            { header: t('imports.message'), cell: (e) => e.message },
          ],
          report.errors,
          { caption: t('imports.errorsCaption', { count: report.errors.length }), empty: '', testId: 'import-errors' },
        )
      : null,
    report.created.length > 0
      ? h('p', null, t('imports.created'), ' ', h('span', { class: 'mono' }, report.created.slice(0, 50).join(', ')), report.created.length > 50 ? ` … (+${report.created.length - 50})` : '')
      : null,
  );
}

async function render(root: HTMLElement, ctx: ConsoleContext): Promise<void> {
  const { t } = ctx;
  const kindRadio = (kind: Kind) =>
    h(
      'label',
      { style: 'display: inline-flex; gap: 0.4em; font-weight: normal; margin-right: 1.2em' },
      h('input', { type: 'radio', name: 'kind', value: kind, checked: kind === 'products', style: 'width: auto; min-height: 0' }),
      t(`imports.kind.${kind}`),
    );
  const kinds = h('fieldset', { style: 'border: 0; padding: 0; margin: 0' }, h('legend', { style: 'font-weight: 600' }, t('imports.kind')), (Object.keys(KINDS) as Kind[]).map(kindRadio));
  const columns = h('p', { class: 'muted', 'data-testid': 'import-columns' });
  const template = h('button', { type: 'button', class: 'secondary' }, t('imports.template'));
  const file = h('input', { id: 'import-file', name: 'file', type: 'file', accept: '.csv,.json,text/csv,application/json' });
  const text = h('textarea', { id: 'import-text', name: 'text', rows: 6, class: 'mono', 'aria-describedby': 'import-text-hint' });
  const dryRun = h('input', { id: 'import-dry-run', name: 'dryRun', type: 'checkbox', style: 'width: auto; min-height: 0' });
  const validOnly = h('input', { id: 'import-valid-only', name: 'validRowsOnly', type: 'checkbox', style: 'width: auto; min-height: 0' });
  const reason = h('input', { id: 'import-reason', name: 'reason', maxlength: 1000 });
  const submit = h('button', { type: 'submit', 'data-testid': 'import-submit' }, t('imports.submit'));
  const outcome = h('div', { 'data-testid': 'import-outcome' });
  const check = (input: HTMLInputElement, label: string, hint: string) =>
    h('div', { style: 'margin: 0.5em 0' }, h('label', { for: input.id, style: 'display: inline-flex; gap: 0.5em; align-items: center' }, input, label), h('p', { class: 'muted', style: 'margin: 0.1em 0 0 1.8em' }, hint));
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'import-heading' },
    h('h2', { id: 'import-heading' }, t('imports.heading')),
    kinds,
    columns,
    template,
    h('label', { for: 'import-file' }, t('imports.file')),
    file,
    h('label', { for: 'import-text' }, t('imports.text')),
    text,
    h('p', { id: 'import-text-hint', class: 'muted' }, t('imports.textHint')),
    check(dryRun, t('imports.dryRun'), t('imports.dryRunHint')),
    check(validOnly, t('imports.validOnly'), t('imports.validOnlyHint')),
    h('label', { for: 'import-reason' }, t('ops.reason')),
    reason,
    h('div', { style: 'margin-top: 0.8em' }, submit),
  );
  const kind = (): Kind => (form.elements.namedItem('kind') as RadioNodeList).value as Kind;
  const showColumns = () => {
    const k = KINDS[kind()];
    replace(columns, t('imports.columns'), ' ', h('code', null, k.required.join(', ')), ' ', t('imports.optional'), ' ', h('code', null, k.optional.join(', ')));
  };
  kinds.addEventListener('change', showColumns);
  showColumns();
  template.addEventListener('click', () => {
    const k = KINDS[kind()];
    download(`${kind()}-template.csv`, `${[...k.required, ...k.optional].join(',')}\r\n`, 'text/csv');
  });

  let key = idempotencyKey();
  let lastRequest = '';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    const raw = chosen ? await chosen.text() : text.value;
    if (!raw.trim()) {
      ctx.showError(new Error(t('imports.empty')));
      (chosen ? file : text).focus();
      return;
    }
    let csv: string;
    try {
      const json = chosen ? /\.json$/i.test(chosen.name) || chosen.type === 'application/json' : /^\s*[[{]/.test(raw);
      csv = json ? csvFromJson(raw) : raw;
    } catch (err) {
      const message = err instanceof JsonRowsError ? t('imports.jsonError', { detail: err.message }) : String(err);
      ctx.showError(new Error(message));
      replace(outcome, refusalBox(ctx, { slug: 'json-rows', title: t('imports.jsonTitle'), detail: message }, 'import-refusal'));
      return;
    }
    const query = new URLSearchParams();
    if (dryRun.checked) query.set('dryRun', 'true');
    if (validOnly.checked) query.set('validRowsOnly', 'true');
    const url = `/api/v1/imports/${kind()}${query.toString() ? `?${query}` : ''}`;
    const request = `${url}\n${csv}`;
    if (request !== lastRequest) key = idempotencyKey();
    lastRequest = request;
    submit.disabled = true;
    const run = longWrite(ctx, {
      url,
      body: csv,
      contentType: 'text/csv',
      idempotencyKey: key,
      headers: reason.value.trim() ? { 'x-reason': reason.value.trim() } : {},
      uploadLabel: t('imports.step.upload'),
      workLabel: t(dryRun.checked ? 'imports.step.check' : 'imports.step.work'),
      testId: 'import-progress',
    });
    replace(outcome, run.panel.element);
    try {
      const { body } = await run.result;
      const report = body as ImportReport;
      outcome.append(reportView(ctx, report, false));
      ctx.notify(report.dryRun ? t('imports.notifyDryRun', { rows: report.rows, errors: report.errors.length }) : t('imports.notify', { imported: report.imported, skipped: report.skipped }));
      key = idempotencyKey();
      lastRequest = '';
    } catch (err) {
      ctx.showError(err);
      const refusal = refusalOf(err);
      const report = (refusal.body as { report?: ImportReport } | undefined)?.report;
      outcome.append(report ? reportView(ctx, report, true) : refusalBox(ctx, refusal, 'import-refusal'));
      if (err instanceof ApiError) {
        key = idempotencyKey();
        lastRequest = '';
      }
    } finally {
      submit.disabled = false;
      outcome.querySelector<HTMLElement>('[data-testid="import-report"]')?.focus();
    }
  });
  root.append(form, outcome);
}

export const importsView: View = {
  id: 'imports',
  title: 'imports.title',
  roles: ['admin', 'qa', 'warehouse'],
  messages: {
    en: {
      'imports.title': 'Imports',
      'imports.heading': 'Bulk import',
      'imports.kind': 'What to import',
      'imports.kind.products': 'Products',
      'imports.kind.partners': 'Partners',
      'imports.kind.opening-stock': 'Opening stock',
      'imports.columns': 'Columns (required):',
      'imports.optional': 'optional:',
      'imports.template': 'Download a CSV template',
      'imports.file': 'File (CSV with a header row, or a JSON array of rows)',
      'imports.text': 'Or paste the rows',
      'imports.textHint': 'CSV with a header row, or JSON: [{"gtin": "…", …}]. A file, when chosen, is used instead.',
      'imports.dryRun': 'Dry run',
      'imports.dryRunHint': 'Only check the file; nothing is written.',
      'imports.validOnly': 'Import the valid rows only',
      'imports.validOnlyHint': 'Without it, a file with any error imports nothing.',
      'imports.submit': 'Import',
      'imports.empty': 'Choose a file or paste rows first.',
      'imports.jsonTitle': 'The JSON is not a list of rows',
      'imports.jsonError': 'JSON rows: {detail}',
      'imports.step.upload': 'Sending the file',
      'imports.step.work': 'The node checks every row and imports',
      'imports.step.check': 'The node checks every row (dry run)',
      'imports.refused': 'Nothing was imported: the file has errors',
      'imports.dryRunOk': 'Dry run: every row is valid',
      'imports.dryRunErrors': 'Dry run: some rows have errors',
      'imports.imported': '{imported} records imported',
      'imports.rows': 'Rows in the file',
      'imports.rowsValid': 'Rows without errors',
      'imports.rowsBad': 'Rows with errors',
      'imports.fileError': 'none: the file itself is refused',
      'imports.importedCount': 'Records created',
      'imports.skipped': 'Rows not imported',
      'imports.fileSha256': 'File SHA-256',
      'imports.errorsCaption': '{count} errors: row (the header is row 1), field and rule',
      'imports.row': 'Row',
      'imports.field': 'Field',
      'imports.rule': 'Rule',
      'imports.message': 'What is wrong',
      'imports.created': 'Created:',
      'imports.notify': '{imported} records imported, {skipped} rows skipped.',
      'imports.notifyDryRun': 'Dry run: {rows} rows checked, {errors} errors.',
    },
    zh: {
      'imports.title': '导入',
      'imports.heading': '批量导入',
      'imports.kind': '导入内容',
      'imports.kind.products': '产品',
      'imports.kind.partners': '合作方',
      'imports.kind.opening-stock': '期初库存',
      'imports.columns': '列（必填）：',
      'imports.optional': '可选：',
      'imports.template': '下载 CSV 模板',
      'imports.file': '文件（带表头的 CSV，或 JSON 行数组）',
      'imports.text': '或粘贴数据行',
      'imports.textHint': '带表头的 CSV，或 JSON：[{"gtin": "…", …}]。选择了文件时以文件为准。',
      'imports.dryRun': '试运行',
      'imports.dryRunHint': '只检查文件，不写入任何数据。',
      'imports.validOnly': '只导入有效行',
      'imports.validOnlyHint': '不勾选时，文件中只要有错误就不导入任何数据。',
      'imports.submit': '导入',
      'imports.empty': '请先选择文件或粘贴数据行。',
      'imports.jsonTitle': 'JSON 不是数据行列表',
      'imports.jsonError': 'JSON 数据行：{detail}',
      'imports.step.upload': '发送文件',
      'imports.step.work': '节点逐行检查并导入',
      'imports.step.check': '节点逐行检查（试运行）',
      'imports.refused': '未导入任何数据：文件有错误',
      'imports.dryRunOk': '试运行：所有行均有效',
      'imports.dryRunErrors': '试运行：部分行有错误',
      'imports.imported': '已导入 {imported} 条记录',
      'imports.rows': '文件行数',
      'imports.rowsValid': '无错误的行',
      'imports.rowsBad': '有错误的行',
      'imports.fileError': '无：整个文件被拒绝',
      'imports.importedCount': '新建记录',
      'imports.skipped': '未导入的行',
      'imports.fileSha256': '文件 SHA-256',
      'imports.errorsCaption': '{count} 个错误：行号（表头为第 1 行）、字段和规则',
      'imports.row': '行',
      'imports.field': '字段',
      'imports.rule': '规则',
      'imports.message': '错误说明',
      'imports.created': '已新建：',
      'imports.notify': '已导入 {imported} 条记录，跳过 {skipped} 行。',
      'imports.notifyDryRun': '试运行：检查了 {rows} 行，{errors} 个错误。',
    },
  },
  render: (root, ctx) => render(root, ctx),
};
