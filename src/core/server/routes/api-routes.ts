import type { IncomingMessage } from 'node:http';
import { Router, type RequestHandler } from 'express';
import { cardFor } from '../share-visible-card';
import type { ModelBackend } from '../model-backend';
import type { ServerMetrics } from '../metrics';
import { methodNotAllowed } from './method-not-allowed';
import { servedModel } from './v2-routes';

/** The page's and people's API besides predictions (inference-routes.ts): the model card, and metrics. */
export function apiRoutes(backend: ModelBackend, metrics: ServerMetrics, share: RequestHandler, owner: RequestHandler, isOwner: (req: IncomingMessage) => boolean): Router {
  const router = Router();
  // The owner sees where the model file is; a share-link holder only its name (a path shows the owner's user name and folders).
  router.route('/api/card').get(share, (req, res) => {
    const card = servedModel(backend, req);
    res.json(cardFor(card, isOwner(req)));
  }).all(methodNotAllowed);
  router.route('/metrics').get(owner, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  }).all(methodNotAllowed);
  return router;
}
