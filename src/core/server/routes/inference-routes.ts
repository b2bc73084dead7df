import { Router, raw, type RequestHandler } from 'express';
import { nowAbsoluteMs, type JobKind } from '../../inference/worker-protocol';
import { requireUtf8 } from '../json-charset';
import type { ModelBackend } from '../model-backend';
import { INFERENCE_ROUTES, type RequestPipeline } from '../request-pipeline';
import { methodNotAllowed } from './method-not-allowed';
import { servedModel } from './v2-routes';

/** Accepts any content type: V2 clients do not all send `application/json`, and the JSON is parsed in a worker. */
const rawBody = (limitBytes: number) => raw({ type: () => true, limit: limitBytes });

/**
 * Runs a request on the workers; the body stays raw bytes here and is parsed off the HTTP thread. The plain, authorised
 * case usually takes the fast path before express (inference-fast-path.ts); this route answers the rest.
 */
function inferenceHandler(kind: JobKind, backend: ModelBackend, pipeline: RequestPipeline): RequestHandler {
  return async (req, res) => {
    const receivedAt = nowAbsoluteMs();
    servedModel(backend, req);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await pipeline.infer(kind, req, body, receivedAt);
    res.status(result.status).set(pipeline.answerHeaders(result));
    res.send(typeof result.body === 'string' ? result.body : Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength));
  };
}

/** Every inference route (INFERENCE_ROUTES: the fast path takes its plain calls from the same list), behind the share token. */
export function inferenceRoutes(backend: ModelBackend, pipeline: RequestPipeline, share: RequestHandler, limit: RequestHandler, bodyLimitBytes: number): Router {
  const router = Router();
  for (const route of INFERENCE_ROUTES) {
    router.route(route.pattern).post(share, limit, requireUtf8, rawBody(bodyLimitBytes), inferenceHandler(route.kind, backend, pipeline)).all(methodNotAllowed);
  }
  return router;
}
