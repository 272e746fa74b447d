// The chart of a benchmark run, drawn by hand as one SVG file written beside the
// JSON: gas per event against batch size (log-log) for medtrace's anchors, EAS
// and per-event storage; tree building and proof verification per library; the
// ingest latency percentiles. A panel is drawn only for the groups that ran.
import type { AnchoringComparison } from './anchorCost';
import { type BenchResult, fmt } from './measure';

const WIDTH = 960;
const MARGIN = { left: 360, right: 130 };
const COLORS = { medtrace: '#1f6fb4', eas: '#c8372d', storage: '#e08a1e', log: '#3a9a46', easMulti: '#8a5cc2', bar: '#1f6fb4', other: '#8c8c8c' };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function short(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toPrecision(3)}k`;
  return n >= 10 ? String(Math.round(n)) : String(+n.toPrecision(2));
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(content)}</text>`;
}

interface Panel {
  height: number;
  draw(top: number): string[];
}

interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

/** Gas per event against batch size, both axes log10. */
function gasPanel(series: Series[]): Panel {
  const height = 340;
  const plot = { left: 90, right: WIDTH - 260, top: 40, bottom: height - 50 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xMin = 0;
  const xMax = Math.ceil(Math.log10(Math.max(...xs)));
  const yMin = Math.floor(Math.log10(Math.min(...ys)));
  const yMax = Math.ceil(Math.log10(Math.max(...ys)));
  return {
    height,
    draw(top) {
      const X = (x: number) => plot.left + ((Math.log10(x) - xMin) / Math.max(1, xMax - xMin)) * (plot.right - plot.left);
      const Y = (y: number) => top + plot.bottom - ((Math.log10(y) - yMin) / Math.max(1, yMax - yMin)) * (plot.bottom - plot.top);
      const out = [text(20, top + 22, 'Gas per event against anchoring batch size (log-log; lower is cheaper)', 'class="title"')];
      for (let e = xMin; e <= xMax; e++) {
        const x = X(10 ** e);
        out.push(`<line x1="${x}" y1="${top + plot.top}" x2="${x}" y2="${top + plot.bottom}" class="grid"/>`);
        out.push(text(x, top + plot.bottom + 16, fmt(10 ** e), 'text-anchor="middle"'));
      }
      for (let e = yMin; e <= yMax; e++) {
        const y = Y(10 ** e);
        out.push(`<line x1="${plot.left}" y1="${y}" x2="${plot.right}" y2="${y}" class="grid"/>`);
        out.push(text(plot.left - 8, y + 4, short(10 ** e), 'text-anchor="end"'));
      }
      out.push(text((plot.left + plot.right) / 2, top + plot.bottom + 36, 'events per anchor (batch size)', 'text-anchor="middle"'));
      out.push(text(18, top + (plot.top + plot.bottom) / 2, 'gas per event', `transform="rotate(-90 18 ${top + (plot.top + plot.bottom) / 2})" text-anchor="middle"`));
      series.forEach((s, i) => {
        const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ');
        out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
        for (const p of s.points) out.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.label}: ${fmt(p.y)} gas/event at ${fmt(p.x)}`)}</title></circle>`);
        const first = s.points[0];
        const last = s.points[s.points.length - 1];
        const range = first.y === last.y ? short(last.y) : `${short(first.y)} → ${short(last.y)}`;
        const ly = top + plot.top + 14 + i * 20;
        out.push(`<line x1="${plot.right + 20}" y1="${ly - 4}" x2="${plot.right + 44}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
        out.push(text(plot.right + 50, ly, `${s.label} (${range})`));
      });
      return out;
    },
  };
}

interface Bar {
  label: string;
  value: number;
  ours: boolean;
  /** A subheading the bar is drawn under (e.g. the tree size), shown when it changes. */
  section?: string;
}

/** Horizontal bars on a linear axis, each labelled with its value. */
function barPanel(title: string, unit: string, bars: Bar[]): Panel {
  const rowHeight = 24;
  const rows: (Bar | string)[] = [];
  for (const bar of bars) {
    const last = rows.filter((row): row is Bar => typeof row !== 'string').at(-1);
    if (bar.section !== undefined && bar.section !== last?.section) rows.push(bar.section);
    rows.push(bar);
  }
  const height = 44 + rows.length * rowHeight;
  const max = Math.max(...bars.map((b) => b.value));
  return {
    height,
    draw(top) {
      const span = WIDTH - MARGIN.left - MARGIN.right;
      const out = [text(20, top + 22, title, 'class="title"')];
      rows.forEach((row, i) => {
        const y = top + 36 + i * rowHeight;
        if (typeof row === 'string') {
          out.push(text(40, y + 15, row, 'font-style="italic" fill="#555"'));
          return;
        }
        const w = max > 0 ? (row.value / max) * span : 0;
        out.push(text(MARGIN.left - 8, y + 15, row.label, 'text-anchor="end"'));
        out.push(`<rect x="${MARGIN.left}" y="${y + 3}" width="${Math.max(1, w).toFixed(1)}" height="${rowHeight - 7}" fill="${row.ours ? COLORS.bar : COLORS.other}"/>`);
        out.push(text(MARGIN.left + w + 6, y + 15, `${short(row.value)} ${unit}`));
      });
      return out;
    },
  };
}

/** A library's bar, its size suffix (", 100,000 leaves", ", 1,000-leaf tree") moved into the section. */
function libraryBar(result: BenchResult): Bar {
  const match = /^(.*), ([\d,]+(?: leaves|-leaf tree))$/.exec(result.name);
  return { label: match ? match[1] : result.name, section: match?.[2], value: result.value, ours: result.name.startsWith('SDK') };
}

function gasSeries(results: BenchResult[], comparison: AnchoringComparison[]): Series[] {
  const anchors = results
    .filter((r) => r.group === 'gas' && typeof r.detail?.batchSize === 'number')
    .map((r) => {
      const size = r.detail!.batchSize as number;
      const gas = r.detail!.gasUsed as number[];
      return { x: size, y: gas.reduce((a, b) => a + b, 0) / gas.length / size };
    });
  if (anchors.length === 0) return [];
  const xs = anchors.map((p) => p.x);
  const flat = (y: number) => xs.map((x) => ({ x, y }));
  const series: Series[] = [{ label: 'medtrace anchor', color: COLORS.medtrace, points: anchors }];
  const first = comparison[0];
  if (first) {
    series.push({ label: 'EAS, one attestation per event', color: COLORS.eas, points: flat(first.eas) });
    series.push({ label: 'one storage write per event', color: COLORS.storage, points: flat(first.storage) });
    if (first.log !== undefined) series.push({ label: 'one log per event', color: COLORS.log, points: flat(first.log) });
    const multi = results.find((r) => r.group === 'eas' && r.detail?.kind === 'eas-multi');
    if (multi) series.push({ label: 'EAS multiAttest (reference)', color: COLORS.easMulti, dashed: true, points: flat(multi.value) });
  }
  return series;
}

/** The SVG document of a run; undefined when no group with a chart ran. */
export function drawChart(results: BenchResult[], comparison: AnchoringComparison[], subtitle: string): string | undefined {
  const panels: Panel[] = [];
  const series = gasSeries(results, comparison);
  if (series.length > 0) panels.push(gasPanel(series));
  const tree = results.filter((r) => r.group === 'tree');
  if (tree.length > 0) panels.push(barPanel('Tree building, leaves per second (higher is faster)', 'leaves/s', tree.map(libraryBar)));
  const verify = results.filter((r) => r.group === 'verify');
  if (verify.length > 0) panels.push(barPanel('Proof verification, proofs per second on 1 thread (higher is faster)', 'proofs/s', verify.map(libraryBar)));
  const ingest = results.find((r) => r.group === 'ingest' && r.detail?.latencyMs);
  if (ingest) {
    const latency = ingest.detail!.latencyMs as Record<'p50' | 'p95' | 'p99', number>;
    panels.push(
      barPanel(
        `Ledger ingest over HTTP, latency percentiles (${fmt(ingest.value)} events/s, ${ingest.detail!.clients} clients, ${ingest.detail!.database})`,
        'ms',
        (['p50', 'p95', 'p99'] as const).map((q) => ({ label: q, value: latency[q], ours: true })),
      ),
    );
  }
  if (panels.length === 0) return undefined;

  const body: string[] = [];
  let top = 56;
  for (const panel of panels) {
    body.push(...panel.draw(top));
    top += panel.height + 12;
  }
  const height = top + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    '<style>.title{font-size:15px;font-weight:bold}.grid{stroke:#ddd;stroke-width:1}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    text(20, 26, 'medtrace benchmarks', 'font-size="18" font-weight="bold"'),
    text(20, 44, subtitle, 'fill="#555"'),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
