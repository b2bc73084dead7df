import {
  isFeedbackCard, isPreviewSummary, MAX_VIEW_RECORDS, mergeNewestFirst,
  type FeedbackCard, type PreviewSummary, type ToWebview,
} from '../../shared/webview-messages';
import { ALL_VERSIONS, validFilter } from './versions';
import { NO_QUERY, validQuery, type CardQuery } from './card-query';
import type { FeedbackSort } from '../../shared/webview-messages';

/**
 * What the Feedback view shows and keeps with `setState` while hidden: the running previews, the cards (newest first,
 * one per record id, at most MAX_VIEW_RECORDS), the chosen filter and the scroll position. The extension answers every
 * `ready` with a full `reset`, so a restored state is only a first paint: the reset then replaces it.
 */
export interface ViewState {
  stateVersion: typeof STATE_VERSION;
  previews: PreviewSummary[];
  cards: FeedbackCard[];
  /** A version key (versions.ts) or ALL_VERSIONS. */
  filter: string;
  /** The filter bar's rating, reviewer, reason and search text (card-query.ts); saved states without it get none. */
  query: CardQuery;
  /** The order chosen in the view's title bar (the extension sends it). */
  sort: FeedbackSort;
  scrollY: number;
}

export const STATE_VERSION = 1;

export function emptyState(): ViewState {
  return { stateVersion: STATE_VERSION, previews: [], cards: [], filter: ALL_VERSIONS, query: { ...NO_QUERY }, sort: 'newest', scrollY: 0 };
}

/**
 * The state `getState()` returned, checked: it was saved by an earlier run of the view, possibly of an older version
 * of the extension. What does not check out is dropped (a bad card alone, not the whole state).
 */
export function restoreState(saved: unknown, limit = MAX_VIEW_RECORDS): ViewState {
  if (typeof saved !== 'object' || saved === null) return emptyState();
  const s = saved as Partial<Record<keyof ViewState, unknown>>;
  if (s.stateVersion !== STATE_VERSION) return emptyState();
  const previews = Array.isArray(s.previews) ? s.previews.filter(isPreviewSummary) : [];
  const cards = Array.isArray(s.cards) ? mergeNewestFirst([], s.cards.filter(isFeedbackCard), limit) : [];
  const filter = typeof s.filter === 'string' ? validFilter(s.filter) : ALL_VERSIONS;
  const scrollY = typeof s.scrollY === 'number' && Number.isFinite(s.scrollY) && s.scrollY > 0 ? s.scrollY : 0;
  const query = validQuery(s.query);
  const sort = s.sort === 'worst' ? 'worst' : 'newest';
  return { stateVersion: STATE_VERSION, previews, cards, filter, query, sort, scrollY };
}

/** The state after a message from the extension (a new object; `state` is not changed). */
export function applyMessage(state: ViewState, message: ToWebview, limit = MAX_VIEW_RECORDS): ViewState {
  switch (message.type) {
    case 'reset':
      return { ...state, previews: [...message.previews], cards: mergeNewestFirst([], message.records, limit), sort: message.sort ?? state.sort };
    case 'records':
      return { ...state, cards: mergeNewestFirst(state.cards, message.records, limit) };
    case 'previews':
      return { ...state, previews: [...message.previews] };
    case 'sort':
      return { ...state, sort: message.sort };
    case 'focus-filter':
    case 'ping':
    case 'thumbnail': // not state: kept by the page while it lives (src/webview/feedback-view.ts)
      return state;
  }
}
