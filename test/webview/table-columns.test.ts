import assert from 'node:assert/strict';
import { mergeNewestFirst } from '../../src/shared/webview-messages';
import { chartData, COLUMNS, DEFAULT_SORT, NO_REASON, reasonCounts, sortRows, upShareSeries, bucketMs, versionOrder } from '../../src/webview/logic/table-columns';
import { card } from './records';

describe('webview: the feedback table\'s columns and chart data (table-columns)', () => {
  const a = card({ id: 'a', ts: '2026-11-01T10:15:00.000Z', modelVersion: 'v1', rating: 'up', reviewer: 'mei', inputSummary: 'x: 10' });
  const b = card({ id: 'b', ts: '2026-11-01T10:45:00.000Z', modelVersion: 'v1', rating: 'down', reviewer: 'Ravi', reasons: ['wrong class'], inputSummary: 'x: 9' });
  const c = card({ id: 'c', ts: '2026-11-01T12:05:00.000Z', modelVersion: 'v2', rating: 'down', reviewer: 'dana', inputSummary: 'x: 100' });
  const ids = (rows: typeof a[]) => rows.map((r) => r.id);

  it('has the columns the issue names, each cell as text', () => {
    assert.deepEqual(COLUMNS.map((col) => col.id), ['time', 'version', 'rating', 'predicted', 'expected', 'reasons', 'reviewer', 'case', 'inputs', 'comment']);
    const text = Object.fromEntries(COLUMNS.map((col) => [col.id, col.text(b)]));
    assert.equal(text.time, '2026-11-01 10:45');
    assert.equal(text.version, 'iris@v1');
    assert.equal(text.reasons, 'wrong class');
  });

  it('sorts by time (instants), by text case-insensitively, numbers in text by value, both ways', () => {
    assert.deepEqual(ids(sortRows([a, b, c], { column: 'time', descending: true })), ['c', 'b', 'a']);
    assert.deepEqual(ids(sortRows([c, a, b], { column: 'time', descending: false })), ['a', 'b', 'c']);
    assert.deepEqual(ids(sortRows([a, b, c], { column: 'reviewer', descending: false })), ['c', 'a', 'b']);
    assert.deepEqual(ids(sortRows([a, b, c], { column: 'inputs', descending: false })), ['b', 'a', 'c']);
  });

  it('up-share per version per bucket: an hour when the feedback spans two days or less', () => {
    assert.equal(bucketMs([a, b, c]), 3_600_000);
    const series = upShareSeries([a, b, c]);
    assert.deepEqual(series.map((s) => [s.label, s.points.map((p) => [new Date(p.t).toISOString().slice(11, 13), p.share, p.count])]), [
      ['iris@v1', [['10', 0.5, 2]]],
      ['iris@v2', [['12', 0, 1]]],
    ]);
    assert.equal(bucketMs([a, card({ ts: '2026-11-05T00:00:00.000Z' })]), 86_400_000);
  });

  it('up-share per week (from Monday, UTC) when the feedback spans more than 92 days: a line has at most about a hundred points', () => {
    const year = Array.from({ length: 365 }, (_, d) => card({ id: `d${d}`, ts: new Date(Date.UTC(2026, 0, 1) + d * 86_400_000 + 3_600_000).toISOString(), rating: d % 3 ? 'up' : 'down' }));
    assert.equal(bucketMs(year.slice(0, 93)), 86_400_000, '92 days: per day');
    assert.equal(bucketMs(year), 7 * 86_400_000);
    const [series] = upShareSeries(year);
    assert.equal(series.points.length, 53, '2026-01-01 is a Thursday: the days before the first Monday, 51 weeks, the last four days');
    assert.ok(series.points.every((p) => new Date(p.t).getUTCDay() === 1 && p.t % 86_400_000 === 0), 'each week starts on a Monday at 00:00 UTC');
    assert.equal(new Date(series.points[1].t).toISOString().slice(0, 10), '2026-01-05');
    assert.deepEqual(series.points.map((p) => p.count), [4, ...Array.from({ length: 51 }, () => 7), 4], 'Thursday to Sunday, 51 weeks, Monday 28 to Thursday 31 December');
    assert.equal(series.points.reduce((n, p) => n + p.count, 0), 365);
  });

  it('reasons per version count thumbs-down only; one without a reason counts as such', () => {
    const counts = reasonCounts([a, b, c]);
    assert.deepEqual(counts.versions.map((v) => v.label), ['iris@v1', 'iris@v2']);
    assert.deepEqual(counts.reasons.sort(), [NO_REASON, 'wrong class'].sort());
    assert.deepEqual(counts.counts, [{ 'wrong class': 1, [NO_REASON]: 0 }, { 'wrong class': 0, [NO_REASON]: 1 }].map((o) => Object.fromEntries(counts.reasons.map((r) => [r, o[r as keyof typeof o]]))));
  });

  it('the default sort is the order the rows are held in (newest first, equal times by id): the table skips sorting then', () => {
    const same = '2026-11-01T10:45:00.000Z';
    const rows = [a, b, c, card({ id: 'z', ts: same }), card({ id: 'm', ts: same }), card({ id: 'bad', ts: 'not a time' })];
    assert.deepEqual(ids(sortRows(rows, DEFAULT_SORT)), ids(mergeNewestFirst([], rows.slice().reverse())));
  });

  it('both charts order the versions oldest first (by their first feedback), whatever order the rows come in', () => {
    const old = card({ id: 'o', ts: '2026-10-01T00:00:00.000Z', modelVersion: 'v0', rating: 'down' });
    const rows = [c, b, a, old]; // newest first, as the table holds them
    assert.deepEqual(versionOrder(rows).map((v) => v.label), ['iris@v0', 'iris@v1', 'iris@v2']);
    assert.deepEqual(upShareSeries(rows).map((s) => s.label), ['iris@v0', 'iris@v1', 'iris@v2']);
    assert.deepEqual(reasonCounts([c, b, a, old]).versions.map((v) => v.label), ['iris@v0', 'iris@v1', 'iris@v2']);
    assert.deepEqual(reasonCounts([a, c]).versions.map((v) => v.label), ['iris@v2'], 'only versions with a thumbs-down');
  });

  it('counts other things in the same pass: every row once, in order', () => {
    const seen: string[] = [];
    const data = chartData([c, b, a], (row) => seen.push(row.id));
    assert.deepEqual(seen, ['c', 'b', 'a']);
    assert.deepEqual(data, chartData([c, b, a]));
  });

  it('finds the time span of 200,000 rows (no spread of that many arguments)', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => card({ id: `r${i}`, ts: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString() }));
    assert.equal(bucketMs(many), 86_400_000);
  });
});
