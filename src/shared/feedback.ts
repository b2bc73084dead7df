import { z } from 'zod';

/**
 * Feedback: what a person who tried the model thinks of one prediction. One schema, versioned, defines what the page
 * sends (`FeedbackSubmission`) and what is stored (`FeedbackRecord`, one line of feedback.jsonl). A record stands
 * alone: it holds a copy of the prediction's inputs and outputs and the model version, so it means the same thing
 * after the model changes.
 */

export const FEEDBACK_SCHEMA_VERSION = 1;
export const MAX_COMMENT = 4000;
export const MAX_REVIEWER = 100;
export const MAX_EXPECTED = 1000;

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
  /** Chosen by the client once per piece of feedback; re-sending the same key never stores it twice. */
  idempotencyKey: z.string({ error: (issue) => (issue.input === undefined ? `required: ${KEY_RULE}` : `must be ${KEY_RULE}`) })
    .min(MIN_IDEMPOTENCY_KEY, `too short: must be ${KEY_RULE}`).max(MAX_IDEMPOTENCY_KEY, `too long: must be ${KEY_RULE}`),
});
export type FeedbackSubmission = z.infer<typeof FeedbackSubmissionSchema>;

/** A tensor as stored in a record: inline data, or (when large, e.g. an image) a reference to `blobs/<sha256>.json`. */
export type StoredTensor =
  | { datatype: string; shape: number[]; data: unknown[] }
  | { datatype: string; shape: number[]; blob: string };

export interface FeedbackRecord {
  schemaVersion: typeof FEEDBACK_SCHEMA_VERSION;
  id: string;
  /** ISO 8601, UTC. */
  ts: string;
  model: string;
  modelVersion: string;
  predictionId: string;
  /** The prediction's top answer as shown to the person (a class name when known), for stats and tables. */
  predicted?: string;
  inputs: Record<string, StoredTensor>;
  outputs: Record<string, StoredTensor>;
  rating: 'up' | 'down';
  expected?: string;
  comment?: string;
  reviewer?: string;
  userAgent?: string;
  idempotencyKey: string;
}

/** `GET /api/stats`: per model version. */
export interface FeedbackStats {
  total: number;
  versions: Array<{
    model: string;
    modelVersion: string;
    count: number;
    up: number;
    down: number;
    /** up / count, 0..1. */
    upShare: number;
    /** The most frequent (predicted, expected) pairs among feedback that names an expected answer. */
    topCorrections: Array<{ predicted: string; expected: string; count: number }>;
  }>;
}
