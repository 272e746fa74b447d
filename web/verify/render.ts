// An Outcome in words and markup: the verdict first (a heading the focus moves
// to, role=alert when it says "do not use"), the recall banner read from the
// chain, the device and its maker as registered, the chain statement, and a
// disclosure panel with the proofs.
import { getAddress } from 'ethers';
import { sha256, toHex, type BoardRecall } from '../../sdk';
import { h, type Child } from '../lib/dom';
import type { I18n } from '../lib/i18n';
import { txLink, type NetworkInfo } from '../lib/network';
import type { CheckedEvidence, Outcome } from './check';
import { explainGs1Error } from './explain';
import { EXPIRY_WARNING_DAYS, expiryStatus, openRecalls, verdictOf } from './verdict';

export interface RenderContext {
  i18n: I18n;
  network: NetworkInfo | undefined;
  today: string;
}

/** The result section's content; `heading` takes the focus. */
export function renderOutcome(outcome: Outcome, ctx: RenderContext): { content: Child[]; heading: HTMLElement } {
  const { t } = ctx.i18n;
  const verdict = verdictOf(outcome, ctx.today);
  const heading = h('h2', { id: 'verdict-title', tabindex: '-1' }, t(`verdict.${verdict.key}.title`, verdictVars(outcome, ctx)));
  const banner = h(
    'div',
    { class: `banner ${verdict.tone} verdict`, role: verdict.tone === 'ok' ? 'status' : 'alert', 'data-state': outcome.state, 'data-verdict': verdict.key },
    heading,
    h('p', null, t(`verdict.${verdict.key}.detail`, verdictVars(outcome, ctx))),
    outcome.state === 'malformed' ? malformedDetail(outcome, ctx) : null,
    outcome.failure ? h('p', { class: 'mono', 'data-code': outcome.failure.code }, t('verdict.code', { code: outcome.failure.code })) : null,
    outcome.chain && outcome.state === 'verified' ? h('p', { class: 'chain-statement' }, t('chain.verified', outcome.chain)) : null,
  );
  const content: Child[] = [banner];
  if (outcome.chain && outcome.state !== 'unknownGtin') content.push(recallSection(outcome, ctx));
  if (outcome.code) content.push(deviceCard(outcome, ctx));
  if (outcome.chain) content.push(makerCard(outcome, ctx));
  if (outcome.chain && outcome.state !== 'verified') content.push(h('p', { class: 'muted chain-statement' }, t('chain.read', outcome.chain)));
  if (outcome.evidence.commissioning || outcome.evidence.release) content.push(proofsPanel(outcome, ctx));
  return { content, heading };
}

function verdictVars(outcome: Outcome, ctx: RenderContext): Record<string, string> {
  const { t } = ctx.i18n;
  const maker = outcome.maker?.name ?? outcome.owner ?? '';
  const vars: Record<string, string> = {
    maker,
    gtin: outcome.code?.gtin ?? '',
    lot: outcome.lot ?? outcome.code?.lot ?? '',
    serial: outcome.code?.serial ?? '',
    expiry: outcome.expiry ? ctx.i18n.date(outcome.expiry) : '',
    status: outcome.maker && outcome.maker.status !== 'active' ? t(`status.${outcome.maker.status}`) : '',
    detail: outcome.unreachable ?? outcome.answer?.detail ?? '',
    what: '',
    reason: '',
    evidence: outcome.failure ? t(`evidence.${outcome.failure.evidence}`) : '',
  };
  const lotStatus = outcome.answer?.data.lotStatus;
  if (outcome.state === 'verified' && lotStatus && lotStatus !== 'released') vars.status = translated(ctx, `lotStatus.${lotStatus}`, lotStatus);
  if (outcome.state === 'malformed' && outcome.error) {
    const explained = explainGs1Error(outcome.error);
    vars.what = `${t(explained.field.key, explained.field.vars)} ${t(explained.rule.key, explained.rule.vars)}`;
  }
  if (outcome.state === 'suspect') {
    const reason = outcome.answer?.verificationFailureReason ?? '';
    vars.reason = translated(ctx, `reason.${reason}`, t('reason.other', { reason }), vars);
  }
  if (outcome.failure) vars.reason = translated(ctx, `proofCode.${outcome.failure.code}`, t('proofCode.other'));
  return vars;
}

/** `t(key)`, or `fallback` when neither dictionary has the key. */
function translated(ctx: RenderContext, key: string, fallback: string, vars?: Record<string, string>): string {
  const text = ctx.i18n.t(key, vars);
  return text === key ? fallback : text;
}

function malformedDetail(outcome: Outcome, ctx: RenderContext): Child {
  const { t } = ctx.i18n;
  return [
    h('p', { class: 'mono' }, t('malformed.input', { input: visible(outcome.input) })),
    h('p', { class: 'muted small' }, t('malformed.sdk', { message: outcome.error?.message ?? '' })),
  ];
}

/** Control characters (a scanner's GS) shown as the symbols people write for them. */
function visible(text: string): string {
  return text.replace(/\u001d/g, '␝').replace(/[\u0000-\u001f]/g, '�');
}

function row(label: string, ...value: Child[]): Child {
  return [h('dt', null, label), h('dd', null, ...value)];
}

function deviceCard(outcome: Outcome, ctx: RenderContext): HTMLElement {
  const { t } = ctx.i18n;
  // What only the maker's node says (the catalogue's name, the lot's status now) is shown when
  // its proofs held, or when it says it never made the unit; not next to a failed proof.
  const believed = outcome.state === 'verified' || outcome.state === 'suspect';
  const product = believed ? (outcome.answer?.data.product ?? null) : null;
  const unknown = h('span', { class: 'muted' }, t('device.unknown'));
  const none = () => h('span', { class: 'muted' }, t('device.none'));
  let expiry: Child = none();
  if (outcome.expiry) {
    const status = expiryStatus(outcome.expiry, ctx.today);
    const tone = status.state === 'expired' ? 'bad' : status.state === 'soon' ? 'warn' : 'ok';
    expiry = [
      ctx.i18n.date(outcome.expiry),
      ' ',
      h('span', { class: `badge ${tone}`, 'data-expiry': status.state }, t(`expiry.${status.state}`, { days: status.days, limit: EXPIRY_WARNING_DAYS })),
    ];
  }
  const release = outcome.evidence.release
    ? h('span', { class: 'badge ok', 'data-release': 'yes' }, t('release.yes'))
    : outcome.state === 'verified'
      ? h('span', { class: 'badge warn', 'data-release': 'no' }, t('release.no'))
      : h('span', { class: 'muted', 'data-release': 'unknown' }, t('release.unknown'));
  const lotStatus = believed ? outcome.answer?.data.lotStatus : undefined;
  return h(
    'section',
    { class: 'card device', 'aria-labelledby': 'device-title' },
    h('h3', { id: 'device-title' }, t('device.heading')),
    h(
      'dl',
      null,
      row(t('device.name'), product ? h('span', { 'data-field': 'name' }, product.name) : unknown),
      row(t('device.model'), product ? h('span', { 'data-field': 'model' }, product.model) : unknown.cloneNode(true)),
      row(t('device.gtin'), h('span', { class: 'mono', 'data-field': 'gtin' }, outcome.code!.gtin)),
      row(t('device.lot'), outcome.lot ? h('span', { class: 'mono', 'data-field': 'lot' }, outcome.lot) : none()),
      row(t('device.serial'), outcome.code?.serial ? h('span', { class: 'mono', 'data-field': 'serial' }, outcome.code.serial) : none()),
      row(t('device.expiry'), expiry),
      row(t('device.release'), release),
      lotStatus ? row(t('device.lotStatus'), translated(ctx, `lotStatus.${lotStatus}`, lotStatus)) : null,
    ),
  );
}

function makerCard(outcome: Outcome, ctx: RenderContext): HTMLElement {
  const { t } = ctx.i18n;
  const maker = outcome.maker;
  const body: Child = !outcome.owner
    ? h('p', null, t('maker.none'))
    : h(
        'dl',
        null,
        row(t('maker.name'), h('strong', { 'data-field': 'maker' }, maker?.name ?? t('device.unknown'))),
        row(t('maker.address'), h('span', { class: 'mono', 'data-field': 'maker-address' }, getAddress(outcome.owner))),
        maker ? row(t('maker.role'), t(`role.${maker.role}`)) : null,
        maker?.gln ? row(t('maker.gln'), h('span', { class: 'mono' }, maker.gln)) : null,
        maker?.endpoint ? row(t('maker.endpoint'), h('span', { class: 'mono' }, maker.endpoint)) : null,
        row(
          t('maker.status'),
          h('span', { class: `badge ${maker?.status === 'active' ? 'ok' : 'bad'}`, 'data-field': 'maker-status' }, t(`status.${maker?.status ?? 'unknown'}`)),
        ),
      );
  return h('section', { class: 'card maker', 'aria-labelledby': 'maker-title' }, h('h3', { id: 'maker-title' }, t('maker.heading')), body);
}

function recallSection(outcome: Outcome, ctx: RenderContext): HTMLElement {
  const { t } = ctx.i18n;
  const open = openRecalls(outcome.recalls);
  const past = outcome.recalls.filter((r) => r.status !== 'open');
  return h(
    'section',
    { class: 'recalls', 'aria-labelledby': 'recall-title' },
    h('h3', { id: 'recall-title' }, t('recall.heading')),
    open.map((r) => recallBanner(r, ctx)),
    open.length === 0 ? h('p', { class: 'muted', 'data-recalls': 'none' }, t(outcome.recallsOfLot ? 'recall.none' : 'recall.noneProduct')) : null,
    past.length > 0
      ? h('details', { class: 'past-recalls' }, h('summary', null, t('recall.past')), h('ul', null, past.map((r) => h('li', null, recallLine(r, ctx)))))
      : null,
  );
}

function recallTitle(r: BoardRecall, ctx: RenderContext): string {
  const { t } = ctx.i18n;
  return t('recall.title', { class: translated(ctx, `recall.class.${r.recallClass}`, String(r.recallClass)), action: t(`recall.action.${r.action}`) });
}

function recallLine(r: BoardRecall, ctx: RenderContext): string {
  const { t } = ctx.i18n;
  return `${recallTitle(r, ctx)}. ${t('recall.statusLine', {
    status: t(`recall.status.${r.status}`),
    date: ctx.i18n.date(r.publishedAt, true),
    lots: r.lots.length === 0 ? t('recall.allLots') : r.lots.join(', '),
  })}`;
}

function recallBanner(r: BoardRecall, ctx: RenderContext): HTMLElement {
  const { t } = ctx.i18n;
  const safeUri = /^https?:\/\//i.test(r.noticeUri) ? r.noticeUri : null;
  const check = h('p', { class: 'muted small', 'data-notice-check': 'pending' }, safeUri ? t('recall.noticeChecking') : '');
  if (safeUri) void checkNotice(safeUri, r.noticeSha256, check, ctx);
  return h(
    'div',
    { class: 'banner bad recall', 'data-recall-id': r.chainRecallId, 'data-recall-class': r.recallClass, 'data-recall-action': r.action },
    h('p', { class: 'recall-title' }, h('strong', null, recallTitle(r, ctx))),
    h(
      'p',
      null,
      t('recall.statusLine', { status: t(`recall.status.${r.status}`), date: ctx.i18n.date(r.publishedAt, true), lots: r.lots.length === 0 ? t('recall.allLots') : r.lots.join(', ') }),
    ),
    safeUri ? h('p', null, h('a', { href: safeUri, target: '_blank', rel: 'noopener noreferrer' }, t('recall.notice'))) : null,
    h('p', { class: 'mono small' }, `SHA-256 ${r.noticeSha256}`),
    check,
  );
}

/** Fetches the notice and compares its SHA-256 with the one on the chain. */
async function checkNotice(uri: string, expected: string, into: HTMLElement, ctx: RenderContext): Promise<void> {
  const { t } = ctx.i18n;
  try {
    const res = await fetch(uri);
    if (!res.ok) throw new Error(String(res.status));
    const actual = toHex(sha256(new Uint8Array(await res.arrayBuffer())));
    const ok = actual === expected.toLowerCase();
    into.textContent = t(ok ? 'recall.noticeOk' : 'recall.noticeBad');
    into.dataset.noticeCheck = ok ? 'ok' : 'bad';
    into.className = ok ? 'small' : 'small error';
  } catch {
    into.textContent = t('recall.noticeUnreadable');
    into.dataset.noticeCheck = 'unreadable';
  }
}

function proofsPanel(outcome: Outcome, ctx: RenderContext): HTMLElement {
  const { t } = ctx.i18n;
  return h(
    'details',
    { class: 'card proofs' },
    h('summary', null, t('proofs.summary')),
    h('p', { class: 'muted small' }, t('proofs.explain')),
    outcome.evidence.commissioning ? proof(t('proofs.commissioning'), outcome.evidence.commissioning, 'commissioning', ctx) : null,
    outcome.evidence.release ? proof(t('proofs.release'), outcome.evidence.release, 'release', ctx) : null,
  );
}

function proof(title: string, { bundle, verified }: CheckedEvidence, which: string, ctx: RenderContext): HTMLElement {
  const { t } = ctx.i18n;
  const event = bundle.envelope.event;
  const link = ctx.network ? txLink(ctx.network, verified.txHash) : null;
  const mono = (text: string | number) => h('span', { class: 'mono' }, String(text));
  const path = (siblings: string[]) =>
    siblings.length === 0 ? h('p', { class: 'muted' }, t('proofs.noSiblings')) : h('ol', { class: 'mono path' }, siblings.map((s) => h('li', null, s)));
  return h(
    'section',
    { class: 'proof', 'data-proof': which },
    h('h4', null, title),
    h(
      'dl',
      null,
      row(t('proofs.event'), mono([event.type, event.action, event.bizStep].filter(Boolean).join(' · '))),
      row(t('proofs.eventTime'), ctx.i18n.date(event.eventTime, true)),
      row(t('proofs.seq'), mono(verified.seq)),
      row(t('proofs.leaf'), mono(verified.leaf)),
      row(t('proofs.batch'), mono(verified.batch)),
      row(t('proofs.range'), mono(`${verified.from}–${verified.to}`)),
      row(t('proofs.root'), mono(verified.root)),
      row(t('proofs.tx'), link ? h('a', { href: link, class: 'mono', target: '_blank', rel: 'noopener noreferrer' }, verified.txHash) : mono(verified.txHash)),
      row(t('proofs.block'), mono(verified.blockNumber)),
    ),
    h('p', null, t('proofs.inclusion', { index: bundle.inclusion.index, size: bundle.inclusion.size })),
    path(bundle.inclusion.siblings),
    bundle.units.map((u) => [h('p', null, t('proofs.unit', { index: u.proof.index, size: u.proof.size }), ' ', mono(u.uri)), path(u.proof.siblings)]),
  );
}
