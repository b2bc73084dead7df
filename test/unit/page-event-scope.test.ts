import * as assert from 'node:assert/strict';
import { pageEventOf } from '../../src/core/server/page-events';
import type { PreviewEvent } from '../../src/shared/events';

/** One event of every kind a session emits (a kind added to events.ts without a line here fails to compile below). */
const SAMPLES: { [K in PreviewEvent['event']]: Extract<PreviewEvent, { event: K }> } = {
  'model-reloaded': { event: 'model-reloaded', model: 'iris', modelVersion: 'v2', previousVersion: 'v1', loadMs: 3 },
  'reload-without-overlap': { event: 'reload-without-overlap', model: 'iris', previousVersion: 'v1', availableBytes: 5e8, neededBytes: 9e8 },
  error: { event: 'error', source: 'worker', message: 'crashed' },
  'sidecar-reloaded': { event: 'sidecar-reloaded' },
  prediction: { event: 'prediction', ts: 't', predictionId: 'p-secret', model: 'iris', modelVersion: 'v1', inferenceMs: 1 },
  feedback: { event: 'feedback', record: { comment: 'secret remark' } as never },
  'tunnel-up': { event: 'tunnel-up', provider: 'ssh', publicUrl: 'https://x.example/', shareUrl: 'https://x.example/?t=SECRET' },
  'tunnel-down': { event: 'tunnel-down', provider: 'ssh', reason: 'gone', attempt: 1 },
  'tunnel-url-changed': { event: 'tunnel-url-changed', provider: 'ssh', previousUrl: 'https://x.example/', publicUrl: 'https://y.example/', shareUrl: 'https://y.example/?t=SECRET' },
  'tunnel-unreachable': { event: 'tunnel-unreachable', provider: 'ssh', publicUrl: 'https://x.example/', reason: 'refused', failedChecks: 3 },
  'share-link-changed': { event: 'share-link-changed', reason: 'rotated', shareUrl: 'https://x.example/?t=SECRET' },
  storage: { event: 'storage', state: 'failing', code: 'ENOSPC', path: '/home/owner/data', message: 'full' },
  'password-lockout': { event: 'password-lockout', failedAttempts: 30, windowSeconds: 600, until: 't' },
  'regression-replayed': { event: 'regression-replayed', model: 'iris', modelVersion: 'v2', previousVersion: 'v1', total: 4, fixed: 2, broke: 1, durationMs: 30 },
};

describe('the page event stream shows a share visitor only what their page needs (every event kind)', () => {
  it('maps a re-export, a page-settings change and a link change; drops everything else; never a token, id or remark', () => {
    const seen = Object.fromEntries(Object.values(SAMPLES).map((e) => [e.event, pageEventOf(e as PreviewEvent) ?? null]));
    assert.deepEqual(seen, {
      'model-reloaded': { name: 'card-changed', data: { modelVersion: 'v2' } },
      'reload-without-overlap': null,
      error: null,
      'sidecar-reloaded': { name: 'card-changed', data: { modelVersion: '' } },
      prediction: null,
      feedback: null,
      'tunnel-up': null,
      'tunnel-down': null,
      'tunnel-url-changed': null,
      'tunnel-unreachable': null,
      'share-link-changed': { name: 'link-ended', data: { reason: 'rotated' } },
      storage: null,
      'password-lockout': null,
      'regression-replayed': null,
    });
    assert.deepEqual(pageEventOf({ event: 'error', source: 'sidecar', message: 'bad JSON in /home/owner/x.preview.json' }), { name: 'card-changed', data: { modelVersion: '' } });
    assert.ok(!JSON.stringify(seen).match(/SECRET|p-secret|secret remark|\/home/));
  });
});
