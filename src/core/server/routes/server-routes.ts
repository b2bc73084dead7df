import { Router, type RequestHandler } from 'express';
import type { ServerStatus } from '../../../shared/server-info';
import { HttpError } from '../http-error';
import { methodNotAllowed } from './method-not-allowed';

/** What the server-process routes need from the preview (implemented by the session). */
export interface ServerProcessBackend {
  serverStatus(): ServerStatus;
  /** Starts a graceful stop of the whole process; false when this server cannot be stopped over HTTP. */
  requestStop(): boolean;
}

/**
 * The owner's view of the process (`GET /api/server`, used by `model-preview status` and to check that a pid in
 * server.json is really this server) and its graceful stop (`POST /api/server/stop`, used by `model-preview stop` and
 * by the extension for a server it did not start: no signal, so it works the same on Windows).
 */
export function serverRoutes(backend: ServerProcessBackend, owner: RequestHandler): Router {
  const router = Router();
  router.route('/api/server').get(owner, (_req, res) => void res.json(backend.serverStatus())).all(methodNotAllowed);
  router.route('/api/server/stop').post(owner, (_req, res) => {
    if (!backend.requestStop()) throw new HttpError(409, 'this server is not run by `model-preview serve`: stop it where it was started');
    res.status(202).json({ stopping: true, pid: process.pid });
  }).all(methodNotAllowed);
  return router;
}
