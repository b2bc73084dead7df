import assert from 'node:assert/strict';
import { cardText } from '../../src/webview/logic/card-text';
import { card } from './records';

describe('webview: the words on a feedback card', () => {
  const now = Date.parse('2026-01-10T12:05:00Z');

  it('says rating, predicted → expected, comment, reviewer, when and which version', () => {
    const text = cardText(card({
      rating: 'down', predicted: 'setosa', expected: ' versicolor ', comment: 'petals too wide', reviewer: 'Ann',
      ts: '2026-01-10T12:00:00Z', model: 'iris', modelVersion: 'v2',
    }), now);
    assert.equal(text.icon, 'thumbsdown');
    assert.equal(text.rating, 'Wrong');
    assert.equal(text.predicted, 'setosa');
    assert.equal(text.expected, 'versicolor');
    assert.equal(text.comment, 'petals too wide');
    assert.equal(text.reviewer, 'Ann');
    assert.equal(text.anonymous, false);
    assert.equal(text.when, '5 minutes ago');
    assert.equal(text.isoTime, '2026-01-10T12:00:00.000Z');
    assert.equal(text.version, 'iris@v2');
    assert.equal(text.ariaLabel, 'Thumbs down. Predicted setosa. Expected versicolor. Comment: petals too wide By Ann, 5 minutes ago, iris@v2. Opens the input and output.');
  });

  it('says what a thumbs-down called wrong, the review case, and that an invite named the reviewer', () => {
    const text = cardText(card({
      rating: 'down', predicted: 'setosa', reasons: ['wrong answer', ' unfair to some group '], caseId: 'c-17', reviewer: 'Ann', reviewerVerified: true,
      ts: '2026-01-10T12:00:00Z', model: 'iris', modelVersion: 'v2',
    }), now);
    assert.deepEqual(text.reasons, ['wrong answer', 'unfair to some group']);
    assert.equal(text.caseId, 'c-17');
    assert.equal(text.verified, true);
    assert.equal(text.ariaLabel, 'Thumbs down. Predicted setosa. What is wrong: wrong answer, unfair to some group. Review case c-17. By Ann (invited), 5 minutes ago, iris@v2. Opens the input and output.');
    const typed = cardText(card({ reviewer: 'Ann', reviewerVerified: false }), now);
    assert.equal(typed.verified, false);
    assert.deepEqual(typed.reasons, []);
  });

  it('leaves out what was not given, and names nobody "Anonymous"', () => {
    const text = cardText(card({ rating: 'up', predicted: undefined, expected: '   ', reviewer: '', ts: '2026-01-10T12:04:50Z' }), now);
    assert.equal(text.icon, 'thumbsup');
    assert.equal(text.predicted, undefined);
    assert.equal(text.expected, undefined);
    assert.equal(text.comment, undefined);
    assert.equal(text.reviewer, 'Anonymous');
    assert.equal(text.anonymous, true);
    assert.equal(text.when, 'just now');
  });

  it('shows a time it cannot read as it is', () => {
    const text = cardText(card({ ts: 'not a time' }), now);
    assert.equal(text.isoTime, 'not a time');
    assert.equal(text.when, 'at an unknown time');
  });

  it('keeps the screen-reader label short for a long comment', () => {
    const text = cardText(card({ comment: 'x'.repeat(4000) }), now);
    assert.equal(text.comment?.length, 4000);
    assert.ok(text.ariaLabel.length < 500);
  });
});
