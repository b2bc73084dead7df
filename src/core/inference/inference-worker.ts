import { parentPort } from 'node:worker_threads';
import { ModelRunner } from './model-runner';
import type { FromWorker, ToWorker } from './worker-protocol';

/**
 * Entry point of an inference worker thread. onnxruntime-node's `session.run` blocks the thread that calls it, so it
 * runs here and never on the HTTP thread. A worker may hold two model versions at once during a hot reload.
 */
if (!parentPort) throw new Error('inference-worker must run as a worker thread');
const port = parentPort;
const runners = new Map<number, ModelRunner>();
const send = (msg: FromWorker): void => port.postMessage(msg);

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'load':
      // A private copy: onnxruntime-node refuses views of a SharedArrayBuffer.
      ModelRunner.load({ path: msg.file, bytes: new Uint8Array(msg.bytes).slice() }).then(
        (runner) => {
          runners.set(msg.generation, runner);
          send({ type: 'loaded', generation: msg.generation, description: runner.description });
        },
        (err: Error) => send({ type: 'load-failed', generation: msg.generation, reason: (err as { reason?: string }).reason ?? err.message }),
      );
      break;
    case 'unload': {
      const runner = runners.get(msg.generation);
      runners.delete(msg.generation);
      void runner?.release();
      break;
    }
    case 'infer': {
      const runner = runners.get(msg.generation);
      const done = (result: FromWorker & { type: 'result' }) => send(result);
      if (!runner) {
        done({ type: 'result', jobId: msg.jobId, result: { status: 503, body: JSON.stringify({ error: 'the model is being reloaded; try again' }) } });
        break;
      }
      runner.run(msg.kind, msg.body, msg.receivedAt).then(
        (result) => done({ type: 'result', jobId: msg.jobId, result }),
        (err: Error) => done({ type: 'result', jobId: msg.jobId, result: { status: 500, body: JSON.stringify({ error: `internal error in the inference worker: ${err.message}` }) } }),
      );
      break;
    }
  }
});
