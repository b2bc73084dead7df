import { Router, type RequestHandler } from 'express';
import type { RegressionReport } from '../../../shared/regression';
import { methodNotAllowed } from './method-not-allowed';

/** "Is it fixed now?" (owner token): the regression replay's report per version loaded, oldest first. */
export function regressionRoutes(reports: () => readonly RegressionReport[], owner: RequestHandler): Router {
  const router = Router();
  router.route('/api/regressions').get(owner, (_req, res) => void res.json({ reports: reports() })).all(methodNotAllowed);
  return router;
}
