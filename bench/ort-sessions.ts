/**
 * The memory baseline of the model-memory case: `node out/bench/ort-sessions.js <model.onnx> <n>` creates n
 * onnxruntime-node sessions of the model from its path, with the server's session options, in a bare process, prints
 * one line and waits to be killed: what onnxruntime itself needs to hold n copies of the model, and nothing else.
 */
import * as ort from 'onnxruntime-node';

async function main(): Promise<void> {
  const [model, count] = process.argv.slice(2);
  const sessions = [];
  for (let i = 0; i < Number(count); i++) {
    sessions.push(await ort.InferenceSession.create(model, {
      intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 4,
    }));
  }
  process.stdout.write(`${JSON.stringify({ event: 'ready', sessions: sessions.length })}\n`);
  setInterval(() => undefined, 60_000);
}

void main();
