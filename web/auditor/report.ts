// The node's full-ledger verification report (GET /audit/v1/report), made a
// readable, printable document, and cross-checked here against the chain where
// a browser can: the batch count and the registry status the report states,
// and every batch on chain (root, seq range) against the node's own record of
// its anchors. Rows checked this way say so.
import { ApiError } from '../lib/api';
import { announce, h, replace, type Child } from '../lib/dom';
import { txLink } from '../lib/network';
import { eachLimited, type ChainBatch } from './chain';
import type { AuditorContext, Connection, Section } from './context';
import { refusalBanner, toRefusal, type Refusal } from './refusal';
import { statusBadge } from './identity';

export interface LedgerReport {
  participant: string;
  chainId: number;
  anchorLog: string;
  generatedAt: string;
  ok: boolean;
  ledger: { events: number; lastSeq: number; anchoredThrough: number; unanchored: number };
  batches: { local: number; onChain: number; verified: number };
  registry: { status: string; invalidFromBatch: number };
  anomalyCount: number;
  anomalies: { kind: string; seq?: number; batch?: number; detail: string }[];
}

interface NodeAnchor {
  batch: number;
  from: number;
  to: number;
  root: string;
  txHash: string;
  blockNumber: number;
  anchoredAt: string;
  rootMatches: boolean;
}

interface BatchRow {
  batch: number;
  chain?: ChainBatch;
  node?: NodeAnchor;
  /** ok: chain and node agree; mismatch; chain-only: the node's record was not readable (no ledger scope); node-only: not on chain. */
  check: 'ok' | 'mismatch' | 'chain-only' | 'node-only';
}

interface CrossChecks {
  batchCount: number;
  status: { status: string; invalidFromBatch: number };
  rows: BatchRow[];
  /** Why the node's anchors could not be read (a missing ledger scope), if so. */
  anchorsRefusal: Refusal | null;
  checkedAt: string;
}

/** Batches read from chain one by one; beyond this, the table says how many were left out. */
const MAX_BATCHES = 2000;

export function reportSection(connection: Connection): Section {
  let report: LedgerReport | null = null;
  let cross: CrossChecks | null = null;
  let crossRefusal: Refusal | null = null;
  let refusal: Refusal | null = null;
  let busy = false;
  let ctx: AuditorContext;
  let body: HTMLElement | null = null;

  async function nodeAnchors(): Promise<NodeAnchor[]> {
    const out: NodeAnchor[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: NodeAnchor[]; nextCursor: string | null } = await connection.api.get('/audit/v1/anchors', { limit: 500, cursor: cursor ?? undefined });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && out.length < MAX_BATCHES);
    return out;
  }

  async function crossCheck(reported: LedgerReport): Promise<CrossChecks> {
    const { chain } = ctx.trusted;
    const participant = connection.participant;
    const [batchCount, status] = await Promise.all([chain.batchCount(participant), chain.statusOf(participant)]);
    let anchors: NodeAnchor[] = [];
    let anchorsRefusal: Refusal | null = null;
    try {
      anchors = await nodeAnchors();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      anchorsRefusal = toRefusal(err, ctx.t);
    }
    const numbers = Array.from({ length: Math.min(batchCount, MAX_BATCHES) }, (_, i) => i);
    const chainBatches = new Map<number, ChainBatch>();
    await eachLimited(numbers, 8, async (batch) => {
      chainBatches.set(batch, await chain.batch(participant, batch));
    });
    const byNumber = new Map(anchors.map((a) => [a.batch, a]));
    const rows: BatchRow[] = numbers.map((batch) => {
      const c = chainBatches.get(batch)!;
      const n = byNumber.get(batch);
      // A batch anchored after the report may not be in the node's record yet; an older one must be.
      if (!n) return { batch, chain: c, check: anchorsRefusal || batch >= reported.batches.onChain ? 'chain-only' : 'mismatch' };
      const agree = n.root.toLowerCase() === c.root && n.from === c.from && n.to === c.to;
      return { batch, chain: c, node: n, check: agree ? 'ok' : 'mismatch' };
    });
    for (const n of anchors) if (n.batch >= batchCount) rows.push({ batch: n.batch, node: n, check: 'node-only' });
    return { batchCount, status, rows, anchorsRefusal, checkedAt: new Date().toISOString() };
  }

  async function load(): Promise<void> {
    busy = true;
    refusal = null;
    crossRefusal = null;
    draw();
    try {
      report = await connection.api.get<LedgerReport>('/audit/v1/report');
      cross = null;
      draw();
      try {
        cross = await crossCheck(report);
      } catch (err) {
        crossRefusal = toRefusal(err, ctx.t);
      }
      announce(ctx.t(report.ok ? 'report.okAnnounce' : 'report.anomaliesAnnounce', { n: report.anomalyCount }));
    } catch (err) {
      refusal = toRefusal(err, ctx.t);
    } finally {
      busy = false;
    }
    draw();
  }

  function mark(ok: boolean | null, text?: string): HTMLElement {
    const { t } = ctx;
    if (ok === null) return h('span', { class: 'badge warn' }, text ?? t('report.notChecked'));
    return h('span', { class: `badge ${ok ? 'ok' : 'bad'}`, 'data-checked': ok ? 'ok' : 'mismatch' }, text ?? (ok ? t('report.checkedOnChain') : t('report.chainDisagrees')));
  }

  /** The chain only ever gains batches: more than the report counted means some were anchored since it was made. */
  function batchCountMark(onChainNow: number, reported: number): HTMLElement {
    if (onChainNow > reported) return mark(true, ctx.t('report.checkedMoreSince', { n: onChainNow - reported }));
    return mark(onChainNow === reported);
  }

  function documentView(r: LedgerReport): HTMLElement {
    const { t, i18n, trusted } = ctx;
    const onChain = connection.onChain;
    const th = (key: string) => h('th', { scope: 'col' }, t(key));
    const countRow = (key: string, value: Child, check?: Child) => h('tr', null, h('th', { scope: 'row' }, t(key)), h('td', { class: 'num' }, value), h('td', null, check ?? ''));
    const sameNetwork = r.chainId === trusted.network.chainId && r.anchorLog.toLowerCase() === trusted.network.contracts.anchorLog.toLowerCase();
    const batchTable = cross
      ? h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            { class: 'report-batches stack', 'data-testid': 'report-batches' },
            h('caption', null, t('report.batchesCaption')),
            h('thead', null, h('tr', null, th('report.batch'), th('report.seqRange'), th('report.root'), th('report.anchoredAt'), th('report.tx'), th('report.check'))),
            h(
              'tbody',
              null,
              cross.rows.map((row) => {
                const root = row.chain?.root ?? row.node?.root ?? '';
                const link = row.node ? txLink(trusted.network, row.node.txHash) : null;
                const range = row.chain ? `${row.chain.from}–${row.chain.to}` : row.node ? `${row.node.from}–${row.node.to}` : '';
                const check =
                  row.check === 'ok'
                    ? mark(true)
                    : row.check === 'chain-only'
                      ? mark(true, t('report.readFromChain'))
                      : row.check === 'node-only'
                        ? mark(false, t('report.notOnChain'))
                        : mark(false);
                const cell = (key: string, cls: string | null, ...value: Child[]) => h('td', { class: cls, 'data-label': t(key) }, ...value);
                return h(
                  'tr',
                  { 'data-batch': row.batch, 'data-check': row.check },
                  cell('report.batch', 'num', row.batch),
                  cell('report.seqRange', 'num', range),
                  cell('report.root', 'mono', root),
                  cell('report.anchoredAt', null, row.chain ? i18n.date(row.chain.anchoredAt, true) : ''),
                  cell('report.tx', 'mono', row.node ? (link ? h('a', { href: link, rel: 'noopener', target: '_blank' }, row.node.txHash) : row.node.txHash) : '–'),
                  cell('report.check', null, check),
                );
              }),
            ),
          ),
          cross.batchCount > MAX_BATCHES ? h('p', { class: 'muted' }, t('report.batchesTruncated', { shown: MAX_BATCHES, total: cross.batchCount })) : null,
          cross.anchorsRefusal ? h('p', { class: 'muted' }, t('report.anchorsRefused', { detail: cross.anchorsRefusal.detail })) : null,
        )
      : crossRefusal
        ? h('div', { role: 'alert' }, refusalBanner(crossRefusal, t, t('report.crossFailed')))
        : h('p', { role: 'status' }, t('report.crossChecking'));

    return h(
      'article',
      { class: 'report-doc', 'data-testid': 'report-doc', 'aria-labelledby': 'report-title' },
      h('h2', { id: 'report-title' }, t('report.docTitle')),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('report.node')),
        h('dd', null, h('strong', null, onChain?.name ?? t('report.unknownParticipant')), h('div', { class: 'mono' }, onChain?.checksummed ?? r.participant), h('div', { class: 'mono muted' }, connection.nodeUrl)),
        h('dt', null, t('report.chain')),
        h('dd', null, t('report.chainValue', { chainId: r.chainId }), h('div', { class: 'mono' }, `AnchorLog ${r.anchorLog}`), sameNetwork ? null : h('div', { class: 'badge bad' }, t('report.otherNetwork'))),
        h('dt', null, t('report.generated')),
        h('dd', null, i18n.date(r.generatedAt, true)),
        h('dt', null, t('report.checkedHere')),
        h('dd', null, cross ? i18n.date(cross.checkedAt, true) : '–'),
      ),
      h(
        'div',
        { class: `banner ${r.ok ? 'ok' : 'bad'}`, 'data-testid': 'report-verdict' },
        h('strong', null, r.ok ? t('report.ok') : t('report.anomalies', { n: r.anomalyCount })),
        h('p', null, t('report.whatNodeChecked')),
      ),
      h('h3', null, t('report.counts')),
      h(
        'table',
        { class: 'report-counts', 'data-testid': 'report-counts' },
        h('tbody', null,
          countRow('report.events', i18n.number(r.ledger.events)),
          countRow('report.lastSeq', i18n.number(r.ledger.lastSeq)),
          countRow('report.anchoredThrough', i18n.number(r.ledger.anchoredThrough)),
          countRow('report.unanchored', i18n.number(r.ledger.unanchored)),
          countRow('report.batchesLocal', i18n.number(r.batches.local)),
          countRow('report.batchesOnChain', i18n.number(r.batches.onChain), cross ? batchCountMark(cross.batchCount, r.batches.onChain) : null),
          countRow('report.batchesVerified', i18n.number(r.batches.verified)),
          countRow(
            'report.registry',
            r.registry.status === 'revoked' ? t('status.revokedFrom', { batch: r.registry.invalidFromBatch }) : t(`status.${r.registry.status}`),
            cross ? [statusBadge(t, cross.status.status, cross.status.invalidFromBatch), ' ', mark(cross.status.status === r.registry.status)] : null,
          ),
          countRow('report.anomalyCount', i18n.number(r.anomalyCount)),
        ),
      ),
      h('h3', null, t('report.batches')),
      batchTable,
      h('h3', null, t('report.anomalyList')),
      r.anomalies.length
        ? h(
            'div',
            { class: 'scroll' },
            h(
              'table',
              { class: 'stack', 'data-testid': 'report-anomalies' },
              h('thead', null, h('tr', null, th('report.kind'), th('report.seq'), th('report.batch'), th('report.detail'))),
              h(
                'tbody',
                null,
                r.anomalies.map((a) =>
                  h(
                    'tr',
                    null,
                    h('td', { 'data-label': t('report.kind') }, h('strong', null, t(`anomaly.${a.kind}`)), h('div', { class: 'mono muted' }, a.kind)),
                    h('td', { class: 'num', 'data-label': t('report.seq') }, a.seq ?? '–'),
                    h('td', { class: 'num', 'data-label': t('report.batch') }, a.batch ?? '–'),
                    h('td', { 'data-label': t('report.detail') }, a.detail),
                  ),
                ),
              ),
            ),
            r.anomalyCount > r.anomalies.length ? h('p', null, t('report.anomaliesTruncated', { shown: r.anomalies.length, total: r.anomalyCount })) : null,
          )
        : h('p', { 'data-testid': 'report-no-anomalies' }, t('report.noAnomalies')),
    );
  }

  function draw(): void {
    if (!body) return;
    const { t } = ctx;
    replace(
      body,
      refusal ? h('div', { role: 'alert', 'data-testid': 'report-refused' }, refusalBanner(refusal, t, t('report.refused'))) : null,
      busy ? h('p', { role: 'status' }, t('report.loading')) : null,
      report ? documentView(report) : null,
    );
  }

  return {
    id: 'report',
    title: 'nav.report',
    needsConnection: true,
    render(root, context) {
      ctx = context;
      const { t } = ctx;
      const run = h('button', { type: 'button', 'data-testid': 'report-run', onclick: () => void load() }, t('report.run'));
      const print = h('button', { type: 'button', class: 'secondary', 'data-testid': 'report-print', onclick: () => window.print() }, t('report.print'));
      const scopeNote = connection.claims.scopes.includes('report') ? null : h('p', { class: 'badge warn' }, t('section.scopeMissing', { scope: 'report' }));
      body = h('div');
      replace(root, h('div', { class: 'no-print' }, h('p', null, t('report.intro')), scopeNote, h('div', { class: 'row' }, run, print)), body);
      draw();
    },
  };
}
