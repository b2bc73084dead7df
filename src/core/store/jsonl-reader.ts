import { readFile } from 'node:fs/promises';
import { withoutBom } from '../text/without-bom';

/**
 * Reads a JSON Lines file written by JsonlAppendLog. A line that does not parse — typically the last one, torn by a
 * crash in the middle of a write — is skipped with a warning naming the file and line, and every other record loads.
 * A missing file reads as empty.
 */
export async function readJsonl<T>(file: string, warn: (message: string) => void): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const records: T[] = [];
  const lines = withoutBom(text).split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      const torn = i === lines.length - 1 && !text.endsWith('\n');
      warn(`${file}:${i + 1}: skipped ${torn ? 'a torn last line (an interrupted write)' : 'a line that is not valid JSON'}`);
    }
  });
  return records;
}
