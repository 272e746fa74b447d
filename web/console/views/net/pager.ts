// A table fed page by page from a cursor-paged node route ({ items, nextCursor }),
// with a "Load more" button; rows are appended, focus stays on the button.
import { h, replace } from '../../../lib/dom';
import type { ConsoleContext } from '../../types';
import { scrollTable } from './format';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagerOptions<T> {
  caption: string;
  head: string[];
  load(cursor: string | undefined): Promise<Page<T>>;
  /** One or more table rows for an item. */
  row(item: T): Node | Node[];
  /** Called with every page as it arrives (totals, extra rendering). */
  onPage?(page: Page<T>): void;
  testid?: string;
}

export interface Pager {
  element: HTMLElement;
  /** Resolves when the first page is shown (rejects when it failed). */
  ready: Promise<void>;
}

export function pager<T>(ctx: ConsoleContext, options: PagerOptions<T>): Pager {
  const { t } = ctx;
  const table = scrollTable(options.caption, options.head, [], options.testid ? { 'data-testid': options.testid } : {});
  const tbody = table.querySelector('tbody')!;
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('page.more'));
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, t('common.loading'));
  let cursor: string | undefined;
  let shown = 0;

  const loadPage = async () => {
    more.disabled = true;
    try {
      const page = await options.load(cursor);
      for (const item of page.items) {
        const rows = options.row(item);
        for (const row of Array.isArray(rows) ? rows : [rows]) tbody.append(row);
      }
      shown += page.items.length;
      cursor = page.nextCursor ?? undefined;
      more.hidden = !page.nextCursor;
      replace(status, shown === 0 ? t('common.none') : page.nextCursor ? t('page.count', { n: shown }) : `${t('page.count', { n: shown })} ${t('page.end')}`);
      options.onPage?.(page);
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => {
    loadPage().catch((err) => ctx.showError(err));
  });
  const element = h('div', { class: 'pager' }, table, h('div', { class: 'row no-print' }, status, more));
  return { element, ready: loadPage() };
}
