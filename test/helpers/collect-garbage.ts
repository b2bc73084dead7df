import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, now. Some bugs only show when a collection runs at the wrong moment (an object only
 * weakly held, such as an AbortSignal.timeout inside AbortSignal.any in Node 20): tests force one there.
 */
export const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
