import { execFile } from 'node:child_process';
import * as path from 'node:path';

export interface DetachedStartOptions {
  cliPath: string;
  modelFile: string;
  dataDir: string;
  port?: number;
  workers?: number;
  extraArgs: string[];
  /** Secrets for the server's environment (never arguments). */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Loading a big model can take a while; `serve --detach` itself waits up to 120 s. */
const DETACH_TIMEOUT_MS = 130_000;

/**
 * Starts the preview server as a process of its own (`model-preview serve --detach`: its own session, its output in
 * `<data-dir>/server.log`), which outlives this window; resolves once it serves (the CLI returns then). Rejects with
 * the CLI's own one-line reason. The caller then attaches to it like to any running server.
 */
export function startDetachedServer(options: DetachedStartOptions): Promise<void> {
  const args = [path.resolve(options.cliPath), 'serve', '--detach', '--data-dir', path.resolve(options.dataDir)];
  if (options.port !== undefined) args.push('--port', String(options.port));
  if (options.workers !== undefined) args.push('--workers', String(options.workers));
  args.push(...options.extraArgs, '--', path.resolve(options.modelFile));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, {
      env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: DETACH_TIMEOUT_MS, signal: options.signal, windowsHide: true,
    }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const reason = stderr.trim().split('\n').filter(Boolean).pop()?.replace(/^model-preview:\s*/, '');
      reject(new Error(reason || err.message, { cause: err }));
    });
  });
}
