import { Worker } from 'node:worker_threads';
import type { ModelDescription } from '../../shared/model-card';
import { ModelLoadError } from '../onnx/model-load-error';
import type { OrtLogOptions } from '../onnx/ort-session';
import type { ModelFile } from '../onnx/model-files';
import { copyBody, type RequestBody } from './request-body';
import type { FromWorker, InferJob, JobKind, ToWorker, WorkerData } from './worker-protocol';

/** What a slot posts of a job: its raw body and what the worker needs to run it. */
export interface PostedJob {
  id: number;
  kind: JobKind;
  body: RequestBody;
  receivedAt: number;
  /** The request's Inference-Header-Content-Length, when it had one (binary tensor data). */
  jsonLength?: number;
}

export interface WorkerSlotEvents {
  /** The worker answered a batch (`busyMs`: its time on them). */
  results(slot: WorkerSlot, msg: Extract<FromWorker, { type: 'results' }>): void;
  /** The worker crashed or exited by itself: it must be replaced. */
  died(slot: WorkerSlot, reason: Error): void;
}

/** The alignment a binary request's tensor data gets in the packed bodies: enough for every typed array (8 bytes). */
const TENSOR_ALIGNMENT = 8;

/**
 * A batch's bodies copied one after the other into one buffer, transferred to the worker. A Buffer from the HTTP
 * parser is usually a small view into a large shared read buffer, and structured clone would copy all of that buffer
 * (measured: postMessage was a fifth of the HTTP thread's time); one transfer per batch is also cheaper than one per
 * body. The jobs keep their originals, in case they must be re-queued. A body with binary tensor data starts where its
 * data after the JSON (`jsonLength`) falls on an 8-byte boundary, so the worker views its first tensor in place
 * instead of copying it to align it (binary-tensors.ts); the buffer is not zeroed first, as every byte a job can see
 * is written here (measured for a 1.2 MB tensor: the copy to align and the zeroing were ~0.55 ms of ~1.2 ms copying).
 */
function packBodies(batch: readonly PostedJob[]): { jobs: InferJob[]; bodies: ArrayBuffer } {
  let size = 0;
  const offsets = batch.map((j) => {
    const at = j.jsonLength === undefined ? size : size + ((TENSOR_ALIGNMENT - ((size + j.jsonLength) % TENSOR_ALIGNMENT)) % TENSOR_ALIGNMENT);
    size = at + j.body.length;
    return at;
  });
  const bodies = Buffer.allocUnsafeSlow(size);
  let end = 0;
  const jobs = batch.map((j, i): InferJob => {
    const offset = offsets[i];
    bodies.fill(0, end, offset); // the padding: no stale memory goes to the worker
    copyBody(j.body, bodies, offset);
    end = offset + j.body.length;
    const job: InferJob = { jobId: j.id, kind: j.kind, offset, length: j.body.length, receivedAt: j.receivedAt };
    if (j.jsonLength !== undefined) job.jsonLength = j.jsonLength;
    return job;
  });
  return { jobs, bodies: bodies.buffer as ArrayBuffer };
}

/**
 * One inference worker thread and the model versions it holds: spawned in the constructor, loads and unloads versions,
 * takes batches, and retires. A worker is never terminated from outside while it may be inside `session.run`
 * (onnxruntime-node then aborts the whole process): retiring sets a shared flag, and the worker leaves by itself
 * between runs (see inference-worker.ts).
 */
export class WorkerSlot {
  private readonly worker: Worker;
  /** Shared with the worker: control[0] = 1 tells it to leave between runs. */
  private readonly control: Int32Array;
  private readonly loads = new Map<number, { file: string; resolve(d: ModelDescription): void; reject(e: Error): void }>();
  /** Versions this worker has loaded: a job is only sent to a worker that holds its version. */
  private readonly loaded = new Set<number>();
  private retired = false;
  /** Resolves when the thread has exited. */
  readonly exited: Promise<void>;

  constructor(workerFile: string, ortLog: OrtLogOptions, private readonly events: WorkerSlotEvents) {
    const control = new SharedArrayBuffer(4);
    this.control = new Int32Array(control);
    this.worker = new Worker(workerFile, { workerData: { control, ortLog } satisfies WorkerData });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.on('error', (err) => this.die(new Error(`an inference worker crashed: ${err.message}`)));
    this.worker.on('exit', (code) => this.die(new Error(`an inference worker exited with code ${code}`)));
  }

  holds(generation: number): boolean {
    return this.loaded.has(generation);
  }

  /** Whether it holds `generation` or is loading it. */
  hasOrLoads(generation: number): boolean {
    return this.loaded.has(generation) || this.loads.has(generation);
  }

  /** Loads a model version; rejects with ModelLoadError (its reason, or the load timing out). */
  load(generation: number, model: ModelFile, timeoutMs: number): Promise<ModelDescription> {
    const file = model.path;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.loads.delete(generation);
        reject(new ModelLoadError(file, `loading took longer than ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.loads.set(generation, {
        file,
        resolve: (d) => { clearTimeout(timer); this.loaded.add(generation); resolve(d); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.post({ type: 'load', generation, model });
    });
  }

  unload(generation: number): void {
    if (this.loaded.delete(generation)) this.post({ type: 'unload', generation });
  }

  /** Hands a batch over, all to run on `generation`. */
  run(generation: number, batch: readonly PostedJob[]): void {
    const { jobs, bodies } = packBodies(batch);
    this.worker.postMessage({ type: 'infer', generation, jobs, bodies } satisfies ToWorker, [bodies]);
  }

  /**
   * Asks the worker to leave between runs, and fails its pending loads with `reason`. From then on it says nothing:
   * whatever it still answers is ignored (its jobs have been answered or re-queued).
   */
  retire(reason = new Error('the inference worker was retired')): void {
    if (this.retired) return;
    this.retired = true;
    Atomics.store(this.control, 0, 1);
    this.post({ type: 'retire' });
    for (const pending of this.loads.values()) pending.reject(reason);
    this.loads.clear();
  }

  /** Retires the worker and waits for it to leave; one still running after `graceMs` is terminated. */
  async close(graceMs: number): Promise<void> {
    this.retire();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    if ((await Promise.race([this.exited, late])) === 'late') await this.worker.terminate();
    clearTimeout(timer);
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  private die(reason: Error): void {
    if (this.retired) return;
    this.retire(reason);
    this.events.died(this, reason);
  }

  private onMessage(msg: FromWorker): void {
    if (this.retired) return; // finishing up after it was retired: its jobs were answered or re-queued
    if (msg.type === 'results') return this.events.results(this, msg);
    const pending = this.loads.get(msg.generation);
    this.loads.delete(msg.generation);
    if (msg.type === 'loaded') {
      if (pending) pending.resolve(msg.description);
      // Loaded after its load timed out or was given up: release the session instead of keeping it forever.
      else this.post({ type: 'unload', generation: msg.generation });
    } else if (pending) pending.reject(new ModelLoadError(pending.file, msg.reason));
  }
}
