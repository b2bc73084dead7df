import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * Frees the memory of a model's bytes that nothing holds any more, now: a full garbage collection. A model file is
 * read into large buffers (the file, each worker's copy for onnxruntime) that are garbage once its session exists, but
 * an idle thread never collects them: a 100 MB model kept ~300 MB of such garbage resident (bench model-memory). Called
 * after a model version loads or unloads, which is rare and already costs far more than one collection.
 */
export function releaseModelMemory(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
