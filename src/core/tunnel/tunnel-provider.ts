import type { EventEmitter } from 'node:events';

/**
 * A tunnel makes the preview's local port reachable at a public URL. Each provider (ssh, pipenet, ngrok, ...) is one
 * file in this folder implementing `TunnelProvider`; the `TunnelKeeper` opens it, notices when it drops, and re-opens
 * it with backoff. Providers do one attempt each: no retry loops inside a provider.
 */

/** Where the tunnel delivers the public's requests: the preview's own HTTP server. */
export interface TunnelTarget {
  localHost: string;
  localPort: number;
}

/**
 * What a provider learnt on one open that helps the next open keep the same public URL (the remote port the ssh
 * server chose, the subdomain pipenet assigned). The keeper passes the last one back to `open`.
 */
export type TunnelHint = Readonly<Record<string, string | number>>;

export interface OpenTunnelEvents {
  /** The tunnel is gone (connection closed, keepalive unanswered, server said goodbye). Emitted at most once. */
  close: [reason: string];
}

/** One established tunnel. */
export interface OpenTunnel extends EventEmitter<OpenTunnelEvents> {
  /** The public base URL, ending in '/', without any token. */
  readonly url: string;
  /** Kept by the keeper and handed to the next `open` after a drop. */
  readonly hint?: TunnelHint;
  /** Closes the tunnel; idempotent; resolves when its connections are closed. Does not emit 'close'. */
  close(): Promise<void>;
}

export interface TunnelProvider {
  /** Shown in messages and events: "ssh", "pipenet", "ngrok". */
  readonly name: string;
  /**
   * The shortest wait before re-opening after a drop, when the provider's server needs it to give the same URL back
   * (pipenet keeps a subdomain reserved for a second after its last connection closes).
   */
  readonly reopenDelayMs?: number;
  /**
   * Opens the tunnel once. Rejects with a `TunnelError` whose message says what was wrong and what to do.
   * Must stop and release everything when `signal` aborts (the keeper aborts on its own timeout and on stop).
   */
  open(target: TunnelTarget, signal: AbortSignal, hint?: TunnelHint): Promise<OpenTunnel>;
}

/**
 * A failure a user can act on. `permanent` failures (a refused host key, a bad authtoken, a malformed URL) are not
 * retried: retrying cannot fix them.
 */
export class TunnelError extends Error {
  constructor(message: string, readonly permanent = false) {
    super(message);
    this.name = 'TunnelError';
  }
}
