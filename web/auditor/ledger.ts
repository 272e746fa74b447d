// The node's ledger, every event's proof bundle verified here with the SDK
// against the chain this console trusts. The node lists its events; each
// anchored one is fetched with its bundle and must verify, be the event asked
// for, and link to the previous event's leaf (prev). Nothing is taken from the
// node's word but the bundles themselves.
import { verifyBundle, type ProofBundle, type VerifiedBundle } from '../../sdk';
import { ApiError } from '../lib/api';
import { announce, h, replace } from '../lib/dom';
import { eachLimited } from './chain';
import type { AuditorContext, Connection, Section } from './context';
import { eventLabel } from './events';
import { refusalBanner, toRefusal, type Refusal } from './refusal';

interface LedgerEntry {
  seq: number;
  leaf: string;
  prev: string;
  event: Record<string, unknown>;
  batch: number | null;
}

interface Row {
  seq: number;
  label: string;
  batch: number | null;
  status: 'pending' | 'ok' | 'refused' | 'unanchored';
  code?: string;
  message?: string;
  block?: number;
  /** Leaf recomputed by the SDK, and the prev the verified envelope names (for the link check). */
  leaf?: string;
  prev?: string;
}

const PAGE = 500;
const PARALLEL = 6;
/** Rows drawn in the table; refused ones are always drawn. */
const MAX_DRAWN = 1000;

export function ledgerSection(connection: Connection): Section {
  const state = {
    phase: 'idle' as 'idle' | 'listing' | 'verifying' | 'done' | 'stopped' | 'failed',
    rows: [] as Row[],
    done: 0,
    refusal: null as Refusal | null,
    stop: false,
    gaps: 0,
    links: 0,
  };
  let view: { progress: HTMLProgressElement; progressText: HTMLElement; summary: HTMLElement; table: HTMLElement; status: HTMLElement; alert: HTMLElement; run: HTMLButtonElement; stop: HTMLButtonElement } | null = null;
  let ctx: AuditorContext;

  const counts = () => {
    const c = { events: state.rows.length, verified: 0, refused: 0, unanchored: 0, batches: new Set<number>() };
    for (const row of state.rows) {
      if (row.status === 'ok') {
        c.verified++;
        if (row.batch !== null) c.batches.add(row.batch);
      } else if (row.status === 'refused') c.refused++;
      else if (row.status === 'unanchored') c.unanchored++;
    }
    return c;
  };

  function drawSummary(): void {
    if (!view) return;
    const { t, i18n } = ctx;
    const c = counts();
    const item = (key: string, value: number, cls = '') =>
      h('div', { class: `count ${cls}`, 'data-testid': `ledger-${key}` }, h('span', { class: 'count-value' }, i18n.number(value)), h('span', { class: 'count-label' }, t(`ledger.count.${key}`)));
    replace(
      view.summary,
      item('events', c.events),
      item('verified', c.verified, c.verified ? 'ok' : ''),
      item('refused', c.refused, c.refused ? 'bad' : ''),
      item('batches', c.batches.size),
      item('unanchored', c.unanchored, c.unanchored ? 'warn' : ''),
    );
    const total = state.rows.length;
    view.progress.max = Math.max(total, 1);
    view.progress.value = state.phase === 'listing' ? 0 : state.done;
    view.progressText.textContent =
      state.phase === 'listing' ? t('ledger.listing', { n: total }) : state.phase === 'idle' ? t('ledger.idle') : t('ledger.progress', { done: state.done, total });
    view.run.disabled = state.phase === 'listing' || state.phase === 'verifying';
    view.stop.disabled = !(state.phase === 'listing' || state.phase === 'verifying');
  }

  function rowElement(row: Row): HTMLElement {
    const { t } = ctx;
    const result =
      row.status === 'ok'
        ? h('span', { class: 'badge ok' }, t('ledger.ok'))
        : row.status === 'refused'
          ? [
              h('span', { class: 'badge bad' }, t('ledger.refused')),
              ' ',
              h('code', { 'data-testid': 'row-code' }, row.code ?? ''),
              h('div', null, t(`code.${row.code}`)),
              h('div', { class: 'muted small mono' }, row.message ?? ''),
            ]
          : row.status === 'unanchored'
            ? h('span', { class: 'badge warn' }, t('ledger.unanchored'))
            : h('span', { class: 'badge' }, t('ledger.pending'));
    return h(
      'tr',
      { 'data-seq': row.seq, 'data-status': row.status },
      h('td', { class: 'num' }, row.seq),
      h('td', null, row.label),
      h('td', { class: 'num' }, row.batch ?? '–'),
      h('td', { class: 'num wide' }, row.block ?? '–'),
      h('td', null, result),
    );
  }

  function drawTable(): void {
    if (!view) return;
    const { t } = ctx;
    if (state.rows.length === 0) {
      replace(view.table);
      return;
    }
    const drawn = state.rows.filter((row, i) => i < MAX_DRAWN || row.status === 'refused');
    replace(
      view.table,
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { 'data-testid': 'ledger-table' },
          h('caption', { class: 'visually-hidden' }, t('ledger.caption')),
          h('thead', null, h('tr', null, ['ledger.seq', 'ledger.event', 'ledger.batch', 'ledger.block', 'ledger.result'].map((k) => h('th', { scope: 'col', class: k === 'ledger.block' ? 'wide' : null }, t(k))))),
          h('tbody', null, drawn.map(rowElement)),
        ),
      ),
      drawn.length < state.rows.length ? h('p', { class: 'muted' }, t('ledger.truncated', { shown: drawn.length, total: state.rows.length })) : null,
    );
  }

  function updateRow(row: Row): void {
    if (!view) return;
    const old = view.table.querySelector(`tr[data-seq="${row.seq}"]`);
    if (old) old.replaceWith(rowElement(row));
  }

  function finish(phase: 'done' | 'stopped' | 'failed'): void {
    state.phase = phase;
    checkLinks();
    drawSummary();
    drawTable();
    if (!view) return;
    const { t } = ctx;
    const c = counts();
    const message =
      phase === 'failed'
        ? ''
        : t(phase === 'done' ? 'ledger.finished' : 'ledger.stopped', { verified: c.verified, refused: c.refused, events: c.events, unanchored: c.unanchored });
    replace(
      view.status,
      message
        ? h('div', { class: `banner ${c.refused ? 'bad' : phase === 'done' ? 'ok' : 'warn'}`, 'data-testid': 'ledger-verdict' }, message, state.gaps ? h('div', null, t('ledger.gaps', { n: state.gaps })) : null, h('div', { class: 'muted' }, t('ledger.links', { n: state.links })))
        : null,
    );
    if (message) announce(message);
    if (state.refusal) replace(view.alert, refusalBanner(state.refusal, t, t('ledger.failed')));
  }

  /** Each verified event names the leaf of the one before it (DESIGN 4.1): checked over the verified leaves. */
  function checkLinks(): void {
    const bySeq = new Map(state.rows.map((r) => [r.seq, r]));
    state.links = 0;
    state.gaps = 0;
    let expected = 1;
    for (const row of state.rows) {
      if (row.seq !== expected) state.gaps++;
      expected = row.seq + 1;
      const before = bySeq.get(row.seq - 1);
      if (row.status !== 'ok' || !before || before.status !== 'ok') continue;
      if (row.prev !== before.leaf) {
        row.status = 'refused';
        row.code = 'PREV_MISMATCH';
        row.message = ctx.t('ledger.prevMismatch', { seq: row.seq, before: row.seq - 1 });
      } else state.links++;
    }
  }

  async function verifyRow(entry: LedgerEntry, row: Row): Promise<void> {
    const { trusted } = ctx;
    if (entry.batch === null) {
      row.status = 'unanchored';
      return;
    }
    let bundle: ProofBundle;
    try {
      bundle = (await connection.api.get<{ bundle: ProofBundle }>(`/audit/v1/events/${entry.seq}`)).bundle;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        row.status = 'unanchored';
        return;
      }
      throw err;
    }
    let verified: VerifiedBundle;
    try {
      verified = await verifyBundle(bundle, {
        provider: trusted.provider,
        cache: trusted.cache,
        expect: { chainId: trusted.network.chainId, anchorLog: trusted.network.contracts.anchorLog },
      });
    } catch (err) {
      const refusal = toRefusal(err, ctx.t);
      if (refusal.source !== 'sdk') throw err;
      row.status = 'refused';
      row.code = refusal.code;
      row.message = refusal.detail;
      return;
    }
    // A bundle that verifies but proves another event than the one listed is not this event's proof.
    if (verified.participant !== connection.participant || verified.seq !== entry.seq || verified.leaf !== entry.leaf) {
      row.status = 'refused';
      row.code = 'WRONG_EVENT';
      row.message = ctx.t('ledger.wrongEvent', { seq: entry.seq, got: verified.seq, participant: verified.participant });
      return;
    }
    row.status = 'ok';
    row.batch = verified.batch;
    row.block = verified.blockNumber;
    row.leaf = verified.leaf;
    row.prev = bundle.envelope.prev;
  }

  async function run(): Promise<void> {
    state.phase = 'listing';
    state.rows = [];
    state.done = 0;
    state.refusal = null;
    state.stop = false;
    if (view) {
      replace(view.status);
      replace(view.alert);
    }
    drawSummary();
    drawTable();
    const entries: LedgerEntry[] = [];
    try {
      let cursor: string | null | undefined;
      do {
        const page = await connection.api.get<{ items: LedgerEntry[]; nextCursor: string | null }>('/audit/v1/events', { limit: PAGE, cursor: cursor ?? undefined });
        for (const entry of page.items) {
          entries.push(entry);
          state.rows.push({ seq: entry.seq, label: eventLabel(entry.event), batch: entry.batch, status: 'pending' });
        }
        cursor = page.nextCursor;
        drawSummary();
      } while (cursor && !state.stop);
      state.phase = 'verifying';
      drawSummary();
      drawTable();
      await eachLimited(
        entries,
        PARALLEL,
        async (entry, index) => {
          const row = state.rows[index];
          await verifyRow(entry, row);
          state.done++;
          updateRow(row);
          drawSummary();
        },
        () => state.stop,
      );
    } catch (err) {
      state.refusal = toRefusal(err, ctx.t);
      finish('failed');
      return;
    }
    finish(state.stop ? 'stopped' : 'done');
  }

  return {
    id: 'ledger',
    title: 'nav.ledger',
    needsConnection: true,
    render(root, context) {
      ctx = context;
      const { t } = ctx;
      const progress = h('progress', { id: 'ledger-progress', max: 1, value: 0, 'aria-describedby': 'ledger-progress-text' });
      const progressText = h('p', { id: 'ledger-progress-text', class: 'muted', 'aria-live': 'off' });
      const runButton = h('button', { type: 'button', 'data-testid': 'ledger-run', onclick: () => void run() }, t('ledger.run'));
      const stopButton = h('button', { type: 'button', class: 'secondary', onclick: () => (state.stop = true) }, t('ledger.stop'));
      view = {
        progress,
        progressText,
        summary: h('div', { class: 'counts', 'data-testid': 'ledger-summary' }),
        table: h('div'),
        status: h('div', { role: 'status' }),
        alert: h('div', { role: 'alert' }),
        run: runButton,
        stop: stopButton,
      };
      replace(
        root,
        h('p', null, t('ledger.intro', { chainId: ctx.trusted.network.chainId })),
        h('div', { class: 'row no-print' }, runButton, stopButton),
        h('label', { for: 'ledger-progress' }, t('ledger.progressLabel')),
        progress,
        progressText,
        view.summary,
        view.status,
        view.alert,
        view.table,
      );
      if (state.phase === 'done' || state.phase === 'stopped' || state.phase === 'failed') finish(state.phase);
      else {
        drawSummary();
        drawTable();
      }
    },
  };
}
