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

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
/** 1970-01-05, the first Monday after the epoch: weeks start on Mondays. */
const FIRST_MONDAY = 4 * DAY;

/**
 * A bucket an hour long when the feedback spans two days or less, a day when it spans 92 days or less, else a week
 * (UTC): a line has at most about a hundred points (a point per day over a year of feedback and a dozen versions was
 * thousands of SVG elements, each laid out and painted).
 */
const bucketFor = (min: number, max: number): number => (min === Infinity ? DAY : max - min <= 2 * DAY ? HOUR : max - min <= 92 * DAY ? DAY : WEEK);

/** The start of the bucket `t` falls in (weeks from Monday 00:00 UTC). */
const bucketStart = (t: number, bucket: number): number =>
  bucket === WEEK ? Math.floor((t - FIRST_MONDAY) / WEEK) * WEEK + FIRST_MONDAY : Math.floor(t / bucket) * bucket;

/** A version as the charts name it: `versionKey` and `versionLabel`. */
export interface VersionRef {
  key: string;
  label: string;
}

/** What a thumbs-down without a reason is counted as in the reasons chart. */
export const NO_REASON = '(no reason given)';

export interface ReasonCounts {
  /** The versions with a thumbs-down, in the charts' version order. */
  versions: VersionRef[];
  /** Most frequent first. */
  reasons: string[];
  /** One row per version (in `versions` order): reason → count of thumbs-down giving it. */
  counts: Array<Record<string, number>>;
}

/** Everything both charts draw. */
export interface ChartData {
  /** The up-share chart's time bucket (bucketFor). */
  bucket: number;
  /**
   * The versions in the order both charts show them: oldest first, by each version's first feedback (then by label),
   * so a version sits in the same place in the up-share legend and on the reasons chart's axis.
   */
  order: VersionRef[];
  /** Share of thumbs up per version (in `order`, those with a valid time) per bucket (its start time), oldest first. */
  series: ShareSeries[];
  /** How often each reason was given with a thumbs-down, per version. */
  reasons: ReasonCounts;
}

/**
 * Both charts' numbers in one pass over the rows: one time parse and one version lookup per row (four passes did up to
 * three each; 5,000 rows on every draw). Counted per hour, and the hours merged into days when the feedback spans more
 * than two days. `alsoCount` is called with each row in the same pass, for what else counts these rows (the table's
 * dropdowns: a pass over 5,000 rows costs a few milliseconds in a page's first, cold run).
 */
export function chartData(rows: readonly FeedbackCard[], alsoCount?: (row: FeedbackCard) => void): ChartData {
  interface Tally { label: string; first: number; hours: Map<number, { up: number; count: number }>; reasons: Map<string, number> }
  const versions = new Map<string, Tally>();
  const totals = new Map<string, number>();
  let min = Infinity;
  let max = -Infinity;
  for (const r of rows) {
    alsoCount?.(r);
    const key = versionKey(r.model, r.modelVersion);
    let v = versions.get(key);
    if (!v) versions.set(key, v = { label: versionLabel(r.model, r.modelVersion), first: Infinity, hours: new Map(), reasons: new Map() });
    const t = Date.parse(r.ts);
    if (!Number.isNaN(t)) {
      if (t < min) min = t;
      if (t > max) max = t;
      if (t < v.first) v.first = t;
      const hour = Math.floor(t / HOUR) * HOUR;
      let b = v.hours.get(hour);
      if (!b) v.hours.set(hour, b = { up: 0, count: 0 });
      b.count += 1;
      if (r.rating === 'up') b.up += 1;
    }
    if (r.rating === 'down') {
      for (const reason of r.reasons && r.reasons.length > 0 ? r.reasons : [NO_REASON]) {
        v.reasons.set(reason, (v.reasons.get(reason) ?? 0) + 1);
        totals.set(reason, (totals.get(reason) ?? 0) + 1);
      }
    }
  }
  // Not Math.min(...times): spreading 200,000 arguments overflows the stack.
  const bucket = bucketFor(min, max);
  // Infinity - Infinity is NaN, which is falsy: versions without a valid time sort last, by label.
  const ordered = [...versions.entries()].sort((a, b) => a[1].first - b[1].first || collator.compare(a[1].label, b[1].label));
  const series = ordered.filter(([, v]) => v.hours.size > 0).map(([key, v]) => {
    const buckets = new Map<number, { up: number; count: number }>();
    for (const [hour, h] of v.hours) {
      const start = bucketStart(hour, bucket);
      const b = buckets.get(start);
      if (b) {
        b.up += h.up;
        b.count += h.count;
      } else buckets.set(start, { ...h });
    }
    return { key, label: v.label, points: [...buckets.entries()].sort((x, y) => x[0] - y[0]).map(([t, b]) => ({ t, share: b.up / b.count, count: b.count })) };
  });
  const reasons = [...totals.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([reason]) => reason);
  const withReasons = ordered.filter(([, v]) => v.reasons.size > 0);
  return {
    bucket,
    order: ordered.map(([key, v]) => ({ key, label: v.label })),
    series,
    reasons: {
      versions: withReasons.map(([key, v]) => ({ key, label: v.label })),
      reasons,
      counts: withReasons.map(([, v]) => Object.fromEntries(reasons.map((reason) => [reason, v.reasons.get(reason) ?? 0]))),
    },
  };
}

/** The charts' time bucket for `rows` (ChartData.bucket). */
export const bucketMs = (rows: readonly FeedbackCard[]): number => chartData(rows).bucket;
/** The versions of `rows` in the order both charts show them (ChartData.order). */
export const versionOrder = (rows: readonly FeedbackCard[]): VersionRef[] => chartData(rows).order;
/** Share of thumbs up per version per bucket (ChartData.series). */
export const upShareSeries = (rows: readonly FeedbackCard[]): ShareSeries[] => chartData(rows).series;
/** How often each reason was given with a thumbs-down, per version (ChartData.reasons). */
export const reasonCounts = (rows: readonly FeedbackCard[]): ReasonCounts => chartData(rows).reasons;
