import type { ServerResponse } from 'node:http';
import { Router, type Request, type RequestHandler } from 'express';
import type { PreviewEvent } from '../../shared/events';
import { PAGE_EVENTS_PING_MS, type PageEventData, type PageEventName } from '../../shared/page-events';
import type { EventHub } from '../events/event-hub';
import type { AccessControl, AccessVerdict } from './access';
import { methodNotAllowed } from './routes/method-not-allowed';

/**
 * What of the preview's events a share visitor's page may hear, and in what words. A whitelist: anything not named
 * here — predictions, feedback, tunnel and storage news, the new link's URL in `share-link-changed` — never reaches a
 * visitor.
 */
export function pageEventOf(event: PreviewEvent): { name: PageEventName; data: PageEventData[PageEventName] } | undefined {
  switch (event.event) {
    case 'model-reloaded': return { name: 'card-changed', data: { modelVersion: event.modelVersion } };
    case 'sidecar-reloaded': return { name: 'card-changed', data: { modelVersion: '' } };
    case 'error': return event.source === 'sidecar' ? { name: 'card-changed', data: { modelVersion: '' } } : undefined;
    // A port change moves the server, not the token: a page still open on the old port cannot hear it anyway, and one
    // on the new port keeps working.
    case 'share-link-changed': return event.reason === 'port-changed' ? undefined : { name: 'link-ended', data: { reason: event.reason } };
    default: return undefined;
  }
}

/** Why a stream's link stopped letting it in, or undefined while it still does. */
function endedReason(verdict: AccessVerdict): PageEventData['link-ended']['reason'] | undefined {
  switch (verdict) {
    case 'share': case 'owner': case 'locked': return undefined;
    case 'expired': case 'invite-expired': return 'expired';
    case 'revoked': return 'revoked';
    case 'invite-only': return 'invite-only';
    default: return 'rotated';
  }
}

const frame = (name: PageEventName, data: PageEventData[PageEventName]): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** setTimeout's longest delay (about 24.8 days); a link that expires later is caught by the ping's check instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface PageEventsOptions {
  hub: EventHub;
  access: AccessControl;
  /** The version served now, for each stream's `hello`. */
  modelVersion(): string;
  pingMs?: number;
}

/**
 * `GET /api/page-events`: Server-Sent Events for the try-it page (see shared/page-events.ts). SSE rather than a
 * WebSocket: it is a plain long GET, so every tunnel that carries the page carries it (relays that do not upgrade
 * connections, proxies that strip `Upgrade`), the share cookie goes along by itself, and the page's CSP
 * (`connect-src 'self'`) already allows it. Each stream is one open connection, counted by the connection caps like any
 * other. A rotated or expired link ends its streams (the old token must not keep hearing), and `close()` — the server
 * stopping — tells every page before the port closes.
 */
export class PageEvents {
  /** Each open stream and what ends it once its credentials no longer let it in. */
  private readonly streams = new Map<ServerResponse, () => void>();
  private readonly pingMs: number;
  private closed = false;

  constructor(private readonly options: PageEventsOptions) {
    this.pingMs = options.pingMs ?? PAGE_EVENTS_PING_MS;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  routes(share: RequestHandler): Router {
    const router = Router();
    router.route('/api/page-events').get(share, (req, res) => {
      if (this.closed) return void res.status(503).json({ error: 'the preview is stopping' });
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        // no-transform: a compressing proxy would hold the events back; X-Accel-Buffering: nginx-style relays likewise.
        'Cache-Control': 'no-store, no-transform',
        'X-Accel-Buffering': 'no',
      });
      req.socket.setNoDelay(true);
      req.socket.setTimeout(0);
      this.open(req, res);
    }).all(methodNotAllowed);
    return router;
  }

  /** Tells every open page the server is stopping and ends the streams (before the HTTP server waits for them). */
  close(): void {
    this.closed = true;
    for (const res of this.streams.keys()) res.end(frame('stopping', {}));
    this.streams.clear();
  }

  /**
   * Ends every stream whose request would now be refused: an invite revoked or the share link turned off
   * (invite-only), which publish no event of their own. The session calls it after adopting the owner's change.
   */
  recheck(): void {
    for (const check of [...this.streams.values()]) check();
  }

  private open(req: Request, res: ServerResponse): void {
    const { hub, access } = this.options;
    const end = (last: string) => {
      if (!this.streams.delete(res)) return;
      res.end(last);
    };
    // A stream lives as long as a request with its credentials would be let in: an invited reviewer's by their invite
    // (a rotation of the share link is not theirs; their revoke is), a share link holder's by that link.
    const check = () => {
      const ended = endedReason(access.credentialsOf(req).verdict);
      if (ended) end(frame('link-ended', { reason: ended }));
    };
    this.streams.set(res, check);
    res.write(frame('hello', { modelVersion: this.options.modelVersion() }));
    const onEvent = (event: PreviewEvent) => {
      const visible = pageEventOf(event);
      if (!visible) return;
      if (visible.name === 'link-ended') check();
      else res.write(frame(visible.name, visible.data));
    };
    hub.on('event', onEvent);
    // The link may expire while the page is open: its stream ends then, as every other request starts to get 410.
    const ping = setInterval(() => {
      res.write(frame('ping', {}));
      check();
    }, this.pingMs);
    const expiresInMs = access.expiresAt === undefined ? undefined : access.expiresAt - Date.now();
    const expiry = expiresInMs === undefined || expiresInMs > MAX_TIMER_MS ? undefined : setTimeout(check, Math.max(0, expiresInMs) + 5);
    res.once('close', () => {
      this.streams.delete(res);
      hub.off('event', onEvent);
      clearInterval(ping);
      clearTimeout(expiry);
    });
  }
}
