// Tables of the console: a plain table of rows, and a keyset-paged one whose
// "load more" button asks the node for the page after `nextCursor` (every list
// of the node pages that way). Both scroll sideways inside their own region on
// a phone, which is focusable so the keyboard can scroll it too.
import { h, replace, type Child } from '../../lib/dom';
import './widgets.css';

export interface Column<T> {
  header: string;
  cell(row: T): Child;
  /** Right-aligned figures. */
  numeric?: boolean;
}

export interface TableOptions {
  /** The table's caption: also the scroll region's accessible name. */
  caption: string;
  /** Shown in place of the table when there are no rows. */
  empty: string;
  testId?: string;
}

function region(options: TableOptions, table: HTMLTableElement): HTMLElement {
  return h('div', { class: 'table-region', role: 'region', tabindex: 0, 'aria-label': options.caption, 'data-testid': options.testId ?? null }, table);
}

function headRow<T>(columns: Column<T>[]): HTMLTableSectionElement {
  return h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.header))));
}

function bodyRow<T>(columns: Column<T>[], row: T): HTMLTableRowElement {
  return h('tr', null, columns.map((c) => h('td', { class: c.numeric ? 'num' : null }, c.cell(row))));
}

/** A table of `rows` (or the `empty` line when there are none). */
export function dataTable<T>(columns: Column<T>[], rows: readonly T[], options: TableOptions): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted', 'data-testid': options.testId ?? null }, options.empty);
  const table = h('table', null, h('caption', null, options.caption), headRow(columns), h('tbody', null, rows.map((r) => bodyRow(columns, r))));
  return region(options, table);
}

export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedTableOptions<T> extends TableOptions {
  columns: Column<T>[];
  /** One page: the first with cursor null, then each nextCursor in turn. */
  load(cursor: string | null): Promise<KeysetPage<T>>;
  /** Label of the button that loads the next page. */
  moreLabel: string;
  loadingLabel: string;
  /** "12 shown", "12 shown, more to load": what is on screen, announced after each page. */
  countLabel(shown: number, more: boolean): string;
  /** A failed page: the caller shows it (role=alert); the button stays to try again. */
  onError(err: unknown): void;
}

export interface PagedTable {
  element: HTMLElement;
  /** Settles when the first page is shown (or failed). */
  ready: Promise<void>;
}

/** A table filled page by page from a keyset-paged list of the node. */
export function pagedTable<T>(options: PagedTableOptions<T>): PagedTable {
  const body = h('tbody');
  const table = h('table', null, h('caption', null, options.caption), headRow(options.columns), body);
  const host = h('div');
  const count = h('span', { class: 'muted', role: 'status' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, options.moreLabel);
  const footer = h('div', { class: 'table-footer' }, more, count);
  const element = h('div', { 'data-testid': options.testId ?? null }, host, footer);
  let cursor: string | null = null;
  let shown = 0;

  const loadPage = async () => {
    more.disabled = true;
    more.textContent = options.loadingLabel;
    try {
      const page = await options.load(cursor);
      for (const row of page.items) body.append(bodyRow(options.columns, row));
      shown += page.items.length;
      cursor = page.nextCursor;
      if (shown === 0) replace(host, h('p', { class: 'muted' }, options.empty));
      else if (!host.firstChild || host.firstChild.nodeName === 'P') replace(host, region({ ...options, testId: undefined }, table));
      more.hidden = cursor === null;
      count.textContent = options.countLabel(shown, cursor !== null);
    } catch (err) {
      more.hidden = false;
      options.onError(err);
    } finally {
      more.disabled = false;
      more.textContent = options.moreLabel;
    }
  };
  more.addEventListener('click', () => void loadPage());
  return { element, ready: loadPage() };
}
