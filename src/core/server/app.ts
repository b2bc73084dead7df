import type { IncomingMessage } from 'node:http';
import express, { type Request, type Response, type NextFunction } from 'express';
import type { AccessControl } from './access';
import { Admission } from './admission';
import { errorHandler } from './error-handler';
import { HttpError } from './http-error';
import type { ServerMetrics } from './metrics';
import type { ModelBackend } from './model-backend';
import type { FeedbackService } from '../feedback/feedback-service';
import type { RateLimitedAction, RateLimits } from './rate-limits';
import { publicOriginsOf, shareLinkRoutes, type ShareLinkBackend } from './routes/share-link-routes';
import { apiRoutes } from './routes/api-routes';
import { feedbackRoutes } from './routes/feedback-routes';
import { pageRoute } from './routes/page-route';
import { SECURITY_HEADERS } from './security-headers';
import { v2Routes } from './routes/v2-routes';

export interface AppOptions {
  backend: ModelBackend;
  feedback: FeedbackService;
  access: AccessControl;
  metrics: ServerMetrics;
  rateLimits: RateLimits;
  shareLink: ShareLinkBackend;
  /** Largest request body accepted, in bytes (413 beyond). */
  bodyLimitBytes: number;
  log(message: string): void;
}

/** Counts every answer by the route pattern it matched (not the raw URL, which would explode the label set). */
function measure(metrics: ServerMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.requestSeconds.startTimer();
    res.once('finish', () => {
      const route = req.route ? String(req.route.path) : 'unmatched';
      end({ route });
      metrics.requests.inc({ route, method: req.method, status: String(res.statusCode) });
    });
    next();
  };
}

/** Builds the preview's express app. It never listens by itself: the caller owns the HTTP server (and its port). */
export function createApp(options: AppOptions): express.Express {
  const { backend, access, metrics, bodyLimitBytes } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Tunnels arrive from loopback and say whether the visitor used HTTPS (X-Forwarded-Proto): trusting that from
  // loopback only makes req.secure true behind an HTTPS tunnel, so the share and unlock cookies get `Secure`.
  app.set('trust proxy', 'loopback');
  app.use(measure(metrics));
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  // Every request but the health checks is admitted here once (expiry, cross-site forgery, password budgets); the
  // routes' guards read that decision.
  const admission = new Admission(access, options.rateLimits.passwords, () => publicOriginsOf(options.shareLink));
  app.use(admission.middleware());
  const share = admission.require('share');
  const owner = admission.require('owner');
  const isOwner = (req: IncomingMessage) => admission.levelOf(req) === 'owner';
  const limit = (action: RateLimitedAction) => options.rateLimits.middleware(action, isOwner);
  app.use(v2Routes(backend, metrics, share, limit('prediction'), bodyLimitBytes));
  app.use(apiRoutes(backend, metrics, share, owner, isOwner, limit('prediction'), bodyLimitBytes));
  app.use(feedbackRoutes(options.feedback, share, owner, limit('feedback')));
  app.use(shareLinkRoutes(options.shareLink, owner));
  app.use(pageRoute(backend, access, admission, options.rateLimits.passwords, share));
  app.use((req: Request) => {
    throw new HttpError(404, `no such route: ${req.method} ${req.path}`);
  });
  app.use(errorHandler(options.log));
  return app;
}
