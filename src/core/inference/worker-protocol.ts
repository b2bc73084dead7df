import type { OrtLogOptions } from '../onnx/ort-session';
import type { ModelDescription } from '../../shared/model-card';
import type { ModelFile } from '../onnx/model-files';
import type { PreparedBlob } from '../store/blob-store';

/** Messages between the HTTP thread (the pool) and an inference worker. Typed once, used on both sides. */

export type JobKind = 'v2' | 'predict';

/** Given to each worker at start. `control[0]` is 1 once the pool has retired the worker. */
export interface WorkerData {
  control: SharedArrayBuffer;
  /** onnxruntime's own log lines (`serve --verbose`). */
  ortLog: OrtLogOptions;
}

export type ToWorker =
  | { type: 'retire' }
  /** `model`: what describes the version (no weights: onnxruntime reads those from the path). */
  | { type: 'load'; generation: number; model: ModelFile }
  | { type: 'unload'; generation: number }
  /**
   * Jobs go in batches: under load one message carries several. Their raw bodies (UTF-8 JSON: parsing and validation
   * happen in the worker, off the HTTP thread) are packed end to end in one transferred buffer.
   */
  | { type: 'infer'; generation: number; jobs: InferJob[]; bodies: ArrayBuffer };

export interface InferJob {
  jobId: number;
  kind: JobKind;
  /** Where this job's body lies in the batch's `bodies`. */
  offset: number;
  length: number;
  /** When the HTTP thread received the request, as `performance.timeOrigin + performance.now()`. */
  receivedAt: number;
  /** The request's Inference-Header-Content-Length (binary tensor data): its JSON's length in bytes. */
  jsonLength?: number;
}

export type FromWorker =
  | { type: 'loaded'; generation: number; description: ModelDescription }
  /** `reason` says why, without the file name (the pool knows which file it asked for). */
  | { type: 'load-failed'; generation: number; reason: string }
  /** `busyMs`: the time the worker spent on these jobs, which the pool uses to decide how to share jobs out. */
  | { type: 'results'; results: Array<{ jobId: number; result: JobResult }>; busyMs: number };

export interface JobResult {
  status: number;
  /**
   * The JSON answer, already serialised; or, with `jsonLength`, the JSON followed by binary outputs (binary tensor
   * data), in a buffer of its own that the worker transfers.
   */
  body: string | Uint8Array;
  /** Set when `body` has binary outputs after its JSON: the answer's Inference-Header-Content-Length. */
  jsonLength?: number;
  /** For a successful `/api/predict`: the line to append to predictions.jsonl. */
  predictionRecord?: string;
  /** The blobs that line refers to (its large tensors, stored-prediction.ts): their bytes are transferred, not copied. */
  predictionBlobs?: PreparedBlob[];
  /** onnxruntime's run time, for the metrics histogram. */
  inferenceMs?: number;
  /** For a 500: what went wrong, for the server's log only (the client gets a generic message). */
  internalError?: string;
}

/** Wall-clock milliseconds comparable across threads (each thread's `performance.now()` has its own origin). */
export function nowAbsoluteMs(): number {
  return performance.timeOrigin + performance.now();
}
