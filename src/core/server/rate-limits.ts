import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { InviteRateLimits, RateLimitSettings } from '../../shared/link-policy';
import { HttpError } from './http-error';

export type { RateLimitSettings } from '../../shared/link-policy';

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { predictionsPerMinute: 600, feedbackPerMinute: 60 };

export type RateLimitedAction = 'prediction' | 'feedback';

const NO_LIMIT = Promise.resolve();

/** Which setting budgets which action. */
const FIELD_OF: Record<RateLimitedAction, keyof RateLimitSettings> = { prediction: 'predictionsPerMinute', feedback: 'feedbackPerMinute' };

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Whether a peer address is this machine: every request through a tunnel comes from there. */
export const isLoopback = (address: string | undefined): boolean => address !== undefined && LOOPBACK.has(address);

/**
 * Who "a client" is. Tunnels deliver the public's requests from loopback; the ones that terminate HTTP (ngrok, the
 * ssh services such as localhost.run) append the address they saw to X-Forwarded-For, so behind loopback the header's
 * LAST entry is used: entries before it were sent by the visitor and could be anything. A tunnel that adds nothing
 * (a plain ssh -R to your own server, pipenet's own server) gives every visitor one shared budget. A direct,
 * non-loopback client is its socket address (the header is not trusted from it).
 */
export function clientKey(req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!isLoopback(peer)) return peer;
  const forwarded = req.headers['x-forwarded-for'];
  const last = (Array.isArray(forwarded) ? forwarded.at(-1) : forwarded)?.split(',').at(-1)?.trim();
  return last || peer;
}

const retryAfterSeconds = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/**
 * Per-client request budgets for what costs the owner something (an inference, a stored record, a password guess).
 * The owner's own requests are never limited (RequestPipeline.spend, which both the express routes and the inference
 * fast path call).
 */
export class RateLimits {
  private readonly limiters = new Map<RateLimitedAction, RateLimiterMemory>();
  /**
   * The budgets of invites with limits of their own, by action, invite name and budget: made when first spent. A name
   * re-invited with another budget gets a new limiter; a handful of invites keeps this small.
   */
  private readonly inviteLimiters = new Map<string, RateLimiterMemory>();
  /** The password-guessing budgets (fixed: they only have to make guessing hopeless). */
  readonly passwords: PasswordBudget;

  constructor(settings: RateLimitSettings, onPasswordLockout?: (lockout: PasswordLockout) => void) {
    this.passwords = new PasswordBudget(onPasswordLockout);
    for (const [action, field] of Object.entries(FIELD_OF) as Array<[RateLimitedAction, keyof RateLimitSettings]>) {
      const points = settings[field];
      if (points > 0) this.limiters.set(action, new RateLimiterMemory({ points, duration: 60 }));
    }
  }

  /**
   * Resolves when the client still has budget for `action`; rejects with a 429 carrying Retry-After otherwise. With
   * the limit off it returns one settled promise: it sits on every inference's path. An invite's own budget for the
   * action (`inviteLimits`) replaces the preview's for that invite.
   */
  consume(action: RateLimitedAction, req: IncomingMessage, invite?: string, inviteLimits?: InviteRateLimits): Promise<void> {
    const own = invite === undefined ? undefined : inviteLimits?.[FIELD_OF[action]];
    const limiter = own === undefined ? this.limiters.get(action) : this.inviteLimiter(action, invite!, own);
    if (!limiter) return NO_LIMIT;
    // An invited reviewer has a budget of their own, wherever they connect from (and cannot spend another's).
    return limiter.consume(invite === undefined ? clientKey(req) : `invite\u0000${invite}`).then(() => undefined, (rejection: unknown) => {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = retryAfterSeconds(rejection);
      throw new HttpError(429, `too many ${action} requests from this client; try again in ${seconds} s`, { 'Retry-After': String(seconds) });
    });
  }

  private inviteLimiter(action: RateLimitedAction, invite: string, points: number): RateLimiterMemory | undefined {
    if (points === 0) return undefined;
    const key = `${action}\u0000${points}\u0000${invite}`;
    let limiter = this.inviteLimiters.get(key);
    if (!limiter) this.inviteLimiters.set(key, (limiter = new RateLimiterMemory({ points, duration: 60 })));
    return limiter;
  }
}

/** Wrong passwords allowed per client, and per preview across all clients, before password attempts get 429. */
export const PASSWORD_FAILURES = {
  perClient: { attempts: 10, seconds: 60 },
  /**
   * Behind a tunnel that adds no X-Forwarded-For of its own (plain `ssh -R`, pipenet's server), a visitor chooses
   * which client they are, so the per-client budget alone stops nobody: this one counts every client's failures.
   */
  perPreview: { attempts: 30, seconds: 600 },
} as const;

/** Told once when the per-preview budget is spent: someone is probably guessing. */
export interface PasswordLockout {
  failedAttempts: number;
  windowSeconds: number;
  /** Until when password attempts are refused. */
  until: Date;
}

const PREVIEW_KEY = 'preview';
const OPEN = Promise.resolve();

/**
 * The password-guessing budgets. Every wrong password counts, whatever carried it (the form, the header, an unlock
 * cookie computed for a guess). Once a budget is spent, every password attempt it covers gets 429, the right password
 * too — otherwise the answer would still tell a guesser when they hit it. A client whose unlock cookie is right has
 * already unlocked and never reaches this: one guesser cannot lock out the stakeholders who are in.
 */
export class PasswordBudget {
  private readonly perClient = new RateLimiterMemory({ points: PASSWORD_FAILURES.perClient.attempts, duration: PASSWORD_FAILURES.perClient.seconds });
  private readonly perPreview = new RateLimiterMemory({ points: PASSWORD_FAILURES.perPreview.attempts, duration: PASSWORD_FAILURES.perPreview.seconds });
  /** When the last wrong password came: until both windows have passed since, the right password needs no look-up. */
  private lastFailureAt = -Infinity;

  constructor(private readonly onLockout: (lockout: PasswordLockout) => void = () => undefined, private readonly now: () => number = Date.now) {}

  /** A right password: resolves unless a budget that covers this client is spent (then rejects with 429). */
  admit(req: IncomingMessage): Promise<void> {
    if (this.now() - this.lastFailureAt > PASSWORD_FAILURES.perPreview.seconds * 1000) return OPEN;
    return Promise.all([this.perPreview.get(PREVIEW_KEY), this.perClient.get(clientKey(req))]).then(([preview, client]) => {
      if (preview && preview.consumedPoints >= PASSWORD_FAILURES.perPreview.attempts) throw previewLocked(preview);
      if (client && client.consumedPoints >= PASSWORD_FAILURES.perClient.attempts) throw clientLocked(client);
    });
  }

  /**
   * A wrong password: counts it against the client's budget and, unless that was already spent, the preview's.
   * Resolves when it was within both (the caller answers 401), rejects with 429 otherwise.
   */
  reject(req: IncomingMessage): Promise<void> {
    this.lastFailureAt = this.now();
    return this.perClient.consume(clientKey(req)).then(() => this.perPreview.consume(PREVIEW_KEY).then((preview) => {
      if (preview.consumedPoints === PASSWORD_FAILURES.perPreview.attempts) {
        this.onLockout({ failedAttempts: preview.consumedPoints, windowSeconds: PASSWORD_FAILURES.perPreview.seconds, until: new Date(this.now() + preview.msBeforeNext) });
      }
    }, (rejection: unknown) => {
      throw rejection instanceof RateLimiterRes ? previewLocked(rejection) : rejection;
    }), (rejection: unknown) => {
      throw rejection instanceof RateLimiterRes ? clientLocked(rejection) : rejection;
    });
  }

  /** Settles a password the request carried: resolves true (right), false (wrong, counted), or rejects with 429. */
  settle(req: IncomingMessage, correct: boolean): Promise<boolean> {
    return correct ? this.admit(req).then(() => true) : this.reject(req).then(() => false);
  }
}

function clientLocked(res: RateLimiterRes): HttpError {
  const seconds = retryAfterSeconds(res);
  return new HttpError(429, `too many wrong passwords from this client; try again in ${seconds} s`, { 'Retry-After': String(seconds) });
}

function previewLocked(res: RateLimiterRes): HttpError {
  const seconds = retryAfterSeconds(res);
  return new HttpError(429, `too many wrong passwords were tried for this preview, so passwords are not checked for ${seconds} s; `
    + 'try again then, or ask the person who shared the link (people who already unlocked the page are not affected)', { 'Retry-After': String(seconds) });
}
