import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Test, type Suite } from 'mocha';
import type { Page } from 'playwright-core';
import { HANDSHAKE_ENV, RESULTS_FILE, SUITE_ENV, type StepResult } from './handshake';
import { runVsCodeSuite } from './run-in-code-server';

/** This file runs from out/test/integration/. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** Screenshots kept as test artifacts (test-results/ is git-ignored). */
export const ARTIFACTS = path.join(REPO_ROOT, 'test-results');

export interface SuiteRun {
  exitCode: number;
  timedOut: boolean;
  output: string[];
  steps: StepResult[];
}

/**
 * Runs one suite of test/integration/suite/ in a real VS Code (code-server + chromium) on `workspaceFolder`, with
 * `answer` reading the workbench for it through the file handshake; then adds each step the suite ran to `parent` as
 * a test of its own, with its own outcome. The workspace folder is the caller's (some suites run it twice).
 */
export async function runSuiteSteps(parent: Suite, options: {
  suite: string;
  workspaceFolder: string;
  answer(page: Page, handshakeDir: string, signal: AbortSignal): Promise<void>;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Prefix of the step tests' titles (a suite run twice tells its runs apart). */
  label?: string;
}): Promise<SuiteRun> {
  const handshake = mkdtempSync(path.join(os.tmpdir(), 'mp-it-handshake-'));
  const output: string[] = [];
  let run: SuiteRun;
  try {
    const result = await runVsCodeSuite({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out/test/integration/suite/index.js'),
      workspaceFolder: options.workspaceFolder,
      screenshotDir: ARTIFACTS,
      timeoutMs: options.timeoutMs ?? 150_000,
      env: { ...options.env, [HANDSHAKE_ENV]: handshake, [SUITE_ENV]: options.suite },
      settings: options.settings,
      log: (line) => output.push(line),
      onPage: (page, { signal }) => options.answer(page, handshake, signal),
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n--- extension host output ---\n${output.join('\n')}`);
    });
    const results = path.join(handshake, RESULTS_FILE);
    const steps = existsSync(results) ? readFileSync(results, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as StepResult) : [];
    run = { exitCode: result.exitCode, timedOut: result.timedOut, output, steps };
  } finally {
    rmSync(handshake, { recursive: true, force: true });
  }
  for (const step of run.steps) {
    parent.addTest(new Test(`in VS Code${options.label ? ` (${options.label})` : ''}: ${step.title} (${step.ms} ms there)`, () => {
      if (step.state === 'failed') throw new Error(step.error);
    }));
  }
  return run;
}
