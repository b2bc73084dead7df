import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { BenchCase, CaseResult } from '../lib/case';
import { makeMemoryCgroup, type MemoryCgroup } from '../lib/memory-cgroup';
import { cliFile, repoRoot } from '../lib/paths';
import { makeDataDir } from '../lib/processes';
import { fmt } from '../lib/stats';
import { makeModel } from './model-memory';

const MB = 1024 * 1024;
/** 1 GB: the review's container, where the new version does not fit beside the old; 1.5 GB: where it does (overlap). */
const LIMITS = [{ bytes: 1024 * MB, overlap: false }, { bytes: 1536 * MB, overlap: true }];
const COLUMNS = 100_000; // a 1024 x 100,000 FP32 MatMul: 391 MB

type Event = Record<string, unknown>;

/**
 * The outside review's case (issue 16): `serve` of a 391 MB model in a container limited to 1 GB, one worker (what the
 * default picks there), then the model file rewritten (a hot reload). Creating the new version beside the old one needs
 * about 1.2 GB there, and the kernel killed the server without a word; now it should unload the old version first, say
 * so, and serve the new one. Then the same in 1.5 GB, where the new version fits beside the old: the reload must overlap
 * as before (no 503s). Run in a real memory cgroup (bench/lib/memory-cgroup.ts: root and a writable cgroup file system),
 * the limit set as `docker run --memory` sets it.
 */
export const reloadInContainer: BenchCase = {
  name: 'reload-in-container',
  description: 'a 391 MB model in a 1 GB and a 1.5 GB memory cgroup: serve, then a hot reload; the server must survive it and serve the new version (without overlap in 1 GB, overlapping in 1.5 GB)',
  async run({ log }): Promise<CaseResult> {
    const dataDir = makeDataDir();
    const model = path.join(dataDir, 'big.onnx');
    const rows = [['limit', 'workers', 'reload-without-overlap said', 'outcome', 'not served (ms)', 'reload (s)', 'cgroup peak (MB)', 'OOM kills', 'server after', 'a request after']];
    const checks: CaseResult['checks'] = [];
    const data: unknown[] = [];
    const notes: string[] = [];
    try {
      log('reload-in-container: generating the 391 MB model');
      makeModel(model, COLUMNS, 1);
      for (const [i, limit] of LIMITS.entries()) {
        const cgroup = makeMemoryCgroup(`model-preview-bench-${process.pid}-${i}`, limit.bytes);
        if ('unavailable' in cgroup) {
          notes.push(`not measured: no memory cgroup could be made (${cgroup.unavailable})`);
          checks.push({ target: `a hot reload of a 391 MB model in ${limit.bytes / MB} MB survives`, actual: 'not measured', pass: false });
          continue;
        }
        try {
          const m = await reloadIn(cgroup, limit.bytes, model, i % 2 === 0 ? 2 : 1, log);
          rows.push(m.row);
          checks.push({
            target: `a hot reload of a 391 MB model in a ${limit.bytes / MB} MB cgroup: the server survives and serves the new version, ${limit.overlap ? 'overlapping (no 503s)' : 'without overlap'}`,
            actual: `${m.check.actual}; ${m.withoutOverlap ? 'without overlap' : 'overlapping'}`,
            pass: m.check.pass && !m.withoutOverlap === limit.overlap,
          });
          data.push({ limit: limit.bytes, ...m.data });
          notes.push(`cgroup: ${cgroup.dir}`);
        } finally {
          cgroup.remove();
        }
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    return { tables: [{ title: 'serve in a memory cgroup, hot reload of a 391 MB model', rows }], notes, checks, data };
  },
};

/** `serve` in the cgroup, then the model rewritten with weights of `seed`. */
async function reloadIn(cgroup: MemoryCgroup, limit: number, model: string, seed: number, log: (line: string) => void) {
  const events: Event[] = [];
  let exit: string | undefined;
  // The shell moves itself into the cgroup, then becomes the server: everything the server allocates is counted there.
  const child = spawn('/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', cgroup.procs, process.execPath, cliFile, 'serve', model, '--json', '--port', '0', '--data-dir', path.join(path.dirname(model), `data-${limit}`)], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
    resolve();
  }));
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      events.push(JSON.parse(l) as Event);
    } catch {
      // not an event
    }
  });
  const waitFor = async (match: (e: Event) => boolean, ms: number): Promise<Event | undefined> => {
    for (const deadline = Date.now() + ms; Date.now() < deadline && exit === undefined;) {
      const found = events.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    return events.find(match);
  };
  try {
    const ready = await waitFor((e) => e.event === 'ready', 180_000);
    if (!ready) throw new Error(`serve did not start in the cgroup (${exit ?? 'no ready event'})`);
    const workers = (ready.workers as { count: number } | undefined)?.count;
    await new Promise((r) => setTimeout(r, 3000));
    log('reload-in-container: rewriting the model (a re-export with other weights)');
    makeModel(`${model}.next`, COLUMNS, seed);
    const started = Date.now();
    fs.renameSync(`${model}.next`, model);
    const outcome = await waitFor((e) => e.event === 'model-reloaded' || (e.event === 'error' && e.source === 'model-reload'), 300_000);
    const reloadS = (Date.now() - started) / 1000;
    const answer = exit === undefined ? await infer(String(ready.localUrl), String(ready.ownerToken)) : undefined;
    const alive = exit === undefined;
    const withoutOverlap = events.find((e) => e.event === 'reload-without-overlap');
    const peak = cgroup.peakBytes();
    const row = [`${limit / MB} MB`, String(workers ?? '?'), withoutOverlap ? `yes: ${fmt(Number(withoutOverlap.availableBytes) / MB, 0)} MB free, needs ~${fmt(Number(withoutOverlap.neededBytes) / MB, 0)} MB` : 'no',
      String(outcome?.event ?? 'none'), String(outcome?.unavailableMs ?? '-'), fmt(reloadS, 1), peak === undefined ? '?' : fmt(peak / MB, 0), String(cgroup.oomKills() ?? '?'),
      alive ? 'running' : exit!, answer ?? '-'];
    const check = {
      actual: alive ? `${String(outcome?.event ?? 'no outcome')}, a request after it: ${answer}` : `the server ${exit}`,
      pass: alive && outcome?.event === 'model-reloaded' && answer === '200 on the new version' && outcome.modelVersion !== undefined,
    };
    return { row, check, withoutOverlap, data: { workers, withoutOverlap, outcome, reloadS, peak, exit, answer, events: events.filter((e) => e.event !== 'ready') } };

    async function infer(baseUrl: string, token: string): Promise<string> {
      const body = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 1024], datatype: 'FP32', data: new Array(1024).fill(0.5) }] });
      const res = await fetch(`${baseUrl.replace(/\/$/, '')}/v2/models/big/infer`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      const json = await res.json() as { model_version?: string; error?: string };
      return res.status === 200 && json.model_version === outcome?.modelVersion ? '200 on the new version' : `${res.status} ${json.model_version ?? json.error ?? ''}`;
    }
  } finally {
    if (exit === undefined) child.kill('SIGTERM');
    await exited;
  }
}
