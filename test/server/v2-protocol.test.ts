import * as assert from 'node:assert/strict';
import { fixtureModel, IRIS_MODEL, loadExpected, startPreview, v2Body, type Preview } from '../helpers/preview';

/** The Open Inference Protocol (V2 / KServe) REST routes, as a KServe or Triton client uses them. */
describe('server: Open Inference Protocol (V2)', function () {
  this.timeout(20_000);
  let iris: Preview;
  let twoInputs: Preview;
  let version: string;
  const irisInput = (data: number[], shape = [1, 4]) => ({ inputs: [{ name: 'features', shape, datatype: 'FP32', data }] });

  before(async () => {
    [iris, twoInputs] = await Promise.all([startPreview(IRIS_MODEL), startPreview(fixtureModel('two-inputs'))]);
    version = iris.session.card()!.version;
  });
  after(async () => {
    await Promise.all([iris?.stop(), twoInputs?.stop()]);
  });

  it('GET /v2 answers the server metadata', async () => {
    const res = await iris.get('/v2');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.name, 'model-preview');
    assert.equal(typeof res.json.version, 'string');
    assert.deepEqual(res.json.extensions, ['binary_tensor_data', 'model_configuration']);
  });

  it('GET /v2/health/live and /v2/health/ready answer 200 without any token', async () => {
    const live = await iris.get('/v2/health/live', null);
    assert.equal(live.status, 200, live.text);
    assert.deepEqual(live.json, { live: true });
    const ready = await iris.get('/v2/health/ready', null);
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(ready.json, { ready: true });
  });

  it('GET /v2/models/iris answers the model metadata, dynamic dims as -1 and the version', async () => {
    const res = await iris.get('/v2/models/iris');
    assert.equal(res.status, 200, res.text);
    assert.match(version, /^[0-9a-f]{12}$/);
    assert.deepEqual(res.json, {
      name: 'iris', versions: [version], platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 3] }],
    });
    const byVersion = await iris.get(`/v2/models/iris/versions/${version}`);
    assert.equal(byVersion.status, 200, byVersion.text);
    assert.deepEqual(byVersion.json, res.json);
  });

  it('GET /v2/models/iris/ready answers ready', async () => {
    const res = await iris.get('/v2/models/iris/ready');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { name: 'iris', ready: true });
    const byVersion = await iris.get(`/v2/models/iris/versions/${version}/ready`);
    assert.equal(byVersion.status, 200, byVersion.text);
  });

  it('POST /v2/models/iris/infer classifies a batch of two flowers', async () => {
    const res = await iris.post('/v2/models/iris/infer', irisInput([5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3], [2, 4]));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type')?.startsWith('application/json'), true);
    assert.equal(res.json.model_name, 'iris');
    assert.equal(res.json.model_version, version);
    assert.equal(res.json.id, undefined, 'no id is invented when none was sent');
    const [logits] = res.json.outputs;
    assert.equal(logits.name, 'logits');
    assert.equal(logits.datatype, 'FP32');
    assert.deepEqual(logits.shape, [2, 3]);
    const argmax = (row: number[]) => row.indexOf(Math.max(...row));
    assert.equal(argmax(logits.data.slice(0, 3)), 0, 'setosa');
    assert.equal(argmax(logits.data.slice(3, 6)), 2, 'virginica');
  });

  it('POST /v2/models/iris/versions/{version}/infer works for the served version', async () => {
    const res = await iris.post(`/v2/models/iris/versions/${version}/infer`, irisInput([5.1, 3.5, 1.4, 0.2]));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.model_version, version);
    assert.deepEqual(res.json.outputs[0].shape, [1, 3]);
  });

  it('a version that is not served is 404 naming the served version', async () => {
    for (const path of ['/v2/models/iris/versions/000000000000/infer', '/v2/models/iris/versions/1']) {
      const res = path.endsWith('infer') ? await iris.post(path, irisInput([5.1, 3.5, 1.4, 0.2])) : await iris.get(path);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.match(res.json.error, new RegExp(`unknown version '(000000000000|1)' of 'iris'; the served version is '${version}'`));
    }
  });

  it('echoes the request id', async () => {
    const res = await iris.post('/v2/models/iris/infer', { id: 'req-42 ☕', ...irisInput([5.1, 3.5, 1.4, 0.2]) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.id, 'req-42 ☕');
  });

  it('accepts a V2 body sent without a JSON content type (some clients send none)', async () => {
    const res = await iris.post('/v2/models/iris/infer', JSON.stringify(irisInput([5.1, 3.5, 1.4, 0.2])), undefined, { 'content-type': 'text/plain' });
    assert.equal(res.status, 200, res.text);
  });

  it('the `outputs` selection on two-inputs returns only the chosen output', async () => {
    const c = loadExpected('two-inputs').cases[0];
    for (const chosen of ['product', 'sum']) {
      const res = await twoInputs.post('/v2/models/two-inputs/infer', v2Body(c.inputs, { outputs: [{ name: chosen }] }));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.outputs.length, 1, res.text);
      assert.equal(res.json.outputs[0].name, chosen);
      assert.deepEqual(res.json.outputs[0].data, c.outputs[chosen].data);
    }
    const both = await twoInputs.post('/v2/models/two-inputs/infer', v2Body(c.inputs));
    assert.deepEqual(both.json.outputs.map((o: { name: string }) => o.name).sort(), ['product', 'sum']);
  });

  it('an unknown output name is 400 listing the outputs', async () => {
    const c = loadExpected('two-inputs').cases[0];
    const res = await twoInputs.post('/v2/models/two-inputs/infer', v2Body(c.inputs, { outputs: [{ name: 'difference' }] }));
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.error, /unknown output 'difference'; the model's outputs are: (sum, product|product, sum)/);
  });

  it('an output asked for twice is 400, as Triton answers it (it came back twice)', async () => {
    const c = loadExpected('two-inputs').cases[0];
    const res = await twoInputs.post('/v2/models/two-inputs/infer', v2Body(c.inputs, { outputs: [{ name: 'sum' }, { name: 'product' }, { name: 'sum' }] }));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error, "output 'sum' is asked for twice; list each output once");
  });

  it('Triton extensions GET /v2 does not list (shared memory, classification) are 400 saying so, never ignored', async () => {
    const c = loadExpected('two-inputs').cases[0];
    const INFER = '/v2/models/two-inputs/infer';
    const region = { shared_memory_region: 'output0_data', shared_memory_byte_size: 12 };
    // An output whose region is ignored would be answered in the JSON while tritonclient reads its (unwritten) region.
    const output = await twoInputs.post(INFER, v2Body(c.inputs, { outputs: [{ name: 'sum', parameters: region }] }));
    assert.equal(output.status, 400, output.text);
    assert.match(output.json.error, /^output 'sum': parameters\.shared_memory_region: the shared memory extensions are not supported; send the tensor in the request/);
    const body = v2Body(c.inputs) as { inputs: Array<Record<string, unknown>> };
    const { data: _data, ...a } = body.inputs.find((i) => i.name === 'a')!;
    const input = await twoInputs.post(INFER, { inputs: [{ ...a, parameters: region }, body.inputs.find((i) => i.name === 'b')] });
    assert.equal(input.status, 400, input.text);
    assert.match(input.json.error, /^input 'a': parameters\.shared_memory_region: the shared memory extensions are not supported/);
    const classification = await twoInputs.post(INFER, v2Body(c.inputs, { outputs: [{ name: 'sum', parameters: { classification: 2 } }] }));
    assert.equal(classification.status, 400, classification.text);
    assert.match(classification.json.error, /^output 'sum': the classification extension is not supported/);
    assert.deepEqual((await twoInputs.get('/v2')).json.extensions, ['binary_tensor_data', 'model_configuration']);
  });

  it('inputs whose sizes onnxruntime cannot combine are a 400 in words, with onnxruntime’s own message under details', async () => {
    // A dimension name shared by two inputs is not checked here (exporters reuse names): onnxruntime judges.
    const res = await twoInputs.post('/v2/models/two-inputs/infer', {
      inputs: [
        { name: 'a', shape: [3, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
        { name: 'b', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] },
      ],
    });
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.error, /^inputs 'a' \[3, 3\] \(declared \[batch, 3\]\), 'b' \[2, 3\] \(declared \[batch, 3\]\): the model cannot work with this size/);
    assert.match(res.json.details, /^onnxruntime: .*(Incompatible|broadcast)/i);
    const viaPredict = await twoInputs.post('/api/predict', { inputs: { a: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], b: [[1, 2, 3], [4, 5, 6]] } });
    assert.equal(viaPredict.status, 400, viaPredict.text);
    assert.match(viaPredict.json.error, /the model cannot work with this size/);
  });
});
