import { readFile } from 'node:fs/promises';
import { parseJsonLines, type JsonLinesOptions } from '../../shared/json-lines';

/**
 * Reads a JSON Lines file written by JsonlAppendLog (see `parseJsonLines` for what is skipped and said). A missing
 * file reads as empty. With `check`, only the lines that pass it are kept (the others are skipped with a warning).
 */
export async function readJsonl<T>(file: string, warn: (message: string) => void, check?: JsonLinesOptions<T>['check']): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseJsonLines<T>(text, { source: file, warn, check });
}
