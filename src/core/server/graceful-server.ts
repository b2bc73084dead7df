import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionLimits } from './connection-limits';
import { refuseBeforeRouting } from './refuse-before-routing';

/** The server could not listen (port in use, address not on this machine): the message says which and what to do. */
export class ListenError extends Error {
  override readonly name = 'ListenError';

  /** The OS's reason (EADDRINUSE: the port is taken). */
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

export interface ListenOptions {
  host: string;
  port: number;
  /** Caps on open connections (none without). */
  limits?: ConnectionLimits;
  /** Errors of the listening server (an accept that fails when the process is out of file descriptors): reported, never a crash. */
  onError?(err: Error): void;
}

const INDEX = Symbol('index in GracefulServer.answering');
type Answering = http.ServerResponse & { [INDEX]?: number };

/**
 * An HTTP server that can be stopped properly: `server.close()` alone waits for idle keep-alive sockets, possibly
 * forever. `stop()` refuses new connections, closes idle ones, lets requests in progress finish for up to `graceMs`,
 * then destroys what is left. The port is free when the promise resolves.
 */
export class GracefulServer {
  private stopping?: Promise<void>;
  /**
   * Responses in progress, each knowing its index (removed by swapping the last one in). Not a Set: a Set with an add
   * and a delete per request kept each request's objects alive into old space under load (see `removeJob` in
   * inference-pool.ts), which made scavenges copy megabytes.
   */
  private readonly answering: Answering[] = [];

  private constructor(readonly server: http.Server, private readonly gate: StopGate) {
    server.on('request', (_req: http.IncomingMessage, res: Answering) => {
      res[INDEX] = this.answering.push(res) - 1;
      res.once('close', () => {
        this.forget(res);
        // While stopping, a connection whose last answer just went out is not kept for another request.
        if (this.gate.stopping) setImmediate(() => server.closeIdleConnections());
      });
    });
  }

  private forget(res: Answering): void {
    const index = res[INDEX]!;
    const last = this.answering.pop()!;
    if (last !== res) {
      this.answering[index] = last;
      last[INDEX] = index;
    }
  }

  static listen(handler: http.RequestListener, options: ListenOptions): Promise<GracefulServer> {
    const { limits } = options;
    const gate: StopGate = { stopping: false };
    const answer: http.RequestListener = (req, res) => {
      // After stopping began, even on a kept-alive connection: answering as usual would tell a page the preview is
      // fine a moment before the port closes (and keep the connection busy into the grace period).
      if (gate.stopping) return refuseBeforeRouting(res, 'the preview is stopping; try again in a moment', 1);
      if (!limits?.refused(req, res)) void handler(req, res);
    };
    const server = http.createServer({ keepAliveTimeout: 5_000, requestTimeout: 60_000 }, answer);
    limits?.attach(server);
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const reason = err.code === 'EADDRINUSE' ? `port ${options.port} on ${options.host} is already in use; choose another port, or 0 for any free one`
          : err.code === 'EADDRNOTAVAIL' ? `${options.host} is not an address of this machine`
          : err.code === 'EACCES' ? `not allowed to listen on port ${options.port}; use a port above 1023` : err.message;
        reject(new ListenError(reason, err.code));
      };
      server.once('error', onError);
      server.listen(options.port, options.host, () => {
        server.off('error', onError);
        server.on('error', (err) => options.onError?.(err));
        resolve(new GracefulServer(server, gate));
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * From now on every new request, even on a kept-alive connection, is answered 503 "stopping" and its connection
   * closed: for the moments between telling pages "stopping" and the port closing (a tunnel still being stopped).
   */
  refuseNewRequests(): void {
    this.gate.stopping = true;
  }

  stop(graceMs = 3_000): Promise<void> {
    this.refuseNewRequests();
    this.stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeIdleConnections();
      // A request in progress gets its answer, then its connection closes instead of idling until the grace ends
      // (one whose headers went out already is closed when it is done: see the constructor).
      for (const res of this.answering) if (!res.headersSent) res.setHeader('Connection', 'close');
    });
    return this.stopping;
  }
}

/** Shared by the request listener and `stop()`: set once stopping begins. */
interface StopGate {
  stopping: boolean;
}
