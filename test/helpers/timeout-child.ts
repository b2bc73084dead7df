/**
 * Child-process half of the 504 test (test/server/bad-input.test.ts). A request that runs past the timeout makes the
 * pool terminate the stuck worker; if that takes the whole process down, it must not take the mocha run with it.
 * Prints one JSON line per step on stdout; exits 0 when it got to the end.
 */
import { fixtureModel, sleep, startPreview } from './preview';

async function main(): Promise<void> {
  const say = (step: string, value: unknown) => process.stdout.write(JSON.stringify({ step, value }) + '\n');
  // the parent owns the data folder (argv[2]) and removes it, even if this process dies
  const preview = await startPreview(fixtureModel('slow-matmul'), { workers: 1, maxQueue: 8, timeoutMs: 20, dataDir: process.argv[2] });
  const row = Array.from({ length: 512 }, (_, i) => i / 512);
  const slow = { inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: row }] };
  // An empty batch runs in well under 20 ms: a "normal" request that can succeed under this tight timeout.
  const empty = { inputs: [{ name: 'x', shape: [0, 512], datatype: 'FP32', data: [] }] };
  try {
    // On a machine busy with other work even an empty batch can miss 20 ms (a worker's first run, or one not scheduled
    // in time), and each miss replaces the worker, whose first run is slow again: try as long as the step after the
    // timeout does. A timeout that fired on every attempt is still a failure.
    let before;
    for (let attempt = 0; attempt < 40; attempt++) {
      before = await preview.post('/v2/models/slow-matmul/infer', empty);
      if (before.status === 200) break;
      await sleep(100);
    }
    say('before', { status: before!.status, body: before!.json });
    const timedOut = await preview.post('/v2/models/slow-matmul/infer', slow);
    say('timeout', { status: timedOut.status, body: timedOut.json, retryAfter: timedOut.headers.get('retry-after') });
    // The replacement worker needs ~60-100 ms to load the model; until then even a fast request may time out.
    let after;
    for (let attempt = 0; attempt < 40; attempt++) {
      await sleep(100);
      after = await preview.post('/v2/models/slow-matmul/infer', empty);
      if (after.status === 200) break;
    }
    say('after', { status: after!.status, body: after!.json });
    const health = await preview.get('/v2/health/ready', null);
    say('health', { status: health.status });
    say('events', preview.events);
  } finally {
    await preview.stop();
  }
  say('stopped', true);
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
