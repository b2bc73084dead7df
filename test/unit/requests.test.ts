import assert from 'node:assert/strict';
import type { Tensor } from 'onnxruntime-node';
import { TensorInputError } from '../../src/core/inference/codec';
import { encodeOutputs, predictResponse, prepareV2, preparePredict, v2Response } from '../../src/core/inference/requests';
import type { ModelDescription } from '../../src/shared/model-card';

const ZIPMAP_NOTE = "output 'probabilities' is not a tensor (a sequence of maps); it is skipped";

const MODEL: ModelDescription = {
  name: 'two-inputs',
  file: '/models/two-inputs.onnx',
  fileSize: 1234,
  sha256: 'ab'.repeat(32),
  version: 'abababababab',
  inputs: [
    { name: 'a', datatype: 'FP32', shape: ['batch', 3] },
    { name: 'b', datatype: 'FP32', shape: ['batch', 3] },
  ],
  outputs: [{ name: 'sum', datatype: 'FP32', shape: ['batch', 3] }],
  nonTensorOutputs: [{ name: 'probabilities', note: ZIPMAP_NOTE }],
  opsets: [{ domain: 'ai.onnx', version: 17 }],
  metadataProps: {}, facts: [],
};

const body = (value: unknown): Uint8Array => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

const v2Input = (name: string, extra: Record<string, unknown> = {}) => ({ name, datatype: 'FP32', shape: [1, 3], data: [1, 2, 3], ...extra });

function rejects(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TensorInputError, `expected a TensorInputError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('prepareV2', () => {
  it('decodes a valid request into feeds and fetches every tensor output by default', () => {
    const run = prepareV2(MODEL, body({ id: 'req-1', inputs: [v2Input('a'), v2Input('b', { data: [[4, 5, 6]] })] }));
    assert.deepEqual(Object.keys(run.feeds).sort(), ['a', 'b']);
    assert.deepEqual(run.feeds.b.dims, [1, 3]);
    assert.deepEqual(Array.from(run.feeds.b.data as Float32Array), [4, 5, 6]);
    assert.deepEqual(run.fetches.map((f) => f.name), ['sum']);
    assert.equal(run.id, 'req-1');
  });

  it('reads a body that is a view into a larger buffer', () => {
    const text = JSON.stringify({ inputs: [v2Input('a'), v2Input('b')] });
    const big = Buffer.from(`GARBAGE${text}TRAILING`, 'utf8');
    const view = new Uint8Array(big.buffer, big.byteOffset + 7, Buffer.byteLength(text));
    const run = prepareV2(MODEL, view);
    assert.deepEqual(Object.keys(run.feeds).sort(), ['a', 'b']);
  });

  it('rejects a body that is not JSON', () => {
    rejects(() => prepareV2(MODEL, body('{"inputs": [')), /^the request body is not valid JSON \(.+\)$/);
    rejects(() => prepareV2(MODEL, body('')), /^the request body is not valid JSON/);
  });

  it('rejects a body that is not an object', () => {
    rejects(() => prepareV2(MODEL, body('[]')), /^the request body: .*expected object/);
  });

  it('rejects missing or empty inputs', () => {
    rejects(() => prepareV2(MODEL, body({})), /^inputs: \/v2\/models\/\S+\/infer takes a list of tensors, e\.g\. .*; this body has no "inputs"$/);
    rejects(() => prepareV2(MODEL, body({ inputs: [] })), 'inputs: at least one input is required');
  });

  it('rejects an unknown input and lists the model inputs', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('a'), v2Input('c')] })), "unknown input 'c'; the model's inputs are: a, b");
  });

  it('rejects a missing input and lists what the model needs', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('b')] })), "input 'a' is missing; the model needs: a, b");
  });

  it('rejects an input given twice', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('a'), v2Input('a'), v2Input('b')] })), "input 'a' is given twice");
  });

  // JSON.stringify drops keys whose value is undefined, so these bodies really lack the key.
  it('rejects a V2 input without shape, naming the input', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('a'), v2Input('b', { shape: undefined })] })), "input 'b': \"shape\" is missing");
  });

  it('rejects a V2 input without datatype, naming the input', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('a', { datatype: undefined }), v2Input('b')] })), "input 'a': \"datatype\" is missing");
  });

  it('rejects a V2 input without data, naming the input', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('a'), v2Input('b', { data: undefined })] })), "input 'b': \"data\" is missing");
  });

  it('passes tensor errors through with the input name', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('a', { datatype: 'FP64' }), v2Input('b')] })),
      "input 'a': datatype FP64 does not match the model's FP32");
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('a'), v2Input('b', { shape: [1, 4], data: [1, 2, 3, 4] })] })),
      "input 'b': expected shape [batch, 3] (rank 2), got [1, 4]");
  });

  it('selects requested outputs', () => {
    const run = prepareV2(MODEL, body({ inputs: [v2Input('a'), v2Input('b')], outputs: [{ name: 'sum' }] }));
    assert.deepEqual(run.fetches, [{ name: 'sum', datatype: 'FP32', shape: ['batch', 3] }]);
  });

  it('rejects an unknown output and lists the model outputs', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('a'), v2Input('b')], outputs: [{ name: 'nope' }] })),
      "unknown output 'nope'; the model's outputs are: sum");
  });

  it('rejects a non-tensor output with its note', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [v2Input('a'), v2Input('b')], outputs: [{ name: 'probabilities' }] })), ZIPMAP_NOTE);
  });

  it('takes binary inputs from the bytes after the JSON, in the order of the inputs, as views of the body when aligned', () => {
    const json = Buffer.from(JSON.stringify({ inputs: [
      { name: 'b', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: 12 } },
      { name: 'a', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: 12 } },
    ] }));
    // Leading spaces (still JSON) move the binary sections: to a multiple of 4, or to an offset no Float32Array can start at.
    const layout = (spaces: number) => {
      const head = Buffer.concat([Buffer.from(' '.repeat(spaces)), json]);
      const whole = new Uint8Array(new ArrayBuffer(head.length + 24));
      whole.set(head);
      whole.set(new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer), head.length);
      return { whole, run: prepareV2(MODEL, whole, head.length) };
    };
    const aligned = layout(4 - (json.length % 4));
    assert.deepEqual(Array.from(aligned.run.feeds.b.data as Float32Array), [1, 2, 3]);
    assert.deepEqual(Array.from(aligned.run.feeds.a.data as Float32Array), [4, 5, 6]);
    assert.equal((aligned.run.feeds.b.data as Float32Array).buffer, aligned.whole.buffer, 'aligned bytes are used in place');
    const unaligned = layout(5 - (json.length % 4));
    assert.notEqual((unaligned.run.feeds.b.data as Float32Array).buffer, unaligned.whole.buffer, 'unaligned bytes are copied');
    assert.deepEqual(Array.from(unaligned.run.feeds.a.data as Float32Array), [4, 5, 6]);
  });

  it('answers outputs binary by binary_data_output, unless an output says otherwise; classification is refused', () => {
    const inputs = [v2Input('a'), v2Input('b')];
    assert.deepEqual(prepareV2(MODEL, body({ inputs })).binary, [false]);
    assert.deepEqual(prepareV2(MODEL, body({ inputs, parameters: { binary_data_output: true } })).binary, [true]);
    assert.deepEqual(prepareV2(MODEL, body({ inputs, parameters: { binary_data_output: true }, outputs: [{ name: 'sum', parameters: { binary_data: false } }] })).binary, [false]);
    assert.deepEqual(prepareV2(MODEL, body({ inputs, outputs: [{ name: 'sum', parameters: { binary_data: true } }] })).binary, [true]);
    rejects(() => prepareV2(MODEL, body({ inputs, outputs: [{ name: 'sum', parameters: { classification: 2 } }] })),
      "output 'sum': the classification extension is not supported; ask for the output itself");
  });

  it('refuses a header length past the body (whoever calls it)', () => {
    rejects(() => prepareV2(MODEL, body({ inputs: [] }), 100), 'Inference-Header-Content-Length is 100, but the body has only 13 bytes');
  });
});

describe('preparePredict', () => {
  it('decodes inputs given by name, inferring shapes', () => {
    const run = preparePredict(MODEL, body({ inputs: { a: [1, 2, 3], b: [[4, 5, 6]] } }));
    assert.deepEqual(run.feeds.a.dims, [1, 3]);
    assert.deepEqual(run.feeds.b.dims, [1, 3]);
    assert.deepEqual(run.fetches.map((f) => f.name), ['sum']);
  });

  it('leaves a dimension name shared by two inputs to onnxruntime (exporters reuse names with other meanings)', () => {
    const run = preparePredict(MODEL, body({ inputs: { a: [1, 2, 3], b: [[1, 2, 3], [4, 5, 6]] } }));
    assert.deepEqual([run.feeds.a.dims, run.feeds.b.dims], [[1, 3], [2, 3]]);
  });

  it('rejects one input whose two dimensions of the same name differ, naming them', () => {
    const square: ModelDescription = { ...MODEL, inputs: [{ name: 'm', datatype: 'FP32', shape: ['n', 'n'] }] };
    rejects(() => preparePredict(square, body({ inputs: { m: [[1, 2, 3], [4, 5, 6]] } })),
      /^input 'm': dimensions 0 and 1 are both 'n' and must be equal \(got 2 and 3\)$/);
    assert.deepEqual(preparePredict(square, body({ inputs: { m: [[1, 2], [3, 4]] } })).feeds.m.dims, [2, 2]);
  });

  it('rejects a body that is not JSON', () => {
    rejects(() => preparePredict(MODEL, body('not json')), /^the request body is not valid JSON \(.+\)$/);
  });

  it('rejects missing inputs', () => {
    rejects(() => preparePredict(MODEL, body({ input: { a: [1, 2, 3] } })), /^inputs: \/api\/predict takes an object of input names to data, e\.g\. \{"inputs": \{"a": \[0, 0, 0\], "b": \[0, 0, 0\]\}\}; this body has no "inputs"$/);
    rejects(() => preparePredict(MODEL, body({ inputs: [] })), /^inputs: \/api\/predict takes .*; this body has a list of tensors, the shape \/v2\/models\/\S+\/infer \(the Open Inference Protocol\) takes: send it there$/);
  });

  it('rejects empty inputs by naming the first missing one', () => {
    rejects(() => preparePredict(MODEL, body({ inputs: {} })), "input 'a' is missing; the model needs: a, b");
  });

  it('rejects an unknown input and lists the model inputs', () => {
    rejects(() => preparePredict(MODEL, body({ inputs: { a: [1, 2, 3], b: [1, 2, 3], A: [1, 2, 3] } })),
      "unknown input 'A'; the model's inputs are: a, b");
  });

  it('rejects a missing input', () => {
    rejects(() => preparePredict(MODEL, body({ inputs: { a: [1, 2, 3] } })), "input 'b' is missing; the model needs: a, b");
  });

  it('rejects an unknown output and a non-tensor output', () => {
    rejects(() => preparePredict(MODEL, body({ inputs: { a: [1, 2, 3], b: [1, 2, 3] }, outputs: ['total'] })),
      "unknown output 'total'; the model's outputs are: sum");
    rejects(() => preparePredict(MODEL, body({ inputs: { a: [1, 2, 3], b: [1, 2, 3] }, outputs: ['probabilities'] })), ZIPMAP_NOTE);
  });

  it('passes data errors through with the input name', () => {
    rejects(() => preparePredict(MODEL, body({ inputs: { a: [1, 2, 3], b: [1, 'two', 3] } })), "input 'b': element 1 is \"two\", expected a number");
  });
});

describe('encodeOutputs, v2Response, predictResponse', () => {
  const sum = { type: 'float32', dims: [1, 3], data: new Float32Array([5.5, 7, 9]) } as unknown as Tensor;

  it('encodes fetched outputs and wraps them in a V2 answer', () => {
    const outputs = encodeOutputs(MODEL.outputs, { sum }, 'exact');
    assert.deepEqual(outputs, [{ name: 'sum', datatype: 'FP32', shape: [1, 3], data: [5.5, 7, 9] }]);
    assert.deepEqual(v2Response(MODEL, 'r1', outputs), { model_name: 'two-inputs', model_version: 'abababababab', id: 'r1', outputs });
    assert.ok(!('id' in v2Response(MODEL, undefined, outputs)));
  });

  it('records the inputs exactly as the client sent them', () => {
    const run = preparePredict(MODEL, body({ inputs: { a: [5.1, 3.5, 1.4], b: [0.1, 0.2, 0.3] } }));
    const outputs = encodeOutputs(run.fetches, { sum }, 'exact');
    const { answer, record } = predictResponse(MODEL, run.feeds, outputs, { inferenceMs: 1, totalMs: 2 });
    assert.equal(answer.predictionId, record.predictionId);
    assert.match(answer.predictionId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(record.inputs, {
      a: { datatype: 'FP32', shape: [1, 3], data: [5.1, 3.5, 1.4] },
      b: { datatype: 'FP32', shape: [1, 3], data: [0.1, 0.2, 0.3] },
    });
    assert.deepEqual(answer.outputs, { sum: { datatype: 'FP32', shape: [1, 3], data: [5.5, 7, 9] } });
    assert.equal(record.model, 'two-inputs');
    assert.equal(record.modelVersion, 'abababababab');
    assert.ok(!Number.isNaN(Date.parse(record.ts)));
  });
});
