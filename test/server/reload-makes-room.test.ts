import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InferencePool } from '../../src/core/inference/inference-pool';
import { readModelFile } from '../../src/core/model/model-file';
import { fixtureModel, IRIS_MODEL } from '../helpers/preview';

/**
 * A hot reload with two workers: the worker that creates the new version unloads the old one first, while the other
 * serves it (issue 16: the reload's peak below the old and new sessions at rest). The order is read from what each
 * real worker was told (test/helpers/recording-worker.ts); requests are answered by the old version meanwhile.
 */
describe('inference pool: a hot reload with two workers makes room first', function () {
  this.timeout(30_000);
  let pool: InferencePool;
  let dir: string;
  let log: string;
  const iris = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] }));
  const lines = () => fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => {
    const [thread, type, generation] = l.split(' ');
    return { thread, type, generation: Number(generation) };
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-make-room-'));
    log = path.join(dir, 'worker.log');
    process.env.MP_TEST_WORKER_LOG = log;
    pool = new InferencePool({ size: 2, maxQueue: 64, timeoutMs: 10_000, workerFile: path.join(__dirname, '..', 'helpers', 'recording-worker.js') });
  });
  afterEach(async () => {
    await pool?.close();
    delete process.env.MP_TEST_WORKER_LOG;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the first worker unloads the old version before it creates the new one; the other serves the old one until then', async () => {
    await pool.load(await readModelFile(IRIS_MODEL));
    assert.deepEqual(lines().map((l) => `${l.type} ${l.generation}`), ['load 1', 'load 1']);
    const [a, b] = [...new Set(lines().map((l) => l.thread))];
    // Requests during the reload: every one answered 200 (by whichever version is served when it is handed out).
    let answering = true;
    const during: Array<Promise<number>> = [];
    const keepAsking = (async () => {
      while (answering) {
        during.push(pool.run('v2', iris, Date.now()).then((r) => r.status));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const reexport = await readModelFile(fixtureModel('iris-reexport'));
    await pool.load(reexport);
    // The other worker catches up in the background: wait until it has loaded the new version too.
    for (const until = Date.now() + 10_000; lines().filter((l) => l.type === 'load' && l.generation === 2).length < 2 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 20));
    }
    answering = false;
    await keepAsking;
    const order = lines().slice(2).map((l) => `${l.thread === a ? 'A' : l.thread === b ? 'B' : '?'} ${l.type} ${l.generation}`);
    const first = order[0].split(' ')[0];
    const other = first === 'A' ? 'B' : 'A';
    assert.deepEqual(order, [`${first} unload 1`, `${first} load 2`, `${other} unload 1`, `${other} load 2`], order.join(', '));
    assert.ok(during.length > 0);
    assert.deepEqual([...new Set(await Promise.all(during))], [200]);
    assert.equal(pool.description!.sha256, reexport.sha256);
  });

  it('a new version that fails in the worker that made room: the other serves the old version on, and the next good one loads in both', async () => {
    const v1 = await readModelFile(IRIS_MODEL);
    await pool.load(v1);
    // A version whose file changes while it is created (as a re-export still being written): its load fails.
    const changing = await readModelFile(fixtureModel('iris-reexport'));
    await assert.rejects(pool.load({ ...changing, identity: { ...changing.identity, size: changing.identity.size + 1 } }), /changed while it was being read/);
    assert.equal(pool.description!.sha256, v1.sha256, 'the old version is still the one served');
    const answers = await Promise.all(Array.from({ length: 10 }, () => pool.run('v2', iris, Date.now())));
    assert.deepEqual([...new Set(answers.map((r) => r.status))], [200]);
    const good = await readModelFile(fixtureModel('iris-retrained'));
    await pool.load(good);
    for (const until = Date.now() + 10_000; lines().filter((l) => l.type === 'load' && l.generation === 3).length < 2 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(lines().filter((l) => l.type === 'load' && l.generation === 3).length, 2, 'both workers hold the next good version');
    assert.equal((await pool.run('v2', iris, Date.now())).status, 200);
  });
});
