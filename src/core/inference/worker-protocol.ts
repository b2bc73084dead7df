import type { OrtLogOptions } from '../onnx/ort-session';
import type { ModelDescription } from '../../shared/model-card';

/** Messages between the HTTP thread (the pool) and an inference worker. Typed once, used on both sides. */

export type JobKind = 'v2' | 'predict';

/** Given to each worker at start. `control[0]` is 1 once the pool has retired the worker. */
export interface WorkerData {
  control: SharedArrayBuffer;
  /** onnxruntime's own log lines (`serve --verbose`). */
  ortLog: OrtLogOptions;
}

/**
 * A model version's files as read from disk (what model/'s readModelFile gives): the `.onnx` bytes and any external
 * data files, each under the name the model gives it (`location`).
 */
export interface ModelBytes {
  path: string;
  bytes: Uint8Array;
  externalData?: Array<{ location: string; path: string; bytes: Uint8Array }>;
  /** A Hugging Face export's JSON files beside the model, by file name. */
  folder?: Partial<Record<string, string>>;
}

/**
 * A model version as sent to every worker: the `.onnx` bytes and its external data files, shared (one copy for all
 * workers, which each take a private copy: onnxruntime-node refuses views of a SharedArrayBuffer).
 */
export interface SharedModel {
  file: string;
  bytes: SharedArrayBuffer;
  externalData: Array<{ location: string; path: string; bytes: SharedArrayBuffer }>;
  folder?: Partial<Record<string, string>>;
}

export type ToWorker =
  | { type: 'retire' }
  | { type: 'load'; generation: number; model: SharedModel }
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
  /** onnxruntime's run time, for the metrics histogram. */
  inferenceMs?: number;
  /** For a 500: what went wrong, for the server's log only (the client gets a generic message). */
  internalError?: string;
}

/** Wall-clock milliseconds comparable across threads (each thread's `performance.now()` has its own origin). */
export function nowAbsoluteMs(): number {
  return performance.timeOrigin + performance.now();
}

const shareBytes = (bytes: Uint8Array): SharedArrayBuffer => {
  const shared = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(shared).set(bytes);
  return shared;
};

/** One shared copy of a model version's files for all workers. */
export function shareModel(model: ModelBytes): SharedModel {
  return {
    file: model.path, bytes: shareBytes(model.bytes),
    externalData: (model.externalData ?? []).map((d) => ({ location: d.location, path: d.path, bytes: shareBytes(d.bytes) })),
    ...(model.folder ? { folder: model.folder } : {}),
  };
}

/** A worker's private copy of a shared model version. */
export function modelFromShared(model: SharedModel): ModelBytes {
  const own = (bytes: SharedArrayBuffer) => new Uint8Array(bytes).slice();
  const externalData = model.externalData.map((d) => ({ location: d.location, path: d.path, bytes: own(d.bytes) }));
  return { path: model.file, bytes: own(model.bytes), ...(externalData.length > 0 ? { externalData } : {}), ...(model.folder ? { folder: model.folder } : {}) };
}
