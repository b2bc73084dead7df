import { EventEmitter } from 'node:events';
import type * as net from 'node:net';
import { z } from 'zod';
import { deadline } from './deadline';
import { TunnelError, type OpenTunnel, type OpenTunnelEvents, type TunnelHint, type TunnelProvider, type TunnelTarget } from './tunnel-provider';
import { settlesWithin } from '../../shared/settles-within';

/**
 * A share link through a pipenet server (https://pipenet.dev or a self-hosted one): a localtunnel-style service. The
 * client asks the server for a tunnel (an id, which is the URL's subdomain, and a TCP port), then keeps a few TCP
 * connections open to that port; the server sends each public request down one of them and we pipe it to the preview.
 *
 * What we take from the `pipenet` package and what we do ourselves, and why:
 * - The connections are pipenet's own `TunnelCluster` (connect, pipe to the local server, report a dead connection).
 * - The request for a tunnel is ours. pipenet's `Tunnel.open` retries it every second, forever, while the server is
 *   unreachable, and cannot be stopped: it would outlive an abort, keep the process alive and might even set up a
 *   tunnel nobody wants any more. Ours is one request bounded by the abort signal and a timeout.
 * - Keeping the connections up is ours. pipenet replaces a connection only when it reports it 'dead', and some ends it
 *   never reports (its local half timing out first, after 30 s idle; a reconnect failing other than by "refused").
 *   We watch the sockets themselves and replace every one that closes.
 * - Noticing the end is ours. When the server restarts, every connection drops; each reconnect goes to the old tunnel
 *   port, which the new server does not listen on, and is refused: pipenet reports an 'error' and never asks for a new
 *   tunnel. So: an 'error', a storm of closing connections or no live connection for a few seconds is our one 'close',
 *   and the keeper opens a new tunnel, passing the subdomain back so the URL stays the same.
 *
 * pipenet is an ES module only (its package.json exports have no "require" condition), loaded with a real `import()`:
 * tsconfig's "module": "node16" keeps `import()` as is in our CommonJS output, and webpack bundles the ES module.
 */

/** The pipenet client, as an ES module (see above). */
const loadPipenet = () => import('pipenet');
type TunnelCluster = InstanceType<Awaited<ReturnType<typeof loadPipenet>>['TunnelCluster']>;

export interface PipenetTunnelOptions {
  /** URL of the pipenet server; default https://pipenet.dev */
  server?: string;
  /** Subdomain to ask for (the server may give another one if it is taken). A hint from an earlier open wins. */
  subdomain?: string;
  /** Bound on one open (the tunnel request plus the first connection); default 20 s. */
  openTimeoutMs?: number;
}

export const DEFAULT_PIPENET_SERVER = 'https://pipenet.dev';
const DEFAULT_OPEN_TIMEOUT_MS = 20_000;
/** pipenet's server accepts at most 10 connections per tunnel; used when the server does not say how many to open. */
const DEFAULT_CONNECTIONS = 10;
/** No live connection for this long means the tunnel is gone (a reconnect that failed without saying so). */
const NO_CONNECTION_GRACE_MS = 5_000;
/** More connection deaths than this within one second: the server accepts and drops them, do not spin. */
const MAX_DEATHS_PER_SECOND = 50;
/** close() waits this long for its connections to report closed. */
const CLOSE_WAIT_MS = 2_000;

/** The server's answer to a tunnel request (pipenet's server, src/server/server.ts). */
const tunnelInfoSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  port: z.number().int().min(1).max(65_535),
  url: z.string().regex(/^https?:\/\//),
  maxConnCount: z.number().int().positive().nullish(),
  sharedTunnel: z.boolean().nullish(),
});
type TunnelInfo = z.infer<typeof tunnelInfoSchema>;

export class PipenetTunnelProvider implements TunnelProvider {
  readonly name = 'pipenet';
  /** pipenet's server gives a subdomain back only once a second has passed since its last connection closed. */
  readonly reopenDelayMs = 1_200;

  constructor(private readonly options: PipenetTunnelOptions = {}) {}

  async open(target: TunnelTarget, signal: AbortSignal, hint?: TunnelHint): Promise<OpenTunnel> {
    const server = parseServerUrl(this.options.server ?? DEFAULT_PIPENET_SERVER);
    const subdomain = typeof hint?.subdomain === 'string' ? hint.subdomain : this.options.subdomain;
    const timeoutMs = this.options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
    /** Why an aborted open stopped: the caller's abort or our own timeout. */
    const stopped = (what: string) => new TunnelError(signal.aborted
      ? `pipenet: ${what} at ${server.origin} was cancelled`
      : `pipenet: ${what} at ${server.origin} took longer than ${timeoutMs / 1000} s`);
    if (signal.aborted) throw stopped('opening the tunnel');
    const bound = deadline(signal, timeoutMs);
    try {
      return await this.openWithin(server, subdomain, target, bound.signal, stopped);
    } finally {
      bound.done();
    }
  }

  private async openWithin(server: URL, subdomain: string | undefined, target: TunnelTarget, bounded: AbortSignal,
    stopped: (what: string) => TunnelError): Promise<OpenTunnel> {
    const { TunnelCluster } = await loadPipenet().catch((err: Error) => {
      throw new TunnelError(`pipenet: the pipenet client cannot be loaded: ${err.message}`, true);
    });
    const info = await requestTunnel(server, subdomain, bounded, stopped);
    const cluster = new TunnelCluster({
      remoteHost: server.hostname,
      remotePort: info.port,
      // pipenet connects to this host and, because it is set, rewrites the Host header of the first request on each
      // connection to it (it cannot connect elsewhere without that); our server does not route by Host.
      localHost: target.localHost,
      localPort: target.localPort,
      name: info.id,
      sharedTunnel: info.sharedTunnel ?? false,
    });
    const tunnel = new PipenetTunnel(cluster, info, server.origin);
    try {
      await tunnel.connect(Math.min(info.maxConnCount ?? DEFAULT_CONNECTIONS, DEFAULT_CONNECTIONS), bounded);
    } catch (err) {
      await tunnel.close();
      throw bounded.aborted ? stopped('connecting the tunnel') : err;
    }
    return tunnel;
  }
}

function parseServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TunnelError(`pipenet: "${text}" is not a URL; give the pipenet server as https://host`, true);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TunnelError(`pipenet: the server URL must start with https:// or http:// (got ${text})`, true);
  }
  return url;
}

/** One tunnel request: GET <server>/<subdomain> (or /?new). */
async function requestTunnel(server: URL, subdomain: string | undefined, signal: AbortSignal,
  stopped: (what: string) => TunnelError): Promise<TunnelInfo> {
  const url = new URL(subdomain ? encodeURIComponent(subdomain) : '?new', `${server.origin}${server.pathname.replace(/\/?$/, '/')}`);
  let res: Response;
  let body: unknown;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
    body = await res.json().catch(() => undefined);
  } catch (err) {
    if (signal.aborted) throw stopped('asking for a tunnel');
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new TunnelError(`pipenet: cannot reach the server ${server.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (signal.aborted) throw stopped('asking for a tunnel'); // while the body was read
  if (!res.ok) {
    const message = (body as { message?: unknown } | undefined)?.message;
    const said = typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
    // a 4xx is the server saying no to this request (a bad subdomain, not a pipenet server): asking again cannot help
    const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
    throw new TunnelError(`pipenet: the server ${server.origin} refused the tunnel (HTTP ${res.status})${said}`, permanent);
  }
  const parsed = tunnelInfoSchema.safeParse(body);
  if (!parsed.success) {
    throw new TunnelError(`pipenet: ${server.origin} did not answer like a pipenet server (is the URL right?)`);
  }
  return parsed.data;
}

/** One open pipenet tunnel: its connections, and the watch that turns their end into one 'close'. */
class PipenetTunnel extends EventEmitter<OpenTunnelEvents> implements OpenTunnel {
  readonly url: string;
  readonly hint: TunnelHint;
  private readonly sockets = new Set<net.Socket>();
  private ended = false;
  private noConnectionTimer: NodeJS.Timeout | undefined;
  private deaths: number[] = [];
  /** While connecting: settles connect() on the first connection or the first error. */
  private firstConnection: { resolve(): void; reject(err: Error): void } | undefined;

  constructor(private readonly cluster: TunnelCluster, info: TunnelInfo, private readonly server: string) {
    super();
    this.url = info.url.endsWith('/') ? info.url : `${info.url}/`;
    this.hint = { subdomain: info.id };
    // Replacing a connection that ended is driven by the sockets' own 'close' (see onOpen), not by pipenet's 'dead'
    // event: when a connection's local half times out first, pipenet ends it without reporting it dead, and the tunnel
    // silently loses it (seen after 30 s idle: all ten gone).
    cluster.on('open', (socket: net.Socket) => this.onOpen(socket));
    // Stays attached for good: an 'error' nobody listens to would throw from inside pipenet's socket handler.
    cluster.on('error', (err: Error) => this.fail(`pipenet: lost the connection to ${this.server}: ${err.message}`));
  }

  /** Opens `count` connections; resolves on the first one (the URL works from then on). */
  connect(count: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new TunnelError(`pipenet: connecting to ${this.server} was aborted`));
      signal.addEventListener('abort', onAbort, { once: true });
      this.firstConnection = {
        resolve: () => { signal.removeEventListener('abort', onAbort); resolve(); },
        reject: (err) => { signal.removeEventListener('abort', onAbort); reject(err); },
      };
      for (let i = 0; i < count; i++) this.cluster.open();
    }).finally(() => { this.firstConnection = undefined; });
  }

  async close(): Promise<void> {
    this.ended = true;
    this.release();
    await this.untilSocketsClosed();
  }

  private onOpen(socket: net.Socket): void {
    if (this.ended) {
      // a connection that was under way when we closed: pipenet sees it destroyed and gives up on it
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.replace();
    });
    clearTimeout(this.noConnectionTimer);
    this.firstConnection?.resolve();
  }

  /** A connection ended (pipenet's 30 s idle timeout, the server closed it, the server went away): open another. */
  private replace(): void {
    if (this.ended) return;
    if (this.sockets.size === 0) this.watchForNoConnection();
    const now = Date.now();
    this.deaths = this.deaths.filter((t) => now - t < 1_000);
    this.deaths.push(now);
    if (this.deaths.length > MAX_DEATHS_PER_SECOND) {
      this.fail(`pipenet: ${this.server} keeps dropping the tunnel's connections`);
      return;
    }
    this.cluster.open();
  }

  private watchForNoConnection(): void {
    if (this.ended) return;
    clearTimeout(this.noConnectionTimer);
    this.noConnectionTimer = setTimeout(() => {
      if (this.sockets.size === 0) this.fail(`pipenet: no connection to ${this.server} for ${NO_CONNECTION_GRACE_MS / 1000} s`);
    }, NO_CONNECTION_GRACE_MS);
  }

  /** The tunnel is gone: release what is left and say so, once. While connecting, the open fails instead. */
  private fail(reason: string): void {
    if (this.ended) return;
    if (this.firstConnection) {
      this.firstConnection.reject(new TunnelError(reason));
      return; // open() closes us
    }
    this.ended = true;
    this.release();
    this.emit('close', reason);
  }

  private release(): void {
    clearTimeout(this.noConnectionTimer);
    // destroying a connection makes pipenet end its local half (and not replace it: it is not ours to replace)
    for (const socket of this.sockets) socket.destroy();
  }

  private async untilSocketsClosed(): Promise<void> {
    const closing = [...this.sockets].map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
    if (closing.length === 0) return;
    await settlesWithin(Promise.all(closing), CLOSE_WAIT_MS);
  }
}
