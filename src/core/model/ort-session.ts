import * as ort from 'onnxruntime-node';
import { ModelLoadError } from './model-load-error';

/**
 * One onnxruntime session per worker thread. One intra-op thread each: on 2 cores the default threading gave p99
 * spikes of several ms (DESIGN.md §4), and parallelism comes from the worker pool instead.
 */
export async function createOrtSession(bytes: Uint8Array, file: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
  } catch (err) {
    throw new ModelLoadError(file, `onnxruntime cannot load it: ${(err as Error).message}`);
  }
}
