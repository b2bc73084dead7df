import assert from 'node:assert/strict';
import { classNamesOf, resolvePageHints, type ModelFact } from '../../src/shared/model-facts';
import { className, labelText } from '../../src/page/logic/class-names';

describe('page: class names', () => {
  const facts: ModelFact[] = [
    { tier: 'metadata', from: "metadata 'class_names'", target: 'output', output: 'logits', property: 'classNames', value: ['setosa', 'versicolor', 'virginica'] },
    { tier: 'metadata', from: "metadata 'class_names'", target: 'output', output: 'probs', property: 'classNames', value: ['meta-a', 'meta-b'] },
    { tier: 'sidecar', from: 'm.preview.json outputs.probs.classNames', target: 'output', output: 'probs', property: 'classNames', value: ['cat', 'dog'] },
    { tier: 'sidecar', from: 'm.preview.json outputs.empty.classNames', target: 'output', output: 'empty', property: 'classNames', value: [] },
  ];

  it('are the resolved hints’ names: the sidecar’s over the metadata’s; an empty list names nothing', () => {
    const hints = resolvePageHints(facts);
    assert.deepEqual(classNamesOf(hints, 'probs'), ['cat', 'dog']);
    assert.deepEqual(classNamesOf(hints, 'logits'), ['setosa', 'versicolor', 'virginica']);
    assert.equal(classNamesOf(hints, 'empty'), undefined);
    assert.equal(classNamesOf(hints, 'other'), undefined);
  });

  it('fall back to "class <i>" for a missing name', () => {
    assert.equal(className(['a', 'b'], 1), 'b');
    assert.equal(className(['a', 'b'], 2), 'class 2');
    assert.equal(className(undefined, 0), 'class 0');
    assert.equal(className(['', 'b'], 0), 'class 0');
  });

  it('map label outputs through the names when they are integers', () => {
    const names = ['setosa', 'versicolor', 'virginica'];
    assert.equal(labelText(1, names), 'versicolor');
    assert.equal(labelText('2', names), 'virginica', 'INT64 sent as a decimal string');
    assert.equal(labelText(7, names), '7');
    assert.equal(labelText(-1, names), '-1');
    assert.equal(labelText('9223372036854775807', names), '9223372036854775807');
    assert.equal(labelText('spam', names), 'spam', 'BYTES labels are text already');
    assert.equal(labelText(true, undefined), 'true');
    assert.equal(labelText(1.5, names), '1.5');
  });
});
