import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { ReadyEventSchema } from '../../src/shared/events';
import { REPO, startCli } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');

/** `serve` without `--workers` chooses the count itself; both outputs say how many and why. */
describe('model-preview serve: the worker count it chose (the built CLI, spawned)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mp-workers-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--json: the ready event says one worker per core for a small model, and why, in the shared schema', async () => {
    const cli = startCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', path.join(dir, 'data')]);
    try {
      const ready = await cli.nextEvent((e) => e.event === 'ready', 30_000);
      const parsed = ReadyEventSchema.safeParse(ready);
      assert.ok(parsed.success, `the ready line fits the shared schema: ${JSON.stringify(ready)}`);
      const workers = parsed.data.workers!;
      assert.equal(workers.count, availableParallelism());
      assert.equal(workers.chosenBy, 'cores');
      assert.match(workers.reason, /^one per core: a \d+(\.\d+)? kB model, \d+(\.\d+)? GB of memory free$/);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('plain output: the same count and reason as the workers line', async () => {
    const cli = startCli(['serve', IRIS, '--port', '0', '--data-dir', path.join(dir, 'data'), '--workers', '1']);
    try {
      const line = await cli.nextEvent((e) => typeof e.text === 'string' && e.text.startsWith('workers'), 30_000);
      assert.equal(line.text, 'workers    1 (one onnxruntime thread each; set by --workers)');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});
