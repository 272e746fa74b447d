// Small renderers the network views share: reason codes and SDK codes in plain
// words, durations, shortened hashes, chain transaction links, badges.
import { h } from '../../../lib/dom';
import { txLink, type NetworkInfo } from '../../../lib/network';
import type { ConsoleContext } from '../../types';

type T = ConsoleContext['t'];

/** A node reason slug (`lot-recalled`, `proof-failed:ROOT_NOT_ON_CHAIN`, …) in plain words. */
export function reasonText(t: T, code: string | null | undefined): string {
  if (!code) return '';
  if (code.startsWith('proof-failed:')) return t('reason.proof-failed', { code: sdkCodeText(t, code.slice('proof-failed:'.length)) });
  const key = `reason.${code}`;
  const text = t(key);
  return text === key ? t('reason.unknown', { code }) : text;
}

/** An SDK MedtraceError code in plain words (the code itself when unknown). */
export function sdkCodeText(t: T, code: string): string {
  const key = `sdk.${code}`;
  const text = t(key);
  return text === key ? code : text;
}

/** A duration in ms as "850 ms", "12 s", "3 min 5 s", "2 h 4 min", "1 d 3 h". */
export function duration(t: T, ms: number): string {
  if (ms < 1000) return t('dur.ms', { n: Math.round(ms) });
  const s = Math.round(ms / 1000);
  if (s < 60) return t('dur.s', { n: (ms / 1000).toFixed(ms < 10_000 ? 1 : 0) });
  if (s < 3600) return t('dur.min', { m: Math.floor(s / 60), s: s % 60 });
  if (s < 86_400) return t('dur.h', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('dur.d', { d: Math.floor(s / 86_400), h: Math.floor((s % 86_400) / 3600) });
}

/** 0x1234…abcd, with the whole value as a tooltip. */
export function shortHex(value: string, keep = 6): HTMLElement {
  const text = value.length > keep * 2 + 3 ? `${value.slice(0, keep + 2)}…${value.slice(-keep)}` : value;
  return h('span', { class: 'mono', title: value }, text);
}

/** A transaction: a link to the explorer when the network has one, else the hash and the block. */
export function txCell(t: T, network: NetworkInfo, txHash: string | null, blockNumber?: number | null): HTMLElement {
  if (!txHash) return h('span', { class: 'muted' }, blockNumber === undefined || blockNumber === null ? '—' : t('tx.block', { block: blockNumber }));
  const link = txLink(network, txHash);
  const block = blockNumber === undefined || blockNumber === null ? null : h('span', { class: 'muted' }, ` · ${t('tx.block', { block: blockNumber })}`);
  if (link) {
    return h(
      'span',
      { 'data-testid': 'tx' },
      h('a', { href: link, target: '_blank', rel: 'noopener', 'aria-label': t('tx.open', { hash: txHash }) }, shortHex(txHash, 8)),
      block,
    );
  }
  return h('span', { 'data-testid': 'tx' }, h('span', { class: 'mono tx-hash' }, txHash), block);
}

export function badge(kind: 'ok' | 'warn' | 'bad' | '', text: string, attrs: Record<string, string> = {}): HTMLElement {
  return h('span', { class: `badge ${kind}`.trim(), ...attrs }, text);
}

/** A participant: its name when known, and the address shortened. */
export function partyCell(name: string | null | undefined, address: string): HTMLElement {
  return h('span', null, name ? h('span', null, name, ' ') : null, shortHex(address, 4));
}

/** A table that scrolls sideways on a phone instead of overflowing the page. */
export function scrollTable(caption: string | null, head: string[], rows: Node[], attrs: Record<string, string> = {}): HTMLElement {
  return h(
    'div',
    { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': caption ?? head.join(', ') },
    h(
      'table',
      attrs,
      caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h('thead', null, h('tr', null, head.map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', null, rows),
    ),
  );
}
