import { withoutBom } from './without-bom';

/** A check a value must pass to be kept: a zod schema (its `safeParse`) fits. */
export interface LineCheck<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

export interface JsonLinesOptions<T> {
  /** Names the text in warnings: a file's path, or what an HTTP answer was ("the feedback export"). */
  source: string;
  warn(message: string): void;
  /** Keeps only the values that pass; any other line is skipped with a warning that says it is not `what`. */
  check?: LineCheck<T> & { what: string };
  /** The number of the text's first line, when it is a later part of a file (a follower's next read): default 1. */
  firstLine?: number;
}

/**
 * JSON Lines text (feedback.jsonl, predictions.jsonl, `GET /api/feedback?format=jsonl`) as the values of its lines.
 * Pure, no I/O: the store, the CLI and the extension each read the text their way and parse it here. Blank lines are
 * skipped; a line that does not parse, typically the last one torn by a crash in the middle of a write, is skipped
 * with a warning naming the source and the line, and every other line loads. A leading byte order mark (a file saved
 * by a Windows editor) is ignored.
 */
export function parseJsonLines<T = unknown>(text: string, options: JsonLinesOptions<T>): T[] {
  const { source, warn, check, firstLine = 1 } = options;
  const values: T[] = [];
  const lines = withoutBom(text).split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${source}:${firstLine + i}`;
    const value = parseJson(line);
    if (value === undefined) {
      const torn = i === lines.length - 1 && !text.endsWith('\n');
      return warn(`${where}: skipped ${torn ? 'a torn last line (an interrupted write)' : 'a line that is not valid JSON'}`);
    }
    if (!check) return void values.push(value as T);
    const checked = check.safeParse(value);
    if (checked.success) values.push(checked.data);
    else warn(`${where}: skipped a line that is not ${check.what}`);
  });
  return values;
}

/** JSON.parse that says "not JSON" with `undefined` instead of throwing (never a parsed value: JSON has no undefined). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
