import type { FeedbackRecord } from '../shared/feedback-record';
import { terminalSafe } from '../shared/visible-text';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * One feedback record as one terminal line. Everything the stakeholder typed goes through terminalSafe (no control
 * or escape sequences reach the terminal) and newlines in a comment are shown as ⏎, so a record is always one line.
 */
export function feedbackLine(r: FeedbackRecord): string {
  const safe = (s: string | undefined) => terminalSafe((s ?? '').replace(/\r?\n/g, ' ⏎ '));
  const rating = r.rating === 'up' ? '👍 up  ' : '👎 down';
  const answer = r.expected ? `predicted ${safe(r.predicted) || '?'} → expected ${safe(r.expected)}` : `predicted ${safe(r.predicted) || '?'}`;
  const who = r.reviewer ? ` — ${safe(r.reviewer)}` : '';
  const comment = r.comment ? `  "${clip(safe(r.comment), 200)}"` : '';
  return `${r.ts.replace('T', ' ').slice(0, 19)}  ${r.modelVersion}  ${rating}  ${answer}${comment}${who}`;
}
