import { Router, type Request, type RequestHandler } from 'express';
import type { ModelCard } from '../../../shared/model-card';
import type { TensorSpec, V2ModelMetadata } from '../../../shared/v2';
import { MODEL_PREVIEW_VERSION } from '../../../shared/version';
import { HttpError } from '../http-error';
import type { ModelBackend } from '../model-backend';
import { tritonModelConfig } from '../triton-model-config';
import { methodNotAllowed } from './method-not-allowed';

const SERVER_NAME = 'model-preview';
/**
 * Triton's protocol extensions this server speaks (`GET /v2`), each only once it works: binary tensor data
 * (inference-routes.ts and the workers) and the model configuration (`GET /v2/models/{name}/config`, below).
 */
const EXTENSIONS = ['binary_tensor_data', 'model_configuration'];

const v2Shape = (spec: TensorSpec) => ({
  name: spec.name, datatype: spec.datatype, shape: spec.shape.map((d) => (typeof d === 'number' ? d : -1)),
});

export function v2Metadata(card: ModelCard): V2ModelMetadata {
  return {
    name: card.name, versions: [card.version], platform: 'onnxruntime_onnx',
    inputs: card.inputs.map(v2Shape), outputs: card.outputs.map(v2Shape),
  };
}

/** The served model, or 404 when the URL names another model or version. */
export function servedModel(backend: ModelBackend, req: Request): ModelCard {
  const card = backend.card();
  if (!card) throw new HttpError(503, 'the model is still loading; try again shortly', { 'Retry-After': '1' });
  const { name, version } = req.params as { name?: string; version?: string };
  if (name !== undefined && name !== card.name) throw new HttpError(404, `unknown model '${name}'; this server serves '${card.name}'`);
  if (version !== undefined && version !== card.version) {
    throw new HttpError(404, `unknown version '${version}' of '${card.name}'; the served version is '${card.version}'`);
  }
  return card;
}

/**
 * Open Inference Protocol (V2) REST routes but inference (inference-routes.ts). Health routes are public; the rest need
 * a share or owner token.
 */
export function v2Routes(backend: ModelBackend, guard: RequestHandler): Router {
  const router = Router();
  router.route('/v2/health/live').get((_req, res) => void res.json({ live: true })).all(methodNotAllowed);
  // Not ready while no version takes requests (also in a reload without overlap), as a load balancer's probe needs.
  router.route('/v2/health/ready').get((_req, res) => {
    const ready = backend.card() !== undefined && backend.serving();
    res.status(ready ? 200 : 503).json({ ready });
  }).all(methodNotAllowed);

  router.use('/v2', guard);
  router.route('/v2').get((_req, res) => void res.json({ name: SERVER_NAME, version: MODEL_PREVIEW_VERSION, extensions: EXTENSIONS })).all(methodNotAllowed);
  for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    router.route(base).get((req, res) => void res.json(v2Metadata(servedModel(backend, req)))).all(methodNotAllowed);
    router.route(`${base}/ready`).get((req, res) => {
      const card = servedModel(backend, req);
      const ready = backend.serving();
      res.status(ready ? 200 : 503).json({ name: card.name, ready });
    }).all(methodNotAllowed);
    // Triton's model configuration extension, for its clients (tritonclient's get_model_config, Ultralytics).
    router.route(`${base}/config`).get((req, res) => void res.json(tritonModelConfig(servedModel(backend, req), backend.workers))).all(methodNotAllowed);
  }
  return router;
}
