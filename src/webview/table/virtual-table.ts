import { el, replaceChildren } from '../../browser/dom';
import type { FeedbackCard } from '../../shared/webview-messages';
import { COLUMNS, type ColumnId, type TableSort } from '../logic/table-columns';

/**
 * The feedback table: a header of sortable columns over a window of rows. Rows have one fixed height, so only the
 * rows in view (plus a few) exist in the DOM — a pool of row elements moved with `transform` and refilled with
 * textContent as the table scrolls — and a body element gives the scroller the height of all of them. Thousands of
 * records scroll and filter without lag; every style change goes through CSSOM (`element.style.x = ...`), which the
 * webview's CSP allows (it forbids `style` attributes and <style> elements). docs/extension.md says why this is
 * hand-written.
 *
 * One scroller holds the header (sticky on top) and the rows, so in a narrow editor the wide columns scroll sideways
 * with their headings; a cell too narrow for its text ends in an ellipsis and shows the whole text as its tooltip.
 *
 * Drawing never reads layout: the scroll position is taken in the scroll event and the scroller's height from a
 * ResizeObserver, so new rows cost no forced layout in the middle of a message (measured: up to 190 ms on a loaded
 * machine when `scrollTop` was read after the rows were replaced).
 */
export const ROW_HEIGHT = 24;
const OVERSCAN = 8;

export interface TableEvents {
  onSort(column: ColumnId): void;
  onOpen(row: FeedbackCard): void;
}

export class VirtualTable {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly body: HTMLElement;
  private readonly pool: HTMLElement[] = [];
  private rows: readonly FeedbackCard[] = [];
  private sort: TableSort | undefined;
  private frame = 0;
  private scrollTop = 0;
  /** The scroller's height; until the ResizeObserver says, a guess (what 60vh is in a typical editor). */
  private viewport = 600;

  constructor(private readonly events: TableEvents) {
    this.header = el('div', { class: 'table-header', role: 'row', 'aria-rowindex': 1 });
    this.body = el('div', { class: 'table-body', role: 'rowgroup' });
    this.scroller = el('div', { class: 'table-scroller', 'data-testid': 'table-rows', tabindex: 0 }, this.header, this.body);
    this.element = el('div', { class: 'table', role: 'grid', 'aria-label': 'Feedback', 'data-testid': 'feedback-table' }, this.scroller);
    this.scroller.addEventListener('scroll', () => {
      this.scrollTop = this.scroller.scrollTop;
      if (!this.frame) this.frame = requestAnimationFrame(() => (this.frame = 0, this.render()));
    }, { passive: true });
    new ResizeObserver((entries) => {
      const height = entries[entries.length - 1].contentRect.height;
      if (height > 0 && height !== this.viewport) {
        this.viewport = height;
        this.render();
      }
    }).observe(this.scroller);
    this.scroller.addEventListener('click', (e) => this.openFrom(e.target));
    this.scroller.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target instanceof Element) this.openFrom(e.target);
    });
  }

  /** New rows (already filtered and sorted) and the sort the header shows. Keeps the scroll position when it can. */
  setRows(rows: readonly FeedbackCard[], sort: TableSort): void {
    this.rows = rows;
    this.element.setAttribute('aria-rowcount', String(rows.length + 1));
    if (this.sort?.column !== sort.column || this.sort.descending !== sort.descending) this.renderHeader(sort);
    this.body.style.height = `${rows.length * ROW_HEIGHT}px`;
    // Fewer rows than before: the browser will pull the scroll position back to the end; draw what it will show.
    this.scrollTop = Math.min(this.scrollTop, Math.max(0, rows.length * ROW_HEIGHT - this.viewport));
    this.render();
  }

  private renderHeader(sort: TableSort): void {
    this.sort = sort;
    replaceChildren(this.header, ...COLUMNS.map((column) => {
      const sorted = sort.column === column.id;
      const button = el('button', { type: 'button', class: `cell col-${column.id}`, role: 'columnheader', 'data-column': column.id,
        'aria-sort': sorted ? (sort.descending ? 'descending' : 'ascending') : 'none' },
      column.title, sorted ? el('span', { class: `codicon codicon-arrow-${sort.descending ? 'down' : 'up'}`, 'aria-hidden': 'true' }) : undefined);
      button.addEventListener('click', () => this.events.onSort(column.id));
      return button;
    }));
  }

  private render(): void {
    // The rows in view and OVERSCAN more on either side where there are any (at the top, none above: 31 rows in a
    // 540px viewport, not 39 — each costs its layout and paint on the first draw).
    const first = Math.max(0, Math.floor(this.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const end = Math.min(this.rows.length, Math.ceil((this.scrollTop + this.viewport) / ROW_HEIGHT) + OVERSCAN);
    const count = Math.max(0, end - first);
    if (this.pool.length < count) {
      // New row elements are copies of an empty one: a deep clone per row, not an element and its attributes per cell.
      const template = el('div', { class: 'table-row', role: 'row', tabindex: -1, 'data-testid': 'table-row' },
        ...COLUMNS.map((c) => el('div', { class: `cell col-${c.id}`, role: 'gridcell', dir: 'auto' })));
      const added = document.createDocumentFragment();
      while (this.pool.length < count) {
        const row = template.cloneNode(true) as HTMLElement;
        this.pool.push(row);
        added.appendChild(row);
      }
      this.body.appendChild(added);
    }
    this.pool.forEach((row, k) => {
      if (k >= count) {
        row.hidden = true;
        return;
      }
      const index = first + k;
      const card = this.rows[index];
      row.hidden = false;
      row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
      row.setAttribute('aria-rowindex', String(index + 2));
      row.dataset.recordId = card.id;
      row.dataset.rating = card.rating;
      COLUMNS.forEach((column, c) => {
        const cell = row.children[c] as HTMLElement;
        const text = column.text(card);
        if (cell.textContent !== text) {
          cell.textContent = text;
          cell.title = text;
        }
      });
    });
  }

  private openFrom(target: EventTarget | null): void {
    const row = target instanceof Element ? target.closest('.table-row') : null;
    const id = row instanceof HTMLElement ? row.dataset.recordId : undefined;
    const card = id === undefined ? undefined : this.rows.find((r) => r.id === id);
    if (card) this.events.onOpen(card);
  }
}
