import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixtureModel, IRIS_MODEL, loadExpected, startPreview, type Preview, type Reply } from '../helpers/preview';

/**
 * What a client gets wrong, and what the server answers: the right 4xx/5xx status and a JSON `{"error"}` message that
 * says what to fix. Never a 500, and the server keeps answering afterwards.
 */
const INFER = '/v2/models/iris/infer';
const good = (data: unknown = [5.1, 3.5, 1.4, 0.2], shape: unknown = [1, 4], datatype: unknown = 'FP32') =>
  ({ inputs: [{ name: 'features', shape, datatype, data }] });

function assertError(res: Reply, status: number, message: RegExp): void {
  assert.notEqual(res.status, 500, `a client mistake answered 500: ${res.text}`);
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, 'errors are JSON');
  assert.equal(typeof res.json?.error, 'string', `a JSON {"error": ...} body: ${res.text}`);
  assert.match(res.json.error, message);
}

describe('server: bad requests get a clear 4xx/5xx, never a 500', function () {
  this.timeout(20_000);
  let iris: Preview;
  let twoInputs: Preview;

  before(async () => {
    [iris, twoInputs] = await Promise.all([startPreview(IRIS_MODEL), startPreview(fixtureModel('two-inputs'))]);
  });
  after(async () => {
    await Promise.all([iris?.stop(), twoInputs?.stop()]);
  });

  describe('the request body', () => {
    it('malformed JSON is 400', async () => {
      assertError(await iris.post(INFER, '{"inputs": [{"name": "features",'), 400, /^the request body is not valid JSON/);
      assertError(await iris.post('/api/predict', '{inputs: 1}'), 400, /^the request body is not valid JSON/);
    });

    it('an empty body is 400', async () => {
      assertError(await iris.post(INFER, ''), 400, /^the request body is empty; send a JSON object$/);
      assertError(await iris.post('/api/predict', ''), 400, /^the request body is empty; send a JSON object$/);
    });

    it('JSON that is not an object is 400', async () => {
      assertError(await iris.post(INFER, '[1, 2]'), 400, /^the request body: .*expected object, received array/);
      assertError(await iris.post('/api/predict', 'null'), 400, /^the request body: .*expected object, received null/);
    });

    it('no inputs at all is 400', async () => {
      assertError(await iris.post(INFER, { inputs: [] }), 400, /^inputs: at least one input is required$/);
      assertError(await iris.post('/api/predict', { features: [1, 2, 3, 4] }), 400, /^inputs: /);
    });

    it('a corrupt gzip body is 400 (the client sent bad bytes), not 500', async () => {
      const res = await iris.post(INFER, Buffer.from('this is not gzip'), undefined, { 'content-encoding': 'gzip' });
      assertError(res, 400, /./);
    });

    it('a gzip body that is fine is accepted, and an unknown content encoding is 415', async () => {
      const ok = await iris.post(INFER, gzipSync(JSON.stringify(good())), undefined, { 'content-encoding': 'gzip' });
      assert.equal(ok.status, 200, ok.text);
      assertError(await iris.post(INFER, 'x', undefined, { 'content-encoding': 'snappy' }), 415, /^unsupported content encoding$/);
    });
  });

  describe('the tensors', () => {
    it('a wrong datatype is 400 naming the input and both datatypes', async () => {
      const res = await iris.post(INFER, good([5, 3, 1, 0], [1, 4], 'INT32'));
      assertError(res, 400, /^input 'features': datatype INT32 does not match the model's FP32$/);
      assertError(await iris.post(INFER, good(undefined, undefined, 'FLOAT')), 400, /^input 'features': unknown datatype "FLOAT"$/);
    });

    it('a wrong shape is 400 naming the expected shape', async () => {
      const res = await iris.post(INFER, good([1, 2, 3, 4, 5], [1, 5]));
      assertError(res, 400, /^input 'features': expected shape \[batch, 4\] \(rank 2\), got \[1, 5\]$/);
      const viaPredict = await iris.post('/api/predict', { inputs: { features: [[1, 2, 3, 4, 5]] } });
      assertError(viaPredict, 400, /^input 'features': expected shape \[batch, 4\] \(rank 2\), got \[1, 5\]$/);
    });

    it('a wrong rank is 400 naming the expected shape', async () => {
      assertError(await iris.post(INFER, good([1, 2, 3, 4], [4])), 400, /^input 'features': expected shape \[batch, 4\] \(rank 2\), got \[4\]$/);
      assertError(await iris.post(INFER, good([1, 2, 3, 4], [1, 1, 4])), 400, /expected shape \[batch, 4\] \(rank 2\), got \[1, 1, 4\]/);
    });

    it('a shape that does not match the amount of data is 400', async () => {
      assertError(await iris.post(INFER, good([1, 2, 3, 4], [2, 4])), 400, /^input 'features': shape \[2, 4\] holds 8 elements but data has 4$/);
      assertError(await iris.post(INFER, good([1, 2, 3, 4], [1, -4])), 400, /^input 'features': "shape" must be an array of at most 32 non-negative integers$/);
    });

    it('a value of the wrong kind is 400 naming the element', async () => {
      assertError(await iris.post(INFER, good([1, 'two', 3, 4])), 400, /^input 'features': element 1 is "two", expected a number$/);
      assertError(await iris.post('/api/predict', { inputs: { features: [[1, 2, 3, 4], [1, 2]] } }), 400, /^input 'features': data is not rectangular/);
    });

    it('absurdly deep nesting (100,000 levels, a 200 kB body) is 400, not 500', async () => {
      const deep = '['.repeat(100_000) + '1' + ']'.repeat(100_000);
      assertError(await iris.post('/api/predict', `{"inputs":{"features":${deep}}}`), 400, /^input 'features': /);
      assertError(await iris.post(INFER, `{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":${deep}}]}`), 400, /^input 'features': /);
    });

    it('a V2 input without "shape" is 400 saying "shape" is missing', async () => {
      const res = await iris.post(INFER, { inputs: [{ name: 'features', datatype: 'FP32', data: [1, 2, 3, 4] }] });
      assertError(res, 400, /^input 'features': "shape" is missing$/);
    });

    it('a missing input is 400 naming it and what the model needs', async () => {
      const c = loadExpected('two-inputs').cases[0];
      const res = await twoInputs.post('/v2/models/two-inputs/infer', { inputs: [{ name: 'a', ...c.inputs.a }] });
      assertError(res, 400, /^input 'b' is missing; the model needs: a, b$/);
      const viaPredict = await twoInputs.post('/api/predict', { inputs: { b: [1, 2, 3] } });
      assertError(viaPredict, 400, /^input 'a' is missing; the model needs: a, b$/);
    });

    it('an unknown input is 400 listing the real ones (onnxruntime would silently ignore it)', async () => {
      const res = await iris.post(INFER, { inputs: [...good().inputs, { name: 'feature', shape: [1], datatype: 'FP32', data: [1] }] });
      assertError(res, 400, /^unknown input 'feature'; the model's inputs are: features$/);
      assertError(await iris.post('/api/predict', { inputs: { Features: [1, 2, 3, 4] } }), 400, /^unknown input 'Features'; the model's inputs are: features$/);
    });

    it('an input given twice is 400', async () => {
      assertError(await iris.post(INFER, { inputs: [...good().inputs, ...good().inputs] }), 400, /^input 'features' is given twice$/);
    });
  });

  describe('the URL, the method and the token', () => {
    it('an unknown model is 404 naming the served one', async () => {
      assertError(await iris.post('/v2/models/resnet/infer', good()), 404, /^unknown model 'resnet'; this server serves 'iris'$/);
      assertError(await iris.get('/v2/models/resnet'), 404, /^unknown model 'resnet'; this server serves 'iris'$/);
      assertError(await iris.get('/v2/models/resnet/ready'), 404, /^unknown model 'resnet'/);
    });

    it('an unknown route is 404', async () => {
      assertError(await iris.get('/v3/models'), 404, /^no such route: GET \/v3\/models$/);
    });

    it('a malformed percent-encoding in the URL is 400, not 500', async () => {
      assertError(await iris.get('/v2/models/%E0%A4%A'), 400, /./);
    });

    it('a wrong method is 405 with an Allow header', async () => {
      const cases: Array<[string, string, string]> = [
        ['GET', INFER, 'POST'], ['PUT', '/api/predict', 'POST'], ['DELETE', '/v2/models/iris', 'GET, HEAD'],
        ['POST', '/v2/health/live', 'GET, HEAD'], ['POST', '/api/card', 'GET, HEAD'],
      ];
      for (const [method, url, allow] of cases) {
        const res = await iris.request(method, url, { body: method === 'GET' ? undefined : '{}' });
        assertError(res, 405, new RegExp(`^${method} is not allowed on ${url}; use ${allow.replace(', ', ' or ')}$`));
        assert.equal(res.headers.get('allow'), allow, `${method} ${url}: Allow header`);
      }
    });

    it('no token is 401, and so is a wrong one', async () => {
      const tokenMessage = /^a valid share link or token is required \(open the share link again, or send Authorization: Bearer <token>\)$/;
      assertError(await iris.post(INFER, good(), null), 401, tokenMessage);
      assertError(await iris.post('/api/predict', { inputs: { features: [1, 2, 3, 4] } }, null), 401, tokenMessage);
      assertError(await iris.post(INFER, good(), 'not-the-token'), 401, tokenMessage);
      assertError(await iris.post(INFER, good(), iris.shareToken + 'x'), 401, tokenMessage);
      assertError(await iris.get('/v2/models/iris', twoInputs.shareToken), 401, tokenMessage);
      assertError(await iris.get('/v2', null), 401, tokenMessage);
    });
  });

  // nested, so that it runs after every other group above (mocha runs a suite's own tests before its sub-suites)
  describe('afterwards', () => {
    it('after all that the server still answers normally', async () => {
      const res = await iris.post(INFER, good());
      assert.equal(res.status, 200, res.text);
      assert.equal((await iris.get('/v2/health/ready', null)).status, 200);
      const both = await twoInputs.post('/v2/models/two-inputs/infer', { inputs: [{ name: 'a', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }, { name: 'b', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] });
      assert.equal(both.status, 200, both.text);
    });
  });
});

describe('server: limits', function () {
  this.timeout(20_000);

  describe('body limit', () => {
    let preview: Preview;
    before(async () => {
      preview = await startPreview(IRIS_MODEL, { bodyLimitBytes: 1000 });
    });
    after(async () => {
      await preview?.stop();
    });

    it('a body over the limit is 413 stating the limit; one under it is served', async () => {
      const big = good(Array.from({ length: 400 }, () => 1.25), [100, 4]);
      assert.ok(JSON.stringify(big).length > 1000);
      assertError(await preview.post(INFER, big), 413, /^the request body is larger than the limit of 1000 bytes$/);
      assertError(await preview.post('/api/predict', { inputs: { features: big.inputs[0].data } }), 413, /larger than the limit of 1000 bytes/);
      const small = await preview.post(INFER, good());
      assert.equal(small.status, 200, small.text);
    });
  });

  describe('queue full', () => {
    let preview: Preview;
    before(async () => {
      preview = await startPreview(fixtureModel('slow-matmul'), { workers: 1, maxQueue: 1 });
    });
    after(async () => {
      await preview?.stop();
    });

    it('answers 503 with Retry-After when the queue is full, and serves the rest', async () => {
      const body = { inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: Array.from({ length: 512 }, (_, i) => i / 512) }] };
      const replies = await Promise.all(Array.from({ length: 6 }, () => preview.post('/v2/models/slow-matmul/infer', body)));
      const statuses = replies.map((r) => r.status);
      const busy = replies.filter((r) => r.status === 503);
      assert.ok(busy.length >= 1, `some requests are refused: ${statuses}`);
      assert.ok(replies.some((r) => r.status === 200), `some requests are served: ${statuses}`);
      assert.ok(statuses.every((s) => s === 200 || s === 503), `only 200 or 503: ${statuses}`);
      for (const r of busy) {
        assertError(r, 503, /^the server is busy \(\d+ requests waiting\); try again shortly$/);
        assert.equal(r.headers.get('retry-after'), '1');
      }
      const later = await preview.post('/v2/models/slow-matmul/infer', body);
      assert.equal(later.status, 200, later.text);
    });
  });

  describe('timeout', () => {
    it('answers 504 for a request past the timeout, replaces the stuck worker, and then serves a normal request', async function () {
      this.timeout(30_000);
      // In a child process: terminating a worker in the middle of an onnxruntime run must not take the process down,
      // and if it does, that must fail this test rather than kill the whole mocha run.
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mp-timeout-test-'));
      let stdout = '';
      let stderr = '';
      let code: number | null;
      let signal: NodeJS.Signals | null;
      try {
        const child = spawn(process.execPath, [path.join(__dirname, '..', 'helpers', 'timeout-child.js'), dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
      const steps = Object.fromEntries(stdout.trim().split('\n').filter(Boolean).map((l) => {
        const { step, value } = JSON.parse(l) as { step: string; value: unknown };
        return [step, value];
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      })) as Record<string, any>;
      assert.deepEqual(steps.before?.status, 200, `an empty batch is served before the timeout: ${stdout}`);
      assert.equal(steps.timeout?.status, 504, `the slow request times out: ${stdout}`);
      assert.match(steps.timeout.body.error, /^inference took longer than 20 ms and was abandoned$/);
      assert.ok(code === 0 && signal === null,
        `the server process survives replacing the stuck worker (exit code ${code}, signal ${signal}); stderr: ${stderr.trim()}; steps: ${Object.keys(steps)}`);
      assert.equal(steps.after?.status, 200, `a normal request after the timeout is served: ${stdout}`);
      assert.deepEqual(steps.after.body.outputs[0].shape, [0, 512]);
      assert.equal(steps.health?.status, 200);
      assert.ok((steps.events as Array<{ event: string; source?: string; message?: string }>).some((e) =>
        e.event === 'error' && e.source === 'worker' && /replaced after a request ran past 20 ms/.test(e.message ?? '')), `a worker-replaced event: ${JSON.stringify(steps.events)}`);
      assert.equal(steps.stopped, true);
    });
  });
});
