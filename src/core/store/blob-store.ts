import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Large values (an image tensor) stored once under `<data-dir>/blobs/<sha256>.json` and referenced from records by
 * that relative path, so a picture tried ten times and commented on twice is on disk once.
 */
export class BlobStore {
  private readonly written = new Set<string>();

  constructor(private readonly dataDir: string) {}

  /** Stores the JSON text and returns its reference, e.g. `blobs/3fa2….json`. */
  async put(json: string): Promise<string> {
    const ref = `blobs/${createHash('sha256').update(json).digest('hex')}.json`;
    if (!this.written.has(ref)) {
      const file = path.join(this.dataDir, ref);
      await mkdir(path.dirname(file), { recursive: true });
      // 'wx': a blob with this name already holds exactly these bytes.
      await writeFile(file, json, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      this.written.add(ref);
    }
    return ref;
  }
}
