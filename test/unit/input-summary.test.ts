import assert from 'node:assert/strict';
import { inputSummary, looksLikeImage } from '../../src/shared/input-summary';

describe('shared: one line of a record\'s inputs (cards, table)', () => {
  it('numbers as the person sent them, nested tensors flattened, strings quoted, names kept', () => {
    assert.equal(inputSummary({ features: { datatype: 'FP32', shape: [1, 4], data: [[6.7, 3.0, 5.2, 2.3]] } }), 'features: [6.7, 3, 5.2, 2.3]');
    assert.equal(inputSummary({ text: { datatype: 'BYTES', shape: [1], data: ['refund please'] } }), 'text: "refund please"');
    assert.equal(inputSummary({ a: { datatype: 'FP32', shape: [1], data: [0.123456] }, b: { datatype: 'INT64', shape: [1], data: [3] } }), 'a: 0.1235 · b: 3');
  });

  it('a long tensor is cut with an ellipsis; the line never exceeds its budget', () => {
    const line = inputSummary({ x: { datatype: 'FP32', shape: [1, 1000], data: Array.from({ length: 1000 }, (_, i) => i) } }, 60);
    assert.ok(line.length <= 60, line);
    assert.match(line, /^x: \[0, 1, 2, .*…/);
  });

  it('a blob (an image tensor stored apart) is named by its type and shape', () => {
    assert.equal(inputSummary({ pixel_values: { datatype: 'FP32', shape: [1, 3, 224, 224], blob: 'blobs/ab.json' } }), 'pixel_values: image FP32 [1, 3, 224, 224]');
    assert.equal(inputSummary({ audio: { datatype: 'FP32', shape: [1, 16000], blob: 'blobs/cd.json' } }), 'audio: FP32 [1, 16000]');
    assert.equal(looksLikeImage([28, 28, 1]), true);
    assert.equal(looksLikeImage([1, 16000]), false);
  });
});
