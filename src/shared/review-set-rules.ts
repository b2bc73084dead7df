import type { ModelCard } from './model-card';

/**
 * Review sets' limits, names, links and case keys, without the schemas: the try-it page (src/page/) needs these and no
 * zod, whose schema objects cost the page's script its start-up time (review-set.ts builds the schemas and re-exports
 * these).
 */

/** Limits of one review file: beyond them it is refused whole (nothing is stored). */
export const REVIEW_LIMITS = { bytes: 20 * 1024 * 1024, cases: 50_000, idLength: 200, tags: 20, tagLength: 100, nameLength: 64 } as const;

/** A review set's name: letters, digits, `.`, `_`, `-` and spaces; it names the set's file in the data folder. */
export function reviewSetNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(name)) return `a review set's name is letters, digits, spaces, ".", "_" and "-", starting with a letter or digit, not ${JSON.stringify(name)}`;
  if (name.length > REVIEW_LIMITS.nameLength) return `a review set's name must be at most ${REVIEW_LIMITS.nameLength} characters`;
  return null;
}

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

/**
 * A review case's input that holds the text for a model that reads text through its tokenizer (`{"text": "..."}`, as
 * `/api/predict` takes it): it stands for the token inputs the tokenizer fills. A model input of that very name wins.
 */
export const CASE_TEXT_INPUT = 'text';

/**
 * The `/api/predict` body for a review case: a text model's text (`CASE_TEXT_INPUT`, when no model input has that
 * name) goes as the body's `"text"`, for the server to tokenize; anything else as the body's `"inputs"`. The page (a
 * case it shows) and the server (`POST /api/review-sets/<name>/open`) both ask for a case's answer this way.
 */
export function reviewCaseBody(card: Pick<ModelCard, 'text' | 'inputs'>, inputs: Record<string, unknown>): { inputs?: Record<string, unknown>; text?: string } {
  if (!card.text || !(CASE_TEXT_INPUT in inputs) || card.inputs.some((i) => i.name === CASE_TEXT_INPUT)) return { inputs };
  const { [CASE_TEXT_INPUT]: text, ...rest } = inputs;
  return { text: String(text), ...(Object.keys(rest).length > 0 ? { inputs: rest } : {}) };
}
