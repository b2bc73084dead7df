import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as readline from 'node:readline';
import { benchOutDir, cliFile, irisModel, repoRoot } from './paths';

/** A server under test, running in its own process. */
export interface ServerProcess {
  label: string;
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; empty when the server needs none. */
  token: string;
  /** The first stdout line, parsed. */
  ready: Record<string, unknown>;
  /** Milliseconds from spawn to the ready line. */
  readyMs: number;
  spawnedAt: number;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`); resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean; stderr: string }>;
}

export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'model-preview-bench-'));
}

/**
 * Spawns `node <args>` and resolves when its stdout prints a JSON line with `"event":"ready"`. Rejects if the process
 * exits or stays silent for `timeoutMs`.
 */
function spawnUntilReady(label: string, args: string[], timeoutMs: number): Promise<Omit<ServerProcess, 'baseUrl' | 'token'>> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const stop = async (graceMs = 5000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    const end = await exited;
    clearTimeout(timer);
    return { ...end, killed, stderr };
  };

  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`${label}: no ready line within ${timeoutMs} ms; stderr: ${stderr.trim()}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (code ${code}) before it was ready; stderr: ${stderr.trim()}`));
    };
    child.once('exit', onExit);
    child.once('error', onExit);
    lines.on('line', (line) => {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (event.event !== 'ready') return;
      const readyMs = performance.now() - spawnedAt;
      clearTimeout(timer);
      child.off('exit', onExit);
      // Keep draining stdout (later events) so the child never blocks on a full pipe.
      resolve({ label, child, pid: child.pid!, ready: event, readyMs, spawnedAt, stop });
    });
  });
}

/** Our server: `node dist/cli.js serve <model, default examples/iris/iris.onnx> --json --port 0 --data-dir <dataDir> [extra]`. */
/** `rememberedPort`: no --port, so serve takes its data folder's remembered port (else --port 0: any free port). */
export async function startOurServer(options: { label: string; dataDir: string; model?: string; extraArgs?: string[]; timeoutMs?: number; rememberedPort?: boolean }): Promise<ServerProcess> {
  if (!fs.existsSync(cliFile)) throw new Error(`${cliFile} is missing: run "npm run build" first`);
  // The load generator is one client sending thousands of requests a second: per-client rate limits off.
  const port = options.rememberedPort ? [] : ['--port', '0'];
  const args = [cliFile, 'serve', options.model ?? irisModel, '--json', ...port, '--data-dir', options.dataDir, '--rate-limit-predictions', '0', '--rate-limit-feedback', '0', ...(options.extraArgs ?? [])];
  const p = await spawnUntilReady(options.label, args, options.timeoutMs ?? 15_000);
  const shareUrl = new URL(String(p.ready.shareUrl));
  const token = shareUrl.searchParams.get('t');
  if (!token) throw new Error(`${options.label}: the ready event's shareUrl has no t= token: ${String(p.ready.shareUrl)}`);
  return { ...p, baseUrl: String(p.ready.localUrl).replace(/\/$/, ''), token };
}

/** The floor: bench/floor-server.ts, bare node:http + onnxruntime-node on the main thread (iris unless `model`). */
export async function startFloorServer(options: { label: string; model?: string; timeoutMs?: number }): Promise<ServerProcess> {
  const p = await spawnUntilReady(options.label, [path.join(benchOutDir, 'floor-server.js'), options.model ?? irisModel], options.timeoutMs ?? 15_000);
  return { ...p, baseUrl: `http://127.0.0.1:${Number(p.ready.port)}`, token: '' };
}
