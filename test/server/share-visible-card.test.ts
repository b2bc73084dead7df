import * as assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/**
 * A share link must not tell its holders where the owner keeps the model (their user name, their folders): share
 * routes show the model file by name only; the full path is for the owner token. Checked over every answer a share
 * link holder can get, with a sidecar error (which names the sidecar file) in the card too.
 */
describe('server: no absolute path in what a share link holder sees', function () {
  this.timeout(20_000);
  let folder: string;
  let p: Preview;
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'mp-owner-jane-doe-'));
    await copyFile(IRIS_MODEL, path.join(folder, 'iris.onnx'));
    await writeFile(path.join(folder, 'iris.preview.json'), '{"title": broken');
    p = await startPreview(path.join(folder, 'iris.onnx'));
  });
  after(async () => {
    await p?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('GET /api/card with the share token (Bearer, ?t=, cookie): the file by name, the sidecar error without its folder', async () => {
    const cookie = (await p.request('GET', `/?t=${p.shareToken}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
    for (const [how, res] of [
      ['Bearer', await p.get('/api/card')],
      ['?t=', await p.get(`/api/card?t=${p.shareToken}`, null)],
      ['cookie', await p.get('/api/card', null, { cookie })],
    ] as const) {
      assert.equal(res.status, 200, how);
      assert.equal(res.json.file, 'iris.onnx', how);
      assert.match(res.json.sidecarError, /^iris\.preview\.json: not valid JSON/, how);
      assert.ok(!res.text.includes(folder) && !res.text.includes(tmpdir()), `${how}: ${res.text.slice(0, 300)}`);
    }
  });

  it('the owner token sees the full path, and the sidecar error as the owner\'s log has it', async () => {
    const res = await p.get('/api/card', p.ownerToken);
    assert.equal(res.json.file, path.join(folder, 'iris.onnx'));
    assert.ok(res.json.sidecarError.startsWith(path.join(folder, 'iris.preview.json')), res.json.sidecarError);
  });

  it('no other answer a share link holder can get names the model\'s folder or the data folder', async () => {
    const cookie = (await p.request('GET', `/?t=${p.shareToken}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
    const answers = await Promise.all([
      p.get('/', null, { cookie }), p.get('/assets/page.js'), p.get('/v2'), p.get('/v2/models/iris'), p.get('/v2/models/iris/ready'),
      p.get('/v2/models/nope'), p.get('/v2/models/iris/versions/nope'), p.get('/nope'), p.request('DELETE', '/api/card'),
      p.post('/api/predict', { inputs: { features: [1, 2, 3] } }), p.post('/v2/models/iris/infer', '{"broken'),
      p.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } }), p.post('/api/feedback', { predictionId: 'nope', rating: 'up', idempotencyKey: 'k-12345678' }),
      p.get('/api/card', null), p.get('/metrics'), p.get('/api/feedback'), p.get('/api/share-link'),
    ]);
    for (const res of answers) {
      const seen = res.text + [...res.headers.values()].join('\n');
      assert.ok(!seen.includes(folder) && !seen.includes(p.dataDir), `${res.status}: ${seen.slice(0, 300)}`);
    }
  });
});
