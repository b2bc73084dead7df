import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { ModelDescription } from '../../shared/model-card';
import { ModelLoadError } from '../onnx/model-load-error';
import type { OrtLogOptions } from '../onnx/ort-session';
import { BatchScheduler, type SchedulableJob } from './batch-scheduler';
import { WorkerSlot, type PostedJob } from './worker-slot';
import type { ModelFile } from '../onnx/model-files';
import type { RequestBody } from './request-body';
import type { FromWorker, JobKind, JobResult } from './worker-protocol';
import { availableMemory } from './available-memory';
import { reloadFit, type ReloadFit } from './reload-memory';
import { formatBytes } from '../../shared/visible-text';

/**
 * The worker's entry point (core/inference-worker.ts): one folder up from this file in the tsc output (out/src/core/),
 * beside it in the webpack bundle (dist/, one folder for everything).
 */
function defaultWorkerFile(): string {
  const candidates = [path.join(__dirname, '..', 'inference-worker.js'), path.join(__dirname, 'inference-worker.js')];
  return candidates.find((file) => existsSync(file)) ?? candidates[0];
}

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
  /**
   * Reads a model version's files again, for a worker that joins after the version loaded (a replacement), so that it
   * loads what is on disk now; without it, the pool hands it the version's ModelFile as loaded.
   */
  readModel?(file: string): Promise<ModelFile>;
  /** onnxruntime's own log lines on stderr (default: quiet). */
  ortLog?: OrtLogOptions;
  /**
   * The memory this process may still take, read before a hot reload (default: availableMemory, within a container's
   * limit). Tests give their own, to make a reload not fit without a real memory limit.
   */
  availableMemory?(): number;
}

/** What requests are told while no version is served (Retry-After: 1 s), during a reload that unloaded the old version first. */
const RELOADING = 'the model is being reloaded; try again shortly';

/** Why a request got no result: the status and message the HTTP layer answers with. */
export class PoolRejection extends Error {
  override readonly name = 'PoolRejection';
  constructor(readonly status: 503 | 504, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

interface Job extends PostedJob, SchedulableJob<WorkerSlot> {
  resolve(result: JobResult): void;
  reject(err: Error): void;
}

interface Loaded {
  generation: number;
  description: ModelDescription;
  file: string;
  /** Kept only when the pool cannot read the version again (no `readModel`). */
  model?: ModelFile;
}

/**
 * Runs inference on worker threads. The HTTP thread only hands a request's raw body over and gets the serialised
 * answer back. Which worker gets which job is the BatchScheduler's decision; the threads are WorkerSlots; this class
 * puts them together with the model versions: loading a new one into every worker while the old one serves, and
 * unloading the old one once its last job is done. Emits `worker-error` (Error) when a worker crashes or is replaced,
 * and `reload-without-overlap` (ReloadFit) when a reload unloads the old version before it loads the new one.
 */
export class InferencePool extends EventEmitter {
  private slots: WorkerSlot[] = [];
  private readonly scheduler: BatchScheduler<WorkerSlot, Job>;
  private current?: Loaded;
  private retiring: number[] = [];
  /** Called whenever jobs were answered or given up, a worker replaced or the pool closed: a reload waiting for a version to be retired (without overlap) or for a worker to finish its jobs (makeRoom). */
  private retiredWaiters: Array<() => void> = [];
  /** What requests get while no version is served: loading the first, reloading without overlap, or a failed reload. */
  private unavailable = new PoolRejection(503, 'the model is not loaded yet; try again shortly', 1);
  private nextJobId = 1;
  private nextGeneration = 1;
  private closed = false;
  private pumpScheduled = false;
  private sweeper?: NodeJS.Timeout;
  private readonly workerFile: string;
  private readonly slotEvents = {
    results: (slot: WorkerSlot, msg: Extract<FromWorker, { type: 'results' }>) => this.onResults(slot, msg),
    died: (slot: WorkerSlot, reason: Error) => this.replace(slot, reason),
  };
  /** A worker that takes no more jobs on the version served: it unloads it, to create the next one in its place. */
  private makingRoom?: WorkerSlot;
  private readonly holdsCurrent = (slot: WorkerSlot): boolean => slot !== this.makingRoom && slot.holds(this.current!.generation);

  constructor(private readonly options: PoolOptions) {
    super();
    this.workerFile = options.workerFile ?? defaultWorkerFile();
    this.scheduler = new BatchScheduler({ maxQueue: options.maxQueue, timeoutMs: options.timeoutMs });
  }

  get description(): ModelDescription | undefined {
    return this.current?.description;
  }

  get queueDepth(): number {
    return this.scheduler.queued;
  }

  get inFlight(): number {
    return this.scheduler.inFlight;
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Loads a model version into every worker (starting them on first use) and makes it the one new requests use.
   * Requests already handed to a worker finish on the version they started on. If the first worker cannot load the
   * new version, the old one keeps serving and this rejects with the reason.
   *
   * One worker at a time, and the old version unloaded as soon as one worker holds the new one: creating a session
   * briefly takes about a second copy of the weights in onnxruntime, and loading every worker at once while all held
   * the old version made a hot reload's peak several models high (issue 16: 1,358 MB for a 103 MB model). With two
   * workers or more, the first one also makes room before it creates the new version: it takes no more jobs on the old
   * one and unloads it once its own are answered, while the others serve on (makeRoom). The peak is then one old
   * session fewer than the old sessions and one creation: below the old and new sessions at rest, which onnxruntime's
   * creation beside all of them is not (bench model-memory). A reload resolves when the new version is the one served
   * (by the first worker alone while the others load it, in the background); the first load, once every worker holds it.
   * A new version that fails to load in the worker that made room leaves that worker empty (the old version's file is
   * gone: it cannot be loaded again) until a later version loads; the others serve the old one meanwhile.
   *
   * When even that does not fit in the memory available (reload-memory.ts: a container's limit would kill the process,
   * silently), the old version is unloaded first, once its jobs in flight are done: requests get 503 meanwhile
   * (RELOADING), and a new version that then fails to load leaves none served, requests answered 503 with the reason,
   * until a later load succeeds. `reload-without-overlap` says so before the old version goes. A version that would
   * not fit even without the old one is refused (ModelLoadError) and the old one serves on: better than being killed.
   */
  async load(model: ModelFile): Promise<ModelDescription> {
    if (this.closed) throw new Error('the inference pool is closed');
    while (this.slots.length < this.options.size) {
      const slot = this.spawn();
      this.slots.push(slot);
      this.scheduler.addWorker(slot, performance.now());
    }
    const generation = this.nextGeneration++;
    const previous = this.current;
    const withoutOverlap = previous ? this.unloadFirstIfNeeded(model, previous) : undefined;
    if (withoutOverlap) await withoutOverlap;
    const roomIn = previous && !withoutOverlap ? await this.makeRoom(previous.generation) : undefined;
    // The first worker that loads the version proves it loads, while the others still serve the old one.
    let description: ModelDescription | undefined;
    let failure: unknown;
    for (const slot of roomIn ? [roomIn, ...this.slots.filter((s) => s !== roomIn)] : [...this.slots]) {
      if (this.closed) break;
      try {
        description = await this.loadInto(slot, generation, model);
        break;
      } catch (err) {
        // A worker replaced while loading (it crashed or got stuck) says nothing about the model: the next one tries.
        if (this.slots.includes(slot)) {
          failure = err;
          break;
        }
      }
    }
    if (this.closed || !description) {
      for (const slot of this.slots) slot.unload(generation);
      if (this.closed) throw new ModelLoadError(model.path, 'the preview stopped while the model was loading');
      const reason = (failure ?? new Error('every inference worker was replaced while loading')) as Error;
      const error = reason instanceof ModelLoadError ? reason : new ModelLoadError(model.path, String(reason?.message ?? reason));
      if (!this.current) this.serveNothing(error);
      throw error;
    }
    this.current = { generation, description, file: model.path, ...(this.options.readModel ? {} : { model }) };
    this.scheduler.newVersion();
    if (previous && !withoutOverlap) {
      // The other workers take no new jobs on the old version: it is unloaded everywhere once its last job is done.
      this.retiring.push(previous.generation);
      this.retireIdleGenerations();
    }
    // Then the other workers, one after the other (and any that joined during the load, a replacement): in the
    // background during a reload; the first load waits for them, so that a server that says it is ready has them all.
    // Each once the old version has left it (its jobs on it answered), so that it never creates beside it either.
    const others = (async () => {
      for (const slot of this.slots) {
        if (slot.hasOrLoads(generation)) continue;
        while (!this.closed && this.slots.includes(slot) && this.retiring.some((old) => slot.holds(old))) await new Promise<void>((resolve) => this.retiredWaiters.push(resolve));
        await this.catchUp(slot, model);
      }
    })();
    if (!previous) await others;
    return description;
  }

  /**
   * With two workers or more holding `generation`, the one with the fewest jobs takes no more and unloads it once they
   * are answered (the others serve it meanwhile): the worker the new version is then created in, which resolves. With
   * one worker, undefined: the new version is created beside the old one, which serves meanwhile.
   */
  private async makeRoom(generation: number): Promise<WorkerSlot | undefined> {
    const holders = this.slots.filter((slot) => slot.holds(generation));
    if (holders.length < 2) return undefined;
    const slot = holders.reduce((a, b) => (this.scheduler.jobsOf(b).length < this.scheduler.jobsOf(a).length ? b : a));
    this.makingRoom = slot;
    try {
      while (!this.closed && this.slots.includes(slot) && this.scheduler.jobsOf(slot).length > 0) {
        await new Promise<void>((resolve) => this.retiredWaiters.push(resolve));
      }
    } finally {
      this.makingRoom = undefined;
    }
    if (this.closed || !this.slots.includes(slot)) return undefined; // replaced meanwhile: the reload overlaps as before
    slot.unload(generation);
    return slot;
  }

  /**
   * Whether the new version can be created beside the one served; when not, retires the old one everywhere and resolves
   * once it is unloaded (its jobs in flight done). Undefined when it fits: the reload overlaps as usual.
   */
  private unloadFirstIfNeeded(model: ModelFile, previous: Loaded): Promise<void> | undefined {
    const holders = this.slots.filter((slot) => slot.holds(previous.generation)).length;
    const fit: ReloadFit = reloadFit(model, (this.options.availableMemory ?? availableMemory)(), previous.description.fileSize * holders);
    if (fit.fits) return undefined;
    if (!fit.fitsAlone) {
      throw new ModelLoadError(model.path, `not loaded: creating its session needs about ${formatBytes(fit.neededBytes)} of memory (twice its files and a margin), `
        + `and this process has ${formatBytes(fit.availableBytes)} free, about ${formatBytes(fit.availableBytes + fit.heldBytes)} even without the version served `
        + '(within the memory limit, when it runs in a container); a smaller model or a higher memory limit would load');
    }
    this.current = undefined;
    this.unavailable = new PoolRejection(503, RELOADING, 1);
    this.emit('reload-without-overlap', fit);
    this.retiring.push(previous.generation);
    this.retireIdleGenerations();
    return (async () => {
      while (!this.closed && this.retiring.includes(previous.generation)) await new Promise<void>((resolve) => this.retiredWaiters.push(resolve));
    })();
  }

  /**
   * No version is served after a load failed without one: requests waiting for it, and those that come, get 503 with the
   * reason, until a later load succeeds (the owner is told by the load's error).
   */
  private serveNothing(error: ModelLoadError): void {
    this.unavailable = new PoolRejection(503, `the model is not available: its new version could not be loaded (${error.reason}); try again later`, 10);
    for (const job of this.scheduler.takeQueued()) job.reject(this.unavailable);
  }

  /**
   * Queues a request for a worker. Rejects with PoolRejection (503 queue full, 504 timed out). `jsonLength`: the
   * request's Inference-Header-Content-Length, when it had one.
   */
  run(kind: JobKind, body: RequestBody, receivedAt: number, jsonLength?: number): Promise<JobResult> {
    if (this.closed || !this.current) return Promise.reject(this.closed ? new PoolRejection(503, 'the server is shutting down') : this.unavailable);
    if (this.scheduler.full) {
      return Promise.reject(new PoolRejection(503, `the server is busy (${this.scheduler.waiting} requests waiting); try again shortly`, 1));
    }
    return new Promise<JobResult>((resolve, reject) => {
      this.scheduler.enqueue({ id: this.nextJobId++, kind, body, receivedAt, jsonLength, deadline: performance.now() + this.options.timeoutMs, resolve, reject });
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
    this.wakeRetiredWaiters();
    for (const job of this.scheduler.drain()) job.reject(new PoolRejection(503, 'the server is shutting down'));
    await Promise.all(this.slots.splice(0).map((slot) => slot.close(graceMs)));
  }

  private spawn(): WorkerSlot {
    return new WorkerSlot(this.workerFile, this.options.ortLog ?? {}, this.slotEvents);
  }

  private loadInto(slot: WorkerSlot, generation: number, model: ModelFile): Promise<ModelDescription> {
    return slot.load(generation, model, this.options.loadTimeoutMs ?? 120_000);
  }

  private onResults(slot: WorkerSlot, msg: Extract<FromWorker, { type: 'results' }>): void {
    const jobIds = msg.results.map((r) => r.jobId);
    const done = this.scheduler.answered(slot, jobIds, msg.busyMs, performance.now());
    // `done` follows `msg.results`' order, with the jobs that timed out already left out.
    let i = 0;
    for (const { jobId, result } of msg.results) if (done[i]?.id === jobId) done[i++].resolve(result);
    this.retireIdleGenerations();
    this.pump();
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
    const now = performance.now();
    // A job that waited through a hot reload runs on the new version: it had not started on the old one.
    for (let batch; this.current && (batch = this.scheduler.nextBatch(this.current.generation, this.holdsCurrent, now));) {
      batch.worker.run(this.current.generation, batch.jobs);
    }
  }

  /**
   * One timer for all deadlines instead of a setTimeout per request (a Timeout object and two timer-list updates per
   * request were measurable on the HTTP thread). A job is abandoned within a tenth of the timeout past its deadline.
   */
  private sweepDeadlines(): void {
    if (this.sweeper || this.closed) return;
    const every = Math.max(5, Math.min(1_000, this.options.timeoutMs / 10));
    this.sweeper = setInterval(() => {
      const { expired, stuck } = this.scheduler.expire(performance.now());
      for (const job of expired) job.reject(new PoolRejection(504, `inference took longer than ${this.options.timeoutMs} ms and was abandoned`));
      // onnxruntime cannot interrupt a running session: a fresh worker takes a stuck one's place now, and the stuck
      // one leaves when its run ends. Its other jobs go back to the queue.
      for (const slot of stuck) {
        const reason = new Error(`an inference worker was replaced after a request ran past ${this.options.timeoutMs} ms`);
        slot.retire(reason);
        this.replace(slot, reason);
      }
      if (expired.length > 0) this.retireIdleGenerations();
      if (!this.scheduler.watching) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, every);
    this.sweeper.unref();
  }

  /** Unloads the retiring versions that no job runs on any more, and wakes what waits for jobs to be answered. */
  private retireIdleGenerations(): void {
    this.retiring = this.retiring.filter((generation) => {
      if (this.scheduler.inFlightWith(generation) > 0) return true;
      for (const slot of this.slots) slot.unload(generation);
      return false;
    });
    this.wakeRetiredWaiters();
  }

  private wakeRetiredWaiters(): void {
    for (const wake of this.retiredWaiters.splice(0)) wake();
  }

  /**
   * Loads the current version into a worker, again if a newer one arrived meanwhile, then lets it take jobs. `model`:
   * the version's files as just loaded (a reload's other workers); without it, they are read again (a replacement).
   */
  private catchUp(slot: WorkerSlot, model?: ModelFile): Promise<void> {
    const current = this.current;
    if (!current || this.closed || !this.slots.includes(slot)) return Promise.resolve();
    const files = model ?? current.model;
    return (files ? Promise.resolve(files) : this.options.readModel!(current.file)).then((file) => this.loadInto(slot, current.generation, file)).then(
      (description) => {
        // Read again from disk: a file changed since (a re-export the watcher is about to load) is not this version.
        if (description.sha256 !== current.description.sha256) {
          slot.unload(current.generation);
          throw new Error(`a replacement inference worker found the model file changed since version ${current.description.version} loaded; it waits for the reload`);
        }
        return this.current && this.current.generation !== current.generation ? this.catchUp(slot) : this.pump();
      },
    ).catch((err: Error) => {
      if (!this.closed) this.emit('worker-error', err); // stopping: its load was given up, nothing went wrong
    });
  }

  /** Swaps a dead or stuck worker for a fresh one holding the current version; its jobs go back to the queue. */
  private replace(slot: WorkerSlot, reason: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    this.emit('worker-error', reason);
    const fresh = this.spawn();
    this.slots[index] = fresh;
    this.scheduler.replaceWorker(slot, fresh, performance.now());
    this.retireIdleGenerations();
    void this.catchUp(fresh);
  }
}
