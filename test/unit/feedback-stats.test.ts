import assert from 'node:assert/strict';
import { FeedbackTally, feedbackStats } from '../../src/core/feedback/feedback-stats';
import type { FeedbackRecord } from '../../src/shared/feedback-record';
import { handRecord } from '../helpers/feedback-kit';

const rec = (modelVersion: string, rating: 'up' | 'down', predicted?: string, expected?: string, model = 'iris'): FeedbackRecord => {
  const r = handRecord({ model, modelVersion, rating, ...(expected ? { expected } : {}) });
  if (predicted === undefined) delete r.predicted;
  else r.predicted = predicted;
  return r;
};

describe('unit: feedbackStats', () => {
  it('answers zero totals and no versions for no feedback', () => {
    assert.deepEqual(feedbackStats([]), { total: 0, versions: [], cases: [] });
  });

  it('groups by model version with count, up, down, upShare and corrections sorted by count', () => {
    const records = [
      rec('v1', 'up', 'setosa'),
      rec('v1', 'down', 'virginica', 'versicolor'),
      rec('v2', 'down', 'setosa', 'versicolor'),
      rec('v1', 'down', 'setosa', 'versicolor'),
      rec('v1', 'down', 'virginica', 'versicolor'),
      rec('v2', 'up', 'virginica'),
      rec('v1', 'up', 'virginica', 'versicolor'), // an up with an expected answer still counts as a correction pair
      rec('v2', 'down', 'setosa', 'versicolor'),
      rec('v2', 'down', 'setosa', 'virginica'),
    ];
    const stats = feedbackStats(records);
    assert.equal(stats.total, 9);
    assert.deepEqual(stats.versions.map((v) => v.modelVersion), ['v1', 'v2']);
    const [v1, v2] = stats.versions;
    assert.deepEqual({ ...v1, topCorrections: undefined }, { model: 'iris', modelVersion: 'v1', count: 5, up: 2, down: 3, upShare: 0.4, topCorrections: undefined, reasons: [] });
    assert.deepEqual(v1.topCorrections, [
      { predicted: 'virginica', expected: 'versicolor', count: 3 },
      { predicted: 'setosa', expected: 'versicolor', count: 1 },
    ]);
    assert.deepEqual({ ...v2, topCorrections: undefined }, { model: 'iris', modelVersion: 'v2', count: 4, up: 1, down: 3, upShare: 0.25, topCorrections: undefined, reasons: [] });
    assert.deepEqual(v2.topCorrections, [
      { predicted: 'setosa', expected: 'versicolor', count: 2 },
      { predicted: 'setosa', expected: 'virginica', count: 1 },
    ]);
  });

  it('counts the reasons given per version, most frequent first; a version 1 record (no reasons) counts none', () => {
    const records = [
      handRecord({ schemaVersion: 2, modelVersion: 'v1', rating: 'down', reasons: ['other', 'wrong answer'] }),
      handRecord({ schemaVersion: 2, modelVersion: 'v1', rating: 'down', reasons: ['wrong answer'] }),
      handRecord({ schemaVersion: 1, modelVersion: 'v1', rating: 'down' }),
      handRecord({ schemaVersion: 2, modelVersion: 'v2', rating: 'down', reasons: ['unfair to some group'] }),
    ];
    const [v1, v2] = feedbackStats(records).versions;
    assert.deepEqual(v1.reasons, [{ reason: 'wrong answer', count: 2 }, { reason: 'other', count: 1 }]);
    assert.deepEqual(v2.reasons, [{ reason: 'unfair to some group', count: 1 }]);
  });

  it('keeps two models with the same version apart, names an unknown prediction "?" and lists at most 5 corrections', () => {
    const records = [
      rec('v1', 'up', 'a', undefined, 'other'),
      rec('v1', 'down', undefined, 'x'),
      ...['p', 'q', 'r', 's', 't', 'u'].map((p) => rec('v1', 'down', p, 'z')),
      rec('v1', 'down', 'u', 'z'),
    ];
    const stats = feedbackStats(records);
    assert.deepEqual(stats.versions.map((v) => [v.model, v.modelVersion, v.count]), [['other', 'v1', 1], ['iris', 'v1', 8]]);
    const iris = stats.versions[1];
    assert.equal(iris.topCorrections.length, 5);
    assert.deepEqual(iris.topCorrections[0], { predicted: 'u', expected: 'z', count: 2 });
    assert.deepEqual(iris.topCorrections[1], { predicted: '?', expected: 'x', count: 1 });
    assert.equal(stats.versions[0].upShare, 1);
  });

  it('a tally kept record by record answers what a count over all records does, and follows each new record', () => {
    const records = [
      handRecord({ schemaVersion: 2, modelVersion: 'v1', rating: 'down', expected: 'setosa', reasons: ['wrong answer'], caseId: 'c1', reviewSet: 's', reviewer: 'Dana' }),
      handRecord({ schemaVersion: 2, modelVersion: 'v1', rating: 'up', caseId: 'c1', reviewSet: 's', reviewer: 'Eve' }),
      handRecord({ schemaVersion: 2, modelVersion: 'v2', rating: 'down', caseId: 'c2', reviewSet: 's', tags: ['edge'] }),
    ];
    const tally = new FeedbackTally();
    tally.add(records[0]);
    assert.deepEqual(tally.stats(), feedbackStats(records.slice(0, 1)));
    assert.equal(tally.stats().cases?.[0]?.disagreement, false);
    tally.add(records[1]);
    tally.add(records[2]);
    assert.deepEqual(tally.stats(), feedbackStats(records));
    assert.equal(tally.stats().total, 3);
    assert.deepEqual(tally.stats().cases?.map((c) => [c.caseId, c.disagreement]), [['c1', true], ['c2', false]], 'the answer seen before the new records is not served again');
  });
});
