import type { FeedbackCard, PreviewSummary } from '../../shared/webview-messages';

/**
 * Model versions in the Feedback view: the filter's choices and the totals on top. A version is a (model,
 * modelVersion) pair; its key is the pair as JSON, so no model name or version can make two pairs collide.
 */

/** The filter value that shows every version. */
export const ALL_VERSIONS = '';

/**
 * model → modelVersion → key. The feedback table asks for the key of every one of thousands of cards on each pass (its
 * filter, both charts, the totals), and a few versions make all of them: each key is made once, then looked up.
 */
const keys = new Map<string, Map<string, string>>();
/** Distinct pairs kept at most (a few in practice); past it the cache starts over. */
const MAX_KEYS = 10_000;
let keyCount = 0;

export function versionKey(model: string, modelVersion: string): string {
  let versions = keys.get(model);
  if (!versions) keys.set(model, versions = new Map());
  let key = versions.get(modelVersion);
  if (key === undefined) {
    if (++keyCount > MAX_KEYS) {
      keys.clear();
      keyCount = 1;
      keys.set(model, versions = new Map());
    }
    versions.set(modelVersion, key = JSON.stringify([model, modelVersion]));
  }
  return key;
}

/** How people write a version: `iris@3` (just `iris` when the version is empty). */
export function versionLabel(model: string, modelVersion: string): string {
  return modelVersion === '' ? model : `${model}@${modelVersion}`;
}

/** The label of a key, or undefined when the key is not one `versionKey` made. */
export function labelOfKey(key: string): string | undefined {
  try {
    const pair: unknown = JSON.parse(key);
    if (Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string') {
      return versionLabel(pair[0], pair[1]);
    }
  } catch {
    // not a key
  }
  return undefined;
}

export interface VersionTotals {
  key: string;
  model: string;
  modelVersion: string;
  label: string;
  up: number;
  down: number;
  count: number;
  /** A running preview serves this version now. */
  running: boolean;
}

/** Totals by version key, in the order versions were first added. */
export type TotalsByKey = Map<string, VersionTotals>;

/** The totals of one version in `byKey`, added (with nothing counted) if it has none yet. */
function totalsOf(byKey: TotalsByKey, model: string, modelVersion: string): VersionTotals {
  const key = versionKey(model, modelVersion);
  let totals = byKey.get(key);
  if (!totals) {
    totals = { key, model, modelVersion, label: versionLabel(model, modelVersion), up: 0, down: 0, count: 0, running: false };
    byKey.set(key, totals);
  }
  return totals;
}

/** Counts one card (versionTotals' step; the feedback table counts in the pass that makes its charts' numbers). */
export function countVersion(byKey: TotalsByKey, card: Pick<FeedbackCard, 'model' | 'modelVersion' | 'rating'>): void {
  const totals = totalsOf(byKey, card.model, card.modelVersion);
  totals.count += 1;
  if (card.rating === 'up') totals.up += 1;
  else totals.down += 1;
}

/**
 * Per-version totals of `cards` (newest first), in this order: the versions running previews serve (in the previews'
 * order, even without feedback yet), then the others by their newest feedback.
 */
export function versionTotals(cards: readonly FeedbackCard[], previews: readonly PreviewSummary[]): VersionTotals[] {
  const byKey: TotalsByKey = new Map();
  for (const preview of previews) totalsOf(byKey, preview.model, preview.modelVersion).running = true;
  for (const card of cards) countVersion(byKey, card);
  return [...byKey.values()];
}

/** Share of thumbs up as a whole percentage, or undefined without feedback. */
export function upPercent(totals: Pick<VersionTotals, 'up' | 'count'>): number | undefined {
  return totals.count === 0 ? undefined : Math.round((totals.up / totals.count) * 100);
}

export interface FilterOption {
  value: string;
  label: string;
}

/**
 * The filter's choices: all versions, then each version of `totals`. A chosen version that no longer has feedback
 * (the extension reloaded what it shows) stays a choice, so the select never silently changes what it shows.
 */
export function filterOptions(totals: readonly VersionTotals[], selected: string): FilterOption[] {
  const all = totals.reduce((n, t) => n + t.count, 0);
  const options: FilterOption[] = [{ value: ALL_VERSIONS, label: `All versions (${all})` }];
  for (const t of totals) options.push({ value: t.key, label: `${t.label} (${t.count})` });
  if (selected !== ALL_VERSIONS && !totals.some((t) => t.key === selected)) {
    const label = labelOfKey(selected);
    if (label !== undefined) options.push({ value: selected, label: `${label} (0)` });
  }
  return options;
}

/** A filter value the options offer, else "all" (a saved state may hold a key that is not one). */
export function validFilter(filter: string): string {
  return filter === ALL_VERSIONS || labelOfKey(filter) !== undefined ? filter : ALL_VERSIONS;
}

/** Whether an item passes the version filter (one test, for callers that filter on more in the same pass). */
export function inVersionFilter(item: { model: string; modelVersion: string }, filter: string): boolean {
  return filter === ALL_VERSIONS || versionKey(item.model, item.modelVersion) === filter;
}

export function applyFilter<T extends { model: string; modelVersion: string }>(items: readonly T[], filter: string): T[] {
  if (filter === ALL_VERSIONS) return [...items];
  return items.filter((item) => inVersionFilter(item, filter));
}
