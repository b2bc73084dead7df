import assert from 'node:assert/strict';
import {
  compareNewestFirst, fromEnvelope, isFeedbackCard, isFromWebview, isToWebview, mergeNewestFirst, toEnvelope, toFeedbackCard,
  toPreviewSummary, type PreviewSummary,
} from '../../src/shared/webview-messages';
import { card, record } from './records';

describe('webview: messages between the extension and the Feedback view', () => {
  const preview: PreviewSummary = { id: 'preview-1', model: 'iris', modelVersion: 'v1' };

  it('a card carries what a card shows and nothing else (no tensors, user agent or idempotency key)', () => {
    const r = record({ expected: 'versicolor', comment: 'petals were wide', reviewer: 'Ann', rating: 'down' });
    const c = toFeedbackCard(r);
    assert.deepEqual(Object.keys(c).sort(), ['comment', 'expected', 'id', 'model', 'modelVersion', 'predicted', 'previewId', 'rating', 'reviewer', 'ts']);
    assert.equal(c.comment, 'petals were wide');
    assert.ok(isFeedbackCard(c));
    const bare = toFeedbackCard(record({ predicted: undefined }));
    assert.ok(!('predicted' in bare) && !('comment' in bare), 'absent optional fields stay absent');
    const v2 = toFeedbackCard(record({ schemaVersion: 2, rating: 'down', reasons: ['wrong answer'], reviewer: 'Ann', reviewerVerified: true, caseId: 'c-1', tags: ['edge'], source: 'human' }));
    assert.deepEqual({ reasons: v2.reasons, reviewerVerified: v2.reviewerVerified, caseId: v2.caseId }, { reasons: ['wrong answer'], reviewerVerified: true, caseId: 'c-1' });
    assert.ok(isFeedbackCard(v2));
    assert.ok(!('reasons' in toFeedbackCard(record({ reasons: [] }))), 'no reasons: no field');
  });

  it('a preview summary keeps only id, model and version (no share link or token reaches the view)', () => {
    const leaky = { ...preview, shareUrl: 'https://x.example/?t=secret', ownerToken: 'secret' } as PreviewSummary;
    assert.deepEqual(toPreviewSummary(leaky), preview);
  });

  it('the view accepts exactly its five message types, with well-formed contents', () => {
    assert.ok(isToWebview({ type: 'reset', previews: [preview], records: [card()] }));
    assert.ok(isToWebview({ type: 'reset', previews: [], records: [] }));
    assert.ok(isToWebview({ type: 'records', records: [card({ comment: '<img src=x onerror=alert(1)>' })] }), 'markup is just text: accepted, shown as text');
    assert.ok(isToWebview({ type: 'previews', previews: [preview] }));
    assert.ok(isToWebview({ type: 'reset', previews: [], records: [], sort: 'worst' }));
    assert.ok(isToWebview({ type: 'sort', sort: 'newest' }));
    assert.ok(isToWebview({ type: 'focus-filter' }));
    assert.ok(isToWebview({ type: 'records', records: [card({ inputSummary: 'features: [1, 2]' })] }));
    for (const bad of [
      { type: 'sort', sort: 'random' },
      { type: 'reset', previews: [], records: [], sort: 'oldest' },
      { type: 'records', records: [{ ...card(), inputSummary: { features: [1] } }] },
      null, undefined, 'reset', 42, [], {},
      { type: 'eval', code: 'alert(1)' },
      { type: 'reset', previews: [preview] },
      { type: 'reset', records: [] },
      { type: 'records', records: {} },
      { type: 'records', records: [card(), { ...card(), rating: 'meh' }] },
      { type: 'records', records: [{ ...card(), id: '' }] },
      { type: 'records', records: [{ ...card(), comment: 42 }] },
      { type: 'records', records: [{ ...card(), reasons: 'wrong answer' }] },
      { type: 'records', records: [{ ...card(), reasons: [42] }] },
      { type: 'records', records: [{ ...card(), reviewerVerified: 'yes' }] },
      { type: 'records', records: [{ ...card(), ts: undefined }] },
      { type: 'records', records: [{ ...card(), comment: 'x'.repeat(20_000) }] },
      { type: 'previews', previews: [{ id: 'p', model: 'm' }] },
      { type: 'previews', previews: null },
    ]) {
      assert.equal(isToWebview(bad), false, JSON.stringify(bad)?.slice(0, 120));
    }
  });

  it('a message travels as one JSON text and comes out the same; anything else gives nothing for the guard to accept', () => {
    const reset = { type: 'reset' as const, previews: [preview], records: [card({ reasons: ['wrong answer'] })], sort: 'worst' as const };
    const envelope = toEnvelope(reset);
    assert.equal(typeof envelope.text, 'string');
    assert.deepEqual(fromEnvelope(envelope), reset);
    assert.ok(isToWebview(fromEnvelope(envelope)));
    for (const other of [reset, { type: 'json' }, { type: 'json', text: 7 }, { type: 'json', text: '{"type":' }, 'json', null]) {
      assert.equal(isToWebview(fromEnvelope(other)), false, JSON.stringify(other));
    }
  });

  it('the extension accepts ready and open-record, nothing else', () => {
    assert.ok(isFromWebview({ type: 'ready' }));
    assert.ok(isFromWebview({ type: 'open-record', previewId: 'preview-1', id: 'r1' }));
    for (const bad of [
      null, 'ready', {}, { type: 'READY' }, { type: 'open-record' }, { type: 'open-record', id: 'r1' },
      { type: 'open-record', previewId: 'p', id: 7 }, { type: 'open-record', previewId: 'p', id: '' },
      { type: 'open-record', previewId: 'p', id: 'x'.repeat(1000) }, { type: 'run-command', command: 'workbench.action.quit' },
    ]) {
      assert.equal(isFromWebview(bad), false, JSON.stringify(bad));
    }
  });

  it('merging keeps one record per id, newest first, and drops the oldest beyond the limit', () => {
    const a = card({ id: 'a', ts: '2026-01-10T12:00:01.000Z' });
    const b = card({ id: 'b', ts: '2026-01-10T12:00:02.000Z' });
    const c = card({ id: 'c', ts: '2026-01-10T12:00:03.000Z' });
    assert.deepEqual(mergeNewestFirst([a], [c, b]).map((x) => x.id), ['c', 'b', 'a']);
    // A replay after a reconnect: the same records again, nothing doubles.
    assert.deepEqual(mergeNewestFirst([c, b, a], [a, b, c]).map((x) => x.id), ['c', 'b', 'a']);
    // A re-sent record replaces the held copy (a restarted preview has another id).
    const moved = { ...a, previewId: 'preview-2' };
    assert.equal(mergeNewestFirst([c, b, a], [moved]).find((x) => x.id === 'a')?.previewId, 'preview-2');
    assert.deepEqual(mergeNewestFirst([a, b], [c], 2).map((x) => x.id), ['c', 'b']);
    assert.deepEqual(mergeNewestFirst([a], [b], 0), []);
    const input = [a];
    mergeNewestFirst(input, [b]);
    assert.deepEqual(input, [a], 'inputs are not changed');
  });

  it('merging records that come newest first already (a reset from the extension) gives the same as the full merge', () => {
    const times = ['2026-01-11T08:30:00Z', '2026-01-10T12:00:00.000Z', '2026-01-10T12:00:00Z', '2026-01-09T00:00:00Z', 'yesterday-ish', ''];
    const items = Array.from({ length: 60 }, (_, i) => ({ id: `id-${String((i * 37) % 60).padStart(2, '0')}`, ts: times[(i * 7) % times.length] }));
    const newestFirst = [...items].sort(compareNewestFirst);
    const merged = mergeNewestFirst([], newestFirst);
    assert.deepEqual(merged, newestFirst);
    assert.notEqual(merged, newestFirst, 'a new array');
    assert.deepEqual(mergeNewestFirst([], newestFirst, 7), newestFirst.slice(0, 7));
    // In order but one id twice (a replayed record with a new time): one copy, as the full merge keeps it.
    const twice = [newestFirst[0], { ...newestFirst[5], ts: '2026-01-10T12:00:00Z' }, ...newestFirst.slice(1)].sort(compareNewestFirst);
    assert.equal(mergeNewestFirst([], twice).filter((r) => r.id === newestFirst[5].id).length, 1);
    assert.equal(mergeNewestFirst([], twice).length, 60);
    // Equal times out of id order are not "in order".
    const swapped = [newestFirst[1], newestFirst[0], ...newestFirst.slice(2)];
    assert.deepEqual(mergeNewestFirst([], swapped).map((r) => r.id), newestFirst.map((r) => r.id));
  });

  it('orders equal times by id and unparsable times last', () => {
    const x = { id: 'x', ts: '2026-01-10T12:00:00Z' };
    const y = { id: 'y', ts: '2026-01-10T12:00:00.000Z' };
    const bad = { id: 'a', ts: 'yesterday-ish' };
    assert.deepEqual([y, bad, x].sort(compareNewestFirst).map((r) => r.id), ['x', 'y', 'a']);
  });

  it('merging orders exactly as compareNewestFirst does: equal times by id, unparsable times last', () => {
    const times = ['2026-01-10T12:00:00Z', '2026-01-10T12:00:00.000Z', 'yesterday-ish', '2026-01-09T00:00:00Z', '2026-01-11T08:30:00Z', ''];
    const items = Array.from({ length: 60 }, (_, i) => ({ id: `id-${(i * 37) % 60}`, ts: times[(i * 7) % times.length] }));
    assert.deepEqual(mergeNewestFirst(items.slice(0, 25), items.slice(25)).map((r) => r.id), [...items].sort(compareNewestFirst).map((r) => r.id));
  });

  it('a preview\'s per-version regression table passes the guard whole, and a malformed or oversized one is refused', () => {
    const row = { modelVersion: 'v2', previousVersion: 'v1', fixed: 1, total: 2, broke: 1, broken: [{ caseId: 'launch/1', expected: 'versicolor', predicted: 'virginica' }] };
    const withTable: PreviewSummary = { ...preview, regressionHistory: [row] };
    assert.deepEqual(toPreviewSummary({ ...withTable, extra: 1 } as PreviewSummary), withTable);
    assert.ok(isToWebview({ type: 'reset', previews: [withTable], records: [] }));
    assert.ok(!isToWebview({ type: 'reset', previews: [{ ...preview, regressionHistory: [{ ...row, broken: [{ expected: 1 }] }] }], records: [] }));
    assert.ok(!isToWebview({ type: 'reset', previews: [{ ...preview, regressionHistory: [{ ...row, broken: Array(21).fill(row.broken[0]) }] }], records: [] }));
    const many = toPreviewSummary({ ...preview, regressionHistory: Array.from({ length: 60 }, (_, i) => ({ ...row, modelVersion: `v${i}`, broken: Array(30).fill(row.broken[0]) })) });
    assert.equal(many.regressionHistory!.length, 50, 'the newest 50 versions');
    assert.equal(many.regressionHistory![49].modelVersion, 'v59');
    assert.equal(many.regressionHistory![0].broken.length, 20, 'at most 20 broken cases named per version');
    assert.ok(isToWebview({ type: 'reset', previews: [many], records: [] }));
  });
});
