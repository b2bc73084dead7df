import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PreviewProcess } from '../../src/client/preview-process';
import type { BenchCase, CaseResult } from '../lib/case';
import { cliFile, irisModel } from '../lib/paths';
import { makeDataDir } from '../lib/processes';
import { fmt, median, round } from '../lib/stats';

const RUNS = 5;
/** What "Publish model preview" may take until the link is live (the extension adds only its own UI to this). */
const TARGET_MS = 1_500;

/**
 * What a publish costs once the extension has its settings: `PreviewProcess.start` (src/client/), as the extension
 * calls it: fork `serve --json` from dist/cli.js, its `ready` line, the events socket open and replaying. Then
 * `stop()`: the server asked over IPC, its port free. Five runs on one data folder, as re-publishing the same model.
 */
export const previewStart: BenchCase = {
  name: 'preview-start',
  description: `PreviewProcess.start (fork -> ready -> events socket live) and stop(), iris, ${RUNS} runs`,
  async run({ log }): Promise<CaseResult> {
    const dataDir = makeDataDir();
    const runs: Array<{ startMs: number; stopMs: number }> = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        const preview = await PreviewProcess.start({ cliPath: cliFile, modelFile: irisModel, dataDir, log: () => undefined });
        const startMs = performance.now() - started;
        const stopping = performance.now();
        await preview.stop();
        const stopMs = performance.now() - stopping;
        if ((await preview.exited).code !== 0) throw new Error(`run ${i + 1}: the server exited with ${(await preview.exited).code}`);
        log(`  run ${i + 1}: live in ${fmt(startMs)} ms, stopped in ${fmt(stopMs)} ms`);
        runs.push({ startMs, stopMs });
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const startMedian = median(runs.map((r) => r.startMs));
    return {
      tables: [{
        title: 'Publish to link live: PreviewProcess.start, then stop()',
        rows: [
          ['run', 'start -> live (ms)', 'stop -> gone (ms)'],
          ...runs.map((r, i) => [String(i + 1), fmt(r.startMs), fmt(r.stopMs)]),
          ['median', fmt(startMedian), fmt(median(runs.map((r) => r.stopMs)))],
        ],
      }],
      notes: [],
      checks: [{ target: `publish to link live median <= ${TARGET_MS} ms`, actual: `${fmt(startMedian)} ms`, pass: startMedian <= TARGET_MS }],
      data: { runs: runs.map((r) => ({ startMs: round(r.startMs), stopMs: round(r.stopMs) })), medianStartMs: round(startMedian), targetMs: TARGET_MS },
    };
  },
};
