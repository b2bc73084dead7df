import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StreamMessage, StreamedEvent } from '../../shared/events';
import type { EventHub } from '../events/event-hub';
import type { AccessControl } from './access';

export interface EventsSocketOptions {
  hub: EventHub;
  access: AccessControl;
  /** Ping every this often; a client that has not answered the previous ping is cut off. */
  heartbeatMs?: number;
}

const PATH = '/api/events';

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ error: reason })}`);
}

/**
 * `GET /api/events`: the preview's events over a WebSocket on the same port as everything else (one port to tunnel).
 * Owner token only (Authorization header); a browser Origin other than the server's own is refused, so a page on
 * another site cannot open it with the owner's cookies. Clients send nothing: the server ignores what they send.
 */
export function attachEventsSocket(server: http.Server, options: EventsSocketOptions): { close(): Promise<void> } {
  const { hub, access } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const alive = new WeakMap<WebSocket, boolean>();

  let closing = false;
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closing) return refuse(socket, 503, 'Service Unavailable');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== PATH) return refuse(socket, 404, 'Not Found');
    if (access.levelOfCredentials(req.headers.authorization, undefined) !== 'owner') return refuse(socket, 401, 'Unauthorized');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) {
      return refuse(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => subscribe(ws, url.searchParams));
  });

  function subscribe(ws: WebSocket, params: URLSearchParams): void {
    const send = (message: StreamMessage) => ws.send(JSON.stringify(message));
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    send({ event: 'hello', epoch: hub.epoch, lastId: hub.latestId });
    const since = Number(params.get('since'));
    if (params.has('since') && Number.isSafeInteger(since) && since >= 0) {
      const missed = params.get('epoch') === hub.epoch ? hub.since(since) : undefined;
      if (missed) missed.forEach(send);
      else send({ event: 'reset', reason: params.get('epoch') === hub.epoch ? 'those events are no longer held' : 'the server restarted since' });
    }
    const forward = (e: StreamedEvent) => send(e);
    hub.on('event', forward);
    ws.on('close', () => hub.off('event', forward));
  }

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    /** Says goodbye with 1001 (going away), then cuts off whoever has not closed within a second. */
    close: () => new Promise<void>((resolve) => {
      closing = true;
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(1001, 'the preview is stopping');
      const deadline = setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), 1_000);
      const check = setInterval(() => {
        if (wss.clients.size > 0) return;
        clearInterval(check);
        clearTimeout(deadline);
        wss.close(() => resolve());
      }, 10);
    }),
  };
}
