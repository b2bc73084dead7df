import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import type { BenchCase, BenchOptions, CaseResult, TargetCheck } from '../lib/case';
import { describeCpu, type CpuWindow } from '../lib/cpu';
import { IRIS_INFER_BODY, IRIS_INFER_PATH, request } from '../lib/http';
import { runLoad } from '../lib/load-client';
import { makeDataDir, startFloorServer, startOurServer, type ServerProcess } from '../lib/processes';
import { fmt, round } from '../lib/stats';
import { runWrk, wrkAvailable, type WrkResult } from '../lib/wrk';
import type { LoadResult } from '../load';

const CONNECTIONS = [1, 16];
const TARGET_RATIO = 0.6;
const TARGET_P99_MS = 10;
/** The connection count the targets are judged at. */
const TARGET_CONNECTIONS = 16;
/** Above this much CPU (% of one core) used by other programs during a run, its figures are flagged as disturbed. */
const NOISY_OTHER_CPU_PERCENT = 25;

interface Variant {
  key: 'ours' | 'ours-workers-1' | 'floor';
  label: string;
  start(dataDir: string): Promise<ServerProcess>;
}

const defaultWorkers = availableParallelism();
const VARIANTS: Variant[] = [
  { key: 'ours', label: `ours (serve, default workers = ${defaultWorkers})`, start: (dataDir) => startOurServer({ label: 'serve', dataDir }) },
  { key: 'floor', label: 'floor (node:http + ORT, main thread)', start: () => startFloorServer({ label: 'floor' }) },
  { key: 'ours-workers-1', label: 'ours (serve --workers 1)', start: (dataDir) => startOurServer({ label: 'serve --workers 1', dataDir, extraArgs: ['--workers', '1'] }) },
];

interface Measurement {
  variant: Variant['key'];
  label: string;
  connections: number;
  result: LoadResult;
  cpu: CpuWindow;
}

const headersFor = (server: ServerProcess): Record<string, string> => ({
  'content-type': 'application/json',
  ...(server.token ? { authorization: `Bearer ${server.token}` } : {}),
});

/** One request before the load: the answer must be a 200 with the iris logits, or the figures mean nothing. */
async function sanityCheck(server: ServerProcess): Promise<unknown> {
  const answer = await request(server.baseUrl + IRIS_INFER_PATH, { method: 'POST', headers: headersFor(server), body: IRIS_INFER_BODY });
  if (answer.status !== 200) throw new Error(`${server.label}: POST ${IRIS_INFER_PATH} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  const body = JSON.parse(answer.body) as { outputs?: Array<{ name: string; shape: number[]; data: number[] }> };
  const out = body.outputs?.[0];
  if (!out || out.data.length !== 3) throw new Error(`${server.label}: unexpected V2 answer ${answer.body.slice(0, 300)}`);
  return body.outputs;
}

async function measureVariant(variant: Variant, options: BenchOptions): Promise<{ measurements: Measurement[]; outputs: unknown; wrk?: WrkResult }> {
  const dataDir = makeDataDir();
  const server = await variant.start(dataDir);
  const measurements: Measurement[] = [];
  try {
    const outputs = await sanityCheck(server);
    for (const connections of CONNECTIONS) {
      options.log(`  ${variant.label}, ${connections} connection(s): ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s`);
      const { result, cpu } = await runLoad(
        {
          url: server.baseUrl + IRIS_INFER_PATH, method: 'POST', headers: headersFor(server), body: IRIS_INFER_BODY,
          connections, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds,
        },
        [{ label: 'server', pid: server.pid }],
      );
      options.log(`    ${fmt(result.requestsPerSecond, 0)} req/s, p50 ${fmt(result.latencyMs.p50, 2)} ms, p99 ${fmt(result.latencyMs.p99, 2)} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
      options.log(`    ${describeCpu(cpu)}`);
      measurements.push({ variant: variant.key, label: variant.label, connections, result, cpu });
    }
    let wrk: WrkResult | undefined;
    if (wrkAvailable()) {
      options.log(`  ${variant.label}, ${TARGET_CONNECTIONS} connections, wrk cross-check`);
      wrk = await runWrk({
        url: server.baseUrl + IRIS_INFER_PATH, headers: headersFor(server), body: IRIS_INFER_BODY,
        connections: TARGET_CONNECTIONS, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds,
      });
      options.log(`    ${fmt(wrk.requestsPerSecond, 0)} req/s, p50 ${fmt(wrk.p50Ms, 2)} ms, p99 ${fmt(wrk.p99Ms, 2)} ms, non-2xx ${wrk.non2xx}, socket errors ${wrk.socketErrors}`);
    }
    return { measurements, outputs, wrk };
  } finally {
    const end = await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (end.code !== 0 && end.signal !== 'SIGTERM') options.log(`  ${variant.label} ended with ${end.code ?? end.signal} on SIGTERM`);
  }
}

const cpuOf = (m: Measurement, label: string) => m.cpu.processes.find((p) => p.label === label);
const pct = (n?: number) => (n === undefined ? 'n/a' : `${Math.round(n)}%`);

export const inferThroughput: BenchCase = {
  name: 'infer-throughput',
  description: `POST ${IRIS_INFER_PATH} at ${CONNECTIONS.join(' and ')} connections: ours vs the bare node:http floor`,
  async run(options): Promise<CaseResult> {
    const all: Measurement[] = [];
    const outputs = new Map<string, unknown>();
    const wrk = new Map<Variant['key'], WrkResult>();
    for (const variant of VARIANTS) {
      const r = await measureVariant(variant, options);
      all.push(...r.measurements);
      outputs.set(variant.key, r.outputs);
      if (r.wrk) wrk.set(variant.key, r.wrk);
    }
    const sameAnswer = JSON.stringify(outputs.get('ours')) === JSON.stringify(outputs.get('floor'));
    const find = (key: Variant['key'], c: number) => all.find((m) => m.variant === key && m.connections === c);

    const results = [['server', 'conns', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx', 'errors', 'server CPU', 'main thr', 'load gen CPU', 'other CPU']];
    for (const m of all) {
      const r = m.result;
      results.push([
        m.label, String(m.connections), fmt(r.requestsPerSecond, 0), fmt(r.latencyMs.p50, 2), fmt(r.latencyMs.p90, 2), fmt(r.latencyMs.p99, 2), fmt(r.latencyMs.max, 1),
        String(r.ok2xx), String(r.non2xx), String(r.errors + r.timeouts), pct(cpuOf(m, 'server')?.percent), pct(cpuOf(m, 'server')?.mainThreadPercent), pct(cpuOf(m, 'load generator')?.percent), pct(m.cpu.elsewherePercent),
      ]);
    }

    const ratios = [['conns', 'ours req/s', 'floor req/s', 'ours/floor', '--workers 1 req/s', '--workers 1/floor']];
    const ratioData: Array<{ connections: number; ratio: number; ratioWorkers1?: number }> = [];
    for (const c of CONNECTIONS) {
      const ours = find('ours', c)?.result.requestsPerSecond ?? NaN;
      const floor = find('floor', c)?.result.requestsPerSecond ?? NaN;
      const w1 = find('ours-workers-1', c)?.result.requestsPerSecond;
      ratios.push([String(c), fmt(ours, 0), fmt(floor, 0), fmt(ours / floor, 2), fmt(w1, 0), w1 === undefined ? '-' : fmt(w1 / floor, 2)]);
      ratioData.push({ connections: c, ratio: round(ours / floor, 3), ratioWorkers1: w1 === undefined ? undefined : round(w1 / floor, 3) });
    }

    const notes: string[] = [];
    const noisy = all.filter((m) => (m.cpu.elsewherePercent ?? 0) > NOISY_OTHER_CPU_PERCENT);
    const checks: TargetCheck[] = [];
    const ours16 = find('ours', TARGET_CONNECTIONS);
    const floor16 = find('floor', TARGET_CONNECTIONS);
    if (ours16 && floor16) {
      const ratio = ours16.result.requestsPerSecond / floor16.result.requestsPerSecond;
      checks.push({ target: `ours/floor req/s at ${TARGET_CONNECTIONS} connections >= ${TARGET_RATIO}`, actual: fmt(ratio, 2), pass: ratio >= TARGET_RATIO });
      const p99 = ours16.result.latencyMs.p99;
      checks.push({ target: `ours p99 at ${TARGET_CONNECTIONS} connections <= ${TARGET_P99_MS} ms`, actual: `${fmt(p99, 2)} ms`, pass: p99 <= TARGET_P99_MS });
    }
    const wrkOurs = wrk.get('ours');
    const wrkFloor = wrk.get('floor');
    const wrkRows = [['server', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'socket errors']];
    for (const v of VARIANTS) {
      const w = wrk.get(v.key);
      if (w) wrkRows.push([v.label, String(TARGET_CONNECTIONS), fmt(w.requestsPerSecond, 0), fmt(w.p50Ms, 2), fmt(w.p99Ms, 2), String(w.non2xx), String(w.socketErrors)]);
    }
    if (wrkOurs && wrkFloor) {
      const ratio = wrkOurs.requestsPerSecond / wrkFloor.requestsPerSecond;
      checks.push({ target: `ours/floor req/s at ${TARGET_CONNECTIONS} connections >= ${TARGET_RATIO} (wrk)`, actual: fmt(ratio, 2), pass: ratio >= TARGET_RATIO });
      checks.push({ target: `ours p99 at ${TARGET_CONNECTIONS} connections <= ${TARGET_P99_MS} ms (wrk)`, actual: `${fmt(wrkOurs.p99Ms, 2)} ms`, pass: wrkOurs.p99Ms <= TARGET_P99_MS });
    }
    const failures = all.filter((m) => m.result.non2xx > 0 || m.result.errors > 0 || m.result.timeouts > 0);
    checks.push({
      target: 'every response 2xx (no errors, no timeouts)',
      actual: failures.length === 0
        ? `yes (${all.reduce((n, m) => n + m.result.ok2xx, 0)} responses)`
        : failures.map((m) => `${m.label} @${m.connections}: non-2xx ${m.result.non2xx} ${JSON.stringify(m.result.statusCounts)}, errors ${m.result.errors}, timeouts ${m.result.timeouts}`).join('; '),
      pass: failures.length === 0,
    });
    checks.push({ target: 'ours and floor give the same V2 outputs', actual: sameAnswer ? 'yes' : `no: ${JSON.stringify([...outputs])}`, pass: sameAnswer });

    return {
      tables: [
        { title: `Inference throughput (${options.durationSeconds} s measured after ${options.warmupSeconds} s warm-up; latency of 2xx responses; CPU in % of one core)`, rows: results },
        { title: 'Ours vs floor (autocannon)', rows: ratios },
        ...(wrkRows.length > 1 ? [{ title: `Cross-check with wrk (${TARGET_CONNECTIONS} connections; wrk takes less CPU than autocannon on these 2 cores)`, rows: wrkRows }] : []),
      ],
      notes: [
        ...notes,
        ...all.map((m) => `${m.label} @${m.connections}: ${describeCpu(m.cpu)}`),
        ...noisy.map((m) => `WARNING: other programs used ${pct(m.cpu.elsewherePercent)} of a core during "${m.label}" @${m.connections}: those figures are disturbed; run again on a quiet machine`),
      ],
      checks,
      data: {
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        defaultWorkers,
        measurements: all.map((m) => ({ variant: m.variant, label: m.label, ...m.result, cpu: m.cpu })),
        ratios: ratioData,
        wrk: Object.fromEntries(wrk),
        targets: { ratio: TARGET_RATIO, p99Ms: TARGET_P99_MS, atConnections: TARGET_CONNECTIONS },
        disturbedRuns: noisy.map((m) => ({ variant: m.variant, connections: m.connections, otherCpuPercent: round(m.cpu.elsewherePercent ?? 0) })),
      },
    };
  },
};
