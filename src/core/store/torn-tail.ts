import { open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';

const CHUNK = 64 * 1024;

/** The length of the file's complete lines: up to and including its last newline (0 when it has none). */
export async function completeLength(handle: FileHandle, size: number): Promise<number> {
  const buffer = Buffer.alloc(Math.min(CHUNK, size));
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - buffer.length);
    const { bytesRead } = await handle.read(buffer, 0, end - start, start);
    const newline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}

/**
 * A JSON Lines file whose last line was torn (power loss, a full disk, a crash in the middle of a write) ends in bytes
 * after its last newline. Appending after them would leave a broken line in the middle of the file for good, and
 * `pandas.read_json(path, lines=True)` refuses the whole file. So at start those bytes are moved to
 * `<file>.torn-<time>` (they were never acknowledged: a record is acknowledged only once its whole line is on disk)
 * and the file is cut back to its last complete line. Says what it did through `warn`, once.
 */
export async function setAsideTornTail(file: string, warn: (message: string) => void): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r+');
  } catch (err) {
    // A read-only folder is not a reason to refuse to start: the reader skips a torn line, and writes will say why.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`could not check ${path.basename(file)} for a torn last line: ${(err as Error).message}`);
    return;
  }
  try {
    const { size } = await handle.stat();
    const complete = await completeLength(handle, size);
    if (complete === size) return;
    const tail = Buffer.alloc(size - complete);
    await handle.read(tail, 0, tail.length, complete);
    const aside = `${file}.torn-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    // Kept if the disk lets us (it may be the full disk that tore the line); cut off from the file either way.
    const kept = await writeFile(aside, tail, { flag: 'wx' }).then(() => undefined, async (err: NodeJS.ErrnoException) => {
      await rm(aside, { force: true }).catch(() => undefined);
      return err.code ?? err.message;
    });
    await handle.truncate(complete);
    await handle.sync();
    const what = `${path.basename(file)} ended with a torn line (${tail.length} bytes of an interrupted write, never acknowledged)`;
    warn(kept === undefined
      ? `${what}: moved to ${path.basename(aside)} and cut off, so the file stays readable by pandas; every complete record is kept`
      : `${what}: cut off (they could not be kept beside it: ${kept}), so the file stays readable by pandas; every complete record is kept`);
  } catch (err) {
    warn(`could not check ${path.basename(file)} for a torn last line: ${(err as Error).message}`);
  } finally {
    await handle.close();
  }
}
