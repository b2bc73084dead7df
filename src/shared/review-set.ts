import * as z from 'zod/mini';
import { count } from './wire';

/**
 * Review sets: cases the data scientist asks stakeholders to look at. One case is
 * `{"id"?: string, "inputs": {<input>: <data as for /api/predict>}, "expected"?: ..., "tags"?: [string]}`; what the
 * page and the owner get back is typed here (zod/mini: the extension bundles these too).
 */

/** Limits of one review file: beyond them it is refused whole (nothing is stored). */
export const REVIEW_LIMITS = { bytes: 20 * 1024 * 1024, cases: 50_000, idLength: 200, tags: 20, tagLength: 100, nameLength: 64 } as const;

/** A review set's name: letters, digits, `.`, `_`, `-` and spaces; it names the set's file in the data folder. */
export function reviewSetNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(name)) return `a review set's name is letters, digits, spaces, ".", "_" and "-", starting with a letter or digit, not ${JSON.stringify(name)}`;
  if (name.length > REVIEW_LIMITS.nameLength) return `a review set's name must be at most ${REVIEW_LIMITS.nameLength} characters`;
  return null;
}

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

/** A case's id as feedback names it: the set and the case id, so two sets may both have a case "1". */
export const caseKey = (set: string, id: string): string => `${set}/${id}`;

/** A review file's format by its name's extension: .jsonl (or .ndjson) or .csv; throws naming what it is otherwise. */
export function reviewFileFormat(fileName: string): 'jsonl' | 'csv' {
  const ext = /(\.[^./\\]+)$/.exec(fileName)?.[1].toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new Error(`${fileName}: a review file is .jsonl (one case per line) or .csv (one case per row), not ${ext ?? 'a file without an extension'}`);
}

/**
 * The page's address of a review set: the share link with `#review=<name>`, which opens its Review mode. A fragment
 * outlives the page's redirect that trades the link's token for a cookie, and never reaches the server or a log.
 */
export const reviewLink = (shareUrl: string, set: string): string => `${shareUrl.split('#')[0]}#review=${encodeURIComponent(set)}`;

/** The review set a page address's fragment names (`#review=<name>`), if any. */
export function reviewSetOfHash(hash: string): string | undefined {
  const m = /^#review=(.+)$/.exec(hash);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

/** The longest name a reviewer's place in a set is kept under (the same as feedback's reviewer name). */
export const REVIEW_PROGRESS_NAME_LENGTH = 100;
const reviewerName = () => z.string().check(z.trim(), z.minLength(1), z.maxLength(REVIEW_PROGRESS_NAME_LENGTH));

/**
 * `PUT /api/review-sets/<name>/progress`: where a reviewer is in a set (`position`: the index of the case they are
 * on; the set's size when they finished). An invited reviewer's place is kept under their invite; anyone else names
 * themselves (`reviewer`, the name they type on the page).
 */
export const ReviewProgressUpdateSchema = z.strictObject({ position: count(), reviewer: z.optional(reviewerName()) });
export type ReviewProgressUpdate = z.infer<typeof ReviewProgressUpdateSchema>;

/** `GET`/`PUT /api/review-sets/<name>/progress`: the reviewer's place, `null` before they saved one. */
export const ReviewProgressSchema = z.object({ position: z.nullable(count()) });
export type ReviewProgress = z.infer<typeof ReviewProgressSchema>;

/** One line of `review-progress.jsonl` in the data folder: the latest line for a set and reviewer is their place. */
export const ReviewProgressLineSchema = z.object({
  ts: z.string(), reviewSet: z.string(), reviewer: z.string(), verified: z.boolean(), position: count(),
});
export type ReviewProgressLine = z.infer<typeof ReviewProgressLineSchema>;

/**
 * A review case's input that holds the text for a model that reads text through its tokenizer (`{"text": "..."}`, as
 * `/api/predict` takes it): it stands for the token inputs the tokenizer fills. A model input of that very name wins.
 */
export const CASE_TEXT_INPUT = 'text';
