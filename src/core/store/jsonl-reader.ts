import { readFile } from 'node:fs/promises';
import { parseJsonLines } from '../../shared/json-lines';

/**
 * Reads a JSON Lines file written by JsonlAppendLog (see `parseJsonLines` for what is skipped and said). A missing
 * file reads as empty.
 */
export async function readJsonl<T>(file: string, warn: (message: string) => void): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseJsonLines<T>(text, { source: file, warn });
}
