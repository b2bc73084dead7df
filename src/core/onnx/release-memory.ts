import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8 shrinks a thread's young generation only in a collection that finds the thread allocating little over its last
 * ~5 s (its allocation-throughput window). A load grows it (measured: 7.5 MB resident on the HTTP thread, 4.6 MB in each
 * worker, nearly all empty) and an idle thread never collects again by itself, so one more collection comes once the
 * load is this far behind (measured: 32 MB of young generation back to 1 MB, where a collection 3 s after stayed at 32).
 */
export const SETTLED_COLLECTION_MS = 8_000;

let collect: (() => void) | undefined;
let settled: NodeJS.Timeout | undefined;

/**
 * Frees now what loading or unloading a model version left in JavaScript that nothing holds any more: a full garbage
 * collection. An idle thread never collects by itself, and garbage from a load (the decoded skeleton, a rewritten
 * model's bytes, what a released session's JavaScript side held) would otherwise stay resident until the next requests.
 * Called after a model version loads or unloads (in the worker and on the HTTP thread), which is rare and already
 * costs far more than two collections; a later call moves the settled one.
 */
export function releaseModelMemory(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  clearTimeout(settled);
  settled = setTimeout(collect, SETTLED_COLLECTION_MS).unref();
}
