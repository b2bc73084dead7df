import type * as http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { clientKey, isLoopback } from './rate-limits';
import { refuseBeforeRouting } from './refuse-before-routing';

/** Open connections allowed; 0 turns a limit off. */
export interface ConnectionLimitSettings {
  /** Per client (who a client is: see `clientKey`). */
  perClient: number;
  /** In all: behind a tunnel that adds no X-Forwarded-For every visitor is one client, and only this limit applies. */
  total: number;
}

/**
 * A browser keeps at most 6 connections to a host (and closes idle ones when the server's 5 s keep-alive ends), so 64
 * leaves room for an office behind one address or a program with a connection pool, while one client cannot hold
 * the whole server; 512 in all stays far below the open-file limit.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimitSettings = { perClient: 64, total: 512 };

/** A connection opened over a limit gets this long to send its request and be told so (503), then it is cut. */
const OVER_LIMIT_GRACE_MS = 2_000;
/** Beyond this many times the total, a new connection is cut at once: no answer is worth holding it. */
const HARD_LIMIT_FACTOR = 2;
const RETRY_AFTER_SECONDS = 5;
/** The owner hears about a limit being hit at most this often. */
const WARNING_INTERVAL_MS = 60_000;

const STATE = Symbol('connection limits');
interface ConnectionState {
  /** Who the connection is counted for, once known. */
  client?: string;
  /** Its first request was seen (and let through, or refused). */
  checked: boolean;
  grace?: NodeJS.Timeout;
}
type Tracked = { [STATE]?: ConnectionState };

/**
 * Caps on open connections, per client and in all. Without them a client that opens connections and sends nothing
 * (or sends slowly) is held for the request timeout, as many times as it likes. A connection over a cap gets a 503
 * with Retry-After for its first request, and is cut if that request does not come within a short grace. A direct
 * client is known by its address from the start; one behind a tunnel (loopback) by the X-Forwarded-For of its first
 * request. The owner's requests (Authorization: Bearer <owner token>) are never refused: the extension keeps working
 * while a visitor floods the link.
 */
export class ConnectionLimits {
  private open = 0;
  private readonly perClient = new Map<string, number>();
  private lastWarningAt = -Infinity;

  constructor(
    private readonly settings: ConnectionLimitSettings,
    private readonly isOwner: (req: http.IncomingMessage) => boolean,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  get openConnections(): number {
    return this.open;
  }

  attach(server: http.Server): void {
    server.on('connection', (socket: Socket) => this.opened(socket));
    // A WebSocket upgrade is decided by the events socket (owner only); it is no longer waiting for a first request.
    server.on('upgrade', (_req: http.IncomingMessage, socket: Duplex) => this.firstRequestSeen(socket as Socket & Tracked));
  }

  /**
   * Called before each request is handled: true when it was answered here (503). After a connection's first request
   * this is one property read.
   */
  refused(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const state = this.firstRequestSeen(req.socket as Socket & Tracked);
    if (!state) return false;
    if (state.client === undefined) {
      const client = clientKey(req);
      if (client !== req.socket.remoteAddress) this.count(state, client); // loopback without X-Forwarded-For: no one in particular
    }
    const limit = this.exceeded(state);
    if (!limit || this.isOwner(req)) return false;
    this.warnOwner(limit);
    const error = limit === 'total'
      ? `the preview has too many open connections (the limit is ${this.settings.total}); try again in ${RETRY_AFTER_SECONDS} s`
      : `too many open connections from this client (the limit is ${this.settings.perClient}); close some, or try again in ${RETRY_AFTER_SECONDS} s`;
    refuseBeforeRouting(res, error, RETRY_AFTER_SECONDS);
    return true;
  }

  private opened(socket: Socket & Tracked): void {
    this.open++;
    const state: ConnectionState = { checked: false };
    socket[STATE] = state;
    socket.once('close', () => {
      this.open--;
      clearTimeout(state.grace);
      if (state.client !== undefined) this.release(state.client);
    });
    const peer = socket.remoteAddress;
    if (peer !== undefined && !isLoopback(peer)) this.count(state, peer);
    const limit = this.exceeded(state);
    if (!limit) return;
    this.warnOwner(limit);
    if (this.settings.total > 0 && this.open > HARD_LIMIT_FACTOR * this.settings.total) return void socket.destroy();
    state.grace = setTimeout(() => socket.destroy(), OVER_LIMIT_GRACE_MS);
    state.grace.unref();
  }

  /** Marks the connection's first request as seen; undefined when it was seen before (or the socket is not tracked). */
  private firstRequestSeen(socket: Socket & Tracked): ConnectionState | undefined {
    const state = socket[STATE];
    if (!state || state.checked) return undefined;
    state.checked = true;
    clearTimeout(state.grace);
    return state;
  }

  private exceeded(state: ConnectionState): 'total' | 'client' | undefined {
    const { total, perClient } = this.settings;
    if (total > 0 && this.open > total) return 'total';
    if (perClient > 0 && state.client !== undefined && this.perClient.get(state.client)! > perClient) return 'client';
    return undefined;
  }

  private count(state: ConnectionState, client: string): void {
    state.client = client;
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1);
  }

  private release(client: string): void {
    const left = this.perClient.get(client)! - 1;
    if (left === 0) this.perClient.delete(client);
    else this.perClient.set(client, left);
  }

  private warnOwner(limit: 'total' | 'client'): void {
    const now = performance.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = now;
    this.warn(limit === 'total'
      ? `${this.open} connections are open, over the limit of ${this.settings.total}: new ones are refused (503) until some close (--max-connections)`
      : `a client holds more than ${this.settings.perClient} open connections: its new ones are refused (503) (--max-connections-per-client)`);
  }
}
