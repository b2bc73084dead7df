import type { FeedbackCard } from '../../shared/webview-messages';
import { versionKey } from './versions';

/**
 * What the feedback table asks of every card again and again — its instant and its version key — worked out once per
 * card and kept beside it (a WeakMap: a card that leaves the table takes its facts with it). Sorting, the charts and the
 * version filter each went over 5,000 cards with `Date.parse` and `JSON.stringify` on every pass.
 */
export interface CardFacts {
  /** Milliseconds since the epoch; NaN when `ts` does not parse. */
  t: number;
  /** `versionKey(model, modelVersion)`. */
  version: string;
}

const facts = new WeakMap<FeedbackCard, CardFacts>();

export function factsOf(card: FeedbackCard): CardFacts {
  let f = facts.get(card);
  if (!f) facts.set(card, f = { t: Date.parse(card.ts), version: versionKey(card.model, card.modelVersion) });
  return f;
}
