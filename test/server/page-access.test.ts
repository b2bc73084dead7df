import assert from 'node:assert/strict';
import { copyFile, mkdtemp, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IRIS_MODEL, pollUntil, startPreview, type Preview } from '../helpers/preview';

describe('server: the share link, its cookie and the page assets', function () {
  this.timeout(20_000);
  let p: Preview;
  before(async () => {
    p = await startPreview(IRIS_MODEL);
  });
  after(() => p.stop());

  async function cookieFromLink(): Promise<string> {
    const res = await p.request('GET', `/?t=${encodeURIComponent(p.shareToken)}`, { token: null });
    assert.equal(res.status, 303);
    return res.headers.get('set-cookie')!.split(';')[0];
  }

  it('opening a wrong or truncated link does not replace a valid cookie: the page still opens with it', async () => {
    const cookie = await cookieFromLink();
    const wrong = await p.request('GET', `/?t=${p.shareToken.slice(0, 20)}`, { token: null, headers: { cookie } });
    assert.equal(wrong.headers.get('set-cookie'), null, 'no cookie is set from a token that is not the share token');
    assert.equal(wrong.status, 200, 'the valid cookie still opens the page');
    const card = await p.request('GET', '/api/card', { token: null, headers: { cookie } });
    assert.equal(card.status, 200);
  });

  it('asks for assets by name only: /assets/__proto__ and /assets/constructor are 404, not 500', async () => {
    for (const name of ['__proto__', 'constructor', 'nope.js']) {
      const res = await p.get(`/assets/${name}`);
      assert.equal(res.status, 404, `${name}: ${res.text}`);
    }
    const js = await p.get('/assets/page.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
  });
});

describe('server: hot reload ignores a file that was touched but not changed', function () {
  this.timeout(20_000);
  it('no reload and no model-reloaded event when the bytes are the same', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-touch-'));
    const model = path.join(dir, 'iris.onnx');
    await copyFile(IRIS_MODEL, model);
    const p = await startPreview(model);
    try {
      await copyFile(IRIS_MODEL, model); // written again, same bytes (a notebook re-running the export cell)
      await utimes(model, new Date(), new Date());
      // The file was read again and found the same: /metrics counts it (a positive sign the check ran, not a wait).
      await pollUntil(async () => (/^model_preview_model_reloads_total\{result="unchanged"\} [1-9]/m.test((await p.get('/metrics', p.ownerToken)).text) ? true : undefined),
        10_000, 'an unchanged reload in /metrics');
      assert.deepEqual(p.events.filter((e) => e.event === 'model-reloaded' || e.event === 'error'), []);
      assert.equal((await p.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } })).status, 200);
    } finally {
      await p.stop();
    }
  });
});
