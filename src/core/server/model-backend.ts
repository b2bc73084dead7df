import type { ModelCard } from '../../shared/model-card';
import type { JobKind, JobResult } from '../inference/worker-protocol';

/** What the HTTP layer needs from the model being served (implemented by the preview session over its pool). */
export interface ModelBackend {
  /** Undefined until the first version has loaded. */
  card(): ModelCard | undefined;
  run(kind: JobKind, body: Uint8Array, receivedAt: number): Promise<JobResult>;
  /** Called with each successful `/api/predict` record (serialised); the answer waits for it. */
  recordPrediction(record: string): Promise<unknown>;
}
