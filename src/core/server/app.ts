import type { IncomingMessage, RequestListener } from 'node:http';
import express, { type Request, type Response, type NextFunction } from 'express';
import type { AccessControl } from './access';
import { Admission } from './admission';
import { errorHandler } from './error-handler';
import { HttpError } from './http-error';
import { withInferenceFastPath } from './inference-fast-path';
import type { ServerMetrics } from './metrics';
import type { ModelBackend } from './model-backend';
import type { PageEvents } from './page-events';
import type { FeedbackService } from '../feedback/feedback-service';
import type { RateLimitedAction, RateLimits } from './rate-limits';
import { NO_CLIENT_HEADERS, RequestPipeline } from './request-pipeline';
import { publicOriginsOf, shareLinkRoutes, type ShareLinkBackend } from './routes/share-link-routes';
import { apiRoutes } from './routes/api-routes';
import { feedbackRoutes } from './routes/feedback-routes';
import { inferenceRoutes } from './routes/inference-routes';
import { pageRoute } from './routes/page-route';
import { programRoutes } from './routes/program-routes';
import { v2Routes } from './routes/v2-routes';
import { inviteRoutes, type InviteBackend } from './routes/invite-routes';
import { reviewRoutes } from './routes/review-routes';
import { regressionRoutes } from './routes/regression-routes';
import type { RegressionReport } from '../../shared/regression';
import type { ReviewSets } from '../review/review-sets';
import type { PageData } from '../../shared/page-data';
import { cardFor } from './share-visible-card';
import { serverRoutes, type ServerProcessBackend } from './routes/server-routes';

export interface AppOptions {
  backend: ModelBackend;
  feedback: FeedbackService;
  access: AccessControl;
  metrics: ServerMetrics;
  rateLimits: RateLimits;
  shareLink: ShareLinkBackend;
  invites: InviteBackend;
  reviewSets: ReviewSets;
  regressions: () => readonly RegressionReport[];
  /** The process behind it (`GET /api/server`, `POST /api/server/stop`). */
  server: ServerProcessBackend;
  /** The try-it page's share-scoped event stream. */
  pageEvents: PageEvents;
  /** Largest request body accepted, in bytes (413 beyond). */
  bodyLimitBytes: number;
  log(message: string): void;
}

const pipelineOf = (options: AppOptions): RequestPipeline =>
  new RequestPipeline({ ...options, publicOrigins: () => publicOriginsOf(options.shareLink) });

/**
 * The preview's whole HTTP handler: the inference fast path in front of the express app, both on one request
 * pipeline. It never listens by itself: the caller owns the HTTP server (and its port).
 */
export function createRequestListener(options: AppOptions): RequestListener {
  const pipeline = pipelineOf(options);
  return withInferenceFastPath(createApp(options, pipeline), { pipeline, backend: options.backend, bodyLimitBytes: options.bodyLimitBytes });
}

/** Express's side of the pipeline's metrics: every answer, by the route pattern it matched (`unmatched` when none). */
function measure(pipeline: RequestPipeline) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const startedAt = performance.now();
    res.once('finish', () => pipeline.count(req.route ? String(req.route.path) : 'unmatched', req.method, res.statusCode, startedAt));
    next();
  };
}

/** Builds the preview's express app: every route, and the answers to everything the fast path does not take. */
export function createApp(options: AppOptions, pipeline = pipelineOf(options)): express.Express {
  const { backend, access, metrics, bodyLimitBytes } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Tunnels arrive from loopback and say whether the visitor used HTTPS (X-Forwarded-Proto): trusting that from
  // loopback only makes req.secure true behind an HTTPS tunnel, so the share and unlock cookies get `Secure`.
  app.set('trust proxy', 'loopback');
  app.use(measure(pipeline));
  app.use((_req, res, next) => {
    res.set(pipeline.securityHeaders);
    next();
  });
  // Every request but the health checks is admitted here once; the routes' guards read that decision.
  const admission = new Admission(pipeline, access);
  app.use(admission.middleware());
  const share = admission.require('share');
  const owner = admission.require('owner');
  const isOwner = (req: IncomingMessage) => admission.levelOf(req) === 'owner';
  const limit = (action: RateLimitedAction) => (req: Request, _res: Response, next: NextFunction): void => {
    pipeline.spend(action, admission.credentials(req), req).then(() => next(), next);
  };
  app.use(v2Routes(backend, share));
  app.use(inferenceRoutes(backend, pipeline, share, limit('prediction'), bodyLimitBytes));
  app.use(apiRoutes(backend, metrics, share, owner, isOwner));
  const inviteOf = (req: IncomingMessage) => admission.credentials(req).invite;
  app.use(programRoutes(backend, access, share));
  app.use(feedbackRoutes(options.feedback, share, owner, limit('feedback'), inviteOf));
  app.use(inviteRoutes(options.invites, share, owner, inviteOf));
  app.use(reviewRoutes(options.reviewSets, backend, share, owner, inviteOf, {
    limit: limit('prediction'), predict: (body, receivedAt) => pipeline.infer('predict', NO_CLIENT_HEADERS, body, receivedAt),
  }));
  app.use(regressionRoutes(options.regressions, owner));
  app.use(shareLinkRoutes(options.shareLink, owner));
  app.use(serverRoutes(options.server, owner));
  app.use(options.pageEvents.routes(share));
  // The page's first data in its HTML: what /api/card, /api/review-sets and /api/reviewer answer this visitor.
  const pageData = (req: Request): PageData | undefined => {
    const card = backend.card();
    const invitedAs = inviteOf(req);
    return card && { card: cardFor(card, isOwner(req)), reviewSets: options.reviewSets.list().sets, ...(invitedAs === undefined ? {} : { invitedAs }) };
  };
  app.use(pageRoute(backend, access, admission, options.rateLimits.passwords, share, pageData));
  app.use((req: Request) => {
    throw new HttpError(404, `no such route: ${req.method} ${req.path}`);
  });
  app.use(errorHandler(pipeline));
  return app;
}
