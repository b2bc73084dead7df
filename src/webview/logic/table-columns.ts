import type { FeedbackCard } from '../../shared/webview-messages';
import { versionKey, versionLabel } from './versions';

/**
 * The feedback table's columns and the numbers its charts draw, DOM-free (src/webview/table/ draws them). A row is a
 * feedback card (src/shared/webview-messages.ts): the table and the sidebar get the same messages.
 */
export type ColumnId = 'time' | 'version' | 'rating' | 'predicted' | 'expected' | 'reasons' | 'reviewer' | 'case' | 'inputs' | 'comment';

export interface Column {
  id: ColumnId;
  title: string;
  /** The cell's text (shown with textContent, never as markup). */
  text(row: FeedbackCard): string;
}

const isoMinute = (ts: string): string => {
  const t = Date.parse(ts);
  return Number.isNaN(t) ? ts : new Date(t).toISOString().slice(0, 16).replace('T', ' ');
};

export const COLUMNS: readonly Column[] = [
  { id: 'time', title: 'Time (UTC)', text: (r) => isoMinute(r.ts) },
  { id: 'version', title: 'Version', text: (r) => versionLabel(r.model, r.modelVersion) },
  { id: 'rating', title: 'Rating', text: (r) => (r.rating === 'up' ? 'up' : 'down') },
  { id: 'predicted', title: 'Predicted', text: (r) => r.predicted ?? '' },
  { id: 'expected', title: 'Expected', text: (r) => r.expected ?? '' },
  { id: 'reasons', title: 'Reasons', text: (r) => (r.reasons ?? []).join('; ') },
  { id: 'reviewer', title: 'Reviewer', text: (r) => r.reviewer ?? '' },
  { id: 'case', title: 'Case', text: (r) => r.caseId ?? '' },
  { id: 'inputs', title: 'Inputs', text: (r) => r.inputSummary ?? '' },
  { id: 'comment', title: 'Comment', text: (r) => r.comment ?? '' },
];

export interface TableSort {
  column: ColumnId;
  descending: boolean;
}

export const DEFAULT_SORT: TableSort = { column: 'time', descending: true };

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Rows ordered by one column (time by its instant; the rest as text, numbers in text by value); ties newest first. */
export function sortRows(rows: readonly FeedbackCard[], sort: TableSort): FeedbackCard[] {
  const column = COLUMNS.find((c) => c.id === sort.column) ?? COLUMNS[0];
  const sign = sort.descending ? -1 : 1;
  const time = (r: FeedbackCard) => {
    const t = Date.parse(r.ts);
    return Number.isNaN(t) ? -Infinity : t;
  };
  // Keys computed once per row, not once per comparison: 5,000 rows sort in a few milliseconds.
  const keyed = rows.map((row) => ({ row, key: column.id === 'time' ? '' : column.text(row), t: time(row) }));
  keyed.sort((a, b) => {
    const byColumn = column.id === 'time' ? a.t - b.t : collator.compare(a.key, b.key);
    if (byColumn !== 0) return sign * byColumn;
    return b.t - a.t || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);
  });
  return keyed.map((k) => k.row);
}

export interface ShareSeries {
  key: string;
  label: string;
  /** One point per time bucket with feedback on this version: the share of thumbs up (0..1) and how many. */
  points: Array<{ t: number; share: number; count: number }>;
}

/** A bucket an hour long when the feedback spans two days or less, else a day (UTC). */
export function bucketMs(rows: readonly FeedbackCard[]): number {
  // A loop, not Math.max(...times): spreading 200,000 arguments overflows the stack.
  let min = Infinity;
  let max = -Infinity;
  for (const r of rows) {
    const t = Date.parse(r.ts);
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (min === Infinity) return DAY;
  return max - min <= 2 * DAY ? HOUR : DAY;
}

/** A version as the charts name it: `versionKey` and `versionLabel`. */
export interface VersionRef {
  key: string;
  label: string;
}

/**
 * The versions of `rows` in the order both charts show them: oldest first, by each version's first feedback (then by
 * label), so a version sits in the same place in the up-share legend and on the reasons chart's axis.
 */
export function versionOrder(rows: readonly FeedbackCard[]): VersionRef[] {
  const first = new Map<string, { label: string; t: number }>();
  for (const r of rows) {
    const t = Date.parse(r.ts);
    const version = versionKey(r.model, r.modelVersion);
    const seen = first.get(version);
    const time = Number.isNaN(t) ? Infinity : t;
    if (!seen) first.set(version, { label: versionLabel(r.model, r.modelVersion), t: time });
    else if (time < seen.t) seen.t = time;
  }
  return [...first.entries()].sort((a, b) => a[1].t - b[1].t || collator.compare(a[1].label, b[1].label)).map(([key, v]) => ({ key, label: v.label }));
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Share of thumbs up per version (in `versionOrder`) per time bucket (a bucket's start time), oldest first. */
export function upShareSeries(rows: readonly FeedbackCard[], bucket = bucketMs(rows), order: readonly VersionRef[] = versionOrder(rows)): ShareSeries[] {
  const byVersion = new Map<string, { label: string; buckets: Map<number, { up: number; count: number }> }>();
  for (const v of order) byVersion.set(v.key, { label: v.label, buckets: new Map() });
  for (const r of rows) {
    const t = Date.parse(r.ts);
    if (Number.isNaN(t)) continue;
    const version = byVersion.get(versionKey(r.model, r.modelVersion))!;
    const start = Math.floor(t / bucket) * bucket;
    let b = version.buckets.get(start);
    if (!b) version.buckets.set(start, b = { up: 0, count: 0 });
    b.count += 1;
    if (r.rating === 'up') b.up += 1;
  }
  return [...byVersion.entries()].filter(([, v]) => v.buckets.size > 0).map(([key, v]) => ({
    key,
    label: v.label,
    points: [...v.buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, b]) => ({ t, share: b.up / b.count, count: b.count })),
  }));
}

/** What a thumbs-down without a reason is counted as in the reasons chart. */
export const NO_REASON = '(no reason given)';

export interface ReasonCounts {
  /** The versions with a thumbs-down, in `versionOrder`. */
  versions: VersionRef[];
  /** Most frequent first. */
  reasons: string[];
  /** One row per version (in `versions` order): reason → count of thumbs-down giving it. */
  counts: Array<Record<string, number>>;
}

/** How often each reason was given with a thumbs-down, per version. */
export function reasonCounts(rows: readonly FeedbackCard[], order: readonly VersionRef[] = versionOrder(rows)): ReasonCounts {
  const versions = new Map<string, { label: string; counts: Map<string, number> }>();
  for (const v of order) versions.set(v.key, { label: v.label, counts: new Map() });
  const totals = new Map<string, number>();
  for (const r of rows) {
    if (r.rating !== 'down') continue;
    const v = versions.get(versionKey(r.model, r.modelVersion))!;
    const reasons = r.reasons && r.reasons.length > 0 ? r.reasons : [NO_REASON];
    for (const reason of reasons) {
      v.counts.set(reason, (v.counts.get(reason) ?? 0) + 1);
      totals.set(reason, (totals.get(reason) ?? 0) + 1);
    }
  }
  const reasons = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reason]) => reason);
  const list = [...versions.entries()].filter(([, v]) => v.counts.size > 0);
  return {
    versions: list.map(([key, v]) => ({ key, label: v.label })),
    reasons,
    counts: list.map(([, v]) => Object.fromEntries(reasons.map((reason) => [reason, v.counts.get(reason) ?? 0]))),
  };
}
