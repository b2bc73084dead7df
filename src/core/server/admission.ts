import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { levelOf, type AccessControl, type AccessLevel, type Credentials } from './access';
import { crossSiteRefusal } from './cross-site';
import type { PasswordBudget } from './rate-limits';

const NONE: Credentials = Object.freeze({ verdict: 'none' });

/** Public: no token, no password, nothing counted. */
const isHealthCheck = (path: string): boolean => path.startsWith('/v2/health/');

/**
 * What a request is let in as, decided once, before any route, by the express app's first middleware: an expired
 * link gets 410; a cookie-authenticated request from another site gets 403 or 415; a password it carries is settled
 * against the guessing budgets (a wrong one counted, 429 once they are spent). Routes then ask `require(level)` or
 * `credentials(req)`, which read that decision instead of checking the tokens again. The inference fast path makes the
 * same decisions for the requests it takes (inference-fast-path.ts).
 */
export class Admission {
  private readonly decided = new WeakMap<IncomingMessage, Credentials>();

  constructor(private readonly access: AccessControl, private readonly passwords: PasswordBudget, private readonly publicOrigins: () => readonly string[]) {}

  middleware() {
    return (req: Request, _res: Response, next: NextFunction): void => {
      if (isHealthCheck(req.path)) return next();
      const credentials = this.access.credentialsOf(req);
      if (credentials.verdict === 'expired') return next(this.access.refusal('expired', 'share'));
      const forged = credentials.source === 'cookie' ? crossSiteRefusal(req, req.path, this.publicOrigins) : undefined;
      if (forged) return next(forged);
      // POST /unlock is itself a password attempt (the form's): a stale unlock cookie it carries is not counted twice.
      if (!credentials.password || (credentials.password.carrier === 'cookie' && req.path === '/unlock')) {
        this.decided.set(req, credentials);
        return next();
      }
      this.passwords.settle(req, credentials.password.correct).then(() => {
        this.decided.set(req, credentials);
        next();
      }, next);
    };
  }

  /** What the request was let in as (`none` before the middleware ran, or for a health check). */
  credentials(req: IncomingMessage): Credentials {
    return this.decided.get(req) ?? NONE;
  }

  levelOf(req: IncomingMessage): AccessLevel | undefined {
    return levelOf(this.credentials(req));
  }

  /** Middleware: the error a request gets unless it proves at least `level`. */
  require(level: AccessLevel) {
    return (req: Request, _res: Response, next: NextFunction): void => {
      const credentials = this.credentials(req);
      if (credentials.verdict === 'owner' || (credentials.verdict === 'share' && level === 'share')) return next();
      next(this.access.refusalOf(credentials, level));
    };
  }
}
