import assert from 'node:assert/strict';
import * as net from 'node:net';
import { connectEvents, fileRecords, handshakeStatus, newKey, predictIris, sendFeedback, VIRGINICA, type EventsClient } from '../helpers/feedback-kit';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** GET /api/events: the owner's live feed of predictions and feedback over a WebSocket. */
describe('server: events WebSocket (GET /api/events)', function () {
  this.timeout(20_000);
  let preview: Preview;
  const clients: EventsClient[] = [];
  const connect = async (options: Partial<Parameters<typeof connectEvents>[1]> = {}) => {
    const client = await connectEvents(preview.baseUrl, { token: preview.ownerToken, ...options });
    clients.push(client);
    return client;
  };
  const feedbackOn = async (predictionId: string, comment: string) => {
    const res = await sendFeedback(preview, { predictionId, rating: 'down', expected: 'versicolor', comment, idempotencyKey: newKey() });
    assert.equal(res.status, 201, res.text);
    return res.json.id as string;
  };

  before(async () => {
    preview = await startPreview(IRIS_MODEL, { workers: 1, heartbeatMs: 100 });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.ws.terminate();
  });
  after(async () => {
    await preview?.stop();
  });

  it('refuses the handshake with 401 without a token, with the share token, or with the owner token in the URL', async () => {
    assert.equal(await handshakeStatus(preview.baseUrl, { token: null }), 401);
    assert.equal(await handshakeStatus(preview.baseUrl, { token: preview.shareToken }), 401);
    assert.equal(await handshakeStatus(preview.baseUrl, { token: 'wrong' }), 401);
    assert.equal(await handshakeStatus(preview.baseUrl, { token: null, query: `?t=${preview.ownerToken}` }), 401);
    assert.equal(await handshakeStatus(preview.baseUrl, { token: null, query: `?t=${preview.shareToken}` }), 401);
  });

  it('refuses a foreign Origin with 403 and accepts the server\'s own', async () => {
    assert.equal(await handshakeStatus(preview.baseUrl, { token: preview.ownerToken, origin: 'http://evil.example' }), 403);
    assert.equal(await handshakeStatus(preview.baseUrl, { token: preview.ownerToken, origin: `http://127.0.0.1:${preview.port + 1}` }), 403);
    assert.equal(await handshakeStatus(preview.baseUrl, { token: preview.ownerToken, origin: `http://127.0.0.1:${preview.port}` }), 101);
    assert.equal(await handshakeStatus(preview.baseUrl, { token: preview.ownerToken }), 101, 'no Origin (not a browser) is fine');
  });

  it('sends hello first, then a prediction event and a feedback event with the full record and increasing ids', async () => {
    const client = await connect();
    const hello = await client.next();
    assert.deepEqual(hello, { event: 'hello', epoch: preview.session.hub.epoch, lastId: preview.session.hub.latestId });
    assert.match(hello.epoch, /^[0-9a-f]{8}$/);

    const p = await predictIris(preview, VIRGINICA);
    const predicted = await client.next();
    assert.equal(predicted.event, 'prediction');
    assert.equal(predicted.predictionId, p.predictionId);
    assert.equal(predicted.predicted, 'virginica');
    assert.equal(predicted.model, 'iris');
    assert.equal(predicted.modelVersion, p.modelVersion);
    assert.equal(typeof predicted.inferenceMs, 'number');
    assert.equal(predicted.id, hello.lastId + 1);

    const id = await feedbackOn(p.predictionId, 'live');
    const fb = await client.next();
    assert.equal(fb.event, 'feedback');
    assert.equal(fb.id, predicted.id + 1);
    const stored = (await fileRecords(`${preview.dataDir}/feedback.jsonl`)).find((r) => r.id === id);
    assert.deepEqual(fb.record, stored, 'the full record, as stored');
    assert.equal(fb.record.comment, 'live');
    assert.equal(fb.record.predicted, 'virginica');
  });

  it('resumes with ?since=<last id>&epoch=<epoch>: exactly the 2 missed events after hello, then live ones', async () => {
    const p = await predictIris(preview, VIRGINICA);
    const first = await connect();
    const hello = await first.next();
    const before = await feedbackOn(p.predictionId, 'seen live');
    const seen = await first.next();
    assert.equal(seen.record.id, before);
    first.ws.close();
    await first.closed;

    const missed = [await feedbackOn(p.predictionId, 'missed 1'), await feedbackOn(p.predictionId, 'missed 2')];
    const again = await connect({ query: `?since=${seen.id}&epoch=${hello.epoch}` });
    const hello2 = await again.next();
    assert.deepEqual(hello2, { event: 'hello', epoch: hello.epoch, lastId: seen.id + 2 });
    const replayed = [await again.next(), await again.next()];
    assert.deepEqual(replayed.map((e) => [e.event, e.id, e.record.id]), [['feedback', seen.id + 1, missed[0]], ['feedback', seen.id + 2, missed[1]]]);

    // The next message is the next live event: nothing else was replayed (one socket delivers in order).
    const live = await feedbackOn(p.predictionId, 'live again');
    const next = await again.next();
    assert.deepEqual([next.event, next.id, next.record.id], ['feedback', seen.id + 3, live]);
  });

  it('since = the latest id replays nothing; a wrong epoch gets a reset message, then live events', async () => {
    const upToDate = await connect({ query: `?since=${preview.session.hub.latestId}&epoch=${preview.session.hub.epoch}` });
    assert.equal((await upToDate.next()).event, 'hello');

    const stale = await connect({ query: `?since=3&epoch=deadbeef` });
    const hello = await stale.next();
    assert.equal(hello.event, 'hello');
    const reset = await stale.next();
    assert.equal(reset.event, 'reset');
    assert.equal(typeof reset.reason, 'string');
    assert.match(reset.reason, /restarted/);
    // Each client's next message is the next live event: nothing was replayed to either (one socket delivers in order).
    const p = await predictIris(preview, VIRGINICA);
    for (const client of [upToDate, stale]) {
      const live = await client.next();
      assert.deepEqual([live.event, live.predictionId], ['prediction', p.predictionId]);
    }
  });

  it('several owner clients at once (the extension, a few tabs) all get live events, without an EventEmitter leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const many = await Promise.all(Array.from({ length: 12 }, () => connect()));
      await Promise.all(many.map((c) => c.next()));
      const p = await predictIris(preview, VIRGINICA);
      for (const c of many) assert.equal((await c.next()).predictionId, p.predictionId);
      await new Promise((r) => setImmediate(r)); // process warnings are emitted on a later tick of this turn
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
  });

  it('resume from events no longer held (over 10 000 since): a reset saying so, then live events', async () => {
    const { hub } = preview.session;
    const from = hub.latestId;
    for (let i = 0; i < 10_001; i++) hub.publish({ event: 'error', source: 'worker', message: `synthetic ${i}` });
    const client = await connect({ query: `?since=${from}&epoch=${hub.epoch}` });
    assert.deepEqual(await client.next(), { event: 'hello', epoch: hub.epoch, lastId: from + 10_001 });
    assert.deepEqual(await client.next(), { event: 'reset', reason: 'those events are no longer held' });
    hub.publish({ event: 'error', source: 'worker', message: 'live' });
    assert.deepEqual(await client.next(), { event: 'error', source: 'worker', message: 'live', id: from + 10_002 }, 'then live events, nothing replayed');
    const recent = await connect({ query: `?since=${from + 10_000}&epoch=${hub.epoch}` });
    await recent.next();
    assert.deepEqual(await recent.next(), { event: 'error', source: 'worker', message: 'synthetic 10000', id: from + 10_001 });
  });

  it('heartbeat (100 ms): a client that does not answer pings is cut off within ~300 ms; one that does stays', async () => {
    const mute = await connect({ autoPong: false });
    const polite = await connect();
    const opened = performance.now();
    let bound: NodeJS.Timeout | undefined;
    const { at } = await Promise.race([mute.closed, new Promise<never>((_resolve, reject) => {
      bound = setTimeout(() => reject(new Error('the mute client was not cut off within 2 s')), 2_000);
    })]).finally(() => clearTimeout(bound));
    const after = at - opened;
    assert.ok(after <= 400, `cut off after ${Math.round(after)} ms`);
    // The polite client stays through more heartbeat rounds than cut the mute one off: count the pings it answered.
    await new Promise<void>((resolve) => {
      let pings = 0;
      polite.ws.on('ping', () => ++pings === 4 && resolve());
    });
    assert.equal(polite.ws.readyState, polite.ws.OPEN, 'a client that answers pings stays connected');
  });
});

describe('server: events WebSocket on stop', function () {
  this.timeout(20_000);

  it('session.stop() closes clients with 1001 and resolves with the port free', async () => {
    const preview = await startPreview(IRIS_MODEL, { workers: 1 });
    try {
      const a = await connectEvents(preview.baseUrl, { token: preview.ownerToken });
      const b = await connectEvents(preview.baseUrl, { token: preview.ownerToken, query: '?since=0&epoch=x' });
      await a.next();
      const started = performance.now();
      await preview.session.stop();
      assert.ok(performance.now() - started < 2_500, `stop took ${Math.round(performance.now() - started)} ms`);
      const [ca, cb] = await Promise.all([a.closed, b.closed]);
      assert.equal(ca.code, 1001);
      assert.equal(cb.code, 1001);
      assert.equal(ca.reason, 'the preview is stopping');
      assert.equal(await portIsFree(preview.port), true);
    } finally {
      await preview.stop();
    }
  });
});
