/**
 * Feedback's limits and reasons, without the schema: the try-it page (src/page/) needs these and no zod, whose schema
 * objects cost the page's script its start-up time (feedback.ts builds the schema and re-exports these).
 */
export const MAX_COMMENT = 4000;
export const MAX_REVIEWER = 100;
export const MAX_EXPECTED = 1000;
export const MAX_REASON = 100;
export const MAX_REASONS = 20;
export const MAX_CASE_ID = 300;

/**
 * What a thumbs-down may say is wrong, as chips on the page, when the model's sidecar names none of its own
 * (`"feedback": {"reasons": [...]}` in `<model>.preview.json` replaces the list).
 */
export const DEFAULT_REASONS: readonly string[] = ['wrong answer', 'should not answer', 'unfair to some group', 'other'];

/** The reasons a thumbs-down on this model may give: the sidecar's list, else the defaults. */
export function reasonsOf(card: { sidecar?: { feedback?: { reasons?: readonly string[] } } } | undefined): readonly string[] {
  const own = card?.sidecar?.feedback?.reasons;
  return own && own.length > 0 ? own : DEFAULT_REASONS;
}

/** The same answer, as a person would judge it: a correction that only differs in case or spaces is no correction. */
export const sameAnswer = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
