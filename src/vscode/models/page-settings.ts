import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sidecarPathFor } from '../../shared/sidecar';

/** The CLI's one-line reason ("model-preview: x.onnx: not an ONNX model ..."): the last line of its stderr. */
export function cliReason(stderr: string, fallback: string): string {
  return stderr.trim().split('\n').pop()?.replace(/^model-preview:\s*/, '') || fallback;
}

/**
 * The page settings of a model, written by the bundled CLI's `init-page` when there are none yet (pre-filled with what
 * the model says about itself); an existing file, with someone's edits in it, is left as it is. Resolves with its path.
 */
export function ensurePageSettings(cliPath: string, modelFile: string, timeoutMs = 30_000): Promise<{ file: string; created: boolean }> {
  const file = sidecarPathFor(modelFile);
  if (existsSync(file)) return Promise.resolve({ file, created: false });
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cliPath, 'init-page', '--', modelFile], {
      timeout: timeoutMs, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    }, (err, _stdout, stderr) => (err ? reject(new Error(cliReason(stderr, err.message))) : resolve({ file, created: true })));
  });
}
