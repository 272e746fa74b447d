// How the operations views show statuses, expiry and refusals: a word and a
// colour together (never colour alone), in the page's language.
import { h, type Child } from '../../../lib/dom';
import type { ConsoleContext } from '../../types';
import type { Refusal } from './session';

/** Days from `today` to `date` (both ISO YYYY-MM-DD), negative when past. */
export function daysBetween(today: string, date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** The browser's local date, YYYY-MM-DD. */
export function localToday(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/** Expired or within 30 days: bad / warn; within 90: a plain badge; later: ok. */
export function expiryTone(daysLeft: number): 'bad' | 'warn' | 'soon' | 'ok' {
  if (daysLeft <= 0) return 'bad';
  if (daysLeft <= 30) return 'warn';
  if (daysLeft <= 90) return 'soon';
  return 'ok';
}

/** The expiry date with its days left, coloured by how close it is. */
export function expiryBadge(ctx: ConsoleContext, expiry: string, today = localToday(), daysLeft = daysBetween(today, expiry)): HTMLElement {
  const tone = expiryTone(daysLeft);
  const words = daysLeft <= 0 ? ctx.t('ops.expiry.expired', { days: -daysLeft }) : ctx.t('ops.expiry.left', { days: daysLeft });
  return h(
    'span',
    { class: tone === 'soon' ? 'badge' : `badge ${tone}`, 'data-expiry': tone, title: words },
    `${ctx.i18n.date(expiry)} · ${words}`,
  );
}

const STATUS_TONE: Record<string, 'ok' | 'warn' | 'bad' | ''> = {
  released: 'ok',
  quarantined: 'warn',
  blocked: 'bad',
  rejected: 'bad',
  recalled: 'bad',
  expired: 'bad',
  open: 'warn',
  allocated: 'warn',
  picked: 'warn',
  shipped: 'ok',
  partially_shipped: 'warn',
  cancelled: '',
  pass: 'ok',
  fail: 'bad',
};

/** A lot, order or inspection status as a badge: `ops.status.<status>` words. */
export function statusBadge(ctx: ConsoleContext, status: string, testId?: string): HTMLElement {
  const tone = STATUS_TONE[status] ?? '';
  return h('span', { class: tone ? `badge ${tone}` : 'badge', 'data-status': status, 'data-testid': testId ?? null }, ctx.t(`ops.status.${status}`));
}

/** A refusal of the node, with its reason, inside the section where it happened (the view's alert shows it too). */
export function refusalBox(ctx: ConsoleContext, refusal: Refusal, testId?: string): HTMLElement {
  return h(
    'div',
    { class: 'banner bad', 'data-testid': testId ?? null, 'data-problem': refusal.slug },
    h('strong', null, refusal.title),
    h('p', { style: 'margin: 0.3em 0' }, refusal.detail),
    h('p', { class: 'muted', style: 'margin: 0' }, ctx.t('ops.refusal.code', { code: refusal.slug }), refusal.field ? ` · ${ctx.t('ops.refusal.field', { field: refusal.field })}` : ''),
  );
}

/** A definition list of facts: [term, value] pairs, null values left out. */
export function facts(pairs: [string, Child][], testId?: string): HTMLElement {
  return h(
    'dl',
    { class: 'facts', 'data-testid': testId ?? null },
    pairs.filter(([, value]) => value !== null && value !== undefined && value !== '').map(([term, value]) => [h('dt', null, term), h('dd', null, value)]),
  );
}

/** The sub-navigation of a view (#/lots, #/lots/expiring, …), the current one marked. */
export function tabs(ctx: ConsoleContext, label: string, items: [href: string, key: string][], current: string): HTMLElement {
  return h(
    'nav',
    { 'aria-label': label },
    h('ul', { class: 'tabs' }, items.map(([href, key]) => h('li', null, h('a', { href: `#${href}`, 'aria-current': href === current ? 'page' : null }, ctx.t(key))))),
  );
}

/** The table footer's count line. */
export function countLabel(ctx: ConsoleContext) {
  return (shown: number, more: boolean) => ctx.t(more ? 'ops.table.countMore' : 'ops.table.count', { count: shown });
}
