import * as path from 'node:path';
import type { StorageEvent } from '../../shared/events';
import { StorageError } from './storage-error';

/**
 * Whether the data folder can be written, told to the owner once per episode: `failing` at the first write that the
 * disk refuses, `recovered` at the first write that succeeds once the refusals have stopped for a few seconds. (Near a
 * full disk a short line may fit where a long one does not; without that quiet time the owner would hear "full",
 * "fine", "full" for every other request.) Recovery needs nothing from anyone: every new write tries the disk again.
 */
export class StorageHealth {
  private failingSince?: number;
  private lastFailureAt = 0;
  /** The data folder of the file that failed, named when it recovers. */
  private folder = '';

  constructor(private readonly publish: (event: StorageEvent) => void, private readonly quietMs = 5_000, private readonly now = Date.now) {}

  get failing(): boolean {
    return this.failingSince !== undefined;
  }

  /** Runs one write and notes how it went; its result or error passes through unchanged. */
  async track<T>(write: Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await write;
    } catch (err) {
      if (err instanceof StorageError) this.failed(err);
      throw err;
    }
    if (this.failingSince !== undefined && this.now() - this.lastFailureAt >= this.quietMs) {
      this.failingSince = undefined;
      this.publish({ event: 'storage', state: 'recovered', path: this.folder, message: `the data folder ${this.folder} can be written again: predictions and feedback are saved as before` });
    }
    return value;
  }

  private failed(err: StorageError): void {
    this.lastFailureAt = this.now();
    if (this.failingSince !== undefined) return;
    this.failingSince = this.lastFailureAt;
    // blobs/<hash>.json sits one level down: name the data folder itself.
    this.folder = path.basename(path.dirname(err.file)) === 'blobs' ? path.dirname(path.dirname(err.file)) : path.dirname(err.file);
    this.publish({ event: 'storage', state: 'failing', code: err.code, path: err.file, message: err.ownerMessage });
  }
}
