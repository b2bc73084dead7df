/**
 * The share-scoped event stream of the try-it page: `GET /api/page-events` (Server-Sent Events, behind the share token
 * or cookie like the page). It carries only what a visitor's page needs to stay true — never predictions, feedback or
 * anything another visitor did, and never a token or the new link. Plain types (no zod): the page does not bundle zod,
 * and it reads each field defensively (page/logic/page-events.ts).
 *
 * Each message is an SSE `event:` name with a JSON `data:` line.
 */
export interface PageEventData {
  /** First on every stream: the model version the server serves now (the page compares it with the one it shows). */
  hello: { modelVersion: string };
  /** The model was re-exported (`modelVersion` is new) or its page settings changed: the page fetches the card again. */
  'card-changed': { modelVersion: string };
  /**
   * The link this page was opened with stopped working (rotated by the owner, or expired; for an invited reviewer's
   * link: revoked or expired; the share link turned off by invite-only mode); the stream ends.
   */
  'link-ended': { reason: 'rotated' | 'expired' | 'revoked' | 'invite-only' };
  /** The server is stopping; the stream ends. The page says the preview is offline and waits for it to come back. */
  stopping: Record<string, never>;
  /** Every `PAGE_EVENTS_PING_MS`: the page knows the stream is alive (a relay can hold a dead connection open). */
  ping: Record<string, never>;
}
export type PageEventName = keyof PageEventData;

export const PAGE_EVENT_NAMES: readonly PageEventName[] = ['hello', 'card-changed', 'link-ended', 'stopping', 'ping'];

/** How often the server pings; the page treats twice this plus a margin of silence as a dead stream. */
export const PAGE_EVENTS_PING_MS = 15_000;
