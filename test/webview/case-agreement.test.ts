import assert from 'node:assert/strict';
import { caseRows, fixedNowText } from '../../src/webview/logic/case-agreement';
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
});
