import { z } from 'zod';
import { MAX_CASE_ID, MAX_COMMENT, MAX_EXPECTED, MAX_REASON, MAX_REASONS, MAX_REVIEWER } from './feedback-reasons';

/**
 * Feedback: what a person who tried the model thinks of one prediction. This schema defines what the page sends
 * (`FeedbackSubmission`); what is stored and sent to the owner (`FeedbackRecord`) is in feedback-record.ts.
 */
export { DEFAULT_REASONS, MAX_CASE_ID, MAX_COMMENT, MAX_EXPECTED, MAX_REASON, MAX_REASONS, MAX_REVIEWER, reasonsOf, sameAnswer } from './feedback-reasons';

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
