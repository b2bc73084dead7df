import * as ort from 'onnxruntime-node';
import { ModelLoadError } from './model-load-error';

/** How much onnxruntime itself prints (it writes to stderr from native code, in colour, around our own messages). */
export interface OrtLogOptions {
  /** Its warnings and errors (`--verbose`); otherwise only what aborts the process, since our errors say what failed. */
  verbose?: boolean;
}

/** onnxruntime's severities: 2 warning, 3 error, 4 fatal. */
const SEVERITY = { verbose: 2, quiet: 4 } as const;

/**
 * One onnxruntime session per worker thread. One intra-op thread each: on 2 cores the default threading gave p99
 * spikes of several ms (DESIGN.md §4), and parallelism comes from the worker pool instead. `model`: the file's path (onnxruntime reads it, and its external data beside it, natively) or the bytes of a rewritten
 * model.
 */
export async function createOrtSession(
  model: string | Uint8Array, file: string, log: OrtLogOptions = {}, externalData?: Array<{ path: string; data: Uint8Array }>,
): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    // A rewritten model's data files are handed over by the name the model uses.
    ...(externalData?.length ? { externalData } : {}),
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: log.verbose ? SEVERITY.verbose : SEVERITY.quiet,
  };
  try {
    return await (typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options));
  } catch (err) {
    throw new ModelLoadError(file, explainOrtLoadError((err as Error).message));
  }
}

/**
 * onnxruntime's reason as one line, and for the failures a data scientist meets on a new machine, what is missing.
 * (Its text is a source location and a C++ exception: `…string_normalizer.cc:235 … Failed to construct locale with
 * name:en_US.UTF-8:…`.)
 */
export function explainOrtLoadError(message: string): string {
  const oneLine = message.replace(/\s*\n\s*/g, ' ').trim();
  const locale = /Failed to construct locale with name:\s*([^:\s]+)/.exec(oneLine)?.[1];
  if (locale) {
    return `onnxruntime cannot load it: its StringNormalizer needs the locale ${locale}, which this machine does not have — ` +
      `install it (Debian/Ubuntu: \`apt-get install locales-all\`, or enable it in /etc/locale.gen and run locale-gen) and try again`;
  }
  return `onnxruntime cannot load it: ${oneLine}`;
}
