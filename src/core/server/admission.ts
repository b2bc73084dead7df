import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { levelOf, type AccessControl, type AccessLevel, type Credentials } from './access';
import { HttpError } from './http-error';
import type { RequestPipeline } from './request-pipeline';

const NONE: Credentials = Object.freeze({ verdict: 'none' });

/**
 * The express side of admission: the app's first middleware asks the request pipeline what a request is let in as
 * (expiry, cross-site forgery, password budgets: RequestPipeline.admit and settlePassword) and remembers the answer;
 * routes then ask `require(level)` or `credentials(req)`, which read that decision instead of checking the tokens
 * again. The inference fast path asks the pipeline the same questions for the requests it takes.
 */
export class Admission {
  private readonly decided = new WeakMap<IncomingMessage, Credentials>();

  constructor(private readonly pipeline: RequestPipeline, private readonly access: AccessControl) {}

  middleware() {
    return (req: Request, _res: Response, next: NextFunction): void => {
      const admitted = this.pipeline.admit(req, req.path, typeof req.query.t === 'string' ? req.query.t : undefined);
      if (admitted instanceof HttpError) return next(admitted);
      const checking = this.pipeline.checkInvitePassword(req, admitted);
      if (checking) return void checking.then((checked) => this.settle(req, checked, next), next);
      this.settle(req, admitted, next);
    };
  }

  /** Settles the password a decision carries against the guessing budgets, then lets the request on. */
  private settle(req: Request, decision: Credentials, next: NextFunction): void {
    const settling = this.pipeline.settlePassword(req, decision, req.path);
    if (!settling) {
      this.decided.set(req, decision);
      return next();
    }
    settling.then(() => {
      this.decided.set(req, decision);
      next();
    }, next);
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
