import assert from 'node:assert/strict';
import {
  ALL_VERSIONS, applyFilter, countVersion, filterOptions, labelOfKey, upPercent, validFilter, versionKey, versionLabel, versionTotals, type TotalsByKey,
} from '../../src/webview/logic/versions';
import { card } from './records';

describe('webview: versions (totals on top, the filter)', () => {
  const v1up = card({ model: 'iris', modelVersion: 'v1', rating: 'up', ts: '2026-01-10T12:00:01Z' });
  const v2down = card({ model: 'iris', modelVersion: 'v2', rating: 'down', ts: '2026-01-10T12:00:03Z' });
  const v2up = card({ model: 'iris', modelVersion: 'v2', rating: 'up', ts: '2026-01-10T12:00:02Z' });
  const v1down = card({ model: 'iris', modelVersion: 'v1', rating: 'down', ts: '2026-01-10T11:00:00Z' });
  const newestFirst = [v2down, v2up, v1up, v1down];

  it('counts up, down and all per model version, newest version first', () => {
    const totals = versionTotals(newestFirst, []);
    assert.deepEqual(totals.map((t) => [t.label, t.up, t.down, t.count, t.running]), [
      ['iris@v2', 1, 1, 2, false],
      ['iris@v1', 1, 1, 2, false],
    ]);
    assert.equal(upPercent(totals[0]), 50);
    assert.equal(upPercent({ up: 0, count: 0 }), undefined);
  });

  it('counted card by card (as the feedback table counts in its charts\' pass), the totals are the same', () => {
    const byKey: TotalsByKey = new Map();
    for (const c of newestFirst) countVersion(byKey, c);
    assert.deepEqual([...byKey.values()], versionTotals(newestFirst, []));
  });

  it('lists the versions running previews serve first, even without feedback yet', () => {
    const totals = versionTotals(newestFirst, [{ id: 'p3', model: 'iris', modelVersion: 'v3' }, { id: 'p1', model: 'iris', modelVersion: 'v1' }]);
    assert.deepEqual(totals.map((t) => [t.label, t.count, t.running]), [['iris@v3', 0, true], ['iris@v1', 2, true], ['iris@v2', 2, false]]);
  });

  it('keeps versions apart whatever their names hold', () => {
    assert.notEqual(versionKey('a@b', 'c'), versionKey('a', 'b@c'));
    const totals = versionTotals([card({ model: 'a@b', modelVersion: 'c' }), card({ model: 'a', modelVersion: 'b@c' })], []);
    assert.equal(totals.length, 2);
    assert.equal(versionLabel('iris', ''), 'iris');
    assert.equal(labelOfKey(versionKey('iris', 'v1')), 'iris@v1');
    assert.equal(labelOfKey('{"not":"a key"}'), undefined);
    assert.equal(labelOfKey('nonsense'), undefined);
  });

  it('filters by version; "all" shows everything', () => {
    assert.deepEqual(applyFilter(newestFirst, ALL_VERSIONS), newestFirst);
    assert.deepEqual(applyFilter(newestFirst, versionKey('iris', 'v1')), [v1up, v1down]);
    assert.deepEqual(applyFilter(newestFirst, versionKey('iris', 'v9')), []);
  });

  it('offers All and each version, with counts, and keeps a chosen version that has no feedback any more', () => {
    const totals = versionTotals(newestFirst, []);
    assert.deepEqual(filterOptions(totals, ALL_VERSIONS).map((o) => o.label), ['All versions (4)', 'iris@v2 (2)', 'iris@v1 (2)']);
    const gone = versionKey('iris', 'v0');
    const options = filterOptions(totals, gone);
    assert.deepEqual(options.at(-1), { value: gone, label: 'iris@v0 (0)' });
    assert.equal(validFilter(gone), gone);
    assert.equal(validFilter('garbage'), ALL_VERSIONS);
  });
});
