import { PreviewStartError, START_CANCELLED } from './preview-start-error';

/**
 * The first of: what `setup` settles, its timeout error after `ms`, or the abort. `setup` wires the outcomes and
 * returns the error to reject with on timeout. Timer and abort listener are removed whatever wins. Rejections are
 * PreviewStartErrors (their `lastStderr` filled in by the caller's `asStartError`).
 */
export function untilFirst<T>(
  ms: number,
  signal: AbortSignal | undefined,
  setup: (settle: { resolve(value: T): void; reject(err: Error): void }) => () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (action: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = () => finish(() => reject(new PreviewStartError(START_CANCELLED, [], { cause: signal?.reason })));
    const timeoutError = setup({ resolve: (v) => finish(() => resolve(v)), reject: (e) => finish(() => reject(e)) });
    const timer = setTimeout(() => finish(() => reject(timeoutError())), ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
