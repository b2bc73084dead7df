import type { ModelCard } from '../../shared/model-card';
import type { RequestBody } from '../inference/request-body';
import type { JobKind, JobResult } from '../inference/worker-protocol';
import type { PreparedBlob } from '../store/blob-store';

/** What the HTTP layer needs from the model being served (implemented by the preview session over its pool). */
export interface ModelBackend {
  /** Undefined until the first version has loaded. */
  card(): ModelCard | undefined;
  /**
   * A version is loaded and takes requests: false before the first load, and during a reload without overlap (the old
   * version unloaded to make room) or after one whose new version failed to load — when the card still describes the
   * model but inference answers 503.
   */
  serving(): boolean;
  /** How many inference workers run the model (Triton's model configuration shows them as its instance count). */
  readonly workers: number;
  /** `jsonLength`: the request's Inference-Header-Content-Length (binary tensor data), already checked against the body. */
  run(kind: JobKind, body: RequestBody, receivedAt: number, jsonLength?: number): Promise<JobResult>;
  /**
   * Called with each successful `/api/predict` record (its predictions.jsonl line) and the blobs the line refers to;
   * the answer waits for it.
   */
  recordPrediction(record: string, blobs?: readonly PreparedBlob[]): Promise<unknown>;
}
