import { EventEmitter } from 'node:events';
import { deadline } from './deadline';
import { TunnelError, type OpenTunnel, type OpenTunnelEvents, type TunnelProvider, type TunnelTarget } from './tunnel-provider';
import { settlesWithin } from '../../shared/settles-within';

/**
 * A share link through ngrok, with the access control ngrok's edge offers (basic auth, OAuth), using the official
 * `@ngrok/ngrok` agent: a native (Rust) library shipped inside the npm package, no binary download.
 *
 * The native calls cannot be cancelled. Measured: with no network, connect() rejects in ~1 ms; against a server that
 * accepts and never answers it waits forever (and keeps the process alive until that server hangs up). So every call
 * is raced against the caller's signal and our own timeout; a call we stop waiting for is left to finish on its own,
 * with handlers attached so that its late rejection is never unhandled and a late session or listener is closed.
 */

/** The native agent, loaded on first use: only users who pick ngrok load its binary. */
const loadNgrok = () => import('@ngrok/ngrok');
type Ngrok = Awaited<ReturnType<typeof loadNgrok>>;
type Session = InstanceType<Ngrok['Session']>;

export interface NgrokTunnelOptions {
  /** From NGROK_AUTHTOKEN (CLI) or the extension's secret storage. Required. */
  authtoken?: string;
  /** A domain reserved in the ngrok dashboard; without it ngrok picks the URL. */
  domain?: string;
  /** Visitors must log in with one of these, each "user:password". */
  basicAuth?: string[];
  /** Visitors must log in with this OAuth provider ("google", "github", ...). */
  oauthProvider?: string;
  oauthAllowEmails?: string[];
  oauthAllowDomains?: string[];
  /** The ngrok service address (host:port); for tests and custom ingress. */
  serverAddr?: string;
  /** Bound on one open (session plus listener); default 20 s. */
  openTimeoutMs?: number;
}

const DEFAULT_OPEN_TIMEOUT_MS = 20_000;
/** Closing talks to the ngrok service too, which may not answer: close() gives up waiting after this. */
const CLOSE_TIMEOUT_MS = 5_000;

export const MISSING_NGROK_AUTHTOKEN = 'ngrok needs an authtoken: set the NGROK_AUTHTOKEN environment variable (CLI), or in ' +
  'VS Code run "Model Preview: Set ngrok authtoken" (kept in VS Code\'s secret storage). ' +
  'Get one at https://dashboard.ngrok.com/get-started/your-authtoken';

/** ngrok errors that retrying cannot fix: a malformed, invalid, old or revoked authtoken, none at all, an old agent. */
const PERMANENT_ERRORS = new Set(['ERR_NGROK_105', 'ERR_NGROK_106', 'ERR_NGROK_107', 'ERR_NGROK_120', 'ERR_NGROK_300', 'ERR_NGROK_4018']);

export class NgrokTunnelProvider implements TunnelProvider {
  readonly name = 'ngrok';

  constructor(private readonly options: NgrokTunnelOptions = {}) {}

  async open(target: TunnelTarget, signal: AbortSignal): Promise<OpenTunnel> {
    const authtoken = this.options.authtoken?.trim();
    if (!authtoken) throw new TunnelError(MISSING_NGROK_AUTHTOKEN, true);
    const basicAuth = parseBasicAuth(this.options.basicAuth ?? []);
    const service = this.options.serverAddr ?? 'the ngrok service';
    const timeoutMs = this.options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
    const stopped = () => new TunnelError(signal.aborted
      ? `ngrok: opening the tunnel was cancelled while waiting for ${service}`
      : `ngrok: ${service} did not answer within ${timeoutMs / 1000} s (is the network up? a proxy or firewall in the way?)`);
    if (signal.aborted) throw stopped();
    const bound = deadline(signal, timeoutMs);
    try {
      return await this.openWithin(target, authtoken, basicAuth, bound.signal, stopped, service);
    } finally {
      bound.done();
    }
  }

  private async openWithin(target: TunnelTarget, authtoken: string, basicAuth: Array<[string, string]>, bounded: AbortSignal,
    stopped: () => TunnelError, service: string): Promise<OpenTunnel> {

    const ngrok = await loadNgrok().catch((err: Error) => {
      // e.g. a platform with no prebuilt agent in the npm package
      throw new TunnelError(`ngrok: the ngrok agent cannot be loaded here (${process.platform}-${process.arch}): ${err.message}`, true);
    });
    // The session reconnects by itself after a drop; we report the drop instead, and the keeper opens a new tunnel.
    let lost: ((reason: string) => void) | undefined;
    let lostWhileOpening: string | undefined;
    const onLost = (reason: string) => (lost ? lost(reason) : (lostWhileOpening ??= reason));
    const builder = new ngrok.SessionBuilder()
      .authtoken(authtoken)
      .handleDisconnection((addr, error) => {
        onLost(`ngrok: disconnected from ${addr}: ${error}`);
        return true; // false would make the native session throw an uncaught error; we close it ourselves instead
      })
      .handleStopCommand(() => onLost('ngrok: the tunnel was stopped from the ngrok dashboard'));
    if (this.options.serverAddr) builder.serverAddr(this.options.serverAddr);

    const session = await within(builder.connect(), bounded, stopped, (late) => void closeSession(late), `connecting to ${service}`);
    try {
      const endpoint = session.httpEndpoint();
      if (this.options.domain) endpoint.domain(this.options.domain);
      for (const [user, password] of basicAuth) endpoint.basicAuth(user, password);
      if (this.options.oauthProvider) {
        endpoint.oauth(this.options.oauthProvider, this.options.oauthAllowEmails, this.options.oauthAllowDomains);
      }
      const listener = await within(endpoint.listenAndForward(localUrl(target)), bounded, stopped, () => undefined, 'opening the listener');
      const url = listener.url();
      if (!url) throw new TunnelError('ngrok: the listener has no URL');
      if (lostWhileOpening) throw new TunnelError(lostWhileOpening);
      const tunnel = new NgrokTunnel(session, url.endsWith('/') ? url : `${url}/`);
      lost = (reason) => tunnel.lost(reason);
      return tunnel;
    } catch (err) {
      // not awaited: the service may not answer (that may be why we are here), and an abort must reject at once
      void closeSession(session); // also closes a listener that comes late
      throw err;
    }
  }
}

/** One open ngrok tunnel: a session with one listener. */
class NgrokTunnel extends EventEmitter<OpenTunnelEvents> implements OpenTunnel {
  private ended = false;

  constructor(private readonly session: Session, readonly url: string) {
    super();
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await closeSession(this.session);
  }

  /** The session dropped: say so once, and close it so that it does not reconnect behind the keeper's back. */
  lost(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    void closeSession(this.session);
    this.emit('close', reason);
  }
}

/**
 * Waits for a native call, but only while `signal` allows. If we stop waiting, the call goes on: a value it brings
 * later goes to `discard`, an error is swallowed (it is not anybody's failure any more, and must not be unhandled).
 */
function within<T>(call: Promise<T>, signal: AbortSignal, stopped: () => Error, discard: (late: T) => void, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let abandoned = false;
    const abandon = () => {
      abandoned = true;
      reject(stopped());
    };
    call.then((value) => {
      signal.removeEventListener('abort', abandon);
      if (abandoned) discard(value);
      else resolve(value);
    }, (err: unknown) => {
      signal.removeEventListener('abort', abandon);
      if (!abandoned) reject(toTunnelError(err, what));
    });
    if (signal.aborted) abandon();
    else signal.addEventListener('abort', abandon, { once: true });
  });
}

/** Closes a session (and its listeners) without throwing and without waiting more than CLOSE_TIMEOUT_MS. */
async function closeSession(session: Session): Promise<void> {
  await settlesWithin(session.close(), CLOSE_TIMEOUT_MS);
}

function toTunnelError(err: unknown, what: string): TunnelError {
  const message = err instanceof Error ? err.message : String(err);
  const code = /\b(ERR_NGROK_\d+)\b/.exec(message)?.[1];
  return new TunnelError(`ngrok: ${what} failed: ${message}`, code !== undefined && PERMANENT_ERRORS.has(code));
}

function parseBasicAuth(entries: string[]): Array<[string, string]> {
  return entries.map((entry) => {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) {
      throw new TunnelError('ngrok: each basic-auth entry must be "user:password"', true);
    }
    return [entry.slice(0, colon), entry.slice(colon + 1)];
  });
}

/** Where ngrok delivers the requests: the preview's own server. */
function localUrl(target: TunnelTarget): string {
  const host = target.localHost.includes(':') ? `[${target.localHost}]` : target.localHost;
  return `http://${host}:${target.localPort}`;
}
