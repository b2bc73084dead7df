import { mkdir, open, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';

interface Pending {
  text: string;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * A file whose last line was torn by a crash (no final newline) gets one before anything is appended, so the torn
 * line stays a line of its own (skipped when read) instead of swallowing the next record.
 */
async function endWithNewline(handle: FileHandle): Promise<FileHandle> {
  const { size } = await handle.stat();
  if (size === 0) return handle;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] !== 0x0a) await handle.write('\n');
  return handle;
}

/**
 * An append-only JSON Lines file (readable with `pandas.read_json(path, lines=True)`). Appends are queued and written
 * by one writer, whole lines at a time, so concurrent appends never interleave or tear. Lines that arrive while a
 * write is under way go out together in the next write (group commit): with `fsync` on, each batch is fsync'd once
 * and every append's promise resolves only after its line is on disk.
 */
export class JsonlAppendLog {
  private handle?: Promise<FileHandle>;
  private pending: Pending[] = [];
  private writing = false;
  private closed = false;

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
      this.handle = mkdir(path.dirname(this.file), { recursive: true }).then(() => open(this.file, 'a+')).then(endWithNewline);
      // A failed open (EMFILE, a folder deleted under us) is retried by the next append instead of failing forever.
      this.handle.catch(() => (this.handle = undefined));
    }
    return this.handle;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const handle = await this.fileHandle();
        await handle.appendFile(batch.map((p) => p.text).join('')); // writes it all, looping over short writes
        if (this.options.fsync) await handle.sync();
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err as Error);
        // A failed write (disk full) may have left part of a line: reopen next time, which ends that line first.
        const broken = this.handle;
        this.handle = undefined;
        void broken?.then((h) => h.close()).catch(() => undefined);
      }
    }
    this.writing = false;
  }
}
