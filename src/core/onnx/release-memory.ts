import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * Frees now what loading or unloading a model version left in JavaScript that nothing holds any more: a full garbage
 * collection. An idle thread never collects by itself, and garbage from a load (the decoded skeleton, a rewritten
 * model's bytes, what a released session's JavaScript side held) would otherwise stay resident until the next requests.
 * Called after a model version loads or unloads, which is rare and already costs far more than one collection.
 */
export function releaseModelMemory(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
