/**
 * A signal that aborts when `signal` does or `timeoutMs` after now, whichever comes first; call `done()` once the work
 * it bounds is over. Not `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: Node 20 holds the timeout signal inside
 * `any` only weakly, so a garbage collection before it fires means it never fires (nodejs/node#57736). An open against
 * a server that never answered then waited for undici's 300 s header timeout, and its socket kept the process alive.
 * Here the timer holds the controller it aborts.
 */
export function deadline(signal: AbortSignal, timeoutMs: number): { signal: AbortSignal; done(): void } {
  const bounded = new AbortController();
  const onAbort = () => bounded.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => bounded.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  timer.unref(); // like AbortSignal.timeout: the bound alone does not keep the process running
  return {
    signal: bounded.signal,
    done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}
