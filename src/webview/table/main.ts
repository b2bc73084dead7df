import { el, replaceChildren } from '../../browser/dom';
import { fromEnvelope, isToWebview, mergeNewestFirst, type FeedbackCard } from '../../shared/webview-messages';
import { choicesOf, countChoices, isQueryActive, matchesQuery, newChoiceCounts, NO_QUERY, type CardQuery } from '../logic/card-query';
import { chartData, DEFAULT_SORT, sortRows, type ColumnId, type TableSort } from '../logic/table-columns';
import { ALL_VERSIONS, countVersion, filterOptions, inVersionFilter, type TotalsByKey } from '../logic/versions';
import { vscodeApi } from '../vscode-api';
import { renderCharts } from './charts';
import { VirtualTable } from './virtual-table';

/**
 * The feedback table editor tab (bundled to dist/webview/table.js; src/vscode/views/feedback-table-panel.ts opens it).
 * It gets the same messages as the sidebar's Feedback view (every one checked by the shared guard): a `reset` with
 * every record's card, then new `records`. Filters (version, rating, reviewer, reason, text) apply to the table and to
 * both charts; a click on a column header sorts by it; a click on a row (or Enter) opens that exact record.
 *
 * The rows in view come first: a message or a filter change draws the table's window at once, and the rest — the
 * dropdowns' counts and both charts, which go over every row — after the browser painted those rows (bench
 * `feedback-table`, docs/benchmarks.md). `#root` says when: `data-rows` is how many rows the table shows,
 * `data-pending` is there until the charts of those rows are drawn, `data-painted-at` (performance.now()) is when the
 * rows were on screen and the charts began.
 */

/** Far above what feedback files hold in practice; a bound all the same (the charts redraw over every row). */
const MAX_ROWS = 200_000;

interface TableState {
  filter: string;
  query: CardQuery;
  sort: TableSort;
}

const api = vscodeApi<TableState>();
const saved = api.getState() as Partial<TableState> | undefined;
let state: TableState = {
  filter: typeof saved?.filter === 'string' ? saved.filter : ALL_VERSIONS,
  query: { ...NO_QUERY },
  sort: saved?.sort && typeof saved.sort.column === 'string' ? saved.sort : DEFAULT_SORT,
};
let rows: FeedbackCard[] = [];

const root = document.getElementById('root');
if (!root) throw new Error('the table has no #root element');

const versionSelect = el('select', { 'data-testid': 'table-version', 'aria-label': 'Version' });
const search = el('input', { type: 'search', 'data-testid': 'table-search', placeholder: 'Search answers, comments, inputs…', 'aria-label': 'Search feedback' });
const rating = el('select', { 'data-testid': 'table-rating', 'aria-label': 'Rating' },
  el('option', { value: '' }, 'Any rating'), el('option', { value: 'up' }, 'Thumbs up'), el('option', { value: 'down' }, 'Thumbs down'));
const reviewer = el('select', { 'data-testid': 'table-reviewer', 'aria-label': 'Reviewer' });
const reason = el('select', { 'data-testid': 'table-reason', 'aria-label': 'Reason' });
const status = el('p', { class: 'status', role: 'status', 'data-testid': 'table-status' });
const charts = el('section', { class: 'charts', 'data-testid': 'table-charts', 'aria-label': 'Charts' });
const table = new VirtualTable({
  onSort(column: ColumnId) {
    state = { ...state, sort: { column, descending: state.sort.column === column ? !state.sort.descending : column === 'time' } };
    update();
  },
  onOpen(card) {
    api.postMessage({ type: 'open-record', previewId: card.previewId, id: card.id });
  },
});

const readQuery = (): CardQuery => ({
  text: search.value, rating: rating.value === 'up' || rating.value === 'down' ? rating.value : '', reviewer: reviewer.value, reason: reason.value,
});
search.addEventListener('input', () => (state = { ...state, query: readQuery() }, update()));
for (const select of [rating, reviewer, reason]) select.addEventListener('change', () => (state = { ...state, query: readQuery() }, update()));
versionSelect.addEventListener('change', () => (state = { ...state, filter: versionSelect.value }, update()));

replaceChildren(root,
  el('header', { class: 'table-toolbar' }, versionSelect, search, rating, reviewer, reason, status),
  charts,
  table.element);

/**
 * Sets a dropdown's options to `choices` in place: the options there keep their place (value and text updated), the
 * surplus goes, new ones are added. Replacing them all also replaced the selected option, and in Chrome (code-server,
 * the bench) every changed selection has autofill go over the form in a task of its own after the redraw, forcing a
 * layout (about 7 ms of CPU there, traced); an unchanged selection does not.
 */
function setOptions(select: HTMLSelectElement, choices: ReadonlyArray<{ value: string; label: string }>, value: string): void {
  choices.forEach((choice, i) => {
    const option = select.options[i];
    if (!option) {
      select.appendChild(el('option', { value: choice.value }, choice.label));
      return;
    }
    if (option.value !== choice.value) option.value = choice.value;
    if (option.text !== choice.label) option.text = choice.label;
  });
  while (select.options.length > choices.length) select.options[select.options.length - 1].remove();
  if (select.value !== value) select.value = value;
}

const options = (select: HTMLSelectElement, first: string, choices: Array<{ value: string; label: string }>, value: string) =>
  setOptions(select, [{ value: '', label: first }, ...choices], value);

/**
 * Filters, sorts and draws the table's window and the counts; the dropdowns and charts follow after the next paint.
 * The rows are held newest first (mergeNewestFirst), which is the default sort's order: then there is nothing to sort.
 */
function update(): void {
  api.setState(state);
  const started = performance.now();
  const filtered = isQueryActive(state.query) || state.filter !== ALL_VERSIONS;
  const shown = filtered ? rows.filter((r) => inVersionFilter(r, state.filter) && matchesQuery(r, state.query)) : rows;
  const isDefaultOrder = state.sort.column === DEFAULT_SORT.column && state.sort.descending === DEFAULT_SORT.descending;
  table.setRows(isDefaultOrder ? shown : sortRows(shown, state.sort), state.sort);
  status.textContent = `${shown.length} of ${rows.length} feedback${filtered ? ' (filtered)' : ''}`;
  root!.dataset.rows = String(shown.length);
  root!.dataset.renderMs = (performance.now() - started).toFixed(1);
  root!.dataset.pending = 'charts';
  afterPaint(() => drawSummaries(shown));
}

/** The draw waiting for the next paint (several updates before then: the last one's). */
let pendingDraw: (() => void) | undefined;

/**
 * Runs `draw` once the browser has painted what was just drawn: the frame's callback runs before the paint, a task
 * queued from it after. (In a hidden tab there are no frames: the charts are drawn when it is shown.)
 */
function afterPaint(draw: () => void): void {
  const scheduled = pendingDraw !== undefined;
  pendingDraw = draw;
  if (scheduled) return;
  requestAnimationFrame(() => setTimeout(() => {
    const next = pendingDraw;
    pendingDraw = undefined;
    next?.();
  }, 0));
}

/** The rows the charts show now. */
let chartedRows: readonly FeedbackCard[] | undefined;

/** What the dropdowns were built from: they count every row, so they are rebuilt when the rows or a choice changed, not on every keystroke. */
let choicesFor: { rows: readonly FeedbackCard[]; filter: string; reviewer: string; reason: string } | undefined;

/**
 * The dropdowns' choices and counts, and both charts of the rows shown. The dropdowns count all rows and the charts
 * the rows shown: when both are due and those are the same rows (a reset, new records, nothing filtered), one pass
 * over them counts for both.
 */
function drawSummaries(shown: readonly FeedbackCard[]): void {
  const started = performance.now();
  root!.dataset.paintedAt = started.toFixed(1);
  const choicesDue = !choicesFor || choicesFor.rows !== rows || choicesFor.filter !== state.filter || choicesFor.reviewer !== state.query.reviewer || choicesFor.reason !== state.query.reason;
  const chartsDue = shown !== chartedRows;
  const totals: TotalsByKey = new Map();
  const counts = newChoiceCounts();
  const count = (card: FeedbackCard) => {
    countVersion(totals, card);
    countChoices(counts, card);
  };
  const data = chartsDue ? chartData(shown, choicesDue && shown === rows ? count : undefined) : undefined;
  if (choicesDue) {
    if (!data || shown !== rows) for (const card of rows) count(card);
    choicesFor = { rows, filter: state.filter, reviewer: state.query.reviewer, reason: state.query.reason };
    setOptions(versionSelect, filterOptions([...totals.values()], state.filter), state.filter);
    const choices = choicesOf(counts, state.query);
    options(reviewer, 'Any reviewer', choices.reviewers, state.query.reviewer);
    options(reason, 'Any reason', choices.reasons, state.query.reason);
    reason.hidden = choices.reasons.length === 0;
  }
  if (data) {
    chartedRows = shown;
    renderCharts(charts, data);
  }
  root!.dataset.chartsMs = (performance.now() - started).toFixed(1);
  delete root!.dataset.pending;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = fromEnvelope(event.data);
  if (!isToWebview(message)) {
    console.warn('Model Preview feedback table: ignored a message it does not understand');
    return;
  }
  if (message.type === 'reset') rows = mergeNewestFirst([], message.records, MAX_ROWS);
  else if (message.type === 'records') rows = mergeNewestFirst(rows, message.records, MAX_ROWS);
  else return;
  update();
});

update();
api.postMessage({ type: 'ready' });
