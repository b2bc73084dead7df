import * as z from 'zod/mini';
import { count, nonEmptyString } from './wire';

/**
 * A stored piece of feedback (one line of feedback.jsonl, the `feedback` event, `GET /api/feedback`) and the counts
 * over them (`GET /api/stats`): one schema each, the types derived from them. The server writes and sends these
 * types; every client checks what it gets with these schemas. (What the page sends, the submission, is in
 * feedback.ts.) A record stands alone: it holds a copy of the prediction's inputs and outputs and the model version,
 * so it means the same thing after the model changes.
 */

/**
 * The version new records are written with. Version 2 added `reasons`, `caseId`/`reviewSet`/`tags`,
 * `reviewerVerified` and `source`; a version 1 record (a file from an older server) reads unchanged, the fields it lacks
 * simply absent.
 */
export const FEEDBACK_SCHEMA_VERSION = 2;
/** Every version a reader accepts. */
export const READABLE_FEEDBACK_SCHEMA_VERSIONS = [1, 2] as const;

const shape = () => z.array(count());

/** How a record names a blob (what the server's blob store writes): nothing else, so no reference leaves `blobs/`. */
export const BLOB_REF = /^blobs\/[0-9a-f]{64}\.json$/;

/** A tensor as stored in a record: inline data, or (when large, e.g. an image) a reference to `blobs/<sha256>.json`. */
export const StoredTensorSchema = z.union([
  z.object({ datatype: nonEmptyString(), shape: shape(), data: z.array(z.unknown()) }),
  z.object({ datatype: nonEmptyString(), shape: shape(), blob: nonEmptyString() }),
]);
export type StoredTensor = z.infer<typeof StoredTensorSchema>;

export const FeedbackRecordSchema = z.object({
  /** A record of a version this reader does not know is refused rather than misread. */
  schemaVersion: z.union([z.literal(1), z.literal(2)]),
  id: nonEmptyString(),
  /** ISO 8601, UTC. */
  ts: z.string(),
  model: z.string(),
  modelVersion: z.string(),
  predictionId: nonEmptyString(),
  /** The prediction's top answer as shown to the person (a class name when known), for stats and tables. */
  predicted: z.optional(z.string()),
  inputs: z.record(z.string(), StoredTensorSchema),
  outputs: z.record(z.string(), StoredTensorSchema),
  rating: z.enum(['up', 'down']),
  expected: z.optional(z.string()),
  comment: z.optional(z.string()),
  reviewer: z.optional(z.string()),
  /** True when the reviewer's name comes from their invite link (the owner named them); false when typed on the page. */
  reviewerVerified: z.optional(z.boolean()),
  /** For a thumbs-down: what is wrong, from the model's list of reasons (empty for a thumbs-up). Version 2. */
  reasons: z.optional(z.array(z.string())),
  /** The review-set case the prediction was made for, its set's name and its tags. Version 2. */
  caseId: z.optional(z.string()),
  reviewSet: z.optional(z.string()),
  tags: z.optional(z.array(z.string())),
  /** Who made the judgement: "human" (a person on the page). Version 2. */
  source: z.optional(z.literal('human')),
  userAgent: z.optional(z.string()),
  idempotencyKey: z.string(),
});
export type FeedbackRecord = z.infer<typeof FeedbackRecordSchema>;

/** Per review-set case: how the reviewers judged it, across versions. */
export const CaseAgreementSchema = z.object({
  reviewSet: z.string(),
  caseId: z.string(),
  tags: z.optional(z.array(z.string())),
  count: count(),
  up: count(),
  down: count(),
  /** Distinct named reviewers who judged it (anonymous feedback counts once as "anonymous"). */
  reviewers: count(),
  /** The share of the majority rating, 0.5..1: 1 when everyone agreed. */
  agreement: z.number(),
  /** Thumbs-up and thumbs-down both given. */
  disagreement: z.boolean(),
  reasons: z.array(z.object({ reason: z.string(), count: count() })),
});
export type CaseAgreement = z.infer<typeof CaseAgreementSchema>;

/** `GET /api/stats`: per model version, and per review-set case. */
export const FeedbackStatsSchema = z.object({
  total: count(),
  /** Review-set cases that got feedback: disagreements first, then the most thumbs-down. */
  cases: z.optional(z.array(CaseAgreementSchema)),
  versions: z.array(z.object({
    model: z.string(),
    modelVersion: z.string(),
    count: count(),
    up: count(),
    down: count(),
    /** up / count, 0..1. */
    upShare: z.number(),
    /** The most frequent (predicted, expected) pairs among feedback that names an expected answer. */
    topCorrections: z.array(z.object({ predicted: z.string(), expected: z.string(), count: count() })),
    /** How often each reason was given with a thumbs-down, most frequent first. */
    reasons: z.optional(z.array(z.object({ reason: z.string(), count: count() }))),
  })),
});
export type FeedbackStats = z.infer<typeof FeedbackStatsSchema>;

/** For `parseJsonLines`: keeps the lines that are valid feedback records (a follower's, an export's). */
export const FEEDBACK_RECORD_LINES = { what: 'a valid feedback record', safeParse: (value: unknown) => FeedbackRecordSchema.safeParse(value) };
