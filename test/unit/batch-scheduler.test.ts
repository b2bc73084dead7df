import * as assert from 'node:assert/strict';
import { BatchScheduler, type SchedulableJob } from '../../src/core/inference/batch-scheduler';

/**
 * The pool's decisions without threads: workers are names, time is a number the test moves, and a job is answered
 * when the test says so. (The real pool with real workers: test/server/worker-dispatch.test.ts.)
 */
type Worker = 'A' | 'B' | 'C';
type Job = SchedulableJob<Worker>;

const GEN = 1;
const everyWorker = () => true;

function scheduler(workers: Worker[], options: { maxQueue?: number; timeoutMs?: number } = {}) {
  const s = new BatchScheduler<Worker, Job>({ maxQueue: options.maxQueue ?? 1_000, timeoutMs: options.timeoutMs ?? 10_000 });
  for (const w of workers) s.addWorker(w, 0);
  let nextId = 1;
  const enqueue = (count: number, deadline = Infinity): Job[] => Array.from({ length: count }, () => {
    const job: Job = { id: nextId++, deadline };
    s.enqueue(job);
    return job;
  });
  /** Every batch handed out now, as [worker, number of jobs]. */
  const dispatch = (now = 0, holds: (w: Worker) => boolean = everyWorker, generation = GEN): Array<[Worker, number]> => {
    const batches: Array<[Worker, number]> = [];
    for (let b; (b = s.nextBatch(generation, holds, now));) batches.push([b.worker, b.jobs.length]);
    return batches;
  };
  /** The worker answers every job it holds, having spent `msPerJob` on each. */
  const answerAll = (worker: Worker, msPerJob: number, now: number) => {
    const ids = s.jobsOf(worker).map((j) => j.id);
    return s.answered(worker, ids, msPerJob * ids.length, now);
  };
  /** One job to each worker, answered at `now` after `msPerJob`: the scheduler now knows how long a job takes. */
  const learnJobTime = (msPerJob: number, now: number) => {
    enqueue(workers.length);
    dispatch(now);
    for (const w of workers) answerAll(w, msPerJob, now);
  };
  return { s, enqueue, dispatch, answerAll, learnJobTime };
}

describe('BatchScheduler: which worker gets the jobs', () => {
  it('shares a burst out between the free workers while the job time is unknown (a new version)', () => {
    const { s, enqueue, dispatch } = scheduler(['A', 'B']);
    enqueue(10);
    // Half to the first idle worker; then the remaining half goes out in halves to the least busy one.
    assert.deepEqual(dispatch(), [['A', 5], ['B', 3], ['B', 1], ['B', 1]]);
    assert.deepEqual([s.jobsOf('A').length, s.jobsOf('B').length], [5, 5]);
  });

  it('keeps tiny jobs on one running worker (waking another costs more than the jobs), up to the work that fits in 0.5 ms', () => {
    const { s, enqueue, dispatch, learnJobTime } = scheduler(['A', 'B']);
    learnJobTime(0.02, 1);
    enqueue(10);
    assert.deepEqual(dispatch(1), [['A', 10]], 'all on one worker: 10 × 0.02 ms is under 0.5 ms');
    enqueue(30);
    // A is running with 10 jobs: 0.3 ms more fits there (15 jobs, 16 at most per worker: 6 more); the rest wake B.
    assert.deepEqual(dispatch(1), [['A', 6], ['B', 16]]);
    assert.equal(s.queued, 8, 'both workers are full (16 each): the rest wait in the queue');
  });

  it('spreads slow jobs (50 ms each) one per worker instead of queueing them behind each other', () => {
    const { enqueue, dispatch, learnJobTime } = scheduler(['A', 'B', 'C']);
    learnJobTime(50, 100);
    enqueue(2);
    assert.deepEqual(dispatch(100), [['A', 1], ['B', 1]]);
    enqueue(1);
    assert.deepEqual(dispatch(100), [['C', 1]], 'an idle worker before a running one');
    enqueue(1);
    assert.deepEqual(dispatch(100), [['A', 1]], 'then the least busy running worker');
  });

  it('stops adding to a running worker that has not answered for twice the threshold (its job is slower than expected)', () => {
    const { s, enqueue, dispatch, learnJobTime } = scheduler(['A', 'B']);
    learnJobTime(0.02, 0);
    enqueue(1);
    assert.deepEqual(dispatch(0), [['A', 1]]);
    enqueue(1);
    assert.deepEqual(dispatch(0.5), [['A', 1]], 'still answering in time');
    enqueue(1);
    assert.deepEqual(dispatch(1.5), [['B', 1]], 'A has been silent for 1.5 ms: B is woken');
    assert.deepEqual(s.jobsOf('A').length, 2);
  });

  it('gives jobs only to workers that hold the version being served', () => {
    const { s, enqueue, dispatch } = scheduler(['A', 'B']);
    enqueue(4);
    assert.deepEqual(dispatch(0, (w) => w === 'B', 2), [['B', 4]]);
    assert.deepEqual(s.jobsOf('B').map((j) => j.generation), [2, 2, 2, 2]);
    enqueue(1);
    assert.deepEqual(dispatch(0, () => false, 2), [], 'no worker holds it yet: the job waits');
    assert.equal(s.queued, 1);
  });
});

describe('BatchScheduler: queue bounds, deadlines, versions and replaced workers', () => {
  it('is full when maxQueue requests wait, counting those in a worker\'s batch but not the one each worker runs', () => {
    const { s, enqueue, dispatch } = scheduler(['A', 'B'], { maxQueue: 4 });
    enqueue(5);
    dispatch();
    assert.equal(s.inFlight, 5);
    assert.equal(s.waiting, 3);
    assert.equal(s.full, false);
    enqueue(1);
    assert.equal(s.waiting, 4);
    assert.equal(s.full, true);
  });

  it('expires jobs past their deadline, queued or in flight, and calls a worker stuck only after a whole timeout of silence', () => {
    const { s, enqueue, dispatch, answerAll } = scheduler(['A', 'B'], { timeoutMs: 1_000 });
    const early = enqueue(2, 500);
    dispatch(0);
    const queued = enqueue(1, 500);
    assert.deepEqual(s.expire(499), { expired: [], stuck: [] });
    const first = s.expire(500);
    assert.deepEqual(first.expired.map((j) => j.id).sort(), [...early, ...queued].map((j) => j.id).sort());
    assert.deepEqual(first.stuck, [], 'the workers had work for only 500 ms');
    assert.equal(s.busy, false);

    enqueue(1, 1_500);
    dispatch(600);
    enqueue(1, 1_700);
    dispatch(700);
    answerAll('B', 100, 900); // B answers in time; A stays silent
    const second = s.expire(1_600);
    assert.equal(second.expired.length, 1);
    assert.deepEqual(second.stuck, ['A'], 'A has answered nothing since 600');
  });

  it('a worker still running a given-up job is stuck after a whole timeout of silence, even with no job of its own left, and gets new work last', () => {
    const { s, enqueue, dispatch } = scheduler(['A', 'B'], { timeoutMs: 30 });
    enqueue(1, 30); // received at 0, handed to A at 5: its deadline comes before A's timeout of silence
    assert.deepEqual(dispatch(5), [['A', 1]]);
    const atDeadline = s.expire(31);
    assert.equal(atDeadline.expired.length, 1);
    assert.deepEqual(atDeadline.stuck, [], 'silent for 26 ms only');
    assert.equal(s.watching, true, 'A still runs the given-up job: deadlines are still checked');
    enqueue(1, 1_000);
    assert.deepEqual(dispatch(32), [['B', 1]], 'new work goes to the idle worker, not to the one still running');
    assert.deepEqual(s.expire(36).stuck, ['A'], 'A has answered nothing since 5');
  });

  it('ignores the answer to a job that already expired', () => {
    const { s, enqueue, dispatch } = scheduler(['A']);
    const [job] = enqueue(1, 10);
    dispatch(0);
    s.expire(10);
    assert.deepEqual(s.answered('A', [job.id], 5, 20), []);
  });

  it('counts each version\'s jobs in flight until they are answered, expired or taken back from a replaced worker', () => {
    const { s, enqueue, dispatch, answerAll } = scheduler(['A', 'B']);
    enqueue(4, 100);
    dispatch(0, everyWorker, 1);
    assert.equal(s.inFlightWith(1), 4);
    answerAll('A', 1, 1);
    assert.equal(s.inFlightWith(1), 2);
    s.replaceWorker('B', 'C', 2);
    assert.equal(s.inFlightWith(1), 0);
    assert.equal(s.queued, 2, 'B\'s jobs went back to the queue');
    assert.deepEqual(dispatch(2, everyWorker, 2), [['A', 1], ['C', 1]], 'and run on the new version');
    assert.equal(s.inFlightWith(2), 2);
    s.expire(100);
    assert.equal(s.inFlightWith(2), 0);
  });

  it('puts a replaced worker\'s jobs at the front of the queue in their order, and the new worker in its place', () => {
    const { s, enqueue, dispatch } = scheduler(['A', 'B']);
    const jobs = enqueue(4);
    dispatch();
    const waiting = enqueue(1);
    const orphans = s.replaceWorker('A', 'C', 5);
    assert.deepEqual(orphans.map((j) => j.id), jobs.slice(0, 2).map((j) => j.id));
    assert.deepEqual(s.queuedJobs().map((j) => j.id), [...jobs.slice(0, 2), ...waiting].map((j) => j.id));
    assert.deepEqual(s.jobsOf('A'), []);
    assert.deepEqual(dispatch(5), [['C', 2], ['C', 1]], 'C is idle and takes them; B still runs its 2');
  });

  it('drains every unanswered job when the pool closes', () => {
    const { s, enqueue, dispatch } = scheduler(['A', 'B']);
    enqueue(3);
    dispatch();
    enqueue(2);
    assert.equal(s.drain().length, 5);
    assert.equal(s.busy, false);
    assert.equal(s.inFlightWith(GEN), 0);
  });
});
