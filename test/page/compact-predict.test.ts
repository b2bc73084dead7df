import assert from 'node:assert/strict';
import { PictureUpload, predictRequest, readBinaryAnswer } from '../../src/page/logic/compact-predict';

/** Bytes of an answer: its JSON, then the sections (little-endian). */
function answer(json: unknown, ...sections: Uint8Array[]): { bytes: Uint8Array; jsonLength: number } {
  const head = Buffer.from(JSON.stringify(json));
  return { bytes: Buffer.concat([head, ...sections]), jsonLength: head.length };
}
const bytes = (typed: ArrayBufferView) => new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);

describe('page: compact /api/predict requests and answers', () => {
  it('without a picture the request stays JSON, asking for large outputs as bytes', () => {
    const request = predictRequest({ inputs: { features: [[1, 2]] } });
    assert.deepEqual(request.headers, { 'Content-Type': 'application/json' });
    assert.deepEqual(JSON.parse(Buffer.from(request.body).toString()), { inputs: { features: [[1, 2]] }, parameters: { binary_data_output: true } });
  });

  it('pictures follow the JSON in the order of the inputs; other inputs stay JSON', () => {
    const p = { width: 1, height: 1, channels: 'RGB' as const, layout: 'NCHW' as const, scale: 1, invert: false };
    const request = predictRequest({ inputs: { a: new PictureUpload(Uint8Array.of(1, 2, 3), p, [1, 3, 1, 1]), b: [5], c: new PictureUpload(Uint8Array.of(7, 8, 9), p, [1, 3, 1, 1]) } });
    const jsonLength = Number(request.headers['Inference-Header-Content-Length']);
    const head = JSON.parse(Buffer.from(request.body.subarray(0, jsonLength)).toString());
    assert.deepEqual(head.inputs.a, { picture: p, shape: [1, 3, 1, 1], parameters: { binary_data_size: 3 } });
    assert.deepEqual(head.inputs.b, [5]);
    assert.deepEqual(Array.from(request.body.subarray(jsonLength)), [1, 2, 3, 7, 8, 9]);
  });

  it('binary outputs read back as the JSON answer has them: NaN as a string, large INT64 as decimal strings', () => {
    const floats = Float32Array.of(0.5, NaN, -Infinity);
    const big = BigInt64Array.of(1n, 2n ** 60n);
    const small = BigInt64Array.of(-3n, 4n);
    const a = answer({
      predictionId: 'x', outputs: {
        scores: { datatype: 'FP32', shape: [1, 3], parameters: { binary_data_offset: 0, binary_data_size: 12 } },
        ids: { datatype: 'INT64', shape: [2], parameters: { binary_data_offset: 12, binary_data_size: 16 } },
        // Sections are found by offset, not by the order of the JSON's keys (numeric names come first in an object).
        7: { datatype: 'INT64', shape: [2], parameters: { binary_data_offset: 28, binary_data_size: 16 } },
        label: { datatype: 'BYTES', shape: [1], data: ['cat'] },
      },
    }, bytes(floats), bytes(big), bytes(small));
    const read = readBinaryAnswer(a.bytes, a.jsonLength) as { outputs: Record<string, unknown> };
    assert.deepEqual(read.outputs, {
      scores: { datatype: 'FP32', shape: [1, 3], data: [0.5, 'NaN', '-Infinity'] },
      ids: { datatype: 'INT64', shape: [2], data: ['1', '1152921504606846976'] },
      7: { datatype: 'INT64', shape: [2], data: [-3, 4] },
      label: { datatype: 'BYTES', shape: [1], data: ['cat'] },
    });
  });
});
