import assert from 'node:assert/strict';
import { predictedLabel } from '../../src/shared/predicted-label';
import type { StoredTensor } from '../../src/shared/feedback-record';
import type { ModelCard } from '../../src/shared/model-card';
import { classNamesOf } from '../../src/shared/model-facts';

type Card = Pick<ModelCard, 'hints'>;
const named = (output: string, classNames: string[]): Card => ({ hints: { inputs: {}, outputs: { [output]: { classNames } }, examples: [] } });
const noNames: Card = { hints: { inputs: {}, outputs: {}, examples: [] } };
const sidecarNames: Card = named('logits', ['setosa', 'versicolor', 'virginica']);
const metaNames: Card = { hints: { inputs: {}, outputs: { logits: { classNames: ['cat', 'dog', 'bird'] }, label: { classNames: ['cat', 'dog', 'bird'] } }, examples: [] } };
const scores = (data: number[], shape = [1, data.length]): Record<string, StoredTensor> => ({ logits: { datatype: 'FP32', shape, data } });

describe('unit: predictedLabel', () => {
  it('scores with class names: the arg-max of the first row, by name', () => {
    assert.equal(predictedLabel(scores([-1.2, 0.3, 2.5]), sidecarNames), 'virginica');
    assert.equal(predictedLabel(scores([4, 0.3, 2.5, /* row 2 */ 0, 9, 0], [2, 3]), sidecarNames), 'setosa', 'only the first row counts');
  });

  it('scores with the names the resolved hints give (the rule the page uses)', () => {
    assert.deepEqual(classNamesOf(metaNames.hints, 'logits'), ['cat', 'dog', 'bird']);
    assert.equal(predictedLabel(scores([0.1, 0.7, 0.2]), metaNames), 'dog');
  });

  it('scores without class names: the index', () => {
    assert.equal(predictedLabel(scores([0.1, 0.2, 0.9]), noNames), '2');
    assert.equal(predictedLabel({ p: { datatype: 'FP64', shape: [3], data: [0.5, 0.1, 0.4] } }, noNames), '0');
  });

  it('an INT64 label tensor is mapped through the class names (as a number or as a decimal string)', () => {
    assert.equal(predictedLabel({ label: { datatype: 'INT64', shape: [1], data: [2] } }, metaNames), 'bird');
    assert.equal(predictedLabel({ label: { datatype: 'INT64', shape: [1], data: ['1'] } }, metaNames), 'dog');
    assert.equal(predictedLabel({ label: { datatype: 'INT64', shape: [1], data: [1] } }, noNames), '1');
    assert.equal(predictedLabel({ label: { datatype: 'INT64', shape: [1], data: [7] } }, metaNames), '7', 'an index beyond the names');
  });

  it('an INT64 label beyond 2^53 (stored as a decimal string) keeps its exact digits', () => {
    assert.equal(predictedLabel({ label: { datatype: 'INT64', shape: [1], data: ['9007199254740993'] } }, noNames), '9007199254740993');
  });

  it('a BYTES label is the label itself', () => {
    assert.equal(predictedLabel({ label: { datatype: 'BYTES', shape: [1], data: ['versicolor'] } }, metaNames), 'versicolor');
    assert.equal(predictedLabel({ label: { datatype: 'BYTES', shape: [1], data: ['1'] } }, metaNames), '1', 'a digit string label is not an index');
  });

  it('no label for no outputs, an empty tensor or a tensor stored as a blob', () => {
    assert.equal(predictedLabel({}, noNames), undefined);
    assert.equal(predictedLabel({ label: { datatype: 'BYTES', shape: [0], data: [] } }, noNames), undefined);
    assert.equal(predictedLabel({ y: { datatype: 'FP32', shape: [9, 512], blob: 'blobs/abc.json' } }, noNames), undefined);
  });
});
