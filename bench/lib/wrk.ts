import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * wrk (Debian's package), the load generator the issue names first. Written in C, it takes far less CPU than
 * autocannon for the same load, which matters on 2 cores shared with the servers under test. Optional: the cases
 * use it for a cross-check when it is installed (`apt-get install wrk`).
 */
export const WRK = '/usr/bin/wrk';
export const wrkAvailable = (): boolean => existsSync(WRK);

export interface WrkOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
}

const toMs = (value: string, unit: string): number => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? NaN);

export function parseWrkOutput(text: string): WrkResult {
  const latency = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(text);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requestsPerSecond: rps ? Number(rps[1]) : NaN,
    p50Ms: latency('50'),
    p99Ms: latency('99'),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: errors ? errors.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
  };
}

function wrk(script: string, o: WrkOptions, seconds: number): Promise<string> {
  const args = ['-t1', `-c${o.connections}`, `-d${seconds}s`, '--latency', '-s', script, o.url];
  return new Promise((resolve, reject) => {
    execFile(WRK, args, { timeout: (seconds + 30) * 1000 }, (err, stdout, stderr) => (err ? reject(new Error(`wrk failed: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

/** POSTs `body` with `headers` for the warm-up, then for the measured window, and parses wrk's report. */
export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mp-wrk-'));
  const script = path.join(dir, 'post.lua');
  // Lua long brackets keep the JSON body and token verbatim.
  const headerLines = Object.entries(o.headers).map(([k, v]) => `wrk.headers[ [==[${k}]==] ] = [==[${v}]==]`);
  writeFileSync(script, ['wrk.method = "POST"', `wrk.body = [==[${o.body}]==]`, ...headerLines].join('\n') + '\n');
  try {
    if (o.warmupSeconds > 0) await wrk(script, o, o.warmupSeconds);
    return parseWrkOutput(await wrk(script, o, o.durationSeconds));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
