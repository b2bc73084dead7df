import * as assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { newToken } from '../../src/core/server/access';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';
import { PageEventStream } from '../helpers/page-event-stream';
import { withMetadataProp } from '../helpers/re-export';

const IRIS_INPUT = { inputs: { features: [5.1, 3.5, 1.4, 0.2] } };

/** The try-it page's event stream (GET /api/page-events): what a share visitor hears, and when it ends. */
describe('server: the page event stream for share visitors', function () {
  this.timeout(30_000);
  let dir: string;
  let p: Preview | undefined;
  const streams: PageEventStream[] = [];
  const open = async (preview: Preview, headers: Record<string, string> = { authorization: `Bearer ${preview.shareToken}` }) => {
    const stream = await PageEventStream.open(preview.baseUrl, headers);
    streams.push(stream);
    return stream;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mp-page-events-'));
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await p?.stop();
    p = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('tells a visitor about a re-export at once, and never about predictions or feedback (theirs or anyone\'s)', async () => {
    const modelFile = path.join(dir, 'iris.onnx');
    await copyFile(IRIS_MODEL, modelFile);
    p = await startPreview(modelFile);
    const stream = await open(p);
    assert.equal(stream.status, 200);
    assert.deepEqual((await stream.next('hello')).data, { modelVersion: p.session.card()!.version });

    // Activity the owner hears about: a prediction and feedback from another visitor.
    const predicted = await p.post('/api/predict', IRIS_INPUT);
    assert.equal(predicted.status, 200, predicted.text);
    const feedback = await p.post('/api/feedback', { predictionId: predicted.json.predictionId, rating: 'down', comment: 'secret remark', idempotencyKey: 'fb-page-events-1' });
    assert.equal(feedback.status, 201, feedback.text);
    await p.waitForEvent((e) => e.event === 'feedback');

    await writeFile(modelFile, withMetadataProp(await readFile(IRIS_MODEL), 'exported_by', 'page-events-test'));
    const reloaded = await p.waitForEvent((e) => e.event === 'model-reloaded');
    const changed = await stream.next('card-changed');
    assert.deepEqual(changed.data, { modelVersion: (reloaded as { modelVersion: string }).modelVersion });

    assert.deepEqual(stream.messages.map((m) => m.name), ['hello', 'card-changed']);
    assert.ok(!stream.raw.includes(predicted.json.predictionId), 'no prediction id reaches the visitor');
    assert.ok(!stream.raw.includes('secret remark'), 'no feedback reaches the visitor');
  });

  it('refuses a wrong token, or none, with 401', async () => {
    p = await startPreview(IRIS_MODEL, { dataDir: dir });
    const wrong = await open(p, { authorization: `Bearer ${newToken()}` });
    assert.equal(wrong.status, 401);
    assert.match(JSON.parse(wrong.body).error, /^a valid share link or token is required/);
    const none = await open(p, {});
    assert.equal(none.status, 401);
  });

  it('a rotated link ends its stream with "link-ended: rotated", and the new link is not in it', async () => {
    p = await startPreview(IRIS_MODEL, { dataDir: dir });
    const stream = await open(p);
    await stream.next('hello');
    const link = await p.session.rotateShareLink();
    await stream.ended;
    assert.deepEqual(stream.messages.map((m) => [m.name, m.data]), [['hello', { modelVersion: p.session.card()!.version }], ['link-ended', { reason: 'rotated' }]]);
    assert.ok(!stream.raw.includes(new URL(link.shareUrl).searchParams.get('t')!), 'the new token is not sent to holders of the old one');
    const again = await open(p);
    assert.equal(again.status, 401, 'the old token cannot open a new stream');
  });

  it('an invited reviewer\'s stream lives by their invite: a rotation of the share link leaves it open, their revoke ends it ("revoked"); invite-only ends the share link\'s ("invite-only")', async () => {
    p = await startPreview(IRIS_MODEL, { dataDir: dir });
    const dana = new URL((await p.session.createInvite({ name: 'Dana' })).link).searchParams.get('t')!;
    const invited = await open(p, { authorization: `Bearer ${dana}` });
    const shared = await open(p);
    await Promise.all([invited.next('hello'), shared.next('hello')]);
    const link = await p.session.rotateShareLink();
    await shared.ended;
    assert.deepEqual(shared.messages.map((m) => [m.name, m.data]).slice(1), [['link-ended', { reason: 'rotated' }]]);
    await p.session.revokeInvite('Dana');
    await invited.ended;
    assert.deepEqual(invited.messages.map((m) => [m.name, m.data]).slice(1), [['link-ended', { reason: 'revoked' }]], 'the rotation was not hers; the revoke was');

    const current = await open(p, { authorization: `Bearer ${new URL(link.shareUrl).searchParams.get('t')!}` });
    await current.next('hello');
    await p.session.setInviteOnly(true);
    await current.ended;
    assert.deepEqual(current.messages.map((m) => [m.name, m.data]).slice(1), [['link-ended', { reason: 'invite-only' }]]);
  });

  it('a link that expires while the page is open ends its stream with "link-ended: expired"', async () => {
    // The link's clock is moved past the expiry while the page is open (a real wait would race the server's start).
    let now = Date.now();
    p = await startPreview(IRIS_MODEL, { dataDir: dir, expiresMs: 60_000, clock: () => now, pageEventsPingMs: 200 });
    const stream = await open(p);
    await stream.next('hello');
    now += 60_000;
    await stream.ended;
    assert.deepEqual(stream.messages.filter((m) => m.name !== 'ping').map((m) => [m.name, m.data]).slice(1), [['link-ended', { reason: 'expired' }]]);
  });

  it('a stopping server says "stopping" on every open stream before the port closes', async () => {
    p = await startPreview(IRIS_MODEL, { dataDir: dir });
    const [a, b] = [await open(p), await open(p)];
    await Promise.all([a.next('hello'), b.next('hello')]);
    await p.stop();
    await Promise.all([a.ended, b.ended]);
    for (const s of [a, b]) assert.deepEqual(s.messages.map((m) => m.name), ['hello', 'stopping']);
  });

  it('each stream is an open connection counted by the connection caps', async () => {
    p = await startPreview(IRIS_MODEL, { dataDir: dir, connectionLimits: { perClient: 0, total: 2 } });
    const [a, b] = [await open(p), await open(p)];
    await Promise.all([a.next('hello'), b.next('hello')]);
    const third = await p.get('/api/card');
    assert.equal(third.status, 503, third.text);
    assert.match(third.json.error, /too many open connections/);
    a.close();
    await a.ended;
    await new Promise((r) => setTimeout(r, 100)); // the server sees the socket close
    assert.equal((await p.get('/api/card')).status, 200);
  });
});
