import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { onnx } from 'onnx-proto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { tritonModelConfig } from '../../src/core/server/triton-model-config';
import { fixtureModel, IRIS_MODEL, REPO_ROOT, startPreview, type Preview } from '../helpers/preview';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const TRITONCLIENT_STAND_IN = path.join(REPO_ROOT, 'test', 'fixtures', 'tritonclient-stand-in');

/** Debian's python3 running `code`, with the tritonclient.http stand-in on its path; its stdout. */
async function python(code: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(PYTHON, ['-c', code, ...args], {
    timeout: 30_000, maxBuffer: 10 * 1024 * 1024, env: { ...process.env, PYTHONPATH: TRITONCLIENT_STAND_IN },
  });
  return stdout;
}

/**
 * Triton's model configuration extension (`GET /v2/models/{name}[/versions/{version}]/config`), as Triton's clients
 * call it: the JSON shape of Triton's ModelConfig (model_config.proto, printed as Triton's ModelConfigToJson does),
 * the same access and 404 rules as the model metadata route, and tritonclient's `get_model_config` — on the stand-in
 * of that package (test/fixtures/tritonclient-stand-in: Triton's own is not installable here) — read the way
 * Ultralytics' TritonRemoteModel reads it.
 */
describe('server: Triton model configuration (GET /v2/models/{name}/config)', function () {
  this.timeout(30_000);
  let iris: Preview;
  let identity: Preview;
  let unet: Preview;
  let version: string;

  before(async () => {
    // identity-all-types with one worker, to see the instance count follow the worker count (iris has the helper's 2).
    [iris, identity, unet] = await Promise.all([
      startPreview(IRIS_MODEL), startPreview(fixtureModel('identity-all-types'), { workers: 1 }), startPreview(fixtureModel('unet-open-sides'), { workers: 1 }),
    ]);
    version = iris.session.card()!.version;
  });
  after(async () => {
    await Promise.all([iris?.stop(), identity?.stop(), unet?.stop()]);
  });

  it('iris: the whole configuration, as Triton prints an onnxruntime model\'s, and the same for the served version', async () => {
    const res = await iris.get('/v2/models/iris/config');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    // metadata_props of examples/iris/iris.onnx, as the file holds them.
    const metadata = {
      class_names: 'setosa,versicolor,virginica',
      feature_names: 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)',
      trained_with: 'examples/iris/train.ipynb',
    };
    assert.deepEqual({ ...res.json, parameters: undefined }, {
      name: 'iris', platform: 'onnxruntime_onnx', backend: 'onnxruntime',
      version_policy: { latest: { num_versions: 1 } },
      max_batch_size: 0,
      input: [{
        name: 'features', data_type: 'TYPE_FP32', format: 'FORMAT_NONE', dims: [-1, 4],
        is_shape_tensor: false, allow_ragged_batch: false, optional: false, is_non_linear_format_io: false,
      }],
      output: [{ name: 'logits', data_type: 'TYPE_FP32', dims: [-1, 3], label_filename: '', is_shape_tensor: false, is_non_linear_format_io: false }],
      batch_input: [],
      batch_output: [],
      instance_group: [{ name: 'iris', kind: 'KIND_CPU', count: 2, gpus: [], secondary_devices: [], profile: [], passive: false, host_policy: '' }],
      parameters: undefined,
    });
    assert.deepEqual(Object.keys(res.json.parameters), ['metadata']);
    assert.deepEqual(JSON.parse(res.json.parameters.metadata.string_value), metadata);
    // dims are JSON numbers, as Triton writes them (it turns protobuf's int64 strings back into numbers).
    assert.match(res.text, /"dims":\[-1,4\]/);

    // docs/http-api.md shows this very answer (for 2 workers).
    const docs = await readFile(path.join(REPO_ROOT, 'docs', 'http-api.md'), 'utf8');
    assert.deepEqual(JSON.parse(docs.split('\n').find((l) => l.startsWith('{"name":"iris","platform"'))!), res.json);

    const byVersion = await iris.get(`/v2/models/iris/versions/${version}/config`);
    assert.equal(byVersion.status, 200, byVersion.text);
    assert.deepEqual(byVersion.json, res.json);
  });

  it('every V2 datatype has Triton\'s configuration name (BYTES is TYPE_STRING), inputs and outputs alike', async () => {
    const res = await identity.get('/v2/models/identity-all-types/config');
    assert.equal(res.status, 200, res.text);
    // The names of model_config.proto's `enum DataType`, written here from the proto, not from the server's table.
    const expected: Record<string, string> = {
      bool: 'TYPE_BOOL', uint8: 'TYPE_UINT8', uint16: 'TYPE_UINT16', uint32: 'TYPE_UINT32', uint64: 'TYPE_UINT64',
      int8: 'TYPE_INT8', int16: 'TYPE_INT16', int32: 'TYPE_INT32', int64: 'TYPE_INT64',
      fp16: 'TYPE_FP16', fp32: 'TYPE_FP32', fp64: 'TYPE_FP64', bytes: 'TYPE_STRING',
    };
    const of = (list: Array<{ name: string; data_type: string; dims: number[] }>, prefix: string) =>
      Object.fromEntries(list.map((t) => [t.name.slice(prefix.length), [t.data_type, t.dims]]));
    const asExpected = Object.fromEntries(Object.entries(expected).map(([t, type]) => [t, [type, [-1, 2]]]));
    assert.deepEqual(of(res.json.input, 'in_'), asExpected);
    assert.deepEqual(of(res.json.output, 'out_'), asExpected);
    // One worker here: the instance group says so.
    assert.equal(identity.session.workers, 1);
    assert.deepEqual(res.json.instance_group.map((g: { kind: string; count: number }) => [g.kind, g.count]), [['KIND_CPU', 1]]);
    // A model without metadata_props has no parameters (as a Triton model without a configured parameter).
    assert.equal('parameters' in res.json, false, res.text);
  });

  it('open dimensions anywhere in the shape are -1, fixed ones kept, the batch dimension not stripped', async () => {
    const res = await unet.get('/v2/models/unet-open-sides/config');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.max_batch_size, 0);
    assert.deepEqual(res.json.input.map((t: { name: string; dims: number[] }) => [t.name, t.dims]), [['image', [-1, 3, -1, -1]]]);
    assert.deepEqual(res.json.output.map((t: { name: string; dims: number[] }) => [t.name, t.dims]), [['mask', [-1, 1, -1, -1]]]);
    // The same shapes GET /v2/models/{name} gives: with max_batch_size 0 a client sends exactly these.
    const metadata = (await unet.get('/v2/models/unet-open-sides')).json;
    assert.deepEqual(res.json.input.map((t: { dims: number[] }) => t.dims), metadata.inputs.map((t: { shape: number[] }) => t.shape));
  });

  it('/openapi.json lists the route, with a schema the answer keeps to', async () => {
    const doc = (await identity.get('/openapi.json')).json;
    const operation = doc.paths['/v2/models/identity-all-types/config'].get;
    assert.equal(operation.operationId, 'modelConfig');
    const schema = operation.responses[200].content['application/json'].schema;
    const answer = (await identity.get('/v2/models/identity-all-types/config')).json;
    for (const key of schema.required) assert.ok(key in answer, key);
    for (const side of ['input', 'output']) {
      const items = schema.properties[side].items.properties;
      for (const t of answer[side]) {
        assert.ok(items.name.enum.includes(t.name), t.name);
        assert.ok(items.data_type.enum.includes(t.data_type), t.data_type);
      }
      assert.equal(items.data_type.enum.length, 13, 'every datatype of the model, once');
    }
  });

  it('an unknown model or version is 404 with the very answer the model metadata route gives', async () => {
    for (const [config, metadata] of [
      ['/v2/models/nope/config', '/v2/models/nope'],
      ['/v2/models/iris/versions/1/config', '/v2/models/iris/versions/1'],
      ['/v2/models/nope/versions/1/config', '/v2/models/nope/versions/1'],
    ]) {
      const [a, b] = [await iris.get(config), await iris.get(metadata)];
      assert.equal(a.status, 404, `${config}: ${a.text}`);
      assert.deepEqual(a.json, b.json, config);
    }
    assert.match((await iris.get('/v2/models/iris/versions/1/config')).json.error, new RegExp(`unknown version '1' of 'iris'; the served version is '${version}'`));
  });

  it('needs the link\'s token (401 like the metadata route); HEAD answers, another method is 405 naming GET', async () => {
    const [none, metadataNone] = [await iris.get('/v2/models/iris/config', null), await iris.get('/v2/models/iris', null)];
    assert.equal(none.status, 401, none.text);
    assert.deepEqual(none.json, metadataNone.json);
    assert.equal((await iris.get('/v2/models/iris/config', 'wrong-token')).status, 401);
    assert.equal((await iris.get(`/v2/models/iris/config?t=${iris.shareToken}`, null)).status, 200);

    const head = await iris.request('HEAD', '/v2/models/iris/config');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    const post = await iris.post('/v2/models/iris/config', {});
    assert.equal(post.status, 405, post.text);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('tritonclient.http get_model_config (stand-in) reads it, and a client that works as Ultralytics\' TritonRemoteModel infers with it', async () => {
    // As TritonRemoteModel does: names and data_type from the configuration, the datatype for InferInput from
    // data_type without "TYPE_", and metadata from eval() of parameters.metadata.string_value (here literal_eval,
    // which refuses anything but literals: it proves eval runs nothing).
    const code = `
import ast, json, sys
import numpy as np
import tritonclient.http as httpclient
from tritonclient.http import InferenceServerException

url, token, version = sys.argv[1], sys.argv[2], sys.argv[3]
headers = {"Authorization": "Bearer " + token}
client = httpclient.InferenceServerClient(url=url)
config = client.get_model_config("iris", headers=headers)
assert client.get_model_config("iris", model_version=version, headers=headers) == config
config["output"] = sorted(config["output"], key=lambda x: x.get("name"))
input_formats = [x["data_type"] for x in config["input"]]
input_names = [x["name"] for x in config["input"]]
output_names = [x["name"] for x in config["output"]]
string_value = config.get("parameters", {}).get("metadata", {}).get("string_value", "None")
metadata = ast.literal_eval(string_value)
assert metadata == json.loads(string_value)
print("metadata", json.dumps(metadata, sort_keys=True))
print("formats", input_formats, "inputs", input_names, "outputs", output_names)
x = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], dtype=np.float32)
infer_input = httpclient.InferInput(input_names[0], [*x.shape], input_formats[0].replace("TYPE_", ""))
infer_input.set_data_from_numpy(x)
outputs = [httpclient.InferRequestedOutput(name) for name in output_names]
result = client.infer(model_name="iris", inputs=[infer_input], outputs=outputs, headers=headers)
print("argmax", result.as_numpy(output_names[0]).argmax(axis=1).tolist())
for name, ver in (("nope", ""), ("iris", "1")):
    try:
        client.get_model_config(name, model_version=ver, headers=headers)
        print("no error for", name, ver)
    except InferenceServerException as e:
        print("error", e.status(), e.message())
`;
    const out = await python(code, [iris.baseUrl.replace(/^http:\/\//, ''), iris.shareToken, version]);
    const lines = out.trim().split('\n');
    assert.deepEqual(JSON.parse(lines[0].slice('metadata '.length)), iris.session.card()!.metadataProps);
    assert.equal(lines[1], "formats ['TYPE_FP32'] inputs ['features'] outputs ['logits']");
    assert.equal(lines[2], 'argmax [0, 2]', 'setosa, virginica');
    assert.equal(lines[3], "error 404 unknown model 'nope'; this server serves 'iris'");
    assert.equal(lines[4], `error 404 unknown version '1' of 'iris'; the served version is '${version}'`);
    assert.equal(lines.length, 5, out);
  });

  it('a metadata string with quotes, backslashes, newlines and non-ASCII stays one Python string literal per value', async () => {
    // The escaping, checked on the builder with hostile values (no fixture model holds such metadata).
    const card = { ...iris.session.card()!, metadataProps: { names: "{0: 'a'}", evil: '"); __import__("os").system("echo pwned"); ("', 'multi\nline\\': 'café \u2028 ✓' } };
    const value = tritonModelConfig(card, 1).parameters!.metadata.string_value;
    const out = await python('import ast, json, sys; print(json.dumps(ast.literal_eval(sys.argv[1])))', [value]);
    assert.deepEqual(JSON.parse(out), card.metadataProps);
  });

  it('a metadata key named __proto__ or constructor is shown like any other, in the card and the configuration', async () => {
    // An assignment of the key "__proto__" set the object's prototype instead: the key was gone from every answer.
    const model = onnx.ModelProto.decode(await readFile(IRIS_MODEL));
    model.metadataProps.push(onnx.StringStringEntryProto.create({ key: '__proto__', value: 'kept' }), onnx.StringStringEntryProto.create({ key: 'constructor', value: 'also kept' }));
    const dir = await mkdtemp(path.join(tmpdir(), 'proto-key-'));
    const file = path.join(dir, 'iris.onnx');
    await writeFile(file, onnx.ModelProto.encode(model).finish());
    const odd = await startPreview(file, { workers: 1 });
    try {
      const props = odd.session.card()!.metadataProps;
      assert.equal(Object.getOwnPropertyDescriptor(props, '__proto__')?.value, 'kept');
      const config = await odd.get('/v2/models/iris/config');
      const metadata = JSON.parse(config.json.parameters.metadata.string_value);
      assert.equal(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value, 'kept');
      assert.equal(Object.getOwnPropertyDescriptor(metadata, 'constructor')?.value, 'also kept');
      assert.equal(metadata.class_names, 'setosa,versicolor,virginica');
    } finally {
      await odd.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
