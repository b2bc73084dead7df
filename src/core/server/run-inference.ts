import { HttpError } from './http-error';
import type { ModelBackend } from './model-backend';
import type { ServerMetrics } from './metrics';
import type { JobKind, JobResult } from '../inference/worker-protocol';

/**
 * One inference request, whichever path it came by (express or the fast path): hand the raw body to a worker, count
 * the inference time, and keep the prediction record before answering.
 */
export async function runInference(kind: JobKind, body: Uint8Array, receivedAt: number, backend: ModelBackend, metrics: ServerMetrics): Promise<JobResult> {
  if (body.length === 0) throw new HttpError(400, 'the request body is empty; send a JSON object');
  const result = await backend.run(kind, body, receivedAt);
  if (result.inferenceMs !== undefined) metrics.inferenceSeconds.observe(result.inferenceMs / 1000);
  if (result.predictionRecord) await backend.recordPrediction(result.predictionRecord);
  return result;
}
