import { access, stat } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * A data folder (`--data-dir`) that cannot be used: the message names the flag, the folder, what is wrong with it and
 * what to do. The CLI exits with 2 ("cannot serve"), not 1 (a usage error).
 */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/** `dir` as the user gave it, and where that is when it is relative. */
function named(dir: string): string {
  return path.isAbsolute(dir) ? dir : `${dir} (${path.resolve(dir)})`;
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The first part of `file`'s path that exists and is not a folder (what made an open or mkdir fail with ENOTDIR). */
async function fileInTheWay(file: string): Promise<string | undefined> {
  for (let at = path.resolve(file); at !== path.dirname(at); at = path.dirname(at)) {
    const found = await stat(at).catch(() => undefined);
    if (found) return found.isDirectory() ? undefined : at;
  }
  return undefined;
}

/**
 * The file-system error `err`, met while reading or writing the data folder `dataDir`, as a DataDirError that says
 * what to do; undefined when `err` is about some other file (the model, a key) or is not a file-system error.
 */
export async function dataDirProblem(err: unknown, dataDir: string): Promise<DataDirError | undefined> {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string' || typeof e.path !== 'string') return undefined;
  const dir = path.resolve(dataDir);
  const file = path.resolve(e.path);
  // Also an ancestor: a recursive mkdir fails on the first folder it cannot make.
  if (!isInside(file, dir) && !isInside(dir, file)) return undefined;
  const start = `--data-dir ${named(dataDir)}`;
  const choose = 'choose another folder with --data-dir';
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return new DataDirError(`${start}: permission denied writing ${file} — give your user write access there, or ${choose}`);
    case 'ENOTDIR':
    case 'EEXIST': {
      const blocker = (await fileInTheWay(file)) ?? file;
      return new DataDirError(`${start}: ${blocker} is a file, not a folder — give --data-dir a folder (it is made if it does not exist)`);
    }
    case 'EISDIR':
      return new DataDirError(`${start}: ${file} is a folder where a file belongs — move it away, or ${choose}`);
    case 'EROFS':
      return new DataDirError(`${start}: ${file} is on a read-only file system — ${choose}`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new DataDirError(`${start}: no space left on the disk holding ${dir} — free some space, or ${choose}`);
    default:
      return new DataDirError(`${start}: cannot use ${file}: ${e.message}`);
  }
}

/** Runs `work`, turning a data-folder file-system error into a DataDirError. */
export async function usingDataDir<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw (await dataDirProblem(err, dataDir)) ?? err;
  }
}

const exists = (file: string) => access(file).then(() => true, () => false);

/**
 * For commands that act on an existing preview's folder (`rotate-link`, `feedback`): a folder with none of `files` is
 * almost always a typo, and acting on it would miss the real preview silently. Throws a DataDirError saying so.
 */
export async function requirePreviewFolder(dataDir: string, files: string[], remedy: string): Promise<void> {
  const dir = path.resolve(dataDir);
  const what = `--data-dir ${named(dataDir)}`;
  const found = await stat(dir).catch(() => undefined);
  if (!found) throw new DataDirError(`${what} does not exist — give the folder \`model-preview serve\` writes to (its --data-dir, default .model-preview)${remedy}`);
  if (!found.isDirectory()) throw new DataDirError(`${what} is a file, not a preview's data folder`);
  for (const file of files) if (await exists(path.join(dir, file))) return;
  throw new DataDirError(`${what} holds no preview (no ${files.join(' or ')}) — give the folder \`model-preview serve\` writes to (its --data-dir, default .model-preview)${remedy}`);
}
