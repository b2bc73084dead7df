import assert from 'node:assert/strict';
import { caseRows, fixedNowText, regressionRowText } from '../../src/webview/logic/case-agreement';
import { card } from './records';

describe('webview: review cases and "fixed now" in the Feedback view', () => {
  it('groups cards by case, disagreements first, then the most thumbs-down; cards of no case are left out', () => {
    const rows = caseRows([
      card({ reviewSet: 'launch', caseId: 'a', rating: 'up' }),
      card({ reviewSet: 'launch', caseId: 'b', rating: 'down' }),
      card({ reviewSet: 'launch', caseId: 'b', rating: 'down' }),
      card({ reviewSet: 'launch', caseId: 'c', rating: 'up' }),
      card({ reviewSet: 'launch', caseId: 'c', rating: 'down' }),
      card({ rating: 'down' }),
    ]);
    assert.deepEqual(rows.map((r) => [r.caseId, r.up, r.down, r.agreement, r.disagreement]), [
      ['c', 1, 1, 0.5, true], ['b', 0, 2, 1, false], ['a', 1, 0, 1, false],
    ]);
  });

  it('says how many corrected thumbs-down the new version fixes, and how many broke', () => {
    assert.equal(fixedNowText({ id: 'p', model: 'iris', modelVersion: 'v2' }), undefined);
    assert.equal(fixedNowText({ id: 'p', model: 'iris', modelVersion: 'v2', regressions: { modelVersion: 'v2', fixed: 2, total: 3, broke: 0 } }),
      'Fixed now: 2 of 3 corrected thumbs-down on iris@v2');
    assert.equal(fixedNowText({ id: 'p', model: 'iris', modelVersion: 'v3', regressions: { modelVersion: 'v3', fixed: 0, total: 3, broke: 2 } }),
      'Fixed now: 0 of 3 corrected thumbs-down on iris@v3; 2 broke that were right before');
  });

  it('a row of the per-version table says how many are fixed and, in words, which broke that were right on the version before', () => {
    assert.deepEqual(regressionRowText({ modelVersion: '9e6862570fb3', previousVersion: 'c19ee04a8f90', fixed: 2, total: 4, broke: 0, broken: [] }),
      { version: '9e6862570fb3', fixed: '2 of 4', broke: 'none', broken: [] });
    assert.deepEqual(regressionRowText({
      modelVersion: 'c19ee04a8f90', previousVersion: '9e6862570fb3', fixed: 0, total: 4, broke: 2,
      broken: [{ caseId: 'launch/edge-1', expected: 'versicolor', predicted: 'virginica' }, { expected: 'setosa', predicted: 'virginica' }],
    }).broken, ['launch/edge-1: versicolor on 9e6862570fb3, now virginica', 'a thumbs-down: setosa on 9e6862570fb3, now virginica']);
  });
});
