/** How the tunnel keeper checks that its public URL reaches this server from outside. */
export interface PublicUrlHealthOptions {
  /** The first check, this long after the tunnel is up (default 5 s). */
  firstCheckMs?: number;
  /** Between checks while they pass (default 60 s). */
  intervalMs?: number;
  /** Between checks after one failed (default 15 s): a failure is confirmed, or a recovery seen, sooner. */
  retryMs?: number;
  /** Failed checks in a row before the link counts as unreachable (default 3: one blip is not news). */
  failuresBeforeUnreachable?: number;
  /** Bound on one check (default 10 s). */
  timeoutMs?: number;
  /** One check of `publicUrl`: resolves when it answered as this server does, rejects with the reason when not. */
  check?: (publicUrl: string, signal: AbortSignal) => Promise<void>;
}

export type ReachabilityChange = { type: 'unreachable'; reason: string; failures: number } | { type: 'reachable' };

/**
 * The health route every server answers without a token, asked over the public address: through the provider's
 * relay or the ssh server, back down the tunnel, so a pass proves the path a visitor's request takes. Headers ask
 * relays with a visitor warning page (ngrok's free tier, localtunnel's reminder) to let the check through.
 */
export async function checkPublicUrl(publicUrl: string, signal: AbortSignal): Promise<void> {
  const url = new URL('v2/health/live', publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`);
  let res: Response;
  try {
    res = await fetch(url, {
      signal, redirect: 'manual',
      headers: { Accept: 'application/json', 'ngrok-skip-browser-warning': '1', 'bypass-tunnel-reminder': '1', 'User-Agent': 'model-preview-health-check' },
    });
  } catch (err) {
    if (signal.aborted) throw new Error(`${url.origin} did not answer within the check's time`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${url.origin} could not be reached (${cause?.code ?? cause?.message ?? (err as Error).message})`);
  }
  const body = await res.text().catch(() => '');
  if (res.status !== 200) throw new Error(`${url.origin} answered ${res.status} instead of this preview`);
  let live: unknown;
  try {
    live = (JSON.parse(body) as { live?: unknown }).live;
  } catch {
    // not JSON: someone else answered
  }
  if (live !== true) throw new Error(`${url.origin} answered, but not as this preview (a warning or sign-in page in front of it?)`);
}

/**
 * Checks one public URL at a modest pace while a tunnel is up, and reports a change of reachability: `unreachable`
 * after `failuresBeforeUnreachable` failed checks in a row, `reachable` at the first pass after that. A provider can
 * say the tunnel is up while visitors get nothing (a relay that lost its route, a firewall, a warning page).
 */
export class PublicUrlHealth {
  private timer?: NodeJS.Timeout;
  private running?: AbortController;
  private failures = 0;
  private unreachable = false;
  private readonly options: Required<PublicUrlHealthOptions>;

  constructor(private readonly publicUrl: string, private readonly onChange: (change: ReachabilityChange) => void, options: PublicUrlHealthOptions = {}) {
    this.options = {
      firstCheckMs: 5_000, intervalMs: 60_000, retryMs: 15_000, failuresBeforeUnreachable: 3, timeoutMs: 10_000, check: checkPublicUrl, ...options,
    };
    this.schedule(this.options.firstCheckMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running?.abort();
    this.running = undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => void this.checkOnce(), ms);
    this.timer.unref?.();
  }

  private async checkOnce(): Promise<void> {
    const attempt = new AbortController();
    this.running = attempt;
    const timeout = setTimeout(() => attempt.abort(), this.options.timeoutMs);
    let failure: string | undefined;
    try {
      await this.options.check(this.publicUrl, attempt.signal);
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timeout);
    }
    if (this.running !== attempt) return; // stopped meanwhile
    this.running = undefined;
    if (failure === undefined) {
      this.failures = 0;
      if (this.unreachable) {
        this.unreachable = false;
        this.onChange({ type: 'reachable' });
      }
      return this.schedule(this.options.intervalMs);
    }
    this.failures++;
    if (!this.unreachable && this.failures >= this.options.failuresBeforeUnreachable) {
      this.unreachable = true;
      this.onChange({ type: 'unreachable', reason: failure, failures: this.failures });
    }
    this.schedule(this.options.retryMs);
  }
}
