import assert from 'node:assert/strict';
import { asNumber, formatMs, formatNumber, isPredictResponse, outputKind, rowsOf, valuesPerExample } from '../../src/page/logic/output-plan';

const t = (datatype: string, shape: number[], data: unknown[] = []) => ({ datatype, shape, data });

describe('page: output kinds', () => {
  it('float [batch, C>1] are class scores when something says so; [batch, 1] and [batch] are numbers', () => {
    assert.equal(outputKind(t('FP32', [1, 3], [7.3, -2, -10]), ['batch', 3], undefined, { name: 'logits' }), 'scores', 'by name');
    assert.equal(outputKind(t('FP32', [1, 3], [7.3, -2, -10]), ['batch', 3], undefined, { name: 'output', hasClassNames: true }), 'scores', 'by class names');
    assert.equal(outputKind(t('FP32', [1, 3], [0.1, 0.2, 0.7]), ['batch', 3], undefined, { name: 'output' }), 'scores', 'already probabilities');
    assert.equal(outputKind(t('FP32', [1, 3], [7.3, -2, -10]), ['batch', 3], undefined, { name: 'sum' }), 'regression', 'no sign of classes: numbers, no made-up softmax');
    assert.equal(outputKind(t('FP32', [1, 1]), ['batch', 1]), 'regression');
    assert.equal(outputKind(t('FP64', [1]), ['batch']), 'regression');
    assert.equal(outputKind(t('FP32', []), []), 'regression');
  });

  it('a fixed [C] float output can be one unbatched score vector; an open [n] one is numbers', () => {
    assert.equal(outputKind(t('FP32', [10]), [10], undefined, { name: 'probabilities' }), 'scores');
    assert.equal(outputKind(t('FP32', [10]), ['n'], undefined, { name: 'probabilities' }), 'regression');
  });

  it('one integer, string or boolean per example is a label; several integers are numbers', () => {
    assert.equal(outputKind(t('INT64', [1]), ['batch']), 'label');
    assert.equal(outputKind(t('INT64', [1, 1]), ['batch', 1]), 'label');
    assert.equal(outputKind(t('BYTES', [1]), ['batch']), 'label');
    assert.equal(outputKind(t('BOOL', [1]), ['batch']), 'label');
    assert.equal(outputKind(t('INT32', [1, 4]), ['batch', 4]), 'regression');
    assert.equal(outputKind(t('BOOL', [1, 4]), ['batch', 4]), 'json');
    assert.equal(outputKind(t('BYTES', [1, 2]), ['batch', 2]), 'json');
  });

  it('rank > 2 is a picture when map-shaped (1-4 channels, at least 8 x 8), JSON otherwise', () => {
    assert.equal(outputKind(t('FP32', [1, 3, 8, 8]), ['batch', 3, 8, 8]), 'picture');
    assert.equal(outputKind(t('FP32', [1, 16, 8, 8]), ['batch', 16, 8, 8]), 'json');
  });

  it('the sidecar’s kind wins when the data allows it', () => {
    assert.equal(outputKind(t('FP32', [1, 2]), ['batch', 2], { kind: 'regression' }, { name: 'logits' }), 'regression');
    assert.equal(outputKind(t('FP32', [1, 2]), ['batch', 2], { kind: 'scores' }, { name: 'sum' }), 'scores');
    assert.equal(outputKind(t('FP32', [1, 3]), ['batch', 3], { kind: 'json' }), 'json');
    assert.equal(outputKind(t('FP32', [1, 1]), ['batch', 1], { kind: 'label' }), 'label');
    assert.equal(outputKind(t('BYTES', [1, 3]), ['batch', 3], { kind: 'scores' }), 'json', 'strings cannot be scores');
    assert.equal(outputKind(t('FP32', [1, 2, 2]), undefined, { kind: 'scores' }), 'json');
  });

  it('splits data into one row per example', () => {
    assert.deepEqual(rowsOf(t('FP32', [2, 3], [1, 2, 3, 4, 5, 6]), false), [[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(rowsOf(t('FP32', [3], [1, 2, 3]), true), [[1, 2, 3]]);
    assert.deepEqual(rowsOf(t('INT64', [2], [7, 8]), false), [[7], [8]]);
    assert.deepEqual(rowsOf(t('FP32', [], [5]), false), [[5]]);
    assert.equal(valuesPerExample([4, 2, 3]), 6);
  });

  it('reads JSON elements as numbers (exact INT64 strings included)', () => {
    assert.equal(asNumber(3), 3);
    assert.equal(asNumber('42'), 42);
    assert.equal(asNumber(true), 1);
    assert.ok(Number.isNaN(asNumber(null)));
    assert.ok(Number.isNaN(asNumber('')));
  });

  it('formats numbers and latencies for people', () => {
    assert.equal(formatNumber(12.345678), '12.3457');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(1e-7), '1.0000e-7');
    assert.equal(formatNumber(NaN), '—');
    assert.equal(formatNumber(-Infinity), '−∞');
    assert.equal(formatMs(0.213), '0.21 ms');
    assert.equal(formatMs(3.14), '3.1 ms');
    assert.equal(formatMs(42.4), '42 ms');
    assert.equal(formatMs(1400), '1.4 s');
    assert.equal(formatMs(undefined), '?');
  });

  it('checks the predict answer before using it', () => {
    const ok = { predictionId: 'p', model: 'm', modelVersion: 'v', outputs: { y: { datatype: 'FP32', shape: [1], data: [1] } } };
    assert.equal(isPredictResponse(ok), true);
    assert.equal(isPredictResponse({ ...ok, predictionId: 1 }), false);
    assert.equal(isPredictResponse({ ...ok, outputs: { y: { datatype: 'FP32', shape: [1] } } }), false);
    assert.equal(isPredictResponse(null), false);
  });
});
