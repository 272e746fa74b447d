// Every failure the console shows, in plain words with the code that names it:
// the SDK's verification codes (MedtraceError), the node's refusals (RFC 9457
// problems: their type's last segment is the code), and a node that cannot be
// reached at all.
import { isMedtraceError } from '../../sdk';
import { ApiError } from '../lib/api';
import { h } from '../lib/dom';
import type { I18n } from '../lib/i18n';

export interface Refusal {
  /** SDK code (LEAF_MISMATCH …), the node's problem type (auditor-scope …), NETWORK or ERROR. */
  code: string;
  /** Plain words, in the page's language. */
  plain: string;
  /** The precise message of the SDK or of the node. */
  detail: string;
  field?: string;
  /** The HTTP status of a node refusal. */
  status?: number;
  source: 'sdk' | 'node' | 'network' | 'other';
}

export function toRefusal(err: unknown, t: I18n['t']): Refusal {
  if (isMedtraceError(err)) {
    return { code: err.code, plain: t(`code.${err.code}`), detail: err.message, field: err.field, source: 'sdk' };
  }
  if (err instanceof ApiError) {
    const code = err.type ? err.type.replace(/\/+$/, '').split('/').pop()! : `http-${err.status}`;
    const known = t(`problem.${code}`);
    return {
      code,
      plain: known === `problem.${code}` ? err.title : known,
      detail: err.detail,
      field: err.field,
      status: err.status,
      source: 'node',
    };
  }
  if (err instanceof TypeError) return { code: 'NETWORK', plain: t('error.network'), detail: err.message, source: 'network' };
  return { code: 'ERROR', plain: t('error.other'), detail: err instanceof Error ? err.message : String(err), source: 'other' };
}

/** A refusal as a red banner: plain words first, then the code, then what exactly failed. */
export function refusalBanner(refusal: Refusal, t: I18n['t'], heading?: string): HTMLElement {
  return h(
    'div',
    { class: 'banner bad refusal', 'data-code': refusal.code },
    heading ? h('strong', { class: 'refusal-heading' }, heading) : null,
    h('p', { class: 'refusal-plain' }, refusal.plain),
    h(
      'p',
      null,
      h('span', { class: 'badge bad mono', 'data-testid': 'refusal-code' }, refusal.code),
      refusal.status ? ` ${t('refusal.status', { status: refusal.status })}` : '',
      refusal.field ? ` ${t('refusal.field', { field: refusal.field })}` : '',
    ),
    h('p', { class: 'mono refusal-detail' }, refusal.detail),
  );
}
