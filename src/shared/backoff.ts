/** Delays between retries: the first is `initialMs`, each next one twice the last, never more than `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/**
 * The delay before retry number `retry` (0 for the first). Pure, for every retry loop of the project (the events
 * socket, the tunnel keeper, the page's card loading and feedback queue), so they all back off alike. The exponent is
 * capped, so no count of failures overflows to Infinity (or NaN with `initialMs` 0).
 */
export function backoffDelay(retry: number, { initialMs, maxMs }: Backoff): number {
  return Math.min(initialMs * 2 ** Math.min(Math.max(0, retry), 30), maxMs);
}
