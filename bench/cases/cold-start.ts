import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { BenchCase, CaseResult } from '../lib/case';
import { request } from '../lib/http';
import { repoRoot } from '../lib/paths';
import { makeDataDir, startOurServer } from '../lib/processes';
import { fmt, median, round } from '../lib/stats';

const RUNS = 5;
const TARGET_MS = 500;
const POLL_EVERY_MS = 5;

interface ColdStartRun {
  /** spawn -> the `ready` JSON line on stdout. */
  readyEventMs: number;
  /** spawn -> the first 200 from GET /v2/health/ready. */
  healthyMs: number;
  /** SIGTERM -> process exit. */
  stopMs: number;
  exitCode: number | null;
  workers?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pollHealthy(baseUrl: string, deadlineMs: number): Promise<void> {
  const until = performance.now() + deadlineMs;
  for (;;) {
    try {
      if ((await request(`${baseUrl}/v2/health/ready`, { timeoutMs: 1000 })).status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > until) throw new Error(`${baseUrl}/v2/health/ready never answered 200`);
    await sleep(POLL_EVERY_MS);
  }
}

/** Milliseconds from spawning `node <args>` to its exit: what Node itself costs before our code runs. */
function timeNode(args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`node ${args.join(' ')} exited ${code}`))));
  });
}

/**
 * One start. `reused`: a data folder an earlier run served (no --port: the remembered port, the folder's lock and
 * address.json read and written), as every start after the first is; else a fresh folder with --port 0.
 */
async function oneRun(reused?: string): Promise<ColdStartRun> {
  const dataDir = reused ?? makeDataDir();
  try {
    const server = await startOurServer({ label: 'serve', dataDir, rememberedPort: reused !== undefined });
    try {
      await pollHealthy(server.baseUrl, 10_000);
    } catch (err) {
      await server.stop();
      throw err;
    }
    const healthyMs = performance.now() - server.spawnedAt;
    const stopStarted = performance.now();
    const end = await server.stop();
    const stopMs = performance.now() - stopStarted;
    if (end.code !== 0) throw new Error(`serve exited with ${end.code ?? end.signal} on SIGTERM (killed: ${end.killed}); stderr: ${end.stderr.trim()}`);
    return { readyEventMs: server.readyMs, healthyMs, stopMs, exitCode: end.code };
  } finally {
    if (!reused) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const coldStart: BenchCase = {
  name: 'cold-start',
  description: `spawn "serve iris.onnx --json --port 0" -> first 200 from GET /v2/health/ready, ${RUNS} runs; then ${RUNS} restarts of one data folder at its remembered port`,
  async run({ log }): Promise<CaseResult> {
    // Warm the request helper's own code path so the first run does not pay for it.
    await request('http://127.0.0.1:1/').catch(() => undefined);

    const runs: ColdStartRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await oneRun();
      log(`  run ${i + 1}: ready event ${fmt(r.readyEventMs)} ms, healthy ${fmt(r.healthyMs)} ms, stopped in ${fmt(r.stopMs)} ms`);
      runs.push(r);
    }
    // Restarts of one data folder at its remembered port (the first run makes the folder and picks the port).
    const folder = makeDataDir();
    const restarts: ColdStartRun[] = [];
    try {
      await oneRun(folder);
      for (let i = 0; i < RUNS; i++) {
        const r = await oneRun(folder);
        log(`  restart ${i + 1} (remembered port): ready event ${fmt(r.readyEventMs)} ms, healthy ${fmt(r.healthyMs)} ms`);
        restarts.push(r);
      }
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
    const restartMedian = median(restarts.map((r) => r.healthyMs));

    // Context: what plain Node and loading onnxruntime-node cost on this machine (spawn -> exit, median of 3).
    const baseline = async (args: string[]) => median([await timeNode(args), await timeNode(args), await timeNode(args)]);
    const nodeOnly = await baseline(['-e', '0']);
    const nodeWithOrt = await baseline(['-e', "require('onnxruntime-node')"]);
    const cliHelp = await baseline(['dist/cli.js', '--version']);

    const healthyMedian = median(runs.map((r) => r.healthyMs));
    const rows = [
      ['run', 'ready event (ms)', 'healthy 200 (ms)', 'SIGTERM -> exit (ms)'],
      ...runs.map((r, i) => [String(i + 1), fmt(r.readyEventMs), fmt(r.healthyMs), fmt(r.stopMs)]),
      ['median', fmt(median(runs.map((r) => r.readyEventMs))), fmt(healthyMedian), fmt(median(runs.map((r) => r.stopMs)))],
    ];
    return {
      tables: [
        { title: 'Cold start: spawn -> ready', rows },
        {
          title: 'Restart of one data folder at its remembered port (no --port): spawn -> ready',
          rows: [
            ['run', 'ready event (ms)', 'healthy 200 (ms)'],
            ...restarts.map((r, i) => [String(i + 1), fmt(r.readyEventMs), fmt(r.healthyMs)]),
            ['median', fmt(median(restarts.map((r) => r.readyEventMs))), fmt(restartMedian)],
          ],
        },
        {
          title: 'For context: spawn -> exit, median of 3',
          rows: [
            ['process', 'ms'],
            ['node -e 0', fmt(nodeOnly)],
            ["node -e \"require('onnxruntime-node')\"", fmt(nodeWithOrt)],
            ['node dist/cli.js --version', fmt(cliHelp)],
          ],
        },
      ],
      notes: [],
      checks: [
        { target: `cold start median <= ${TARGET_MS} ms`, actual: `${fmt(healthyMedian)} ms`, pass: healthyMedian <= TARGET_MS },
        { target: `restart at the remembered port median <= ${TARGET_MS} ms`, actual: `${fmt(restartMedian)} ms`, pass: restartMedian <= TARGET_MS },
      ],
      data: {
        runs: runs.map((r) => ({ readyEventMs: round(r.readyEventMs), healthyMs: round(r.healthyMs), stopMs: round(r.stopMs), exitCode: r.exitCode })),
        medianHealthyMs: round(healthyMedian),
        medianRestartHealthyMs: round(restartMedian),
        medianReadyEventMs: round(median(runs.map((r) => r.readyEventMs))),
        baselineMs: { nodeOnly: round(nodeOnly), nodeRequireOrt: round(nodeWithOrt), cliVersion: round(cliHelp) },
        targetMs: TARGET_MS,
      },
    };
  },
};
