/**
 * Which worker gets which jobs, and when: the inference pool's decisions, with no threads, timers or clock of its own
 * (every call that needs the time is given `now`, in `performance.now()` milliseconds), so they are unit-tested
 * directly (test/unit/batch-scheduler.test.ts). The pool (inference-pool.ts) owns the threads and acts on what this
 * says: it posts the batches, answers the jobs, and replaces the workers found stuck.
 */

/** What the scheduler needs of a job. It keeps its own bookkeeping on the job: arrays, not maps (see `removeJob`). */
export interface SchedulableJob<W> {
  id: number;
  /** When the job is abandoned (504), in `performance.now()` time. */
  deadline: number;
  /** The model version it was handed to a worker with (set at dispatch). */
  generation?: number;
  /** The worker it was handed to; undefined while it waits in the queue. */
  worker?: W;
}

export interface SchedulerOptions {
  /** Requests allowed to wait for a worker (in the queue or in a worker's batch); beyond it, `full`. */
  maxQueue: number;
  /** A worker that has answered nothing for this long while one of its jobs passed its deadline is stuck. */
  timeoutMs: number;
  /** Jobs in flight per worker. */
  jobsPerWorker?: number;
  /** Jobs stay on a running worker while the work waiting there is expected to take less than this. */
  concentrateBelowMs?: number;
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
 * this, every job still goes to an idle or the least busy worker.
 */
const CONCENTRATE_BELOW_MS = 0.5;

/** One worker as the scheduler sees it. */
interface Lane<W, J> {
  worker: W;
  /** Jobs handed to it and not answered yet. */
  jobs: J[];
  /** When it last showed progress (answered, or was handed work while idle). */
  lastProgress: number;
  /**
   * Jobs were given up while it ran them and it has not answered since: it is still running them (onnxruntime cannot
   * stop), so it is not idle, and a whole timeout of silence makes it stuck even with no job of its own left.
   */
  abandoned: boolean;
}

export interface Batch<W, J> {
  worker: W;
  jobs: J[];
}

/**
 * Takes job `id` out of a worker's list: a short array searched in place. Jobs were kept in a Map per worker and a Set
 * of all pending jobs, one entry added and deleted per request; measured under load, that churn (with the same in the
 * HTTP server's set of open responses) made every request's objects — request, response, closures — survive into old
 * space: ~2.7 MB promoted per scavenge, 3–6 ms scavenges, ~8% of the HTTP thread in GC. (V8 keeps an outgrown hash
 * table pointing at its successor, so one table that reached old space holds the later ones and their entries.) With
 * arrays the requests' objects die young.
 */
function removeJob<J extends { id: number }>(jobs: J[], id: number): J | undefined {
  for (let i = 0; i < jobs.length; i++) {
    if (jobs[i].id === id) return jobs.splice(i, 1)[0];
  }
  return undefined;
}

export class BatchScheduler<W, J extends SchedulableJob<W>> {
  private readonly lanes: Array<Lane<W, J>> = [];
  private readonly queue: J[] = [];
  private readonly inFlightByGeneration = new Map<number, number>();
  /** Worker time per job, a moving average of what workers report; unknown (spread the jobs) for a new version. */
  private jobMs = Infinity;
  private readonly jobsPerWorker: number;
  private readonly concentrateBelowMs: number;

  constructor(private readonly options: SchedulerOptions) {
    this.jobsPerWorker = options.jobsPerWorker ?? JOBS_PER_WORKER;
    this.concentrateBelowMs = options.concentrateBelowMs ?? CONCENTRATE_BELOW_MS;
  }

  get queued(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    let n = 0;
    for (const lane of this.lanes) n += lane.jobs.length;
    return n;
  }

  /** Requests waiting, wherever they wait: in the queue or in a worker's batch (one job per worker is running). */
  get waiting(): number {
    return this.queue.length + this.inFlight - this.lanes.length;
  }

  /** Whether a new job must be refused: `maxQueue` requests are waiting already. */
  get full(): boolean {
    return this.waiting >= this.options.maxQueue;
  }

  /** Whether any job is queued or in flight (the pool's deadline sweeper runs while there is). */
  get busy(): boolean {
    return this.queue.length > 0 || this.inFlight > 0;
  }

  /** Deadlines must still be checked: work is waiting or running, or a worker still runs jobs that were given up. */
  get watching(): boolean {
    return this.busy || this.lanes.some((lane) => lane.abandoned);
  }

  /** Jobs handed to workers with this version and not finished: it may be unloaded once there are none. */
  inFlightWith(generation: number): number {
    return this.inFlightByGeneration.get(generation) ?? 0;
  }

  /** The jobs waiting for a worker, oldest first. */
  queuedJobs(): readonly J[] {
    return this.queue;
  }

  /** The jobs a worker holds, in the order it got them. */
  jobsOf(worker: W): readonly J[] {
    return this.laneOf(worker)?.jobs ?? [];
  }

  addWorker(worker: W, now: number): void {
    this.lanes.push({ worker, jobs: [], lastProgress: now, abandoned: false });
  }

  /**
   * Puts `fresh` in the place of `old` (a dead or stuck worker); `old`'s unanswered jobs go back to the front of the
   * queue, in order, to run on whatever version is current when they are handed out again.
   */
  replaceWorker(old: W, fresh: W, now: number): J[] {
    const index = this.lanes.findIndex((lane) => lane.worker === old);
    if (index < 0) return [];
    const orphans = this.lanes[index].jobs.splice(0);
    for (const job of orphans) this.release(job);
    this.queue.unshift(...orphans);
    this.lanes[index] = { worker: fresh, jobs: [], lastProgress: now, abandoned: false };
    return orphans;
  }

  /** A new model version is served: how long its jobs take is not known yet. */
  newVersion(): void {
    this.jobMs = Infinity;
  }

  enqueue(job: J): void {
    this.queue.push(job);
  }

  /**
   * The next batch to hand out, taken off the queue and marked as the worker's, or undefined when no worker can take
   * one. Only workers for which `holds(worker)` is true (they hold `generation`, the current version) are considered.
   * Without an estimate of the job time yet, the waiting jobs are shared out between the free workers.
   */
  nextBatch(generation: number, holds: (worker: W) => boolean, now: number): Batch<W, J> | undefined {
    if (this.queue.length === 0) return undefined;
    const decided = this.choose(holds, now);
    if (!decided) return undefined;
    const { lane, count } = decided;
    const jobs = this.queue.splice(0, count);
    if (lane.jobs.length === 0 && !lane.abandoned) lane.lastProgress = now;
    for (const job of jobs) {
      job.generation = generation;
      job.worker = lane.worker;
      lane.jobs.push(job);
    }
    this.inFlightByGeneration.set(generation, this.inFlightWith(generation) + jobs.length);
    return { worker: lane.worker, jobs };
  }

  /**
   * A worker answered: the jobs it answered that were still waiting for it, in the order of `jobIds` (one it answers
   * after its deadline has already been given up). `busyMs` is the worker's time on them, which refines the estimate.
   */
  answered(worker: W, jobIds: readonly number[], busyMs: number, now: number): J[] {
    const lane = this.laneOf(worker);
    if (!lane) return [];
    lane.lastProgress = now;
    lane.abandoned = false;
    if (jobIds.length > 0) {
      const sample = busyMs / jobIds.length;
      this.jobMs = Number.isFinite(this.jobMs) ? this.jobMs + 0.2 * (sample - this.jobMs) : sample;
    }
    const done: J[] = [];
    for (const id of jobIds) {
      const job = removeJob(lane.jobs, id);
      if (!job) continue;
      this.release(job);
      done.push(job);
    }
    return done;
  }

  /**
   * Takes out every job past its deadline, and names the workers that are stuck: one that held such a job and has
   * answered nothing for a whole timeout. (onnxruntime cannot interrupt a run, so the pool replaces those; a worker
   * that is making progress, whose job only waited in its batch, keeps going.)
   */
  expire(now: number): { expired: J[]; stuck: W[] } {
    const expired: J[] = [];
    const stuck: W[] = [];
    for (let i = 0; i < this.queue.length;) {
      if (this.queue[i].deadline <= now) expired.push(...this.queue.splice(i, 1));
      else i++;
    }
    for (const lane of this.lanes) {
      let late = false;
      for (let i = 0; i < lane.jobs.length;) {
        const job = lane.jobs[i];
        if (job.deadline > now) {
          i++;
          continue;
        }
        lane.jobs.splice(i, 1);
        this.release(job);
        expired.push(job);
        late = true;
      }
      if (late) lane.abandoned = true;
      if (lane.abandoned && now - lane.lastProgress >= this.options.timeoutMs) stuck.push(lane.worker);
    }
    return { expired, stuck };
  }

  /** Empties the queue (not the workers' lists): the jobs that waited for a version that did not load. */
  takeQueued(): J[] {
    return this.queue.splice(0);
  }

  /** Empties the queue and every worker's list (the pool is closing): the jobs still unanswered. */
  drain(): J[] {
    const jobs = this.queue.splice(0);
    for (const lane of this.lanes.splice(0)) {
      for (const job of lane.jobs.splice(0)) {
        this.release(job);
        jobs.push(job);
      }
    }
    return jobs;
  }

  /**
   * Where the next jobs go, and how many: to a running worker while the work waiting there stays under
   * concentrateBelowMs (no wake-up needed), else to an idle worker, else to the least busy one.
   */
  private choose(holds: (worker: W) => boolean, now: number): { lane: Lane<W, J>; count: number } | undefined {
    let running: Lane<W, J> | undefined;
    let idle: Lane<W, J> | undefined;
    /** A worker with no jobs of its own that still runs given-up ones: used only when no other has room. */
    let lastResort: Lane<W, J> | undefined;
    let free = 0;
    for (const lane of this.lanes) {
      if (lane.jobs.length >= this.jobsPerWorker || !holds(lane.worker)) continue;
      free++;
      if (lane.jobs.length === 0 && lane.abandoned) lastResort ??= lane;
      else if (lane.jobs.length === 0) idle ??= lane;
      else if (!running || lane.jobs.length < running.jobs.length) running = lane;
    }
    const room = (lane: Lane<W, J>) => Math.min(this.jobsPerWorker - lane.jobs.length, this.queue.length);
    // How many more jobs fit in `lane` under the threshold (0 when its jobs are slow, or the estimate is unknown).
    const jobMs = Math.max(this.jobMs, 0.001);
    const fits = (lane: Lane<W, J>) => (!Number.isFinite(jobMs) || (lane.jobs.length > 0 && now - lane.lastProgress >= 2 * this.concentrateBelowMs) ? 0
      : Math.floor((this.concentrateBelowMs - lane.jobs.length * jobMs) / jobMs));
    if (running && fits(running) >= 1) return { lane: running, count: Math.min(room(running), fits(running)) };
    const lane = idle ?? running ?? lastResort;
    if (!lane) return undefined;
    const count = fits(lane) >= 1 ? Math.min(room(lane), fits(lane)) : Math.min(room(lane), Math.ceil(this.queue.length / free));
    return { lane, count };
  }

  /** The job no longer runs on a worker: its version may now be unloaded if a newer one replaced it. */
  private release(job: J): void {
    if (job.worker === undefined) return;
    const generation = job.generation!;
    const left = this.inFlightWith(generation) - 1;
    if (left > 0) this.inFlightByGeneration.set(generation, left);
    else this.inFlightByGeneration.delete(generation);
    job.worker = undefined;
  }

  private laneOf(worker: W): Lane<W, J> | undefined {
    for (const lane of this.lanes) if (lane.worker === worker) return lane;
    return undefined;
  }
}
