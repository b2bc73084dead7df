/**
 * The load generator, run in its own process so it never shares a thread with a server under test. Usage:
 * `node out/bench/load.js '<LoadOptions JSON>'`. Runs autocannon for the warm-up (unmeasured), prints
 * `{"event":"measuring"}`, runs it again for the measured window, prints `{"event":"measured"}` and then
 * `{"event":"result",...}` (one JSON line).
 * Latency percentiles come from every response's own time (autocannon's histogram rounds to whole ms).
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  /** Completed responses (any status) and the 2xx among them. */
  responses: number;
  ok2xx: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  resets: number;
  /** 2xx responses per second over the measured window. */
  requestsPerSecond: number;
  /** Latency in ms of 2xx responses. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  /** autocannon's own summary (whole-ms latency histogram, per-second request samples), for reference. */
  autocannon: { requestsAverage: number; latencyP50: number; latencyP99: number; latencyMax: number };
}

const print = (event: object) => process.stdout.write(JSON.stringify(event) + '\n');

function run(o: LoadOptions, seconds: number, onResponse?: (status: number, ms: number) => void) {
  const instance = autocannon({
    url: o.url, method: o.method, headers: o.headers, body: o.body, connections: o.connections, duration: seconds, pipelining: 1, timeout: 10,
  });
  if (onResponse) instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => onResponse(status, ms));
  return instance;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '') as LoadOptions;
  if (o.warmupSeconds > 0) await run(o, o.warmupSeconds);
  print({ event: 'measuring' });

  let latencies = new Float64Array(1 << 16);
  let n = 0;
  const statusCounts: Record<string, number> = {};
  const started = performance.now();
  const result = await run(o, o.durationSeconds, (status, ms) => {
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    if (status < 200 || status >= 300) return;
    if (n === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[n++] = ms;
  });
  const seconds = (performance.now() - started) / 1000;
  print({ event: 'measured' });

  const sorted = latencies.subarray(0, n).sort();
  const at = (p: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const responses = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  const out: LoadResult = {
    connections: o.connections,
    seconds,
    responses,
    ok2xx: n,
    non2xx: responses - n,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    requestsPerSecond: n / seconds,
    latencyMs: { mean: n === 0 ? NaN : sum / n, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: n === 0 ? NaN : sorted[n - 1] },
    autocannon: { requestsAverage: result.requests.average, latencyP50: result.latency.p50, latencyP99: result.latency.p99, latencyMax: result.latency.max },
  };
  print({ event: 'result', ...out });
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`load: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
