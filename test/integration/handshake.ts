import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Steps shared by the suite (inside the extension host) and the launcher's page callback (in the test process): the
 * suite cannot see the workbench's DOM, and the page callback cannot call the VS Code API. One writes
 * `<dir>/<step>.request.json`; the other answers with `<dir>/<step>.answer.json`.
 */
export const HANDSHAKE_ENV = 'MODEL_PREVIEW_IT_HANDSHAKE';
/** The suite file (in out/test/integration/suite/) that suite/index.ts runs: extension.suite.js when unset. */
export const SUITE_ENV = 'MODEL_PREVIEW_IT_SUITE';

/** In the handshake folder: one JSON line per test of the suite, written as each ends (suite/index.ts). */
export const RESULTS_FILE = 'results.jsonl';

/** How one test of the suite in the extension host ended (a failed hook is reported under its own title). */
export interface StepResult {
  title: string;
  state: 'passed' | 'failed';
  ms: number;
  error?: string;
}

export function writeStep(dir: string, step: string, kind: 'request' | 'answer', data: unknown): void {
  writeFileSync(path.join(dir, `${step}.${kind}.json.tmp`), JSON.stringify(data));
  // Renamed into place so the other side never reads a half-written file.
  renameSync(path.join(dir, `${step}.${kind}.json.tmp`), path.join(dir, `${step}.${kind}.json`));
}

export async function waitForStep<T>(dir: string, step: string, kind: 'request' | 'answer', timeoutMs: number, signal?: AbortSignal): Promise<T> {
  const file = path.join(dir, `${step}.${kind}.json`);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (signal?.aborted) throw new Error(`gave up waiting for ${step}.${kind}: the run ended`);
    if (Date.now() > deadline) throw new Error(`no ${step}.${kind} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
