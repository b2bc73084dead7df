import assert from 'node:assert/strict';
import { relativeTime } from '../../src/browser/logic/relative-time';

describe('page: relative time ("updated ...")', () => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  const ago = (ms: number) => relativeTime(now - ms, now);
  it('reads like a person would say it', () => {
    assert.equal(ago(0), 'just now');
    assert.equal(ago(30_000), 'just now');
    assert.equal(ago(50_000), '1 minute ago');
    assert.equal(ago(5 * 60_000), '5 minutes ago');
    assert.equal(ago(2 * 3_600_000), '2 hours ago');
    assert.equal(ago(26 * 3_600_000), 'yesterday');
    assert.equal(ago(3 * 86_400_000), '3 days ago');
    assert.equal(ago(14 * 86_400_000), '2 weeks ago');
    assert.equal(relativeTime(now + 5 * 60_000, now), 'in 5 minutes', 'a clock ahead of ours');
    assert.equal(relativeTime(NaN, now), 'at an unknown time');
  });
});
