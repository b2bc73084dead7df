import assert from 'node:assert/strict';
import { classNamesFor as serverClassNamesFor } from '../../src/core/feedback/predicted-label';
import { className, classNamesFor, labelText } from '../../src/page/logic/class-names';

describe('page: class names', () => {
  const card = {
    metadataProps: { class_names: 'setosa, versicolor ,virginica' },
    sidecar: { outputs: { probs: { classNames: ['cat', 'dog'] }, empty: { classNames: [] } } },
  };

  it('come from the sidecar, else the ONNX metadata class_names (comma-separated, trimmed), else nowhere', () => {
    assert.deepEqual(classNamesFor(card, 'probs'), ['cat', 'dog']);
    assert.deepEqual(classNamesFor(card, 'logits'), ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(classNamesFor(card, 'empty'), ['setosa', 'versicolor', 'virginica'], 'an empty sidecar list names nothing');
    assert.equal(classNamesFor({ metadataProps: {} }, 'logits'), undefined);
    assert.equal(classNamesFor({ metadataProps: { class_names: '  ' } }, 'logits'), undefined);
  });

  it('agree with the server (the feedback table names a class as the page did)', () => {
    for (const output of ['probs', 'logits']) assert.deepEqual(classNamesFor(card, output), serverClassNamesFor(card, output));
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
