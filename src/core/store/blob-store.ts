import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { BLOB_REF } from '../../shared/feedback-record';
import { asStorageError } from './storage-error';

/** A blob made ready elsewhere (an inference worker): its bytes and their reference, `blobRef(bytes)`. */
export interface PreparedBlob {
  ref: string;
  bytes: Uint8Array;
}

/** The reference of a blob's text (its UTF-8 bytes): `blobs/<sha256 of them>.json`. */
export const blobRef = (text: string | Uint8Array): string => `blobs/${createHash('sha256').update(text).digest('hex')}.json`;

/**
 * Large values (an image tensor) stored once under `<data-dir>/blobs/<sha256>.json` and referenced from records by
 * that relative path, so a picture tried ten times and commented on twice is on disk once.
 */
export class BlobStore {
  private readonly written = new Set<string>();

  constructor(private readonly dataDir: string) {}

  /**
   * Stores the JSON text and returns its reference, e.g. `blobs/3fa2….json`. `ref`: the text's reference when the
   * caller worked it out already (`blobRef`, in the worker that made the text), so it is not hashed twice.
   */
  async put(json: string | Uint8Array, ref = blobRef(json)): Promise<string> {
    if (!BLOB_REF.test(ref)) throw new Error(`${JSON.stringify(ref)} is not a blob reference (blobs/<sha256>.json)`);
    if (!this.written.has(ref)) {
      const file = path.join(this.dataDir, ref);
      // Written whole or not at all, and on disk before the record that refers to it: a temporary file, fsync'd,
      // renamed into place. Once per blob per run (a crash may have left a partial file from an earlier run).
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await mkdir(path.dirname(file), { recursive: true });
        const handle = await open(temporary, 'w');
        try {
          await handle.writeFile(json);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, file);
      } catch (err) {
        await rm(temporary, { force: true }).catch(() => undefined); // a full disk gets back what the partial file held
        throw asStorageError(err, file);
      }
      this.written.add(ref);
    }
    return ref;
  }

  /** The data a reference names (`blobs/<sha256>.json`, as `put` returned it); throws when it is not one or is gone. */
  async read(ref: string): Promise<unknown[]> {
    // What `put` returns: the only references followed (a record cannot point outside the blobs folder).
    if (!BLOB_REF.test(ref)) throw new Error(`${JSON.stringify(ref)} is not a blob reference (blobs/<sha256>.json)`);
    const file = path.join(this.dataDir, ref);
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    if (!Array.isArray(data)) throw new Error(`${file} does not hold a tensor's data (a JSON array)`);
    return data;
  }
}
