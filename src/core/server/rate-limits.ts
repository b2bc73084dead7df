import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpError } from './http-error';

/** Per-client budgets per minute; 0 turns a limit off. */
export interface RateLimitSettings {
  predictionsPerMinute: number;
  feedbackPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { predictionsPerMinute: 600, feedbackPerMinute: 60 };

/** Password guesses per client per minute: not configurable, it only has to make guessing hopeless. */
const UNLOCK_ATTEMPTS_PER_MINUTE = 10;

export type RateLimitedAction = 'prediction' | 'feedback' | 'unlock';

const NO_LIMIT = Promise.resolve();

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

/**
 * Per-client request budgets for what costs the owner something (an inference, a stored record, a password guess).
 * The owner's own requests are never limited. Both the express routes and the inference fast path call `consume`.
 */
export class RateLimits {
  private readonly limiters = new Map<RateLimitedAction, RateLimiterMemory>();

  constructor(settings: RateLimitSettings) {
    const perMinute: Record<RateLimitedAction, number> = {
      prediction: settings.predictionsPerMinute, feedback: settings.feedbackPerMinute, unlock: UNLOCK_ATTEMPTS_PER_MINUTE,
    };
    for (const [action, points] of Object.entries(perMinute) as Array<[RateLimitedAction, number]>) {
      if (points > 0) this.limiters.set(action, new RateLimiterMemory({ points, duration: 60 }));
    }
  }

  /**
   * Resolves when the client still has budget for `action`; rejects with a 429 carrying Retry-After otherwise. With
   * the limit off it returns one settled promise: it sits on every inference's path.
   */
  consume(action: RateLimitedAction, req: IncomingMessage): Promise<void> {
    const limiter = this.limiters.get(action);
    if (!limiter) return NO_LIMIT;
    return limiter.consume(clientKey(req)).then(() => undefined, (rejection: unknown) => {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new HttpError(429, `too many ${action} requests from this client; try again in ${seconds} s`, { 'Retry-After': String(seconds) });
    });
  }

  /** Express middleware for one action. */
  middleware(action: RateLimitedAction, isOwner: (req: IncomingMessage) => boolean) {
    return (req: IncomingMessage, _res: unknown, next: (err?: unknown) => void): void => {
      if (isOwner(req)) return next();
      this.consume(action, req).then(() => next(), next);
    };
  }
}
