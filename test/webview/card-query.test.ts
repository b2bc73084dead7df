import assert from 'node:assert/strict';
import { ANONYMOUS, choicesOf, countChoices, matchesQuery, newChoiceCounts, NO_QUERY, queryChoices, REASON_PREFIX, REVIEWER_PREFIX, sortCards, validQuery } from '../../src/webview/logic/card-query';
import { card } from './records';

describe('webview: the Feedback view\'s filter bar and sort (card-query)', () => {
  const dana = card({ rating: 'down', reviewer: 'Dana (sales)', comment: 'Petals look LONG', expected: 'versicolor', ts: '2026-01-10T12:00:03.000Z' });
  const ravi = card({ rating: 'up', reviewer: 'Ravi', inputSummary: 'features: [5.1, 3.5, 1.4, 0.2]', ts: '2026-01-10T12:00:02.000Z' });
  const nobody = card({ rating: 'down', reviewer: '  ', reasons: ['wrong class', 'too sure'], caseId: 'case-7', ts: '2026-01-10T12:00:01.000Z' });
  const all = [dana, ravi, nobody];
  const ids = (cards: typeof all) => cards.map((c) => c.id);
  const find = (q: Partial<typeof NO_QUERY>) => ids(all.filter((c) => matchesQuery(c, { ...NO_QUERY, ...q })));

  it('with no filter every card matches', () => {
    assert.deepEqual(find({}), ids(all));
  });

  it('finds by rating, reviewer (a blank name is anonymous), reason', () => {
    assert.deepEqual(find({ rating: 'down' }), ids([dana, nobody]));
    assert.deepEqual(find({ reviewer: `${REVIEWER_PREFIX}Dana (sales)` }), ids([dana]));
    assert.deepEqual(find({ reviewer: ANONYMOUS }), ids([nobody]));
    assert.deepEqual(find({ reason: `${REASON_PREFIX}too sure` }), ids([nobody]));
  });

  it('search text matches every word, case-insensitively, in what the card shows (comment, correction, inputs, case, reasons)', () => {
    assert.deepEqual(find({ text: 'petals long' }), ids([dana]));
    assert.deepEqual(find({ text: 'VERSICOLOR' }), ids([dana]));
    assert.deepEqual(find({ text: '3.5' }), ids([ravi]));
    assert.deepEqual(find({ text: 'case-7' }), ids([nobody]));
    assert.deepEqual(find({ text: 'wrong' }), ids([nobody]));
    assert.deepEqual(find({ text: 'petals ravi' }), []);
  });

  it('offers the reviewers and reasons the cards have, with counts; a chosen one stays offered after its cards went', () => {
    const choices = queryChoices(all, NO_QUERY);
    assert.deepEqual(choices.reviewers.map((c) => c.label), ['Dana (sales) (1)', 'Ravi (1)', 'Anonymous (1)']);
    assert.deepEqual(choices.reasons.map((c) => c.label), ['too sure (1)', 'wrong class (1)']);
    const kept = queryChoices([], { ...NO_QUERY, reviewer: `${REVIEWER_PREFIX}Dana (sales)` });
    assert.deepEqual(kept.reviewers.map((c) => c.label), ['Dana (sales) (0)']);
  });

  it('counted card by card (as the feedback table counts in its charts\' pass), the choices are the same', () => {
    const counts = newChoiceCounts();
    for (const c of all) countChoices(counts, c);
    assert.deepEqual(choicesOf(counts, NO_QUERY), queryChoices(all, NO_QUERY));
  });

  it('sorts thumbs-down first, each part newest first; "newest" keeps the held order', () => {
    assert.deepEqual(ids(sortCards(all, 'worst')), ids([dana, nobody, ravi]));
    assert.deepEqual(ids(sortCards(all, 'newest')), ids(all));
  });

  it('a saved query is checked: unknown values become "any"', () => {
    assert.deepEqual(validQuery({ rating: 'sideways', reviewer: 'x', reason: 'reason:a', text: 7 }), { ...NO_QUERY, reason: 'reason:a' });
    assert.deepEqual(validQuery(undefined), NO_QUERY);
  });
});
