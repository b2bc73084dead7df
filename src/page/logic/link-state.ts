import { backoffDelay, type Backoff } from '../../shared/backoff';

/**
 * What the page knows about its link, DOM-free (the PreviewLink in ../preview-link.ts acts on it):
 * - `stream`: the page event stream is open, changes arrive as they happen;
 * - `polling`: the server answers but the stream cannot be opened (a relay that does not carry it): the card is read
 *   every POLL_MS instead;
 * - `offline`: the server does not answer (or a relay answers for it, 502/503/504): checked again with backoff;
 * - `ended`: the link was rotated or expired (401/410): nothing more to try.
 */
export type LinkMode = 'connecting' | 'stream' | 'polling' | 'offline' | 'ended';

/** What the answer to a card request means for the link. `status` 0 is a network failure. */
export type ProbeResult = 'up' | 'down' | 'ended';

export function probeResultOf(status: number): ProbeResult {
  if (status >= 200 && status < 300) return 'up';
  // 401: rotated or never valid; 410: expired. Any other answer (a relay's 502/504, 503 while loading) is "not now".
  if (status === 401 || status === 410) return 'ended';
  return 'down';
}

/** Between checks of an offline link: 1 s, doubling, at most 15 s — quick to notice a restart, light on a dead link. */
export const OFFLINE_RETRY: Backoff = { initialMs: 1_000, maxMs: 15_000 };
/** The card is read this often when the event stream cannot be used. */
export const POLL_MS = 10_000;
/** The stream is given up as dead after this long without a message (the server pings every PAGE_EVENTS_PING_MS). */
export const stallAfterMs = (pingMs: number): number => 2 * pingMs + 5_000;
/** Failed opens of the stream (while the card answers) before the page polls instead. */
export const STREAM_ATTEMPTS = 2;

export const offlineDelay = (failures: number): number => backoffDelay(failures, OFFLINE_RETRY);

/** What a visitor is told while the preview does not answer: the open page's banner and the service worker's page. */
export const OFFLINE_TEXT = 'This preview is offline right now — your feedback is kept in this browser and sent when it is back.';
