import type { OrtLogOptions } from '../model/ort-session';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelDescription } from '../../shared/model-card';
import { ModelLoadError } from '../model/model-load-error';
import type { ModelFile } from '../model/model-file';
import { shareModel, type FromWorker, type InferJob, type JobKind, type JobResult, type SharedModel, type ToWorker, type WorkerData } from './worker-protocol';

export interface PoolOptions {
  /** Worker threads, each with its own onnxruntime session. */
  size: number;
  /** Requests allowed to wait for a worker (in the queue or in a worker's batch); beyond it, 503. */
  maxQueue: number;
  /** A request not answered by then gets 504, and a worker stuck on it is replaced. */
  timeoutMs: number;
  /** How long loading a model into a worker may take. */
  loadTimeoutMs?: number;
  workerFile?: string;
  /** onnxruntime's own log lines on stderr (default: quiet). */
  ortLog?: OrtLogOptions;
}

/** Why a request got no result: the status and message the HTTP layer answers with. */
export class PoolRejection extends Error {
  override readonly name = 'PoolRejection';
  constructor(readonly status: 503 | 504, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

interface Job {
  id: number;
  kind: JobKind;
  body: Uint8Array;
  receivedAt: number;
  generation: number;
  slot?: Slot;
  /** When the job is abandoned with 504, in `performance.now()` time. */
  deadline: number;
  resolve(result: JobResult): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  /** Shared with the worker: control[0] = 1 tells it to leave between runs (see inference-worker.ts). */
  control: Int32Array;
  /**
   * Jobs handed to this worker and not answered yet (at most JOBS_PER_WORKER). An array, not a Map: see
   * `removeJob`.
   */
  jobs: Job[];
  loads: Map<number, { file: string; resolve(d: ModelDescription): void; reject(e: Error): void }>;
  /** Generations this worker has loaded: a job is only sent to a worker that holds its version. */
  loaded: Set<number>;
  /** When the worker last showed progress (answered, or was handed work while idle), in performance.now() time. */
  lastProgress: number;
}

interface Loaded {
  generation: number;
  description: ModelDescription;
  model: SharedModel;
}

// Up to 16 jobs in flight per worker: while it runs one, the next ones are already in its message queue, so it never
// idles waiting for the HTTP thread (measured on 2 cores: 2 left the workers idle a quarter of the time).
const JOBS_PER_WORKER = 16;

/**
 * Jobs are only spread across workers when that pays. Waking a sleeping worker is the dearest step of the hand-off
 * (on the 2-core machine a wake-up costs tens of microseconds on both threads and usually preempts the HTTP thread),
 * while a worker that is already running picks new jobs up without one. So jobs go to a running worker as long as the
 * work waiting there is expected to take less than this (at most JOBS_PER_WORKER jobs), and unless it has not answered
 * for twice as long (a job slower than expected); otherwise an idle worker is woken. For a tiny model (iris: ~0.02 ms
 * of worker time per job) that keeps one worker busy and the others asleep; for a model whose jobs take longer than
 * this, every job still goes to an idle or the least busy worker, as before.
 */
const CONCENTRATE_BELOW_MS = 0.5;

/**
 * A batch's bodies copied end to end into one buffer, transferred to the worker. A Buffer from the HTTP parser is
 * usually a small view into a large shared read buffer, and structured clone would copy all of that buffer (measured:
 * postMessage was a fifth of the HTTP thread's time); one transfer per batch is also cheaper than one per body. The
 * jobs keep their originals, in case they must be re-queued.
 */
function packBodies(batch: Job[]): { jobs: InferJob[]; bodies: ArrayBuffer } {
  const bodies = new Uint8Array(batch.reduce((n, j) => n + j.body.byteLength, 0));
  let offset = 0;
  const jobs = batch.map((j): InferJob => {
    bodies.set(j.body, offset);
    const job = { jobId: j.id, kind: j.kind, offset, length: j.body.byteLength, receivedAt: j.receivedAt };
    offset += j.body.byteLength;
    return job;
  });
  return { jobs, bodies: bodies.buffer };
}

/**
 * Takes job `id` out of a worker's list: a short array searched in place. Jobs were kept in a Map per worker and a Set
 * of all pending jobs, one entry added and deleted per request; measured under load, that churn (with the same in the
 * HTTP server's set of open responses) made every request's objects — request, response, closures — survive into old
 * space: ~2.7 MB promoted per scavenge, 3–6 ms scavenges, ~8% of the HTTP thread in GC. (V8 keeps an outgrown hash
 * table pointing at its successor, so one table that reached old space holds the later ones and their entries.) With
 * arrays the requests' objects die young.
 */
function removeJob(jobs: Job[], id: number): Job | undefined {
  for (let i = 0; i < jobs.length; i++) {
    if (jobs[i].id === id) return jobs.splice(i, 1)[0];
  }
  return undefined;
}

/**
 * Runs inference on worker threads. The HTTP thread only hands a request's raw body over and gets the serialised
 * answer back. Emits `worker-error` (Error) when a worker crashes or is replaced.
 */
export class InferencePool extends EventEmitter {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly inFlightByGeneration = new Map<number, number>();
  private current?: Loaded;
  private retiring: number[] = [];
  private nextJobId = 1;
  private nextGeneration = 1;
  /** Worker time per job, a moving average of what workers report; unknown (spread the jobs) for a new version. */
  private jobMs = Infinity;
  private closed = false;
  private pumpScheduled = false;
  private sweeper?: NodeJS.Timeout;
  private readonly workerFile: string;

  constructor(private readonly options: PoolOptions) {
    super();
    this.workerFile = options.workerFile ?? path.join(__dirname, 'inference-worker.js');
  }

  get description(): ModelDescription | undefined {
    return this.current?.description;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    let n = 0;
    for (const slot of this.slots) n += slot.jobs.length;
    return n;
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Loads a model version into every worker (starting them on first use) and makes it the one new requests use.
   * Requests already handed to a worker finish on the version they started on. If any worker cannot load the new
   * version, the old one keeps serving and this rejects with the reason.
   */
  async load(model: ModelFile): Promise<ModelDescription> {
    if (this.closed) throw new Error('the inference pool is closed');
    while (this.slots.length < this.options.size) this.slots.push(this.spawn());
    const generation = this.nextGeneration++;
    const shared = shareModel(model);
    const slots = [...this.slots];
    const results = await Promise.allSettled(slots.map((slot) => this.loadInto(slot, generation, shared)));
    // A worker replaced while loading (it crashed or got stuck) says nothing about the model: only the others count.
    const counted = results.filter((_r, i) => this.slots.includes(slots[i]));
    const failure = counted.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const success = counted.find((r): r is PromiseFulfilledResult<ModelDescription> => r.status === 'fulfilled');
    if (failure || !success) {
      for (const slot of this.slots) this.unloadFrom(slot, generation);
      const reason = failure?.reason ?? new Error('every inference worker was replaced while loading');
      throw reason instanceof ModelLoadError ? reason : new ModelLoadError(model.path, String(reason?.message ?? reason));
    }
    const previous = this.current;
    this.current = { generation, description: success.value, model: shared };
    this.jobMs = Infinity;
    // A worker that joined during the load (a replacement) still holds the old version: bring it up to date.
    for (const slot of this.slots) if (!slot.loaded.has(generation) && !slot.loads.has(generation)) this.catchUp(slot);
    if (previous) {
      this.retiring.push(previous.generation);
      this.retireIdleGenerations();
    }
    return success.value;
  }

  /** Queues a request for a worker. Rejects with PoolRejection (503 queue full, 504 timed out). */
  run(kind: JobKind, body: Uint8Array, receivedAt: number): Promise<JobResult> {
    const current = this.current;
    if (this.closed || !current) return Promise.reject(new PoolRejection(503, 'the model is not loaded yet; try again shortly', 1));
    // Waiting counts wherever a request waits, in this queue or in a worker's batch: one job per worker is running.
    const waiting = this.queue.length + this.inFlight - this.slots.length;
    if (waiting >= this.options.maxQueue) {
      return Promise.reject(new PoolRejection(503, `the server is busy (${waiting} requests waiting); try again shortly`, 1));
    }
    return new Promise<JobResult>((resolve, reject) => {
      const job: Job = {
        id: this.nextJobId++, kind, body, receivedAt, generation: current.generation, resolve, reject,
        deadline: performance.now() + this.options.timeoutMs,
      };
      this.queue.push(job);
      this.sweepDeadlines();
      this.schedulePump();
    });
  }

  /**
   * Stops every worker. Workers leave by themselves once their current run ends (the server has already let requests
   * in progress finish); one still running after `graceMs` is terminated, which onnxruntime may answer by aborting.
   */
  async close(graceMs = Math.max(this.options.timeoutMs, 1_000)): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const job of this.queue.splice(0)) this.fail(job, new PoolRejection(503, 'the server is shutting down'));
    await Promise.all(this.slots.splice(0).map(async (slot) => {
      for (const job of slot.jobs.splice(0)) this.fail(job, new PoolRejection(503, 'the server is shutting down'));
      const exited = new Promise<void>((resolve) => slot.worker.once('exit', () => resolve()));
      this.retire(slot);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
      if ((await Promise.race([exited, late])) === 'late') await slot.worker.terminate();
      clearTimeout(timer);
    }));
  }

  /** Asks a worker to leave between runs; never `terminate()` it mid-run (see inference-worker.ts). */
  private retire(slot: Slot): void {
    Atomics.store(slot.control, 0, 1);
    slot.worker.postMessage({ type: 'retire' } satisfies ToWorker);
  }

  private spawn(): Slot {
    const control = new SharedArrayBuffer(4);
    const slot: Slot = {
      worker: new Worker(this.workerFile, { workerData: { control, ortLog: this.options.ortLog ?? {} } satisfies WorkerData }),
      control: new Int32Array(control),
      jobs: [],
      loads: new Map(),
      loaded: new Set(),
      lastProgress: performance.now(),
    };
    slot.worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    slot.worker.on('error', (err) => this.replace(slot, new Error(`an inference worker crashed: ${err.message}`), 'dead'));
    slot.worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot)) this.replace(slot, new Error(`an inference worker exited with code ${code}`), 'dead');
    });
    return slot;
  }

  private loadInto(slot: Slot, generation: number, model: SharedModel): Promise<ModelDescription> {
    const file = model.file;
    return new Promise((resolve, reject) => {
      const limit = this.options.loadTimeoutMs ?? 120_000;
      const timer = setTimeout(() => {
        slot.loads.delete(generation);
        reject(new ModelLoadError(file, `loading took longer than ${limit / 1000} s`));
      }, limit);
      slot.loads.set(generation, {
        file,
        resolve: (d) => { clearTimeout(timer); slot.loaded.add(generation); resolve(d); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.post(slot, { type: 'load', generation, model });
    });
  }

  private unloadFrom(slot: Slot, generation: number): void {
    if (slot.loaded.delete(generation)) this.post(slot, { type: 'unload', generation });
  }

  private post(slot: Slot, msg: ToWorker): void {
    slot.worker.postMessage(msg);
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (!this.slots.includes(slot)) return; // a retired worker finishing up: its jobs were answered or re-queued
    if (msg.type === 'results') {
      slot.lastProgress = performance.now();
      if (msg.results.length > 0) {
        const sample = msg.busyMs / msg.results.length;
        this.jobMs = Number.isFinite(this.jobMs) ? this.jobMs + 0.2 * (sample - this.jobMs) : sample;
      }
      for (const { jobId, result } of msg.results) {
        const job = removeJob(slot.jobs, jobId);
        if (!job) continue; // timed out already
        this.finish(job);
        job.resolve(result);
      }
      this.pump();
      return;
    }
    const pending = slot.loads.get(msg.generation);
    slot.loads.delete(msg.generation);
    if (msg.type === 'loaded') {
      if (pending) pending.resolve(msg.description);
      // Loaded after its load timed out or was given up: release the session instead of keeping it forever.
      else this.post(slot, { type: 'unload', generation: msg.generation });
    } else if (pending) pending.reject(new ModelLoadError(pending.file, msg.reason));
  }

  /**
   * Where the next jobs go, and how many: to a running worker while the work waiting there stays under
   * CONCENTRATE_BELOW_MS (no wake-up needed), else to an idle worker, else to the least busy one; see
   * CONCENTRATE_BELOW_MS. Without an estimate of the job time yet, the waiting jobs are shared out between free workers.
   */
  private nextBatch(generation: number): { slot: Slot; count: number } | undefined {
    const now = performance.now();
    let running: Slot | undefined;
    let idle: Slot | undefined;
    let free = 0;
    for (const slot of this.slots) {
      if (!slot.loaded.has(generation) || slot.jobs.length >= JOBS_PER_WORKER) continue;
      free++;
      if (slot.jobs.length === 0) idle ??= slot;
      else if (!running || slot.jobs.length < running.jobs.length) running = slot;
    }
    const room = (slot: Slot) => Math.min(JOBS_PER_WORKER - slot.jobs.length, this.queue.length);
    // How many more jobs fit in `slot` under the threshold (0 when its jobs are slow, or the estimate is unknown).
    const jobMs = Math.max(this.jobMs, 0.001);
    const fits = (slot: Slot) => (!Number.isFinite(jobMs) || (slot.jobs.length > 0 && now - slot.lastProgress >= 2 * CONCENTRATE_BELOW_MS) ? 0
      : Math.floor((CONCENTRATE_BELOW_MS - slot.jobs.length * jobMs) / jobMs));
    if (running && fits(running) >= 1) return { slot: running, count: Math.min(room(running), fits(running)) };
    const slot = idle ?? running;
    if (!slot) return undefined;
    const count = fits(slot) >= 1 ? Math.min(room(slot), fits(slot)) : Math.min(room(slot), Math.ceil(this.queue.length / free));
    return { slot, count };
  }

  /**
   * Dispatches at the end of this event-loop turn rather than per request: under load, many requests are parsed in the
   * same turn, and one message can then carry all of them to a worker.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.current) {
      // A job that waited through a hot reload runs on the new version: it had not started on the old one.
      const generation = this.current.generation;
      const next = this.nextBatch(generation);
      if (!next) return;
      const { slot, count } = next;
      const batch = this.queue.splice(0, count);
      if (slot.jobs.length === 0) slot.lastProgress = performance.now();
      for (const job of batch) {
        job.generation = generation;
        job.slot = slot;
        slot.jobs.push(job);
      }
      this.inFlightByGeneration.set(generation, (this.inFlightByGeneration.get(generation) ?? 0) + batch.length);
      const { jobs, bodies } = packBodies(batch);
      slot.worker.postMessage({ type: 'infer', generation, jobs, bodies } satisfies ToWorker, [bodies]);
    }
  }


  private finish(job: Job): void {
    this.releaseGeneration(job);
  }

  /**
   * One timer for all deadlines instead of a setTimeout per request (a Timeout object and two timer-list updates per
   * request were measurable on the HTTP thread). A job is abandoned within a tenth of the timeout past its deadline.
   */
  private sweepDeadlines(): void {
    if (this.sweeper || this.closed) return;
    const every = Math.max(5, Math.min(1_000, this.options.timeoutMs / 10));
    this.sweeper = setInterval(() => {
      const now = performance.now();
      // Every job not answered yet waits in the queue or in a worker's list; copies, as timeOut() removes from both.
      for (const job of [...this.queue]) if (job.deadline <= now) this.timeOut(job);
      for (const slot of [...this.slots]) for (const job of [...slot.jobs]) if (job.deadline <= now) this.timeOut(job);
      if (this.queue.length === 0 && this.inFlight === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, every);
    this.sweeper.unref();
  }

  /** The job no longer runs on a worker: its version may now be unloaded if a newer one replaced it. */
  private releaseGeneration(job: Job): void {
    if (job.slot) {
      const left = (this.inFlightByGeneration.get(job.generation) ?? 1) - 1;
      if (left > 0) this.inFlightByGeneration.set(job.generation, left);
      else this.inFlightByGeneration.delete(job.generation);
      this.retireIdleGenerations();
    }
  }

  private fail(job: Job, err: Error): void {
    this.finish(job);
    job.reject(err);
  }

  private retireIdleGenerations(): void {
    if (this.retiring.length === 0) return;
    this.retiring = this.retiring.filter((generation) => {
      if (this.inFlightByGeneration.has(generation)) return true;
      for (const slot of this.slots) this.unloadFrom(slot, generation);
      return false;
    });
  }

  private timeOut(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = job.slot;
    if (slot) removeJob(slot.jobs, job.id);
    this.fail(job, new PoolRejection(504, `inference took longer than ${this.options.timeoutMs} ms and was abandoned`));
    // onnxruntime cannot interrupt a running session: a worker that has answered nothing for a whole timeout is stuck,
    // so a fresh worker takes its place now and the stuck one leaves when its run ends. A worker that is making
    // progress (the job only waited in its batch) keeps going; the abandoned job's answer is ignored.
    if (slot && performance.now() - slot.lastProgress >= this.options.timeoutMs) {
      this.replace(slot, new Error(`an inference worker was replaced after a request ran past ${this.options.timeoutMs} ms`), 'stuck');
    }
  }

  /** Loads the current version into a worker, again if a newer one arrived meanwhile, then lets it take jobs. */
  private catchUp(slot: Slot): void {
    const current = this.current;
    if (!current || this.closed || !this.slots.includes(slot)) return;
    this.loadInto(slot, current.generation, current.model).then(
      () => (this.current && this.current.generation !== current.generation ? this.catchUp(slot) : this.pump()),
      (err: Error) => this.emit('worker-error', err),
    );
  }

  /** Swaps a dead or stuck worker for a fresh one holding the current version; its other jobs go back to the queue. */
  private replace(slot: Slot, reason: Error, state: 'dead' | 'stuck'): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    this.emit('worker-error', reason);
    if (state === 'stuck') this.retire(slot);
    for (const pending of slot.loads.values()) pending.reject(reason);
    const orphans = slot.jobs.splice(0);
    for (const job of orphans) {
      this.releaseGeneration(job);
      job.slot = undefined;
    }
    this.queue.unshift(...orphans);
    const fresh = this.spawn();
    this.slots[index] = fresh;
    this.catchUp(fresh);
  }
}
