import { mkdir, open, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { asStorageError } from './storage-error';
import { completeLength } from './torn-tail';

interface Pending {
  text: string;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * An append-only JSON Lines file (readable with `pandas.read_json(path, lines=True)`). Appends are queued and written
 * by one writer, whole lines at a time, so concurrent appends never interleave or tear. Lines that arrive while a
 * write is under way go out together in the next write (group commit): with `fsync` on, each batch is fsync'd once
 * and every append's promise resolves only after its line is on disk.
 *
 * A write that fails (a full disk) is cut off at once: the file is truncated back to its last complete line, so the
 * next append starts a line of its own and the file stays readable by pandas. The batch's appends reject with a
 * StorageError for the known conditions (disk full, quota, read-only, I/O error), else with the OS error.
 */
export class JsonlAppendLog {
  private handle?: Promise<FileHandle>;
  private pending: Pending[] = [];
  private writing = false;
  private closed = false;
  /** The file's length up to its last complete line, as this writer knows it. */
  private size = 0;

  constructor(readonly file: string, private readonly options: { fsync: boolean }) {}

  /** Appends one record (a value to serialise, or an already serialised JSON text without its newline). */
  append(record: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.file} is closed`));
    const text = typeof record === 'string' ? record : JSON.stringify(record);
    if (typeof text !== 'string') return Promise.reject(new Error(`cannot append ${typeof record} to ${this.file}: not JSON`));
    if (text.includes('\n')) return Promise.reject(new Error('a JSON Lines record cannot contain a raw newline'));
    return new Promise((resolve, reject) => {
      this.pending.push({ text: text + '\n', resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Waits for queued appends, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.pending.length > 0) await new Promise((r) => setImmediate(r));
    if (this.handle) await (await this.handle).close();
  }

  private fileHandle(): Promise<FileHandle> {
    if (!this.handle) {
      this.handle = this.openFile();
      // A failed open (EMFILE, a folder deleted under us) is retried by the next append instead of failing forever.
      this.handle.catch(() => (this.handle = undefined));
    }
    return this.handle;
  }

  private async openFile(): Promise<FileHandle> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const handle = await open(this.file, 'a+');
    try {
      const { size } = await handle.stat();
      this.size = await completeLength(handle, size);
      // Bytes after the last newline here are from a write of this run that failed and could not be cut off then.
      if (this.size < size) await handle.truncate(this.size);
      return handle;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  /** After a failed write: back to the last complete line, or, if even that fails, reopen (and cut) next time. */
  private async cutBack(): Promise<void> {
    const opened = this.handle;
    if (!opened) return;
    try {
      await (await opened).truncate(this.size);
    } catch {
      if (this.handle === opened) this.handle = undefined;
      void opened.then((h) => h.close()).catch(() => undefined);
    }
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const handle = await this.fileHandle();
        const bytes = Buffer.from(batch.map((p) => p.text).join(''));
        await handle.appendFile(bytes); // writes it all, looping over short writes
        if (this.options.fsync) await handle.sync();
        this.size += bytes.length;
        for (const p of batch) p.resolve();
      } catch (err) {
        // Part of the batch may be in the file (a short write before ENOSPC, or written but not fsync'd): none of it
        // was acknowledged, so all of it goes before anything else is appended.
        await this.cutBack();
        const failure = asStorageError(err, this.file) as Error;
        for (const p of batch) p.reject(failure);
      }
    }
    this.writing = false;
  }
}
