import { compareNewestFirst, type FeedbackCard, type FeedbackSort } from '../../shared/webview-messages';

/**
 * The Feedback view's filter bar, DOM-free: rating, reviewer, reason and a search text (the version filter is
 * versions.ts). Each field is the value of its control; '' means "any".
 */
export interface CardQuery {
  /** 'up', 'down' or '' (any). */
  rating: '' | 'up' | 'down';
  /** `REVIEWER_PREFIX + name`, ANONYMOUS, or '' (anyone). */
  reviewer: string;
  /** `REASON_PREFIX + reason`, or '' (any). */
  reason: string;
  /** Matched case-insensitively against what the card shows (answer, correction, comment, reviewer, reasons, case, inputs). */
  text: string;
}

export const NO_QUERY: Readonly<CardQuery> = { rating: '', reviewer: '', reason: '', text: '' };
export const ANONYMOUS = 'anonymous';
export const REVIEWER_PREFIX = 'reviewer:';
export const REASON_PREFIX = 'reason:';
const MAX_QUERY_TEXT = 500;

export function isQueryActive(q: CardQuery): boolean {
  return q.rating !== '' || q.reviewer !== '' || q.reason !== '' || q.text.trim() !== '';
}

/** A saved query, checked (the state may come from an older version of the view): what does not check out is "any". */
export function validQuery(saved: unknown): CardQuery {
  if (typeof saved !== 'object' || saved === null) return { ...NO_QUERY };
  const q = saved as Partial<Record<keyof CardQuery, unknown>>;
  const str = (x: unknown, ok: (s: string) => boolean) => (typeof x === 'string' && x.length <= MAX_QUERY_TEXT && ok(x) ? x : '');
  return {
    rating: q.rating === 'up' || q.rating === 'down' ? q.rating : '',
    reviewer: str(q.reviewer, (s) => s === ANONYMOUS || s.startsWith(REVIEWER_PREFIX)),
    reason: str(q.reason, (s) => s.startsWith(REASON_PREFIX)),
    text: str(q.text, () => true),
  };
}

const reviewerOf = (card: FeedbackCard): string | undefined => {
  const name = card.reviewer?.trim();
  return name === undefined || name === '' ? undefined : name;
};

export function matchesQuery(card: FeedbackCard, q: CardQuery): boolean {
  if (q.rating !== '' && card.rating !== q.rating) return false;
  if (q.reviewer !== '') {
    const name = reviewerOf(card);
    if (q.reviewer === ANONYMOUS ? name !== undefined : name !== q.reviewer.slice(REVIEWER_PREFIX.length)) return false;
  }
  if (q.reason !== '' && !(card.reasons ?? []).includes(q.reason.slice(REASON_PREFIX.length))) return false;
  const words = q.text.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return true;
  const haystack = [card.predicted, card.expected, card.comment, card.reviewer, card.caseId, card.inputSummary, card.modelVersion, card.model, ...(card.reasons ?? [])]
    .filter((x) => x !== undefined).join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export interface QueryChoices {
  reviewers: Array<{ value: string; label: string }>;
  reasons: Array<{ value: string; label: string }>;
}

/** How many cards each reviewer and each reason has: what the filter bar's dropdowns list. */
export interface ChoiceCounts {
  reviewers: Map<string, number>;
  anonymous: number;
  reasons: Map<string, number>;
}

export const newChoiceCounts = (): ChoiceCounts => ({ reviewers: new Map(), anonymous: 0, reasons: new Map() });

/** Counts one card (queryChoices' step; the feedback table counts in the pass that makes its charts' numbers). */
export function countChoices(counts: ChoiceCounts, card: FeedbackCard): void {
  const name = reviewerOf(card);
  if (name === undefined) counts.anonymous += 1;
  else counts.reviewers.set(name, (counts.reviewers.get(name) ?? 0) + 1);
  if (card.reasons) for (const reason of card.reasons) counts.reasons.set(reason, (counts.reasons.get(reason) ?? 0) + 1);
}

/** The dropdowns' choices from the counts, most frequent first; a chosen one stays listed. */
export function choicesOf(counts: ChoiceCounts, q: CardQuery): QueryChoices {
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const reviewerChoices = sorted(counts.reviewers).map(([name, n]) => ({ value: REVIEWER_PREFIX + name, label: `${name} (${n})` }));
  if (counts.anonymous > 0) reviewerChoices.push({ value: ANONYMOUS, label: `Anonymous (${counts.anonymous})` });
  if (q.reviewer !== '' && !reviewerChoices.some((c) => c.value === q.reviewer)) {
    reviewerChoices.push({ value: q.reviewer, label: `${q.reviewer === ANONYMOUS ? 'Anonymous' : q.reviewer.slice(REVIEWER_PREFIX.length)} (0)` });
  }
  const reasonChoices = sorted(counts.reasons).map(([reason, n]) => ({ value: REASON_PREFIX + reason, label: `${reason} (${n})` }));
  if (q.reason !== '' && !reasonChoices.some((c) => c.value === q.reason)) reasonChoices.push({ value: q.reason, label: `${q.reason.slice(REASON_PREFIX.length)} (0)` });
  return { reviewers: reviewerChoices, reasons: reasonChoices };
}

/** The reviewers and reasons the cards have (with counts), for the filter bar's dropdowns; a chosen one stays listed. */
export function queryChoices(cards: readonly FeedbackCard[], q: CardQuery): QueryChoices {
  const counts = newChoiceCounts();
  for (const card of cards) countChoices(counts, card);
  return choicesOf(counts, q);
}

/** Thumbs-down first, each part newest first. */
export function compareWorstFirst(a: FeedbackCard, b: FeedbackCard): number {
  if (a.rating !== b.rating) return a.rating === 'down' ? -1 : 1;
  return compareNewestFirst(a, b);
}

/** The cards in the chosen order (the held list is newest first already). Returns a new array. */
export function sortCards(cards: readonly FeedbackCard[], sort: FeedbackSort): FeedbackCard[] {
  return sort === 'worst' ? [...cards].sort(compareWorstFirst) : [...cards];
}
