import { EventEmitter } from 'node:events';
import WebSocket, { type RawData } from 'ws';
import { backoffDelay, type Backoff } from '../shared/backoff';
import type { StreamedEvent } from '../shared/events';
import { parseStreamMessage } from './server-messages';

export interface EventsClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:41234/` (the ready event's `localUrl`). */
  baseUrl: string;
  /** Sent in the Authorization header: the server takes the owner token nowhere else. */
  ownerToken: string;
  /**
   * The server run to follow from its first event (the `ready` line's `epoch`): the first connection then asks for
   * every event of that run, so those published while the server started, before any client could connect (a
   * replaced expired link, an invalid sidecar), arrive too. Without it, events start at the first `hello`.
   */
  epoch?: string;
  log(line: string): void;
  /** Delay before each reconnect: `initialMs`, doubling up to `maxMs` (default 250 ms to 5 s). */
  backoff?: Backoff;
  /**
   * Holds the events (and resets) that arrive until `release()`: for an owner that must finish starting before it
   * can listen, and may not miss what the server replays the moment the socket opens.
   */
  held?: boolean;
  /** A handshake that takes longer is given up and retried (default 5 s). */
  handshakeTimeoutMs?: number;
  /**
   * No ping from the server for this long means the connection is dead even if TCP has not noticed (a laptop that
   * slept): the socket is dropped and re-opened. The server pings every 30 s; default 75 s.
   */
  silenceTimeoutMs?: number;
}

/** What a `hello` said, and whether the connection resumed where the previous one stopped. */
export interface EventsConnected {
  epoch: string;
  /** The server's last event id when this connection opened. */
  lastId: number;
  /** True when missed events are replayed after this hello; false on the first connection or after a server restart. */
  resumed: boolean;
}

export interface EventsClientEvents {
  /** A preview event, each id at most once and in order. */
  event: [StreamedEvent];
  /** Events were missed and cannot be replayed: reload what is shown (`GET /api/feedback`). */
  reset: [reason: string];
  connected: [EventsConnected];
  disconnected: [reason: string];
}

const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 5_000 };

/**
 * The owner's side of `GET /api/events`: one WebSocket that stays open. The server says `hello {epoch, lastId}` first,
 * then (when asked with `?since=&epoch=`) replays what this client missed, then sends live events. When the connection
 * drops, the client reconnects with backoff and asks for everything after the last id it saw, so each event is
 * delivered once even across drops; when the server cannot replay (it restarted, or dropped old events) it says
 * `reset` and the client emits 'reset'.
 *
 * This is the one typed stream of a preview's events: the extension and the CLI listen to it directly.
 *
 * Errors are logged, never emitted as 'error' (an unhandled 'error' would throw in the extension host).
 */
export class EventsClient extends EventEmitter<EventsClientEvents> {
  private current?: WebSocket;
  private epoch?: string;
  private lastId = 0;
  /** `lastId` of the current connection's hello: where live events start after a `reset`. */
  private helloLastId = 0;
  private helloSeen = false;
  /** Whether a hello ever arrived: the next connection is a reconnect. */
  private everConnected = false;
  private failures = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private silenceTimer?: NodeJS.Timeout;
  private closing?: Promise<void>;
  /** Why the last connection failed or dropped. */
  private lastFailure = '';
  /** While held: what arrived, in order, for `release()`. */
  private held?: Array<() => void>;

  constructor(private readonly options: EventsClientOptions) {
    super();
    this.epoch = options.epoch; // with lastId 0: the first connection asks for everything since the run started
    if (options.held) this.held = [];
    this.open();
  }

  /**
   * Emits what was held, in order, each once, on the next turn of the event loop: a caller that attaches its
   * listeners right after an `await` that resolved with this client (promise continuations run first) misses nothing.
   * From then on events are emitted as they come. Idempotent; nothing to do for a client that was not held.
   */
  release(): void {
    if (!this.held) return;
    setImmediate(() => {
      const held = this.held ?? [];
      this.held = undefined;
      for (const emit of held) emit();
    });
  }

  /** Whether a connection is open and its hello has arrived. */
  get isConnected(): boolean {
    return this.current !== undefined && this.helloSeen;
  }

  /** The id of the last event delivered (0 before any). */
  get lastEventId(): number {
    return this.lastId;
  }

  /** Why the last connection attempt or connection failed, for error messages ("" when nothing failed yet). */
  get lastError(): string {
    return this.lastFailure;
  }

  /**
   * The current socket, if any. For diagnostics and tests: closing or terminating it from outside is a dropped
   * connection, and the client reconnects as it would after a network failure.
   */
  get socket(): WebSocket | undefined {
    return this.current;
  }

  /** Closes the connection and stops reconnecting. Idempotent; resolves when the socket is closed. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.silenceTimer);
    const ws = this.current;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    if (ws.readyState === WebSocket.OPEN) {
      ws.close(1000, 'the extension is done with this preview');
      // A server that does not answer the close frame must not hold us: cut the connection after a second.
      const cutOff = setTimeout(() => ws.terminate(), 1_000);
      await closed;
      clearTimeout(cutOff);
    } else {
      ws.terminate(); // still connecting (or already closing): nothing to say goodbye to
      await closed;
    }
  }

  private open(): void {
    const url = new URL('api/events', this.options.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const resuming = this.epoch !== undefined;
    if (resuming) {
      url.searchParams.set('since', String(this.lastId));
      url.searchParams.set('epoch', this.epoch!);
    }
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.options.ownerToken}` },
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 5_000,
      perMessageDeflate: false,
    });
    this.current = ws;
    this.helloSeen = false;
    // What went wrong with this socket, if anything: said when it closes.
    let problem: string | undefined;
    const expectPing = () => {
      clearTimeout(this.silenceTimer);
      const ms = this.options.silenceTimeoutMs ?? 75_000;
      this.silenceTimer = setTimeout(() => {
        problem = `no ping from the server for ${ms} ms`;
        ws.terminate();
      }, ms);
    };
    ws.on('open', expectPing);
    ws.on('ping', expectPing);
    ws.on('message', (data, isBinary) => this.receive(ws, data, isBinary, resuming));
    // ws follows every 'error' with 'close', which decides what happens next; here we only keep the reason.
    ws.on('error', (err) => (problem ??= err.message));
    ws.on('close', (code, reason) => this.dropped(ws, problem ?? `closed with ${code}${reason.length ? ` (${reason.toString()})` : ''}`));
  }

  private receive(ws: WebSocket, data: RawData, isBinary: boolean, resuming: boolean): void {
    if (ws !== this.current) return; // a late frame from a socket already given up
    const text = isBinary ? undefined : rawText(data);
    const message = text === undefined ? undefined : parseStreamMessage(text);
    if (!message) {
      this.options.log(`events socket: ignored a message that is not a valid event: ${excerpt(text ?? '(binary frame)')}`);
      return;
    }
    if (message.event === 'hello') {
      const sameRun = resuming && message.epoch === this.epoch;
      // A server run we did not resume (first connection, or a restart) starts our count at its hello: the events
      // before it are the past the owner reads with GET /api/feedback, not news.
      if (!sameRun) this.lastId = message.lastId;
      this.epoch = message.epoch;
      this.helloLastId = message.lastId;
      this.helloSeen = true;
      this.failures = 0;
      if (this.everConnected) this.options.log(`events socket: reconnected${sameRun ? `, resuming after event ${this.lastId}` : ' to a new server run'}`);
      this.everConnected = true;
      this.emit('connected', { epoch: message.epoch, lastId: message.lastId, resumed: sameRun });
      return;
    }
    if (!this.helloSeen) {
      this.options.log(`events socket: ignored "${message.event}" before the hello`);
      return;
    }
    if (message.event === 'reset') {
      this.lastId = this.helloLastId;
      this.options.log(`events socket: events were missed (${message.reason}); the feedback must be reloaded`);
      this.deliver(() => this.emit('reset', message.reason));
      return;
    }
    // A replay may overlap what was already delivered (ids are per server run): deliver each id once.
    if (message.id <= this.lastId) return;
    this.lastId = message.id;
    this.deliver(() => this.emit('event', message));
  }

  private deliver(emit: () => void): void {
    if (this.held) this.held.push(emit);
    else emit();
  }

  private dropped(ws: WebSocket, why: string): void {
    if (ws !== this.current) return;
    clearTimeout(this.silenceTimer);
    this.current = undefined;
    if (this.closing) return;
    this.lastFailure = why;
    const delay = backoffDelay(this.failures, this.options.backoff ?? DEFAULT_BACKOFF);
    this.failures++;
    this.options.log(`events socket: ${why}; reconnecting in ${delay} ms`);
    this.emit('disconnected', why);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closing) this.open();
    }, delay);
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** The start of a message, for a log line: a bad message can be large. */
function excerpt(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
