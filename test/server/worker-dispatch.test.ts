import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { BodyChunks } from '../../src/core/inference/request-body';
import { InferencePool } from '../../src/core/inference/inference-pool';
import { readModelFile } from '../../src/core/model/model-file';
import { fixtureModel, IRIS_MODEL, loadExpected } from '../helpers/preview';

/**
 * The pool with real worker threads and real onnxruntime, seen from outside: every job answered, what is in flight
 * and queued (the pool's public gauges, which /metrics shows). Which worker gets which job is the scheduler's decision,
 * tested without threads in test/unit/batch-scheduler.test.ts.
 */
describe('inference pool: jobs on real workers', function () {
  this.timeout(30_000);
  let pool: InferencePool;
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  afterEach(async () => {
    await pool?.close();
  });

  it('hands concurrent slow-matmul jobs (~50 ms each) to the workers at the end of the turn, and answers each', async () => {
    pool = new InferencePool({ size: 2, maxQueue: 16, timeoutMs: 10_000 });
    await pool.load(await readModelFile(fixtureModel('slow-matmul')));
    const row = loadExpected('slow-matmul').cases[0].inputs.x.data;
    const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: row }] }));
    // Some answered jobs first, so the pool has measured how long a job takes.
    for (let i = 0; i < 3; i++) assert.equal((await pool.run('v2', body, Date.now())).status, 200);

    const runs = [pool.run('v2', body, Date.now()), pool.run('v2', body, Date.now())];
    assert.deepEqual([pool.queueDepth, pool.inFlight], [2, 0], 'queued in this turn');
    await nextTurn();
    assert.deepEqual([pool.queueDepth, pool.inFlight], [0, 2], 'handed to the workers at its end');
    assert.deepEqual((await Promise.all(runs)).map((r) => r.status), [200, 200]);
    assert.deepEqual([pool.queueDepth, pool.inFlight], [0, 0]);
  });

  it('answers every job of a burst of tiny ones, and nothing is left in flight', async () => {
    pool = new InferencePool({ size: 2, maxQueue: 64, timeoutMs: 10_000 });
    await pool.load(await readModelFile(IRIS_MODEL));
    const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] }));
    for (let i = 0; i < 20; i++) assert.equal((await pool.run('v2', body, Date.now())).status, 200);
    const results = await Promise.all(Array.from({ length: 40 }, () => pool.run('v2', body, Date.now())));
    assert.deepEqual(results.map((r) => r.status), Array(40).fill(200));
    assert.deepEqual([pool.queueDepth, pool.inFlight], [0, 0]);
  });

  it('a worker that dies holding a large body in pieces (as the HTTP parser gives it): the job is re-queued and answered exactly', async () => {
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mp-dying-')), 'died');
    process.env.MP_TEST_DIE_ONCE = marker;
    try {
      pool = new InferencePool({ size: 1, maxQueue: 8, timeoutMs: 10_000, workerFile: path.join(__dirname, '..', 'helpers', 'dying-worker.js') });
      const errors: string[] = [];
      pool.on('worker-error', (err: Error) => errors.push(err.message));
      const file = fixtureModel('image-conv');
      await pool.load(await readModelFile(file));
      const image = new Float32Array(3 * 320 * 320).map((_, i) => ((i * 7919) % 255) / 255);
      const head = Buffer.from(JSON.stringify({ inputs: [{ name: 'image', shape: [1, 3, 320, 320], datatype: 'FP32', parameters: { binary_data_size: image.byteLength } }], parameters: { binary_data_output: true } }));
      const whole = Buffer.concat([head, Buffer.from(image.buffer)]);
      const chunks = Array.from({ length: Math.ceil(whole.length / 65_536) }, (_, i) => whole.subarray(i * 65_536, (i + 1) * 65_536));
      const result = await pool.run('v2', new BodyChunks(chunks, whole.length), Date.now(), head.length);
      assert.equal(fs.existsSync(marker), true, 'the first worker died with the job');
      assert.match(errors.join('\n'), /exited with code 3/);
      assert.equal(result.status, 200, String(result.body));
      const body = Buffer.from(result.body as Uint8Array);
      const answer = JSON.parse(body.subarray(0, result.jsonLength).toString()) as { outputs: Array<{ name: string; parameters: { binary_data_size: number } }> };
      const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
      const expected = await session.run({ image: new ort.Tensor('float32', image, [1, 3, 320, 320]) });
      await session.release();
      let at = result.jsonLength!;
      for (const o of answer.outputs) {
        const data = expected[o.name].data as Float32Array;
        assert.deepEqual(body.subarray(at, (at += o.parameters.binary_data_size)), Buffer.from(data.buffer, data.byteOffset, data.byteLength), `${o.name}, bit for bit`);
      }
    } finally {
      delete process.env.MP_TEST_DIE_ONCE;
    }
  });

  it('refuses a job with 503 once maxQueue requests wait, and takes jobs again when they are answered', async () => {
    pool = new InferencePool({ size: 1, maxQueue: 2, timeoutMs: 10_000 });
    await pool.load(await readModelFile(fixtureModel('slow-matmul')));
    const row = loadExpected('slow-matmul').cases[0].inputs.x.data;
    const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: row }] }));
    const accepted = [pool.run('v2', body, Date.now()), pool.run('v2', body, Date.now()), pool.run('v2', body, Date.now())];
    await nextTurn(); // all three in the worker's batch: one running, two waiting
    await assert.rejects(pool.run('v2', body, Date.now()), (err: Error & { status?: number }) => err.status === 503 && /the server is busy \(2 requests waiting\)/.test(err.message));
    assert.deepEqual((await Promise.all(accepted)).map((r) => r.status), [200, 200, 200]);
    assert.equal((await pool.run('v2', body, Date.now())).status, 200);
  });

  it('close() during a load: the load is refused at once, saying the preview stopped, and nothing waits for the load timeout', async () => {
    pool = new InferencePool({ size: 2, maxQueue: 4, timeoutMs: 10_000 });
    const model = await readModelFile(IRIS_MODEL);
    await pool.load(model);
    const loading = pool.load(model);
    const outcome = loading.then(() => undefined, (err: Error) => err);
    const started = performance.now();
    await pool.close();
    assert.match(String(await outcome), /the preview stopped while the model was loading/);
    assert.ok(performance.now() - started < 10_000, 'not the 120 s load timeout');
  });

  it('keeps no copy of a loaded model: a replacement worker reads the file again, and refuses it when it is another version', async () => {
    const reads: string[] = [];
    const changed = await readModelFile(fixtureModel('iris-reexport'));
    // The file read again for the replacement is another export (what a re-export during a worker's replacement reads).
    // (Its path and identity are the file's own: only what the file holds is another version.)
    const identity = (await readModelFile(fixtureModel('slow-matmul'))).identity;
    pool = new InferencePool({ size: 1, maxQueue: 16, timeoutMs: 30, readModel: async (file) => (reads.push(file), { ...changed, path: file, identity }) });
    const errors: string[] = [];
    pool.on('worker-error', (err: Error) => errors.push(err.message));
    await pool.load(await readModelFile(fixtureModel('slow-matmul')));
    const row = loadExpected('slow-matmul').cases[0].inputs.x.data;
    const slow = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: row }] }));
    await assert.rejects(pool.run('v2', slow, Date.now()), (err: Error & { status?: number }) => err.status === 504);
    const deadline = Date.now() + 20_000;
    while (!errors.some((m) => /found the model file changed/.test(m)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(reads, [fixtureModel('slow-matmul')], 'the replacement read the file again');
    assert.ok(errors.some((m) => /^a replacement inference worker found the model file changed since version [0-9a-f]{12} loaded; it waits for the reload$/.test(m)), errors.join('\n'));
    assert.equal(pool.description!.name, 'slow-matmul', 'the version served is still the one loaded');
  });
});
