// Small SVG charts for the console, no library: horizontal bars and a line. Each
// chart is a <figure> whose SVG is decoration (aria-hidden) and whose data is
// also a real table — hidden visually until asked for, always read by screen
// readers. Sizes are in viewBox units, so a chart scales to a phone's width.
import { h, svg } from '../lib/dom';

export interface Datum {
  label: string;
  value: number;
  /** The value as shown (default: formatted with `format`). */
  display?: string;
}

export interface ChartOptions {
  title: string;
  /** Column headers of the table alternative: [label column, value column]. */
  columns: [string, string];
  /** How a value is written (default: the number as is). */
  format?: (value: number) => string;
  /** The top of the scale (default: the largest value). */
  max?: number;
  /** Label of the "show as table" toggle, and of hiding it again. */
  toggle: { show: string; hide: string };
  /** Shown instead of the drawing when there is no data. */
  empty?: string;
  testid?: string;
}

const WIDTH = 320;
let chartCount = 0;

function tableOf(data: Datum[], options: ChartOptions, id: string): HTMLTableElement {
  const format = options.format ?? String;
  return h(
    'table',
    { id, class: 'chart-table', 'data-testid': 'chart-table' },
    h('caption', null, options.title),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, options.columns[0]), h('th', { scope: 'col' }, options.columns[1]))),
    h(
      'tbody',
      null,
      data.map((d) => h('tr', null, h('th', { scope: 'row' }, d.label), h('td', null, d.display ?? format(d.value)))),
    ),
  );
}

function figure(drawing: SVGElement | HTMLElement, data: Datum[], options: ChartOptions): HTMLElement {
  const id = `chart-${++chartCount}`;
  // Hidden in a block, not on the table itself: a table is never narrower than its cells,
  // so a "1px" table would still widen the page on a phone.
  const hidden = h('div', { id: `${id}-data`, class: 'chart-data visually-hidden' }, tableOf(data, options, `${id}-table`));
  const toggle = h('button', { type: 'button', class: 'secondary chart-toggle no-print', 'aria-controls': hidden.id, 'aria-expanded': 'false' }, options.toggle.show);
  toggle.addEventListener('click', () => {
    const open = hidden.classList.toggle('visually-hidden') === false;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? options.toggle.hide : options.toggle.show;
  });
  return h(
    'figure',
    { class: 'chart card', 'data-testid': options.testid ?? 'chart', 'aria-labelledby': `${id}-title` },
    h('figcaption', { id: `${id}-title` }, options.title),
    drawing,
    hidden,
    toggle,
  );
}

function emptyDrawing(options: ChartOptions): HTMLElement {
  return h('p', { class: 'muted' }, options.empty ?? '—');
}

/** Horizontal bars, one per datum: the label above its bar on the left, the value on the right. */
export function barChart(data: Datum[], options: ChartOptions): HTMLElement {
  if (data.length === 0) return figure(emptyDrawing(options), data, options);
  const format = options.format ?? String;
  const max = Math.max(options.max ?? 0, ...data.map((d) => d.value), 1e-9);
  const row = 36;
  const height = data.length * row + 2;
  const drawing = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'chart-svg', 'aria-hidden': 'true', focusable: 'false', preserveAspectRatio: 'xMinYMin meet' });
  data.forEach((d, i) => {
    const y = i * row;
    const w = Math.max(d.value > 0 ? 1.5 : 0, (Math.max(0, d.value) / max) * WIDTH);
    drawing.append(
      svg('text', { x: 0, y: y + 12, class: 'chart-label' }, d.label),
      svg('text', { x: WIDTH, y: y + 12, 'text-anchor': 'end', class: 'chart-value' }, d.display ?? format(d.value)),
      svg('rect', { x: 0, y: y + 17, width: WIDTH, height: 13, rx: 2, class: 'chart-track' }),
      svg('rect', { x: 0, y: y + 17, width: w.toFixed(1), height: 13, rx: 2, class: `chart-bar s${i % 6}` }),
    );
  });
  return figure(drawing, data, options);
}

/** A line through the points in order, each point labelled below the axis and with its value above. */
export function lineChart(points: Datum[], options: ChartOptions): HTMLElement {
  if (points.length === 0) return figure(emptyDrawing(options), points, options);
  const format = options.format ?? String;
  const max = Math.max(options.max ?? 0, ...points.map((d) => d.value), 1e-9);
  const height = 150;
  const top = 22;
  const bottom = height - 30;
  const left = 14;
  const right = WIDTH - 14;
  const x = (i: number) => (points.length === 1 ? (left + right) / 2 : left + ((right - left) * i) / (points.length - 1));
  const y = (v: number) => bottom - ((bottom - top) * Math.max(0, v)) / max;
  const drawing = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'chart-svg', 'aria-hidden': 'true', focusable: 'false' });
  drawing.append(svg('line', { x1: left, y1: bottom, x2: right, y2: bottom, class: 'chart-axis' }));
  drawing.append(svg('polyline', { points: points.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' '), class: 'chart-line' }));
  points.forEach((p, i) => {
    const anchor = i === 0 && points.length > 1 ? 'start' : i === points.length - 1 && points.length > 1 ? 'end' : 'middle';
    drawing.append(
      svg('circle', { cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 4, class: 'chart-point' }),
      svg('text', { x: x(i).toFixed(1), y: (y(p.value) - 8).toFixed(1), 'text-anchor': anchor, class: 'chart-value' }, p.display ?? format(p.value)),
      svg('text', { x: x(i).toFixed(1), y: height - 10, 'text-anchor': anchor, class: 'chart-label' }, p.label),
    );
  });
  return figure(drawing, points, options);
}
