import { z } from 'zod';

/**
 * Feedback: what a person who tried the model thinks of one prediction. This schema defines what the page sends
 * (`FeedbackSubmission`); what is stored and sent to the owner (`FeedbackRecord`) is in feedback-record.ts.
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

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const MIN_IDEMPOTENCY_KEY = 8;
export const MAX_IDEMPOTENCY_KEY = 100;
/** What an idempotency key is, for the messages a client gets when it sends none or a wrong one. */
const KEY_RULE = `a text of ${MIN_IDEMPOTENCY_KEY} to ${MAX_IDEMPOTENCY_KEY} characters that the client chooses once per piece of feedback `
  + 'and sends unchanged with every retry (a UUID will do); a repeated key is stored once';

export const FeedbackSubmissionSchema = z.strictObject({
  predictionId: z.string().min(1).max(100),
  rating: z.enum(['up', 'down'], 'must be "up" or "down"'),
  /** What the model should have answered: a class name when classes are known, else free text. */
  expected: text(MAX_EXPECTED).optional(),
  comment: text(MAX_COMMENT).optional(),
  reviewer: text(MAX_REVIEWER).optional(),
  /** What is wrong, for a thumbs-down: chosen from the model's reasons (`reasonsOf`). */
  reasons: z.array(text(MAX_REASON), 'must be a list of reasons').max(MAX_REASONS, `must hold at most ${MAX_REASONS} reasons`).optional(),
  /** The review-set case this prediction was made for (the page's Review mode sends it). */
  caseId: text(MAX_CASE_ID).min(1).optional(),
  /** Chosen by the client once per piece of feedback; re-sending the same key never stores it twice. */
  idempotencyKey: z.string({ error: (issue) => (issue.input === undefined ? `required: ${KEY_RULE}` : `must be ${KEY_RULE}`) })
    .min(MIN_IDEMPOTENCY_KEY, `too short: must be ${KEY_RULE}`).max(MAX_IDEMPOTENCY_KEY, `too long: must be ${KEY_RULE}`),
});
export type FeedbackSubmission = z.infer<typeof FeedbackSubmissionSchema>;
