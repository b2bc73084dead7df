import { parentPort, workerData } from 'node:worker_threads';
import { ModelRunner } from './inference/model-runner';
import { type FromWorker, type InferJob, type JobResult, type ToWorker, type WorkerData } from './inference/worker-protocol';
import { createModelSession, describeLoadedModel, prepareModel, textTokenizerFor } from './model/describe';
import type { ModelFile } from './model/model-file';
import type { OrtLogOptions } from './onnx/ort-session';
import { releaseModelMemory } from './onnx/release-memory';

/**
 * Entry point of an inference worker thread: the worker's composition root (as session.ts is the HTTP thread's), so it
 * sits beside session.ts and puts model/ (loading and describing a model) and inference/ (running jobs) together,
 * which do not import each other. onnxruntime-node's `session.run` blocks the thread that calls it, so it runs here
 * and never on the HTTP thread. A worker may hold two model versions at once during a hot reload.
 *
 * A worker is never terminated from outside while it may be inside `session.run`: that aborts the whole process
 * (a native exception escapes). Instead the pool sets the shared `retired` flag, and the worker leaves by itself
 * between runs, skipping any job still queued for it (the pool has already re-queued those elsewhere).
 */
if (!parentPort) throw new Error('inference-worker must run as a worker thread');
const port = parentPort;
const { ortLog } = workerData as WorkerData;
const control = new Int32Array((workerData as WorkerData).control);
const runners = new Map<number, ModelRunner>();
const send = (msg: FromWorker): void => port.postMessage(msg);
let leaving = false;
/** The versions being unloaded: a load waits for them, so that the memory they free is free before it creates. */
let releasing: Promise<unknown> = Promise.resolve();

/** Loads one model version into this thread's onnxruntime. */
async function loadRunner(model: ModelFile, log: OrtLogOptions): Promise<ModelRunner> {
  const prepared = prepareModel(model); // a clearer reason than onnxruntime's for a file that is not a model at all
  const session = await createModelSession(model, prepared, log);
  try {
    const description = describeLoadedModel(model, prepared, session);
    return new ModelRunner(session, description, await textTokenizerFor(model, prepared, description));
  } catch (err) {
    await session.release();
    throw err;
  }
}

function leaveIfRetired(): boolean {
  if (leaving) return true;
  if (Atomics.load(control, 0) !== 1) return false;
  leaving = true;
  port.removeAllListeners('message');
  void Promise.allSettled([...runners.values()].map((r) => r.release())).then(() => process.exit(0));
  return true;
}

port.on('message', (msg: ToWorker) => {
  if (leaveIfRetired()) return;
  switch (msg.type) {
    case 'load':
      releasing.then(() => loadRunner(msg.model, ortLog)).then(
        (runner) => {
          runners.set(msg.generation, runner);
          send({ type: 'loaded', generation: msg.generation, description: runner.description });
        },
        (err: Error) => send({ type: 'load-failed', generation: msg.generation, reason: (err as { reason?: string }).reason ?? err.message }),
      ).finally(releaseModelMemory).finally(leaveIfRetired);
      break;
    case 'unload': {
      const runner = runners.get(msg.generation);
      runners.delete(msg.generation);
      releasing = Promise.allSettled([releasing, runner?.release().finally(releaseModelMemory)]);
      break;
    }
    case 'retire':
      break; // the flag is set: leaveIfRetired() above has begun leaving
    case 'infer':
      void runBatch(msg.generation, msg.jobs, msg.bodies);
      break;
  }
});

/** Runs a batch one job at a time (session.run is synchronous anyway) and answers for the whole batch at once. */
async function runBatch(generation: number, jobs: InferJob[], bodies: ArrayBuffer): Promise<void> {
  const runner = runners.get(generation);
  const results: Array<{ jobId: number; result: JobResult }> = [];
  let busyMs = 0;
  for (const job of jobs) {
    if (leaveIfRetired()) return; // the pool has re-queued this batch's remaining jobs elsewhere
    const started = performance.now();
    let result: JobResult;
    if (!runner) result = { status: 503, body: JSON.stringify({ error: 'the model is being reloaded; try again' }) };
    else {
      result = await runner.run(job.kind, new Uint8Array(bodies, job.offset, job.length), job.receivedAt, job.jsonLength).catch((err: Error) => ({
        status: 500, body: JSON.stringify({ error: 'internal server error' }), internalError: err.stack ?? err.message,
      }));
    }
    busyMs += performance.now() - started;
    results.push({ jobId: job.jobId, result });
  }
  // Binary answers and prediction blobs own their buffers (binaryBody, storedPrediction): moved to the HTTP thread, not copied.
  const binary = results.flatMap(({ result }) => [
    ...(typeof result.body === 'string' ? [] : [result.body.buffer as ArrayBuffer]),
    ...(result.predictionBlobs ?? []).map((blob) => blob.bytes.buffer as ArrayBuffer),
  ]);
  port.postMessage({ type: 'results', results, busyMs } satisfies FromWorker, binary);
  leaveIfRetired();
}
