// The node's ledger as an EPCIS 2.0 JSON-LD document (GET /audit/v1/export/epcis),
// saved as a .jsonld file. The node sends at most 10,000 events per document;
// the console follows medtrace:range.nextFromSeq and saves one document.
import { toApiError } from '../lib/api';
import { announce, download, h, replace } from '../lib/dom';
import type { AuditorContext, Connection, Section } from './context';
import { shortBizStep } from './events';
import { refusalBanner, toRefusal, type Refusal } from './refusal';

interface EpcisDocument {
  '@context': unknown;
  type: string;
  creationDate: string;
  epcisBody: { eventList: Record<string, unknown>[] };
  'medtrace:range'?: { fromSeq: number; toSeq: number; lastSeq: number; nextFromSeq: number | null };
  [key: string]: unknown;
}

interface Exported {
  fileName: string;
  events: number;
  byType: [string, number][];
  byStep: [string, number][];
  bytes: number;
}

const tally = (values: string[]): [string, number][] => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
};

export function exportSection(connection: Connection): Section {
  let exported: Exported | null = null;
  let refusal: Refusal | null = null;
  let busy = false;
  let fetched = 0;
  let ctx: AuditorContext;
  let body: HTMLElement | null = null;

  async function fetchDocument(): Promise<EpcisDocument> {
    let merged: EpcisDocument | null = null;
    let fromSeq: number | null = 1;
    while (fromSeq !== null) {
      const res = await connection.api.raw(connection.api.url('/audit/v1/export/epcis', { fromSeq }), { headers: { accept: 'application/ld+json' } });
      const text = await res.text();
      let answer: unknown;
      try {
        answer = text ? JSON.parse(text) : undefined;
      } catch {
        answer = text;
      }
      if (!res.ok) throw toApiError(res.status, answer);
      const doc = answer as EpcisDocument;
      if (doc?.type !== 'EPCISDocument' || !Array.isArray(doc.epcisBody?.eventList)) throw new Error(ctx.t('export.notEpcis'));
      if (!merged) merged = doc;
      else merged.epcisBody.eventList.push(...doc.epcisBody.eventList);
      fetched = merged.epcisBody.eventList.length;
      draw();
      fromSeq = doc['medtrace:range']?.nextFromSeq ?? null;
    }
    const range = merged!['medtrace:range'];
    if (range) merged!['medtrace:range'] = { ...range, fromSeq: 1, nextFromSeq: null, toSeq: range.lastSeq };
    return merged!;
  }

  async function run(): Promise<void> {
    busy = true;
    refusal = null;
    fetched = 0;
    draw();
    try {
      const doc = await fetchDocument();
      const events = doc.epcisBody.eventList;
      const content = `${JSON.stringify(doc, null, 2)}\n`;
      const date = new Date().toISOString().slice(0, 10);
      const fileName = `epcis-${connection.participant.slice(0, 10)}-${date}.jsonld`;
      download(fileName, content, 'application/ld+json');
      exported = {
        fileName,
        events: events.length,
        byType: tally(events.map((e) => String(e.type ?? '?'))),
        byStep: tally(events.map((e) => shortBizStep(e.bizStep) || '–')),
        bytes: new Blob([content]).size,
      };
      announce(ctx.t('export.saved', { file: fileName, n: events.length }));
    } catch (err) {
      refusal = toRefusal(err, ctx.t);
    } finally {
      busy = false;
    }
    draw();
  }

  function tallyTable(caption: string, head: string, rows: [string, number][]): HTMLElement {
    const { t, i18n } = ctx;
    return h(
      'table',
      { class: 'tally' },
      h('caption', null, caption),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, head), h('th', { scope: 'col', class: 'num' }, t('export.count')))),
      h('tbody', null, rows.map(([name, n]) => h('tr', { 'data-name': name }, h('td', null, name), h('td', { class: 'num' }, i18n.number(n))))),
    );
  }

  function draw(): void {
    if (!body) return;
    const { t, i18n } = ctx;
    replace(
      body,
      busy ? h('p', { role: 'status' }, t('export.fetching', { n: fetched })) : null,
      refusal ? h('div', { role: 'alert', 'data-testid': 'export-refused' }, refusalBanner(refusal, t, t('export.refused'))) : null,
      exported
        ? h(
            'div',
            { 'data-testid': 'export-result' },
            h('div', { class: 'banner ok', role: 'status' }, t('export.saved', { file: exported.fileName, n: exported.events }), h('div', { class: 'muted' }, t('export.size', { kb: i18n.number(Math.ceil(exported.bytes / 1024)) }))),
            h('div', { class: 'tallies' }, tallyTable(t('export.byType'), t('export.type'), exported.byType), tallyTable(t('export.byStep'), t('export.step'), exported.byStep)),
          )
        : null,
    );
  }

  return {
    id: 'export',
    title: 'nav.export',
    needsConnection: true,
    render(root, context) {
      ctx = context;
      const { t } = ctx;
      const button = h('button', { type: 'button', 'data-testid': 'export-run', onclick: () => void run() }, t('export.run'));
      const scopeNote = connection.claims.scopes.includes('export') ? null : h('p', { class: 'badge warn' }, t('section.scopeMissing', { scope: 'export' }));
      body = h('div');
      replace(root, h('p', null, t('export.intro')), scopeNote, h('div', { class: 'row no-print' }, button), body);
      draw();
    },
  };
}
