import assert from 'node:assert/strict';
import { parseCliLine, parseModelDescription, parseStreamMessage } from '../../src/client/server-messages';
import { ReadyEventSchema } from '../../src/shared/events';
import { FeedbackRecordSchema, FeedbackStatsSchema, type FeedbackRecord } from '../../src/shared/feedback-record';
import { ShareLinkInfoSchema } from '../../src/shared/share-link';

const VIRGINICA = [6.7, 3.0, 5.2, 2.3];
const ok = (schema: { safeParse(value: unknown): { success: boolean } }, value: unknown) => schema.safeParse(value).success;

describe('server messages: what the server process says is checked with the shared schemas before it is trusted', () => {
  const record: FeedbackRecord = {
    schemaVersion: 1, id: 'f-1', ts: '2025-01-01T00:00:00.000Z', model: 'iris', modelVersion: 'c19ee04a8f90', predictionId: 'p-1',
    predicted: 'virginica', inputs: { features: { datatype: 'FP32', shape: [1, 4], data: VIRGINICA } },
    outputs: { logits: { datatype: 'FP32', shape: [1, 3], blob: 'blobs/abc.json' } }, rating: 'down', expected: 'versicolor',
    idempotencyKey: 'key-12345678',
  };
  const ready = {
    event: 'ready', model: 'iris', modelVersion: 'c19ee04a8f90', port: 8000, localUrl: 'http://127.0.0.1:8000/',
    shareUrl: 'http://127.0.0.1:8000/?t=abc', tunnel: 'none', epoch: 'ab12cd34', ownerToken: 'owner',
  };
  const message = (value: unknown) => parseStreamMessage(JSON.stringify(value));
  const withRecord = (changes: Record<string, unknown>) => ({ event: 'feedback', id: 3, record: { ...record, ...changes } });

  it('accepts the messages the server sends, extra fields included', () => {
    assert.deepEqual(message({ event: 'hello', epoch: 'ab12cd34', lastId: 0 }), { event: 'hello', epoch: 'ab12cd34', lastId: 0 });
    assert.ok(message({ event: 'reset', reason: 'the server restarted since' }));
    assert.ok(message({ event: 'feedback', id: 1, record }));
    assert.ok(message({ event: 'prediction', id: 2, ts: 'now', predictionId: 'p', model: 'iris', modelVersion: 'v', inferenceMs: 0.2, newField: true }));
    assert.ok(message({ event: 'tunnel-down', id: 4, provider: 'ssh', reason: 'gone', attempt: 2, retryInMs: 500 }));
    assert.ok(message({ event: 'share-link-changed', id: 5, reason: 'rotated', shareUrl: 'https://x.example/?t=1' }));
    assert.ok(message({ event: 'storage', id: 6, state: 'failing', code: 'ENOSPC', path: '/d/feedback.jsonl', message: 'the disk is full' }));
    assert.ok(message({ event: 'storage', id: 7, state: 'recovered', path: '/d', message: 'can be written again' }));
    assert.equal(parseCliLine(JSON.stringify(ready))?.event, 'ready');
    assert.equal(parseCliLine('{"event":"stopped"}')?.event, 'stopped');
    assert.equal(parseCliLine('{"event":"error","source":"worker","message":"m"}')?.event, 'error');
  });

  it('rejects what is not JSON, not an object, or has no known event type', () => {
    for (const text of ['', 'not json', '{"event":"hello"', 'null', '[]', '42', '"hello"', '{}', '{"event":"nope","id":1}',
      '{"event":"__proto__","id":1}', '{"event":"constructor","id":1}', '{"event":"toString","id":1}', '{"event":"ready","id":1}']) {
      assert.equal(parseStreamMessage(text), undefined, text);
    }
    assert.equal(parseCliLine('Model Preview: serving iris'), undefined);
    assert.equal(parseCliLine('{"event":"hello","epoch":"e","lastId":1}'), undefined, 'hello is a socket message, not a stdout line');
  });

  it('rejects hello, reset and numbered events with a missing or wrong field', () => {
    for (const bad of [
      { event: 'hello', lastId: 1 }, { event: 'hello', epoch: '', lastId: 1 }, { event: 'hello', epoch: 'e', lastId: -1 },
      { event: 'hello', epoch: 'e', lastId: 1.5 }, { event: 'hello', epoch: 'e', lastId: '3' }, { event: 'reset' },
      { event: 'feedback', record }, { event: 'feedback', id: 0, record }, { event: 'feedback', id: '1', record },
      { event: 'feedback', id: 1 }, { event: 'feedback', id: 1, record: 'a record' },
      { event: 'prediction', id: 2, ts: 'now', predictionId: 'p', model: 'iris', modelVersion: 'v', inferenceMs: '3' },
      { event: 'error', id: 2, source: 'kernel', message: 'm' },
      { event: 'model-reloaded', id: 2, model: 'iris', modelVersion: 'v', previousVersion: 'u' },
      { event: 'tunnel-down', id: 2, provider: 'ssh', reason: 'gone', attempt: -1 },
      { event: 'tunnel-up', id: 2, provider: 'ssh', publicUrl: 'not a url', shareUrl: 'https://x.example/' },
      { event: 'share-link-changed', id: 2, reason: 'rotated', shareUrl: 'command:workbench.action.terminal.new' },
      { event: 'share-link-changed', id: 2, reason: 'rotated', shareUrl: 'javascript:alert(1)' },
      { event: 'share-link-changed', id: 2, reason: 'stolen', shareUrl: 'https://x.example/' },
      { event: 'storage', id: 2, state: 'broken', path: '/d', message: 'm' }, { event: 'storage', id: 2, state: 'failing', path: '/d' },
    ]) {
      assert.equal(message(bad), undefined, JSON.stringify(bad));
    }
  });

  it('rejects feedback records with a missing or wrong field', () => {
    const { rating: _rating, ...noRating } = record;
    assert.equal(message({ event: 'feedback', id: 1, record: noRating }), undefined, 'no rating');
    for (const changes of [
      { rating: 'meh' }, { schemaVersion: 3 }, { id: '' }, { id: 7 }, { comment: 42 }, { reviewer: null }, { inputs: [] },
      { inputs: { features: { datatype: 'FP32', shape: [1, -4], data: [] } } },
      { inputs: { features: { datatype: 'FP32', shape: [1, 4] } } },
      { outputs: { logits: { datatype: 'FP32', shape: [1, 3], blob: 7 } } },
    ]) {
      assert.equal(message(withRecord(changes)), undefined, JSON.stringify(changes));
      assert.equal(FeedbackRecordSchema.safeParse({ ...record, ...changes }).success, false, JSON.stringify(changes));
    }
    assert.equal(FeedbackRecordSchema.safeParse(record).success, true);
  });

  it('rejects a ready line without a usable port, URL, epoch or owner token', () => {
    assert.equal(ReadyEventSchema.safeParse(ready).success, true);
    for (const changes of [{ port: 0 }, { port: 70_000 }, { port: '8000' }, { localUrl: 'file:///etc/passwd' }, { shareUrl: 'nope' },
      { ownerToken: '' }, { ownerToken: undefined }, { tunnel: undefined }, { epoch: undefined }, { event: 'started' }]) {
      assert.equal(ReadyEventSchema.safeParse({ ...ready, ...changes }).success, false, JSON.stringify(changes));
      assert.equal(parseCliLine(JSON.stringify({ ...ready, ...changes })), undefined, JSON.stringify(changes));
    }
  });

  it('checks the owner\'s HTTP answers: share link and stats', () => {
    const link = {
      shareUrl: 'http://127.0.0.1:8000/?t=a', localUrl: 'http://127.0.0.1:8000/', tunnel: { provider: 'none', state: 'none' },
      expired: false, passwordRequired: false,
    };
    assert.equal(ok(ShareLinkInfoSchema, link), true);
    for (const changes of [{ tunnel: { provider: 'none', state: 'sideways' } }, { tunnel: 'none' }, { expired: 'no' },
      { publicUrl: 'ftp://x.example/' }, { shareUrl: undefined }]) {
      assert.equal(ok(ShareLinkInfoSchema, { ...link, ...changes }), false, JSON.stringify(changes));
    }
    const stats = { total: 1, versions: [{ model: 'iris', modelVersion: 'v', count: 1, up: 0, down: 1, upShare: 0, topCorrections: [{ predicted: 'a', expected: 'b', count: 1 }] }] };
    assert.equal(ok(FeedbackStatsSchema, stats), true);
    assert.equal(ok(FeedbackStatsSchema, { total: 1, versions: [{ ...stats.versions[0], topCorrections: [{ predicted: 'a', count: 1 }] }] }), false);
    assert.equal(ok(FeedbackStatsSchema, { total: -1, versions: [] }), false);
    assert.equal(ok(FeedbackStatsSchema, { total: 1 }), false);
  });

  it('reads inspect --json as far as the Models tree needs it, passing the rest through; refuses what is not a description', () => {
    const description = {
      name: 'iris', file: '/ws/iris.onnx', fileSize: 1513, sha256: 'c19e'.padEnd(64, '0'), version: 'c19ee04a8f90',
      inputs: [{ name: 'features', datatype: 'FP32', shape: ['batch', 4] }], outputs: [{ name: 'logits', datatype: 'FP32', shape: ['batch', 3] }],
      nonTensorOutputs: [], opsets: [{ domain: 'ai.onnx', version: 17 }], metadataProps: { author: 'me' },
    };
    assert.deepEqual(parseModelDescription(JSON.stringify(description)), description);
    for (const changes of [{ name: '' }, { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }] }, { nonTensorOutputs: [{ name: 'p' }] }, { producer: 'pytorch' }]) {
      assert.equal(parseModelDescription(JSON.stringify({ ...description, ...changes })), undefined, JSON.stringify(changes));
    }
    assert.equal(parseModelDescription('Error: not a model'), undefined);
  });
});
