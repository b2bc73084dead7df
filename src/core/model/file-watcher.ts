import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

/**
 * Calls back when one of some files in a folder is written. A notebook's export may truncate, write in pieces, or
 * write a temporary file and rename it over the old one; watching the folder (not the file) survives the rename, and
 * waiting until the file has been quiet for `quietMs` avoids loading a half-written model.
 */
export class FileWatcher {
  private readonly watcher: FSWatcher;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(files: string[], onChange: (file: string) => void, onError: (err: Error) => void, quietMs = 200) {
    const dir = path.dirname(path.resolve(files[0]));
    const wanted = new Map(files.map((f) => [path.basename(f), path.resolve(f)]));
    this.watcher = watch(dir, { persistent: false }, (_type, name) => {
      const file = name ? wanted.get(name.toString()) : undefined;
      if (!file) return;
      clearTimeout(this.timers.get(file));
      this.timers.set(file, setTimeout(() => {
        this.timers.delete(file);
        onChange(file);
      }, quietMs));
    });
    this.watcher.on('error', onError);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.watcher.close();
  }
}
