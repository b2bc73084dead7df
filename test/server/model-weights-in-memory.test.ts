import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { serialize } from 'node:v8';
import { onnx } from 'onnx-proto';
import { inspectModel } from '../../src/core/model/describe';
import { readModelFile } from '../../src/core/model/model-file';
import { decodeOnnxModel } from '../../src/core/model/onnx-metadata';
import { InferencePool } from '../../src/core/inference/inference-pool';

/**
 * A model's weights stay out of JavaScript memory (issue 16): what is read to describe a model and posted to each
 * worker is its skeleton, the version hash is computed by streaming, and onnxruntime reads the weights from the path.
 * The model here is written with onnx-proto: x [1, 256] -> MatMul by a 256 x 1024 FP32 weight (1 MiB) -> Reshape by a
 * small INT64 shape constant (which the skeleton keeps: the graph facts read such constants) -> y [1, 32, 32].
 */
const COLUMNS = 1024;
const weight = new Float32Array(256 * COLUMNS).map((_v, i) => ((i % 7) - 3) / 100);
const shape = new BigInt64Array([1n, 32n, 32n]);

function writeModel(file: string, scale = 1): void {
  const f = onnx.TensorProto.DataType.FLOAT;
  const io = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: f, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'model-weights-in-memory.test',
    graph: {
      name: 'big', input: [io('x', [1, 256])], output: [io('y', [1, 32, 32])],
      node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['m'] }, { opType: 'Reshape', input: ['m', 'shape'], output: ['y'] }],
      initializer: [
        { name: 'w', dataType: f, dims: [256, COLUMNS], rawData: new Uint8Array(weight.map((v) => v * scale).buffer) },
        { name: 'shape', dataType: onnx.TensorProto.DataType.INT64, dims: [3], rawData: new Uint8Array(shape.buffer) },
      ],
    },
  });
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

describe('a model’s weights are not held in JavaScript memory', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'weights-'));
    file = path.join(dir, 'big.onnx');
    writeModel(file);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reading a model keeps its skeleton, not its weights, and hashes the whole file (by streaming) as its version', async () => {
    const bytes = readFileSync(file);
    assert.ok(bytes.length > 1_000_000);
    const model = await readModelFile(file);
    // What is posted to every worker (structured clone, as v8.serialize): a few kB, not the 1 MiB of weights.
    assert.ok(serialize(model).length < 4096, `${serialize(model).length} bytes`);
    assert.equal(model.sha256, createHash('sha256').update(bytes).digest('hex'));
    const skeleton = decodeOnnxModel(model.skeleton);
    const [w, shapeConstant] = skeleton.graph!.initializer as onnx.TensorProto[];
    assert.deepEqual([w.name, w.dims.map(Number), w.rawData.length], ['w', [256, COLUMNS], 0], 'the weight’s bytes are left out');
    assert.deepEqual(Buffer.from(shapeConstant.rawData), Buffer.from(shape.buffer), 'a small constant is kept');
  });

  it('the signature, facts and answers come from onnxruntime reading the file itself', async () => {
    const d = await inspectModel(await readModelFile(file));
    assert.deepEqual(d.inputs.map((i) => [i.name, i.shape]), [['x', [1, 256]]]);
    assert.deepEqual(d.outputs.map((o) => [o.name, o.shape]), [['y', [1, 32, 32]]]);
    assert.equal(d.fileSize, readFileSync(file).length);
    const pool = new InferencePool({ size: 1, maxQueue: 4, timeoutMs: 10_000 });
    try {
      await pool.load(await readModelFile(file));
      const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 256], datatype: 'FP32', data: new Array(256).fill(1) }] }));
      const res = await pool.run('v2', body, Date.now());
      assert.equal(res.status, 200, String(res.body));
      const y = (JSON.parse(String(res.body)) as { outputs: Array<{ data: number[] }> }).outputs[0].data;
      // Column j of the product is the sum of weight[k * COLUMNS + j] over k.
      const expected = (j: number) => weight.filter((_v, i) => i % COLUMNS === j).reduce((a, b) => a + b, 0);
      for (const j of [0, 1, 500, 1023]) assert.ok(Math.abs(y[j] - expected(j)) < 1e-3, `y[${j}] = ${y[j]}, expected ${expected(j)}`);
    } finally {
      await pool.close();
    }
  });

  it('a file rewritten after it was hashed is refused, not served under the old version’s hash', async () => {
    const model = await readModelFile(file);
    // A re-export lands between the hash and the workers' load (later than the file system's timestamp tick, as any
    // real export does: a same-size rewrite within one tick keeps the file's identity).
    await new Promise((r) => setTimeout(r, 50));
    writeModel(file, 2);
    const pool = new InferencePool({ size: 2, maxQueue: 4, timeoutMs: 10_000 });
    try {
      await assert.rejects(pool.load(model), /the model file changed while it was being read \(still being written\?\)/);
      const again = await readModelFile(file);
      assert.notEqual(again.sha256, model.sha256);
      assert.equal((await pool.load(again)).sha256, again.sha256);
    } finally {
      await pool.close();
    }
  });

  it('a cut-off model file is refused with the reason, before onnxruntime sees it', async () => {
    writeFileSync(file, readFileSync(file).subarray(0, 500_000));
    await assert.rejects(readModelFile(file), /the file is truncated \(it ends in the middle of the model\)/);
  });
});
