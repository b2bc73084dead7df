import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { BenchCase, CaseResult } from '../lib/case';
import { benchOutDir, cliFile, repoRoot } from '../lib/paths';
import { makeDataDir } from '../lib/processes';
import { fmt } from '../lib/stats';
import { SETTLED_COLLECTION_MS } from '../../src/core/onnx/release-memory';

/**
 * Memory of big models: generated (not committed) models of one 1024 x N MatMul, ~100 MB and ~400 MB. For each: the
 * resident memory of onnxruntime-node in a bare process holding 1 and 2 sessions (bench/ort-sessions.ts), and of
 * `serve` with 1 and 2 workers 2 s after `ready`, at idle (once the collection that follows a load has run: see
 * SETTLED_COLLECTION_MS), at its peak during a hot reload to a new version (the file rewritten with other weights), and
 * after it. Memory is the process's VmRSS (every thread's); the reload's peak is its VmHWM, reset just before the reload
 * (clear_refs), so that no sampling interval can miss it. The reload's floor is what onnxruntime alone peaks at while
 * it creates the new sessions beside the old ones (bare process, one after the other): a server with one worker that keeps
 * the old version serving until the new one answers cannot peak lower than that (with two workers, one unloads the old
 * version before it creates the new one while the other serves: inference-pool.ts, makeRoom). What a reload adds is judged against what
 * onnxruntime's own creation adds (peak minus the sessions held); the memory already held at idle has its own target.
 */

const TARGET_IDLE = 1.25;
const ALL_SIZES = [{ label: '100 MB', columns: 25_000 }, { label: '400 MB', columns: 100_000 }];
/** MODEL_MEMORY_SIZES=100 (a comma-separated list of MB) measures only those models: for comparing builds quickly. */
const SIZES = process.env.MODEL_MEMORY_SIZES
  ? ALL_SIZES.filter((s) => process.env.MODEL_MEMORY_SIZES!.split(',').includes(s.label.split(' ')[0]))
  : ALL_SIZES;

const statusMb = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) / 1024;
};
const rssMb = (pid: number): number => statusMb(pid, 'VmRSS');

/** Resets the process's peak RSS (VmHWM) to its current RSS (proc(5), clear_refs "5"); false where that is refused. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 1024 x columns FP32 MatMul model, written by Debian's python3 with onnx (the seed changes the weights). */
export function makeModel(file: string, columns: number, seed: number): void {
  const script = `
import numpy as np, onnx, sys
from onnx import helper, numpy_helper, TensorProto
w = np.random.default_rng(${seed}).standard_normal((1024, ${columns}), dtype=np.float32)
g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "big",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1024])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", ${columns}])], [numpy_helper.from_array(w, "w")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]); m.ir_version = 8
onnx.save(m, sys.argv[1])`;
  execFileSync('/usr/bin/python3', ['-c', script, file], { stdio: 'inherit' });
}

/**
 * RSS of a bare process holding `sessions` onnxruntime sessions of the model (the server's session options), and its
 * peak while creating them one after the other: onnxruntime holds about one more copy of the model while it creates a
 * session, so the peak of 2n sessions is the floor of a reload of n workers (old sessions, new ones, one creation).
 */
async function rawOrt(model: string, sessions: number): Promise<{ rss: number; peak: number }> {
  const child = spawn(process.execPath, [path.join(benchOutDir, 'ort-sessions.js'), model, String(sessions)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => readline.createInterface({ input: child.stdout! }).once('line', resolve));
  await sleep(1000);
  const rss = rssMb(child.pid!);
  const peak = statusMb(child.pid!, 'VmHWM');
  child.kill();
  void line;
  return { rss, peak };
}

interface ServeMemory {
  atReady: number;
  idle: number;
  reloadPeak: number;
  afterReload: number;
  reloadMs: number;
}

async function serveMemory(model: string, workers: number, columns: number): Promise<ServeMemory> {
  const dataDir = makeDataDir();
  const child = spawn(process.execPath, [cliFile, 'serve', model, '--json', '--port', '0', '--data-dir', dataDir, '--workers', String(workers)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const events: Array<Record<string, unknown>> = [];
  let waiter: (() => void) | undefined;
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      events.push(JSON.parse(l) as Record<string, unknown>);
      waiter?.();
    } catch {
      // not an event
    }
  });
  const waitFor = async (match: (e: Record<string, unknown>) => boolean, ms: number): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!events.some(match)) {
      if (Date.now() > deadline) throw new Error(`serve: no matching event within ${ms} ms: ${JSON.stringify(events.slice(-3))}`);
      await new Promise<void>((r) => { waiter = r; setTimeout(r, 100); });
    }
  };
  try {
    await waitFor((e) => e.event === 'ready', 120_000);
    await sleep(2000);
    const atReady = rssMb(child.pid!);
    await sleep(SETTLED_COLLECTION_MS + 2000);
    const idle = rssMb(child.pid!);
    // A re-export: the same signature, other weights.
    const next = `${model}.next`;
    makeModel(next, columns, 2);
    let peak = idle;
    const hwm = resetPeak(child.pid!);
    const started = Date.now();
    fs.renameSync(next, model);
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!), hwm ? statusMb(child.pid!, 'VmHWM') : 0)), 20);
    await waitFor((e) => e.event === 'model-reloaded', 180_000);
    const reloadMs = Date.now() - started;
    // The other workers load the new version after it is served (one after the other): sample until memory settles.
    for (let last = rssMb(child.pid!), calm = 0, until = Date.now() + 120_000; calm < 3 && Date.now() < until;) {
      await sleep(1000);
      const now = rssMb(child.pid!);
      calm = Math.abs(now - last) < 5 ? calm + 1 : 0;
      last = now;
    }
    clearInterval(sampler);
    if (hwm) peak = Math.max(peak, statusMb(child.pid!, 'VmHWM'));
    return { atReady, idle, reloadPeak: peak, afterReload: rssMb(child.pid!), reloadMs };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const modelMemory: BenchCase = {
  name: 'model-memory',
  description: 'generated 100 MB and 400 MB models: serve (1 and 2 workers) idle and reload-peak RSS vs onnxruntime sessions in a bare process',
  async run({ log }): Promise<CaseResult> {
    const dir = fs.mkdtempSync(path.join(makeDataDir(), 'models-'));
    const rows = [['model', 'workers', 'raw ORT sessions (MB)', 'serve at ready + 2 s (MB)', 'serve idle (MB)', 'idle / raw', 'reload peak (MB)', 'old + new sessions (MB)',
      'ORT alone creating new beside old, peak (MB)', 'reload adds over idle (MB)', 'ORT creation adds (MB)', 'after reload (MB)', 'reload (s)']];
    const checks: CaseResult['checks'] = [];
    const data: unknown[] = [];
    try {
      for (const size of SIZES) {
        const model = path.join(dir, `big-${size.columns}.onnx`);
        log(`model-memory: generating the ${size.label} model`);
        makeModel(model, size.columns, 1);
        const raw1 = await rawOrt(model, 1);
        const raw2 = await rawOrt(model, 2);
        const raw4 = await rawOrt(model, 4);
        for (const workers of [1, 2]) {
          log(`model-memory: ${size.label}, ${workers} worker(s)`);
          makeModel(model, size.columns, 1);
          const m = await serveMemory(model, workers, size.columns);
          const raw = (workers === 1 ? raw1 : raw2).rss;
          const { rss: oldAndNew, peak: creatingPeak } = workers === 1 ? raw2 : raw4;
          rows.push([size.label, String(workers), fmt(raw, 0), fmt(m.atReady, 0), fmt(m.idle, 0), fmt(m.idle / raw, 2), fmt(m.reloadPeak, 0), fmt(oldAndNew, 0),
            fmt(creatingPeak, 0), fmt(m.reloadPeak - m.idle, 0), fmt(creatingPeak - raw, 0), fmt(m.afterReload, 0), fmt(m.reloadMs / 1000, 1)]);
          checks.push({ target: `${size.label}, ${workers} worker(s): idle RSS <= ${TARGET_IDLE}x the raw sessions`, actual: `${fmt(m.idle / raw, 2)}x (${fmt(m.idle, 0)} vs ${fmt(raw, 0)} MB)`, pass: m.idle <= TARGET_IDLE * raw });
          checks.push({ target: `${size.label}, ${workers} worker(s): reload peak <= old + new sessions`, actual: `${fmt(m.reloadPeak, 0)} vs ${fmt(oldAndNew, 0)} MB`, pass: m.reloadPeak <= oldAndNew });
          checks.push({
            target: `${size.label}, ${workers} worker(s): a reload adds no more than onnxruntime's own creation of the new sessions beside the old`,
            actual: `+${fmt(m.reloadPeak - m.idle, 0)} vs +${fmt(creatingPeak - raw, 0)} MB (peak ${fmt(m.reloadPeak, 0)} over idle ${fmt(m.idle, 0)}; ORT alone ${fmt(creatingPeak, 0)} over ${fmt(raw, 0)})`,
            pass: m.reloadPeak - m.idle <= creatingPeak - raw,
          });
          data.push({ size: size.label, workers, raw, oldAndNew, creatingPeak, ...m });
        }
      }
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
    const notes = [
      '"reload peak <= old + new sessions" cannot be met with 1 worker by a server that keeps the old version serving while the new one loads: onnxruntime alone, creating the new session beside the old one in a bare process, peaks above it (its parse of the file and the new tensors are held at once); see that column. With 2 workers it can: the worker that creates the new version unloads the old one first while the other serves it.',
    ];
    return { tables: [{ title: 'resident memory (VmRSS; reload peak: VmHWM)', rows }], notes, checks, data };
  },
};
