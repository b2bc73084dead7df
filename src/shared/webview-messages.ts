import { isImageDataUrl } from './image-data-url';

/**
 * Messages between the extension and the Feedback webview view (src/webview/, src/vscode/views/feedback-view-provider.ts),
 * typed once here, with the runtime guards both sides run on what they receive. Plain TypeScript, no runtime imports but
 * image-data-url.ts: the webview bundle imports this file and must not pull in zod or Node.
 *
 * The view is shown cards, not whole records: a record holds a copy of the prediction's inputs and outputs (up to
 * thousands of numbers per tensor), which the view never renders and would otherwise keep in its saved state. The
 * extension keeps the whole records and opens one when the view asks (`open-record`).
 */

/** One running preview as the view knows it. No URLs and no tokens: nothing secret crosses into the webview. */
export interface PreviewSummary {
  id: string;
  model: string;
  modelVersion: string;
  /** "Is it fixed now?": the last regression replay (the thumbs-down with a correction, replayed on a new version). */
  regressions?: RegressionSummary;
  /** The replay of each version loaded, oldest first (the server's `GET /api/regressions`): the per-version table. */
  regressionHistory?: RegressionRow[];
}

export interface RegressionSummary {
  modelVersion: string;
  /** Cases the version now answers as corrected, of `total`. */
  fixed: number;
  total: number;
  /** Cases the previous version had right and this one has wrong. */
  broke: number;
}

/** One version's replay as the Feedback view's table shows it; `broken` names the cases that broke (at most MAX_BROKEN_SHOWN). */
export interface RegressionRow extends RegressionSummary {
  previousVersion: string;
  broken: Array<{ caseId?: string; expected: string; predicted: string }>;
}

/** The broken cases a row names; the count says how many there are in all. */
export const MAX_BROKEN_SHOWN = 20;
/** Versions the table shows (the newest). */
export const MAX_VERSIONS_SHOWN = 50;

/** What a card shows of a record. `id` is the record's id (a UUID, unique across previews and server runs). */
export interface FeedbackCard {
  previewId: string;
  id: string;
  /** ISO 8601, UTC. */
  ts: string;
  model: string;
  modelVersion: string;
  rating: 'up' | 'down';
  predicted?: string;
  expected?: string;
  comment?: string;
  reviewer?: string;
  /** True when the name comes from the reviewer's invite link. */
  reviewerVerified?: boolean;
  /** What a thumbs-down said is wrong. */
  reasons?: string[];
  /** The review-set case it judged, and its set. */
  caseId?: string;
  reviewSet?: string;
  /** One line of what the model was given (input-summary.ts), e.g. `features: [6.7, 3, 5.2, 2.3]`. */
  inputSummary?: string;
  /** One of the inputs is a picture: the view asks for its thumbnail (`want-thumbnail`) once the card is in sight. */
  hasPicture?: boolean;
}

/**
 * Extension → view. `reset` is the whole state (sent in answer to every `ready`, and after the extension reloaded a
 * preview's feedback); `records` are new or replayed ones (the view de-duplicates by id); `previews` is the list of
 * running previews; `thumbnail` is the picture of a card's record (a small PNG data URL), in answer to `want-thumbnail`.
 * Thumbnails are not part of the view's saved state: a re-created page asks again. `ping` asks a page that said `ready`
 * whether it still runs (it answers `pong`): the extension's check after the editor tabs changed.
 */
export type ToWebview =
  | { type: 'reset'; previews: PreviewSummary[]; records: FeedbackCard[]; sort?: FeedbackSort }
  | { type: 'records'; records: FeedbackCard[] }
  | { type: 'previews'; previews: PreviewSummary[] }
  | { type: 'sort'; sort: FeedbackSort }
  | { type: 'focus-filter' }
  | { type: 'thumbnail'; id: string; image: string }
  | { type: 'ping' };

/** The order of the cards, chosen in the view's title bar: newest first, or thumbs-down first (then newest). */
export type FeedbackSort = 'newest' | 'worst';

/** Help the empty view links to. A closed list, not a command name: the view must not be able to run commands. */
export type HelpTopic = 'docs' | 'walkthrough';

/**
 * View → extension. `ready` once its message listener is installed; `pong` in answer to `ping`; `open-record` when a
 * card is clicked; `open-help` from the empty state's links; `want-thumbnail` when a card with a picture comes into
 * sight.
 */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'pong' }
  | ({ type: 'open-record' } & RecordRef)
  | { type: 'open-help'; topic: HelpTopic }
  | ({ type: 'want-thumbnail' } & RecordRef);

/** Records the extension and the view hold at most (the newest ones). */
export const MAX_VIEW_RECORDS = 2000;

/** Which record a card shows: the extension looks the whole record up by these when the card is opened. */
export interface RecordRef {
  previewId: string;
  id: string;
}

/**
 * The card of a record (or of anything shaped like a card): only the fields a card shows, so extra fields (tensors,
 * user agent, keys) never cross.
 */
export function toFeedbackCard(record: FeedbackCard): FeedbackCard {
  const card: FeedbackCard = {
    previewId: record.previewId,
    id: record.id,
    ts: record.ts,
    model: record.model,
    modelVersion: record.modelVersion,
    rating: record.rating,
  };
  if (record.predicted !== undefined) card.predicted = record.predicted;
  if (record.expected !== undefined) card.expected = record.expected;
  if (record.comment !== undefined) card.comment = record.comment;
  if (record.reviewer !== undefined) card.reviewer = record.reviewer;
  if (record.reviewerVerified === true) card.reviewerVerified = true;
  if (record.reasons !== undefined && record.reasons.length > 0) card.reasons = record.reasons.slice();
  if (record.caseId !== undefined) card.caseId = record.caseId;
  if (record.reviewSet !== undefined) card.reviewSet = record.reviewSet;
  if (record.inputSummary !== undefined) card.inputSummary = record.inputSummary;
  if (record.hasPicture === true) card.hasPicture = true;
  return card;
}

/** A preview summary with exactly its public fields (drops anything else a caller's object carries). */
export function toPreviewSummary(preview: PreviewSummary): PreviewSummary {
  const summary: PreviewSummary = { id: preview.id, model: preview.model, modelVersion: preview.modelVersion };
  const r = preview.regressions;
  if (r) summary.regressions = { modelVersion: r.modelVersion, fixed: r.fixed, total: r.total, broke: r.broke };
  if (preview.regressionHistory) {
    summary.regressionHistory = preview.regressionHistory.slice(-MAX_VERSIONS_SHOWN).map((row) => ({
      modelVersion: row.modelVersion, previousVersion: row.previousVersion, fixed: row.fixed, total: row.total, broke: row.broke,
      broken: row.broken.slice(0, MAX_BROKEN_SHOWN).map((b) => ({ ...(b.caseId !== undefined ? { caseId: b.caseId } : {}), expected: b.expected, predicted: b.predicted })),
    }));
  }
  return summary;
}

/** Longest thumbnail data URL the view takes (a 64-pixel PNG is a few kB). */
const MAX_THUMBNAIL = 100_000;
/** Longest id or name a guard accepts; record ids are UUIDs, model names and versions are short. */
const MAX_ID = 200;
const MAX_NAME = 1000;
/** The stored limits are 4000 (comment), 1000 (expected), 100 (reviewer); the guard leaves room and stops abuse. */
const MAX_TEXT = 10_000;
/** The stored limit is 20 reasons. */
const MAX_REASONS_SHOWN = 50;

type Fields = Record<string, unknown>;

function isObject(x: unknown): x is Fields {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isString(x: unknown, max: number, allowEmpty = false): x is string {
  return typeof x === 'string' && x.length <= max && (allowEmpty || x.length > 0);
}

function isOptionalString(x: unknown, max: number): boolean {
  return x === undefined || isString(x, max, true);
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

function isRegressionSummary(x: unknown): x is RegressionSummary {
  return isObject(x) && isString(x.modelVersion, MAX_NAME, true) && isCount(x.fixed) && isCount(x.total) && isCount(x.broke);
}

const isBrokenCase = (x: unknown): boolean => isObject(x) && (x.caseId === undefined || isString(x.caseId, MAX_NAME, true))
  && isString(x.expected, MAX_TEXT, true) && isString(x.predicted, MAX_TEXT, true);

function isRegressionRow(x: unknown): x is RegressionRow {
  if (!isRegressionSummary(x)) return false;
  const row = x as unknown as Fields;
  return isString(row.previousVersion, MAX_NAME, true)
    && Array.isArray(row.broken) && row.broken.length <= MAX_BROKEN_SHOWN && row.broken.every(isBrokenCase);
}

export function isPreviewSummary(x: unknown): x is PreviewSummary {
  return isObject(x) && isString(x.id, MAX_ID) && isString(x.model, MAX_NAME, true) && isString(x.modelVersion, MAX_NAME, true)
    && (x.regressions === undefined || isRegressionSummary(x.regressions))
    && (x.regressionHistory === undefined || (Array.isArray(x.regressionHistory) && x.regressionHistory.length <= MAX_VERSIONS_SHOWN && x.regressionHistory.every(isRegressionRow)));
}

export function isFeedbackCard(x: unknown): x is FeedbackCard {
  return isObject(x)
    && isString(x.previewId, MAX_ID)
    && isString(x.id, MAX_ID)
    && isString(x.ts, MAX_ID)
    && isString(x.model, MAX_NAME, true)
    && isString(x.modelVersion, MAX_NAME, true)
    && (x.rating === 'up' || x.rating === 'down')
    && isOptionalString(x.predicted, MAX_TEXT)
    && isOptionalString(x.expected, MAX_TEXT)
    && isOptionalString(x.comment, MAX_TEXT)
    && isOptionalString(x.reviewer, MAX_TEXT)
    && (x.reviewerVerified === undefined || typeof x.reviewerVerified === 'boolean')
    && (x.reasons === undefined || (Array.isArray(x.reasons) && x.reasons.length <= MAX_REASONS_SHOWN && x.reasons.every((r) => isString(r, MAX_TEXT))))
    && isOptionalString(x.caseId, MAX_TEXT)
    && isOptionalString(x.reviewSet, MAX_TEXT)
    && isOptionalString(x.inputSummary, MAX_TEXT)
    && (x.hasPicture === undefined || typeof x.hasPicture === 'boolean');
}

function isFeedbackSort(x: unknown): x is FeedbackSort {
  return x === 'newest' || x === 'worst';
}

function isArrayOf<T>(x: unknown, guard: (item: unknown) => item is T): x is T[] {
  return Array.isArray(x) && x.every((item) => guard(item));
}

/**
 * How the extension's messages travel to the feedback webviews: as one JSON text, parsed by the page and then checked
 * by `isToWebview`. VS Code hands a webview's message on with `postMessage` (to the webview's host frame, then to its
 * page), and Chromium's structured clone of thousands of small objects is slow: a reset of 5,000 cards took 300-400 ms
 * to arrive where JSON.parse of the same text took about 30 ms (bench `feedback-table`); a string clones at once.
 */
export interface WebviewEnvelope {
  type: 'json';
  text: string;
}

export const toEnvelope = (message: ToWebview): WebviewEnvelope => ({ type: 'json', text: JSON.stringify(message) });

/** The message an envelope carries, still to be checked with `isToWebview`; undefined when it is not one. */
export function fromEnvelope(data: unknown): unknown {
  if (!isObject(data) || data.type !== 'json' || typeof data.text !== 'string') return undefined;
  try {
    return JSON.parse(data.text);
  } catch {
    return undefined;
  }
}

/** The view's guard on everything the extension posts. One malformed card rejects the whole message. */
export function isToWebview(x: unknown): x is ToWebview {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'reset':
      return isArrayOf(x.previews, isPreviewSummary) && isArrayOf(x.records, isFeedbackCard) && (x.sort === undefined || isFeedbackSort(x.sort));
    case 'records':
      return isArrayOf(x.records, isFeedbackCard);
    case 'previews':
      return isArrayOf(x.previews, isPreviewSummary);
    case 'sort':
      return isFeedbackSort(x.sort);
    case 'focus-filter':
    case 'ping':
      return true;
    case 'thumbnail':
      return isString(x.id, MAX_ID) && isImageDataUrl(x.image, MAX_THUMBNAIL);
    default:
      return false;
  }
}

/** The extension's guard on everything the view posts (webview content is less trusted than the extension). */
export function isFromWebview(x: unknown): x is FromWebview {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
    case 'pong':
      return true;
    case 'open-record':
      return isString(x.previewId, MAX_ID) && isString(x.id, MAX_ID);
    case 'open-help':
      return x.topic === 'docs' || x.topic === 'walkthrough';
    case 'want-thumbnail':
      return isString(x.previewId, MAX_ID) && isString(x.id, MAX_ID);
    default:
      return false;
  }
}

/** Milliseconds since the epoch of an ISO time; a time that does not parse sorts as the oldest. */
function timeOf(ts: string): number {
  const t = Date.parse(ts);
  return Number.isNaN(t) ? -Infinity : t;
}

/** Newest first; equal times by id, so every side orders the same records the same way. */
export function compareNewestFirst(a: { id: string; ts: string }, b: { id: string; ts: string }): number {
  const ta = timeOf(a.ts);
  const tb = timeOf(b.ts);
  if (ta !== tb) return ta > tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Whether `items` are already in compareNewestFirst's order with no id twice: a `reset` comes so (the extension keeps
 * its records with mergeNewestFirst), and then the view's merge is a copy — one pass, where the general merge builds a
 * map, a keyed copy and sorts it (about 6 ms of the 5,000-record reset's message, cold, in the bench feedback-table).
 */
function isNewestFirstOnce(items: readonly { id: string; ts: string }[]): boolean {
  const ids = new Set<string>();
  let previousT = Infinity;
  let previousId = '';
  for (const item of items) {
    const t = timeOf(item.ts);
    if (t > previousT || (t === previousT && item.id <= previousId)) return false;
    if (ids.size === ids.add(item.id).size) return false;
    previousT = t;
    previousId = item.id;
  }
  return true;
}

/**
 * `existing` plus `incoming`, one per id (an incoming copy replaces the held one: records are replayed after a
 * reconnect, and a restarted preview re-sends what it stored before), newest first, at most `limit` (the oldest go).
 * Both the extension and the view keep their records with this function. Returns a new array.
 */
export function mergeNewestFirst<T extends { id: string; ts: string }>(existing: readonly T[], incoming: readonly T[], limit = MAX_VIEW_RECORDS): T[] {
  if (existing.length === 0 && isNewestFirstOnce(incoming)) return incoming.slice(0, Math.max(0, limit));
  const byId = new Map<string, T>();
  for (const item of existing) byId.set(item.id, item);
  for (const item of incoming) byId.set(item.id, item);
  // Each time parsed once, not in every comparison (5,000 cards: ~130,000 Date.parse calls); the order compareNewestFirst's.
  const keyed = [...byId.values()].map((item) => ({ item, t: timeOf(item.ts) }));
  keyed.sort((a, b) => (a.t !== b.t ? (a.t > b.t ? -1 : 1) : a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));
  if (keyed.length > limit) keyed.length = Math.max(0, limit);
  return keyed.map((k) => k.item);
}
