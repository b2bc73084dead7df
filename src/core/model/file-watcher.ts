import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

/**
 * Calls back when a group of files has been written and gone quiet. A notebook's export may truncate, write in
 * pieces, or write a temporary file and rename it over the old one; watching the folders (not the files) survives the
 * rename, and waiting until every file of the group has been quiet for `quietMs` avoids loading a half-written model.
 * A model with external data is one group (`model.onnx` + its data files): a re-export that rewrites both is seen
 * once, after the last write.
 */
export class FileWatcher {
  private readonly watchers: FSWatcher[] = [];
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(groups: string[][], onChange: (group: number) => void, onError: (err: Error) => void, quietMs = 200) {
    const groupOf = new Map<string, number>();
    groups.forEach((files, group) => files.forEach((f) => groupOf.set(path.resolve(f), group)));
    for (const dir of new Set([...groupOf.keys()].map((f) => path.dirname(f)))) {
      const watcher = watch(dir, { persistent: false }, (_type, name) => {
        const group = name ? groupOf.get(path.join(dir, name.toString())) : undefined;
        if (group === undefined) return;
        clearTimeout(this.timers.get(group));
        this.timers.set(group, setTimeout(() => {
          this.timers.delete(group);
          onChange(group);
        }, quietMs));
      });
      watcher.on('error', onError);
      this.watchers.push(watcher);
    }
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const w of this.watchers) w.close();
  }
}
