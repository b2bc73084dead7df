import type { FeedbackCard } from '../../shared/webview-messages';
import { relativeTime } from '../../browser/logic/relative-time';
import { versionLabel } from './versions';

/** The words of one feedback card, DOM-free. Every string here is shown as text (textContent), never as markup. */
export interface CardText {
  /** Codicon name of the rating. */
  icon: 'thumbsup' | 'thumbsdown';
  rating: 'Right' | 'Wrong';
  predicted?: string;
  expected?: string;
  comment?: string;
  /** What a thumbs-down said is wrong. */
  reasons: string[];
  /** The review-set case it judged. */
  caseId?: string;
  /** The reviewer's name, or "Anonymous". */
  reviewer: string;
  anonymous: boolean;
  /** The name comes from the reviewer's invite link (not typed). */
  verified: boolean;
  /** "5 minutes ago". */
  when: string;
  /** The time as ISO 8601 (the card's tooltip and `datetime`); the raw value when it does not parse. */
  isoTime: string;
  version: string;
  /** Everything above in one sentence, for screen readers (the card is one button). */
  ariaLabel: string;
}

/** How much of a long comment the screen-reader label reads (the card shows it, and opening the record shows all). */
const ARIA_COMMENT = 300;

function present(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function cardText(card: FeedbackCard, nowMs: number): CardText {
  const t = Date.parse(card.ts);
  const isoTime = Number.isNaN(t) ? card.ts : new Date(t).toISOString();
  const when = relativeTime(t, nowMs);
  const predicted = present(card.predicted);
  const expected = present(card.expected);
  const comment = present(card.comment);
  const reviewerName = present(card.reviewer);
  const rating = card.rating === 'up' ? 'Right' : 'Wrong';
  const version = versionLabel(card.model, card.modelVersion);
  const reviewer = reviewerName ?? 'Anonymous';
  const parts = [`${card.rating === 'up' ? 'Thumbs up' : 'Thumbs down'}.`];
  if (predicted !== undefined) parts.push(`Predicted ${predicted}.`);
  if (expected !== undefined) parts.push(`Expected ${expected}.`);
  const reasons = (card.reasons ?? []).map((r) => r.trim()).filter((r) => r !== '');
  if (reasons.length > 0) parts.push(`What is wrong: ${reasons.join(', ')}.`);
  const caseId = present(card.caseId);
  if (caseId !== undefined) parts.push(`Review case ${caseId}.`);
  if (comment !== undefined) parts.push(`Comment: ${comment.length > ARIA_COMMENT ? `${comment.slice(0, ARIA_COMMENT)}…` : comment}`);
  parts.push(`By ${reviewer}${card.reviewerVerified ? ' (invited)' : ''}, ${when}, ${version}. Opens the input and output.`);
  return {
    icon: card.rating === 'up' ? 'thumbsup' : 'thumbsdown',
    rating,
    ...(predicted !== undefined ? { predicted } : {}),
    ...(expected !== undefined ? { expected } : {}),
    ...(comment !== undefined ? { comment } : {}),
    reasons,
    ...(caseId !== undefined ? { caseId } : {}),
    reviewer,
    anonymous: reviewerName === undefined,
    verified: card.reviewerVerified === true && reviewerName !== undefined,
    when,
    isoTime,
    version,
    ariaLabel: parts.join(' '),
  };
}
