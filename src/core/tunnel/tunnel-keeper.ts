import { EventEmitter } from 'node:events';
import { TunnelError, type OpenTunnel, type TunnelHint, type TunnelProvider, type TunnelTarget } from './tunnel-provider';
import { backoffDelay } from '../../shared/backoff';
import { PublicUrlHealth, type PublicUrlHealthOptions } from './public-url-health';

export interface TunnelKeeperOptions {
  /** Bound on one open, whatever the provider does (ngrok can wait forever on a silent server). Default 15 s. */
  openTimeoutMs?: number;
  /** Re-open attempts after a drop before giving up. Default 12 (about two minutes with the default delays). */
  maxAttempts?: number;
  /** First delay before re-opening; doubles per failed attempt up to `maxDelayMs`. Defaults 250 ms and 15 s. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** What an earlier run's tunnel learnt: handed to the first open, so it can ask for the same public URL. */
  hint?: TunnelHint;
  /**
   * Check the public URL from outside while the tunnel is up (see PublicUrlHealth). Off unless given: the session turns
   * it on with the defaults ({}).
   */
  health?: PublicUrlHealthOptions;
}

export type TunnelChange =
  | { type: 'up'; url: string }
  | { type: 'down'; reason: string; attempt: number; retryInMs?: number }
  | { type: 'url-changed'; previousUrl: string; url: string }
  /** Up by the provider's word, but the public URL does not reach this server (failed checks in a row). */
  | { type: 'unreachable'; url: string; reason: string; failures: number }
  /** The public URL reaches this server again after `unreachable`. */
  | { type: 'reachable'; url: string };

/**
 * Keeps one tunnel open for as long as the preview runs: opens it (bounded by a timeout), notices when it drops,
 * re-opens it with exponential backoff — handing the provider what it learnt last time so the public URL can stay the
 * same — and gives up after `maxAttempts`, saying why. Permanent failures (a refused host key) are not retried.
 */
export class TunnelKeeper extends EventEmitter<{ change: [TunnelChange] }> {
  private current?: OpenTunnel;
  private hint?: TunnelHint;
  private lastUrl?: string;
  private retryTimer?: NodeJS.Timeout;
  private health?: PublicUrlHealth;
  private readonly stopped = new AbortController();
  private readonly options: Required<Omit<TunnelKeeperOptions, 'hint' | 'health'>> & Pick<TunnelKeeperOptions, 'health'>;

  constructor(private readonly provider: TunnelProvider, private readonly target: TunnelTarget, options: TunnelKeeperOptions = {}) {
    super();
    const { hint, ...rest } = options;
    this.options = { openTimeoutMs: 15_000, maxAttempts: 12, initialDelayMs: 250, maxDelayMs: 15_000, ...rest };
    this.hint = hint;
  }

  /** What the last open learnt (or the hint it was given): for the next run. */
  get lastHint(): TunnelHint | undefined {
    return this.hint;
  }

  get providerName(): string {
    return this.provider.name;
  }

  /** The public base URL while the tunnel is up. */
  get url(): string | undefined {
    return this.current?.url;
  }

  /** Opens the tunnel the first time. Rejects (and keeps nothing open) when that fails: the caller decides. */
  async start(): Promise<string> {
    const tunnel = await this.openOnce();
    this.adopt(tunnel);
    return tunnel.url;
  }

  /** Closes the tunnel and stops any re-opening. Idempotent. */
  async stop(): Promise<void> {
    this.stopped.abort(new TunnelError('the preview is stopping'));
    clearTimeout(this.retryTimer);
    this.health?.stop();
    const tunnel = this.current;
    this.current = undefined;
    await tunnel?.close();
  }

  private adopt(tunnel: OpenTunnel): void {
    this.current = tunnel;
    this.hint = tunnel.hint ?? this.hint;
    const previousUrl = this.lastUrl;
    this.lastUrl = tunnel.url;
    tunnel.once('close', (reason) => {
      if (this.current !== tunnel) return;
      this.current = undefined;
      this.health?.stop();
      this.reopen(reason, 1);
    });
    if (previousUrl !== undefined && previousUrl !== tunnel.url) this.emit('change', { type: 'url-changed', previousUrl, url: tunnel.url });
    this.emit('change', { type: 'up', url: tunnel.url });
    this.watchHealth(tunnel.url);
  }

  /** From outside, as a visitor: does the public URL reach this server? Checked anew for each opened tunnel. */
  private watchHealth(url: string): void {
    this.health?.stop();
    if (!this.options.health || this.stopped.signal.aborted) return;
    this.health = new PublicUrlHealth(url, (change) => {
      if (this.current?.url !== url) return;
      this.emit('change', change.type === 'unreachable' ? { type: 'unreachable', url, reason: change.reason, failures: change.failures } : { type: 'reachable', url });
    }, this.options.health);
  }

  private reopen(reason: string, attempt: number, permanent = false): void {
    if (this.stopped.signal.aborted) return;
    if (permanent || attempt > this.options.maxAttempts) {
      const why = permanent ? reason : `${reason} (gave up after ${this.options.maxAttempts} attempts)`;
      this.emit('change', { type: 'down', reason: why, attempt });
      return;
    }
    const backoff = backoffDelay(attempt - 1, { initialMs: this.options.initialDelayMs, maxMs: this.options.maxDelayMs });
    const retryInMs = Math.max(backoff, this.provider.reopenDelayMs ?? 0);
    this.emit('change', { type: 'down', reason, attempt, retryInMs });
    this.retryTimer = setTimeout(() => {
      this.openOnce().then(
        (tunnel) => this.adopt(tunnel),
        (err: Error) => this.reopen(err.message, attempt + 1, err instanceof TunnelError && err.permanent),
      );
    }, retryInMs);
  }

  /**
   * One bounded open. The race is ours, not the provider's: a provider that ignores its abort signal still cannot
   * make the preview wait, and a tunnel it opens after we gave up is closed at once.
   */
  private async openOnce(): Promise<OpenTunnel> {
    const seconds = this.options.openTimeoutMs / 1000;
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(new TunnelError(`the ${this.provider.name} tunnel did not open within ${seconds} s`)), this.options.openTimeoutMs);
    const onStop = () => attempt.abort(this.stopped.signal.reason);
    if (this.stopped.signal.aborted) onStop();
    else this.stopped.signal.addEventListener('abort', onStop, { once: true });
    const aborted = new Promise<never>((_resolve, reject) => {
      if (attempt.signal.aborted) reject(attempt.signal.reason);
      else attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason), { once: true });
    });
    aborted.catch(() => undefined); // settled later than the race when the open wins: not an unhandled rejection
    const opening = this.provider.open(this.target, attempt.signal, this.hint);
    try {
      return await Promise.race([opening, aborted]);
    } catch (err) {
      opening.then((late) => late.close(), () => undefined);
      throw err instanceof Error ? err : new TunnelError(String(err));
    } finally {
      clearTimeout(timer);
      this.stopped.signal.removeEventListener('abort', onStop);
    }
  }
}
