import assert from 'node:assert/strict';
import { formatPercent, isProbabilityRow, PROBABILITY_SUM_TOLERANCE, softmax, toProbabilities, topK } from '../../src/page/logic/scores';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe('page: scores (the softmax rule)', () => {
  it('a row in [0, 1] that sums to 1 within 1e-3 is already probabilities', () => {
    assert.equal(PROBABILITY_SUM_TOLERANCE, 1e-3);
    assert.equal(isProbabilityRow([0.2, 0.3, 0.5]), true);
    assert.equal(isProbabilityRow([0.2, 0.3, 0.5009]), true, 'float32 rounding is absorbed');
    assert.equal(isProbabilityRow([1, 0, 0]), true);
    assert.equal(isProbabilityRow([0.2, 0.3, 0.502]), false, 'sum 1.002 is beyond the tolerance');
    assert.equal(isProbabilityRow([0.2, 0.2, 0.2]), false, 'independent sigmoids do not sum to 1');
    assert.equal(isProbabilityRow([1.5, -0.5]), false, 'sums to 1 but leaves [0, 1]');
    assert.equal(isProbabilityRow([7.3, -1.98, -10.3]), false, 'logits');
    assert.equal(isProbabilityRow([NaN, 1]), false);
    assert.equal(isProbabilityRow([]), false);
  });

  it('probabilities are shown as they are; anything else gets softmax', () => {
    assert.deepEqual(toProbabilities([0.1, 0.9]), { probabilities: [0.1, 0.9], softmaxApplied: false });
    const logits = toProbabilities([2, 1, 0]);
    assert.equal(logits.softmaxApplied, true);
    close(logits.probabilities.reduce((a, b) => a + b, 0), 1);
    close(logits.probabilities[0], Math.exp(2) / (Math.exp(2) + Math.exp(1) + 1));
  });

  it('softmax is numerically stable and handles equal, huge and infinite scores', () => {
    const big = softmax([1000, 1001]);
    close(big[0], 1 / (1 + Math.E));
    close(big[1], Math.E / (1 + Math.E));
    assert.deepEqual(softmax([3, 3, 3, 3]), [0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(softmax([Infinity, 0, Infinity]), [0.5, 0, 0.5]);
    assert.deepEqual(softmax([-Infinity, 0]), [0, 1]);
    assert.deepEqual(softmax([]), []);
    assert.ok(softmax([NaN, 1]).every(Number.isNaN));
  });

  it('topK orders best first, breaks ties by class index, puts NaN last and stops at k', () => {
    assert.deepEqual(topK([0.1, 0.5, 0.4], 5), [
      { index: 1, probability: 0.5 }, { index: 2, probability: 0.4 }, { index: 0, probability: 0.1 },
    ]);
    assert.deepEqual(topK([0.25, 0.25, 0.5], 2).map((r) => r.index), [2, 0]);
    assert.deepEqual(topK([NaN, 0.1], 2).map((r) => r.index), [1, 0]);
    const ten = Array.from({ length: 10 }, (_, i) => i / 45);
    assert.deepEqual(topK(ten, 5).map((r) => r.index), [9, 8, 7, 6, 5]);
    assert.deepEqual(topK([0.5, 0.5], 0), []);
  });

  it('formats percentages for people', () => {
    assert.equal(formatPercent(0.973), '97.3%');
    assert.equal(formatPercent(1), '100.0%');
    assert.equal(formatPercent(0), '0.0%');
    assert.equal(formatPercent(0.0001), '<0.1%');
    assert.equal(formatPercent(NaN), '—');
  });
});
