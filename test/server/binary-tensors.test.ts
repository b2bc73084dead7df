import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { fixtureModel, IRIS_MODEL, loadExpected, startPreview, type ExpectedTensor, type Preview } from '../helpers/preview';
import { readSpecResponse, specRequest, tensorBytes, type SpecInput, type Values } from '../helpers/triton-binary';

/**
 * Triton's binary tensor data extension, spoken by a client built from Triton's specification (test/helpers/
 * triton-binary.ts): every datatype both ways, binary and JSON inputs in one request, the per-output choice, the raw
 * single-input request, and what a malformed binary request gets (400 naming what is wrong, never a 5xx).
 */

interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** POSTs bytes as tritonclient does: no Content-Type, the header length when an input is binary. */
async function send(p: Preview, path: string, body: Buffer, headers: Record<string, string> = {}, token: string | null = p.shareToken): Promise<Answer> {
  const res = await fetch(p.baseUrl + path, {
    method: 'POST', body, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const readAnswer = (a: Answer) => readSpecResponse(a.body, a.headers.get('inference-header-content-length'));

/** Integers compared exactly (INT64 as decimal strings both sides), floats and the rest as read. */
function assertValues(actual: Values, expected: ExpectedTensor, where: string): void {
  const wide = expected.datatype === 'INT64' || expected.datatype === 'UINT64';
  assert.deepEqual(wide ? actual.map(String) : actual, wide ? expected.data.map(String) : expected.data, where);
}

function assertError(a: Answer, pattern: RegExp): void {
  assert.ok(a.status < 500, `a malformed request answered ${a.status}: ${a.body.toString()}`);
  assert.equal(a.status, 400, a.body.toString());
  assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
  const { error } = JSON.parse(a.body.toString()) as { error: string };
  assert.match(error, pattern);
}

describe('server: binary tensor data (Triton extension)', function () {
  this.timeout(20_000);
  let identity: Preview;
  let iris: Preview;
  const { inputs: allInputs, outputs: allOutputs } = loadExpected('identity-all-types').cases[0];
  const IDENTITY = '/v2/models/identity-all-types/infer';
  const specInputs = (binary: (name: string) => boolean): SpecInput[] =>
    Object.entries(allInputs).map(([name, t]) => ({ name, datatype: t.datatype, shape: t.shape, values: t.data as Values, binary: binary(name) }));

  before(async () => {
    [identity, iris] = await Promise.all([startPreview(fixtureModel('identity-all-types')), startPreview(IRIS_MODEL)]);
  });
  after(async () => {
    await Promise.all([identity?.stop(), iris?.stop()]);
  });

  it('GET /v2 lists binary_tensor_data among the extensions', async () => {
    const res = await identity.get('/v2');
    assert.equal(res.status, 200, res.text);
    assert.ok(res.json.extensions.includes('binary_tensor_data'), res.text);
  });

  it('every datatype goes in as binary and comes back as binary, byte for byte (binary_data_output, no outputs listed)', async () => {
    const { body, headers } = specRequest(specInputs(() => true));
    const answer = await send(identity, IDENTITY, body, headers);
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers.get('content-type'), 'application/octet-stream');
    const { json, outputs } = readAnswer(answer);
    assert.equal(json.model_name, 'identity-all-types');
    assert.equal(outputs.length, Object.keys(allOutputs).length);
    for (const [name, want] of Object.entries(allOutputs)) {
      const got = outputs.find((o) => o.name === name)!;
      assert.ok(got.binary, `${name} came back binary`);
      assert.equal(got.datatype, want.datatype);
      assert.deepEqual(got.shape, want.shape);
      assertValues(got.values, want, name);
    }
    // Each output's bytes are exactly the input's bytes (an identity model): the layout is the specification's.
    const sent = Object.fromEntries(Object.entries(allInputs).map(([n, t]) => [n.replace('in_', 'out_'), tensorBytes(t.datatype, t.data as Values)]));
    const jsonLength = Number(answer.headers.get('inference-header-content-length'));
    let at = jsonLength;
    for (const o of json.outputs as Array<{ name: string; parameters: { binary_data_size: number } }>) {
      assert.deepEqual(answer.body.subarray(at, at + o.parameters.binary_data_size), sent[o.name], `${o.name}'s bytes`);
      at += o.parameters.binary_data_size;
    }
  });

  it('binary and JSON inputs mix in one request, and each listed output is binary or JSON as asked', async () => {
    const names = Object.keys(allInputs);
    const binaryInputs = new Set(names.filter((_n, i) => i % 2 === 0));
    const requested = Object.keys(allOutputs).map((name, i) => ({ name, binary: i % 3 !== 0 }));
    const { body, headers } = specRequest(specInputs((n) => binaryInputs.has(n)), requested);
    const answer = await send(identity, IDENTITY, body, headers);
    assert.equal(answer.status, 200, answer.body.toString());
    const { outputs } = readAnswer(answer);
    assert.deepEqual(outputs.map((o) => o.name), requested.map((r) => r.name), 'the outputs in the order asked');
    for (const { name, binary } of requested) {
      const got = outputs.find((o) => o.name === name)!;
      assert.equal(got.binary, binary, `${name} is ${binary ? 'binary' : 'JSON'} as asked`);
      const want = allOutputs[name];
      // JSON carries INT64 beyond 2^53 as exact integers that JSON.parse rounds: those are checked binary only.
      if (!binary && (want.datatype === 'INT64' || want.datatype === 'UINT64')) continue;
      assertValues(got.values, want, name);
    }
  });

  it('a per-output binary_data: false overrides binary_data_output: true, and unlisted outputs are not returned', async () => {
    const { body, headers } = specRequest(specInputs(() => true), [{ name: 'out_fp32', binary: false }, { name: 'out_bytes', binary: true }],
      { parameters: { binary_data_output: true } });
    const answer = await send(identity, IDENTITY, body, headers);
    assert.equal(answer.status, 200, answer.body.toString());
    const { outputs } = readAnswer(answer);
    assert.deepEqual(outputs.map((o) => [o.name, o.binary]), [['out_fp32', false], ['out_bytes', true]]);
    assertValues(outputs[1].values, allOutputs.out_bytes, 'out_bytes');
  });

  it('a JSON-only request (no header) asking for binary outputs gets a binary answer', async () => {
    const { body, headers } = specRequest(specInputs(() => false));
    assert.deepEqual(headers, {}, 'tritonclient sends no header when no input is binary');
    const answer = await send(identity, IDENTITY, body, { 'content-type': 'application/json' });
    assert.equal(answer.status, 200, answer.body.toString());
    assert.ok(answer.headers.get('inference-header-content-length'));
    const { outputs } = readAnswer(answer);
    assert.ok(outputs.every((o) => o.binary));
    assertValues(outputs.find((o) => o.name === 'out_int64')!.values, allOutputs.out_int64, 'out_int64');
  });

  it('zero-size tensors: binary_data_size 0 both ways, and an answer whose binary sections are all empty is plain JSON', async () => {
    const { body, headers } = specRequest(specInputs(() => true).map((i) => ({ ...i, shape: [0, 2], values: [] })));
    const answer = await send(identity, IDENTITY, body, headers);
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers.get('inference-header-content-length'), null);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    const json = JSON.parse(answer.body.toString()) as { outputs: Array<{ shape: number[]; parameters: { binary_data_size: number } }> };
    assert.ok(json.outputs.every((o) => o.parameters.binary_data_size === 0 && o.shape[0] === 0), answer.body.toString());
  });

  it('the express front (token in ?t=) answers the same bytes as the fast path', async () => {
    const { body, headers } = specRequest(specInputs(() => true));
    const fast = await send(identity, IDENTITY, body, headers);
    const viaExpress = await send(identity, `${IDENTITY}?t=${encodeURIComponent(identity.shareToken)}`, body, headers, null);
    assert.equal(viaExpress.status, 200, viaExpress.body.toString());
    assert.deepEqual(viaExpress.body, fast.body);
    for (const name of ['content-type', 'inference-header-content-length', 'content-length']) {
      assert.equal(viaExpress.headers.get(name), fast.headers.get(name), name);
    }
  });

  it('the JSON of every length modulo 8, eight requests at once: each answers exactly its own bytes (8-byte types too)', async () => {
    // The worker views a tensor in place when its bytes fall on the element's alignment, which the JSON's length
    // decides: every offset here, the requests in flight together so that several share a batch to a worker.
    const requests = Array.from({ length: 8 }, (_, k) => {
      const inputs = specInputs(() => true).map((i) => (i.datatype === 'FP64' || i.datatype === 'FP32' ? { ...i, values: i.values.map((v) => Number(v) + k) } : i));
      const id = `${k}${'.'.repeat(k)}`;
      return { inputs, id, ...specRequest(inputs, undefined, { id }) };
    });
    assert.deepEqual(new Set(requests.map((r) => Number(r.headers['Inference-Header-Content-Length']) % 8)).size, 8, 'every JSON length modulo 8');
    const answers = await Promise.all(requests.map((r) => send(identity, IDENTITY, r.body, r.headers)));
    answers.forEach((answer, k) => {
      assert.equal(answer.status, 200, answer.body.toString());
      const { json } = readAnswer(answer);
      assert.equal(json.id, requests[k].id, 'its own answer');
      const sent = Object.fromEntries(requests[k].inputs.map((i) => [i.name.replace('in_', 'out_'), tensorBytes(i.datatype, i.values)]));
      let at = Number(answer.headers.get('inference-header-content-length'));
      for (const o of json.outputs as Array<{ name: string; parameters: { binary_data_size: number } }>) {
        assert.deepEqual(answer.body.subarray(at, at + o.parameters.binary_data_size), sent[o.name], `request ${k}: ${o.name}'s bytes`);
        at += o.parameters.binary_data_size;
      }
    });
  });

  it('a 1.2 MB image tensor (the body arrives in many pieces) answers exactly what onnxruntime in-process answers', async () => {
    const file = fixtureModel('image-conv');
    const image = new Float32Array(3 * 320 * 320).map((_, i) => ((i * 7919) % 255) / 255 - 0.5);
    const inputs: SpecInput[] = [{ name: 'image', datatype: 'FP32', shape: [1, 3, 320, 320], values: Array.from(image), binary: true }];
    const { body, headers } = specRequest(inputs);
    const preview = await startPreview(file);
    let answer: Answer;
    try {
      answer = await send(preview, '/v2/models/image-conv/infer', body, headers);
    } finally {
      await preview.stop();
    }
    assert.equal(answer.status, 200, answer.body.toString());
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    const expected = await session.run({ image: new ort.Tensor('float32', image, [1, 3, 320, 320]) });
    await session.release();
    const { json } = readAnswer(answer);
    let at = Number(answer.headers.get('inference-header-content-length'));
    assert.deepEqual((json.outputs as Array<{ name: string }>).map((o) => o.name).sort(), Object.keys(expected).sort());
    for (const o of json.outputs as Array<{ name: string; parameters: { binary_data_size: number } }>) {
      const data = expected[o.name].data as Float32Array;
      assert.deepEqual(answer.body.subarray(at, (at += o.parameters.binary_data_size)), Buffer.from(data.buffer, data.byteOffset, data.byteLength), `${o.name}, bit for bit`);
    }
  });

  it('a raw request (Inference-Header-Content-Length: 0) is the single input\'s bytes; its open dimension comes from the size', async () => {
    const rows = [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3];
    const answer = await send(iris, '/v2/models/iris/infer', tensorBytes('FP32', rows), { 'Inference-Header-Content-Length': '0' });
    assert.equal(answer.status, 200, answer.body.toString());
    const { outputs } = readAnswer(answer);
    assert.equal(outputs[0].name, 'logits');
    assert.ok(outputs[0].binary, 'a raw request gets binary outputs');
    assert.deepEqual(outputs[0].shape, [2, 3]);
    const json = await iris.post('/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: rows }] });
    assert.deepEqual(outputs[0].values, json.json.outputs[0].data.map((v: number) => Math.fround(v)));
  });

  describe('malformed binary requests get 400 naming what is wrong', () => {
    const fp32 = (binaryDataSize: unknown, bytes: Buffer, extra: Record<string, unknown> = {}) => {
      const json = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: binaryDataSize }, ...extra }] }));
      return { json, body: Buffer.concat([json, bytes]) };
    };
    const INFER = '/v2/models/iris/infer';
    const four = tensorBytes('FP32', [5.1, 3.5, 1.4, 0.2]);

    it('a header that is not a number', async () => {
      const { body } = fp32(16, four);
      assertError(await send(iris, INFER, body, { 'Inference-Header-Content-Length': 'abc' }), /^Inference-Header-Content-Length must be a number of bytes \(the length of the JSON that begins the body\), got "abc"$/);
      assertError(await send(iris, INFER, body, { 'Inference-Header-Content-Length': '-5' }), /^Inference-Header-Content-Length must be a number of bytes/);
    });

    it('a header length beyond the body', async () => {
      const { body } = fp32(16, four);
      assertError(await send(iris, INFER, body, { 'Inference-Header-Content-Length': String(body.length + 1) }),
        new RegExp(`^Inference-Header-Content-Length is ${body.length + 1}, but the body has only ${body.length} bytes$`));
    });

    it('a binary_data_size that runs past the body (truncated body, or a length that overflows)', async () => {
      for (const size of [17, 2 ** 31, 2 ** 32 + 16, 2 ** 53 - 1]) {
        const { json, body } = fp32(size, four);
        assertError(await send(iris, INFER, body, { 'Inference-Header-Content-Length': String(json.length) }),
          new RegExp(`^input 'features': binary_data_size is ${size} bytes, but only 16 bytes follow the JSON$`));
      }
    });

    it('a binary_data_size that is not a byte count', async () => {
      for (const size of [-1, 1.5, '16', null]) {
        const { json, body } = fp32(size, four);
        assertError(await send(iris, INFER, body, { 'Inference-Header-Content-Length': String(json.length) }),
          /^input 'features': parameters\.binary_data_size must be a non-negative integer/);
      }
    });

    it('a size that does not match shape × datatype', async () => {
      const { json, body } = fp32(12, four.subarray(0, 12));
      assertError(await send(iris, INFER, body, { 'Inference-Header-Content-Length': String(json.length) }),
        /^input 'features': binary_data_size is 12 bytes, but shape \[1, 4\] of FP32 takes 16 bytes \(4 bytes per element\)$/);
    });

    it('bytes left over after the last binary input', async () => {
      const { json, body } = fp32(16, Buffer.concat([four, Buffer.from([1, 2, 3])]));
      assertError(await send(iris, INFER, body, { 'Inference-Header-Content-Length': String(json.length) }),
        /^3 bytes after the binary inputs belong to no input/);
    });

    it('binary_data_size without the header, and data given as well as binary_data_size', async () => {
      const { json, body } = fp32(16, four);
      assertError(await send(iris, INFER, body), /^the request body is not valid JSON \(.*\); binary tensor data \(binary_data_size\) needs the Inference-Header-Content-Length header/);
      assertError(await send(iris, INFER, json), /^input 'features' has parameters\.binary_data_size, but the request has no Inference-Header-Content-Length header/);
      const both = fp32(16, four, { data: [1, 2, 3, 4] });
      assertError(await send(iris, INFER, both.body, { 'Inference-Header-Content-Length': String(both.json.length) }),
        /^input 'features': give either "data" or parameters\.binary_data_size, not both$/);
    });

    it('BYTES whose length prefix runs past the section, that are not UTF-8 or that hold a NUL byte; BOOL bytes other than 0 and 1', async () => {
      // Every input as JSON but one, whose binary section is `section`.
      const withSection = (name: string, section: Buffer) => {
        const inputs = specInputs(() => false).map(({ binary: _b, values, ...i }) =>
          (i.name === name ? { ...i, parameters: { binary_data_size: section.length } } : { ...i, data: values }));
        const json = Buffer.from(JSON.stringify({ inputs }));
        return [IDENTITY, Buffer.concat([json, section]), { 'Inference-Header-Content-Length': String(json.length) }] as const;
      };
      assertError(await send(identity, ...withSection('in_bytes', Buffer.from([1, 0, 0, 0, 0x61, 0xff, 0xff, 0xff, 0xff, 0x62]))),
        /^input 'in_bytes': element 1 says 4294967295 bytes, but only 1 bytes are left in its binary data$/);
      assertError(await send(identity, ...withSection('in_bytes', Buffer.from([2, 0, 0, 0, 0xc3, 0x28]))),
        /^input 'in_bytes': element 0 is not valid UTF-8 \(ONNX strings are text\)$/);
      assertError(await send(identity, ...withSection('in_bytes', Buffer.from([1, 0, 0, 0, 0x61]))),
        /^input 'in_bytes': binary data holds 1 elements, but shape \[2, 2\] takes 4$/);
      // onnxruntime would end an element at a NUL byte: the model would see "a" for "a\0b" (and answer 200), so it is refused.
      assertError(await send(identity, ...withSection('in_bytes', Buffer.from([1, 0, 0, 0, 0x61, 3, 0, 0, 0, 0x61, 0x00, 0x62, 1, 0, 0, 0, 0x63, 1, 0, 0, 0, 0x64]))),
        /^input 'in_bytes': element 1 contains a NUL character \(\\u0000 or byte 0\); onnxruntime's strings end at it, so the model would see only the text before it$/);
      assertError(await send(identity, ...withSection('in_bool', Buffer.from([1, 0, 2, 0]))),
        /^input 'in_bool': element 2 is the byte 2, expected 0 \(false\) or 1 \(true\)$/);
    });

    it('binary_data_output or binary_data that is not true or false', async () => {
      const rows = { name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] };
      assertError(await send(iris, INFER, Buffer.from(JSON.stringify({ inputs: [rows], parameters: { binary_data_output: 'yes' } }))),
        /^parameters\.binary_data_output must be true or false/);
      assertError(await send(iris, INFER, Buffer.from(JSON.stringify({ inputs: [rows], outputs: [{ name: 'logits', parameters: { binary_data: 1 } }] }))),
        /^output 'logits': parameters\.binary_data must be true or false/);
    });

    it('a raw request to a model whose input size the bytes cannot settle', async () => {
      assertError(await send(iris, INFER, Buffer.alloc(10), { 'Inference-Header-Content-Length': '0' }),
        /^a raw binary request \(Inference-Header-Content-Length: 0\) of 10 bytes does not fit input 'features' \[batch, 4\] of FP32/);
      assertError(await send(identity, IDENTITY, Buffer.alloc(8), { 'Inference-Header-Content-Length': '0' }),
        /^a raw binary request \(Inference-Header-Content-Length: 0\) needs a model with one input; this one has 13/);
    });

    it('after all that the server still answers normally', async () => {
      const { body, headers } = specRequest([{ name: 'features', datatype: 'FP32', shape: [1, 4], values: [5.1, 3.5, 1.4, 0.2], binary: true }]);
      const answer = await send(iris, INFER, body, headers);
      assert.equal(answer.status, 200, answer.body.toString());
    });
  });
});
