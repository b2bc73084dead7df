import * as assert from 'node:assert/strict';
import { InferencePool } from '../../src/core/inference/inference-pool';
import { readModelFile } from '../../src/core/model/model-file';
import { fixtureModel, IRIS_MODEL, loadExpected } from '../helpers/preview';

/**
 * The pool keeps jobs on a worker that is already running while they are short (waking a sleeping worker costs more
 * than a tiny job), but a model whose jobs take longer must still use every worker.
 */
describe('inference pool: how jobs are shared between workers', function () {
  this.timeout(30_000);
  let pool: InferencePool;
  const jobsPerWorker = () => (pool as unknown as { slots: Array<{ jobs: unknown[] }> }).slots.map((s) => s.jobs.length);
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  afterEach(async () => {
    await pool?.close();
  });

  it('gives concurrent slow-matmul jobs (~50 ms each) to different workers', async () => {
    pool = new InferencePool({ size: 2, maxQueue: 16, timeoutMs: 10_000 });
    await pool.load(await readModelFile(fixtureModel('slow-matmul')));
    const row = loadExpected('slow-matmul').cases[0].inputs.x.data;
    const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: row }] }));
    // Some answered jobs first, so the pool has measured how long a job takes.
    for (let i = 0; i < 3; i++) assert.equal((await pool.run('v2', body, Date.now())).status, 200);

    const runs = [pool.run('v2', body, Date.now()), pool.run('v2', body, Date.now())];
    await nextTurn(); // jobs are dispatched at the end of the event-loop turn
    assert.deepEqual(jobsPerWorker(), [1, 1]);
    assert.deepEqual((await Promise.all(runs)).map((r) => r.status), [200, 200]);
  });

  it('answers every job of a burst of tiny ones, whichever workers they went to', async () => {
    pool = new InferencePool({ size: 2, maxQueue: 64, timeoutMs: 10_000 });
    await pool.load(await readModelFile(IRIS_MODEL));
    const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] }));
    for (let i = 0; i < 20; i++) assert.equal((await pool.run('v2', body, Date.now())).status, 200);
    const results = await Promise.all(Array.from({ length: 40 }, () => pool.run('v2', body, Date.now())));
    assert.deepEqual(results.map((r) => r.status), Array(40).fill(200));
    assert.deepEqual(jobsPerWorker(), [0, 0]);
  });
});
