import * as z from 'zod/mini';
import { count } from './wire';
import { REVIEW_PROGRESS_NAME_LENGTH } from './review-set-rules';

export { CASE_TEXT_INPUT, caseKey, reviewCaseBody, REVIEW_LIMITS, REVIEW_PROGRESS_NAME_LENGTH, reviewFileFormat, reviewLink, reviewSetNameProblem, reviewSetOfHash } from './review-set-rules';

/**
 * Review sets: cases the data scientist asks stakeholders to look at. One case is
 * `{"id"?: string, "inputs": {<input>: <data as for /api/predict>}, "expected"?: ..., "tags"?: [string]}`; what the
 * page and the owner get back is typed here (zod/mini: the extension bundles these too).
 */

/** One case as stored and served (`id` always set: the file's, or the line/row number). */
export const ReviewCaseSchema = z.object({
  id: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  expected: z.optional(z.string()),
  tags: z.optional(z.array(z.string())),
});
export type ReviewCase = z.infer<typeof ReviewCaseSchema>;

/** `GET /api/review-sets`: the sets and how many cases each holds. */
export const ReviewSetListSchema = z.object({
  /** `problem`: the served model cannot answer the set's cases (why); the page does not offer it. */
  sets: z.array(z.object({ name: z.string(), cases: count(), addedAt: z.string(), problem: z.optional(z.string()) })),
});
export type ReviewSetList = z.infer<typeof ReviewSetListSchema>;

/** `GET /api/review-sets/<name>/cases?offset&limit`: a page of cases (the page asks for one at a time). */
export const ReviewCasePageSchema = z.object({
  name: z.string(),
  total: count(),
  offset: count(),
  cases: z.array(ReviewCaseSchema),
});
export type ReviewCasePage = z.infer<typeof ReviewCasePageSchema>;

const reviewerName = () => z.string().check(z.trim(), z.minLength(1), z.maxLength(REVIEW_PROGRESS_NAME_LENGTH));

/**
 * `PUT /api/review-sets/<name>/progress`: where a reviewer is in a set (`position`: the index of the case they are
 * on; the set's size when they finished). An invited reviewer's place is kept under their invite; anyone else names
 * themselves (`reviewer`, the name they type on the page).
 */
export const ReviewProgressUpdateSchema = z.strictObject({ position: count(), reviewer: z.optional(reviewerName()) });
export type ReviewProgressUpdate = z.infer<typeof ReviewProgressUpdateSchema>;

/**
 * `POST /api/review-sets/<name>/open`: a review link's first case in one request, at the reviewer's place (kept under
 * their invite, else under `reviewer`, the name they typed; else `offset`, the place this browser kept), with the
 * model's answer for it made as `/api/predict` makes it. The answer is a case page plus `answer`, the prediction
 * (absent past the set's end).
 */
export const ReviewOpenRequestSchema = z.strictObject({ offset: count(), reviewer: z.optional(reviewerName()) });
export type ReviewOpenRequest = z.infer<typeof ReviewOpenRequestSchema>;

/** `GET`/`PUT /api/review-sets/<name>/progress`: the reviewer's place, `null` before they saved one. */
export const ReviewProgressSchema = z.object({ position: z.nullable(count()) });
export type ReviewProgress = z.infer<typeof ReviewProgressSchema>;

/** One line of `review-progress.jsonl` in the data folder: the latest line for a set and reviewer is their place. */
export const ReviewProgressLineSchema = z.object({
  ts: z.string(), reviewSet: z.string(), reviewer: z.string(), verified: z.boolean(), position: count(),
});
export type ReviewProgressLine = z.infer<typeof ReviewProgressLineSchema>;
