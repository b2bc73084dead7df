import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, utimes } from 'node:fs/promises';
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

  it('lets the browser keep the page\'s script: for good at the version the page links, revalidated (304) by name alone', async () => {
    const shell = (await p.get('/')).text;
    const linked = /<script src="(assets\/page\.js\?v=([0-9a-f]{12}))"><\/script>\n<\/body>/.exec(shell);
    assert.ok(linked, shell);
    const versioned = await p.get(`/${linked[1]}`);
    assert.equal(versioned.status, 200);
    assert.equal(versioned.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    assert.equal(versioned.headers.get('etag'), `"${linked[2]}"`);
    assert.match(shell, new RegExp(`<link rel="stylesheet" href="assets/page\\.css\\?v=[0-9a-f]{12}">`));

    for (const url of ['/assets/page.js', '/assets/page.js?v=000000000000']) {
      const plain = await p.get(url);
      assert.equal(plain.status, 200, url);
      assert.equal(plain.headers.get('cache-control'), 'private, no-cache', `${url}: a name without the current version is revalidated`);
      // As a browser revalidates (fetch() itself would add `Cache-Control: no-cache`, which asks for the bytes).
      const again = await p.get(url, undefined, { 'if-none-match': plain.headers.get('etag')!, 'cache-control': 'max-age=0' });
      assert.equal(again.status, 304, `${url}: unchanged, so no bytes again`);
      assert.equal(again.text, '');
    }
  });

  it('serves the page\'s lazily loaded parts (QR code, API snippets) by their hashed names only, kept for good', async () => {
    const dir = path.resolve(__dirname, '../../../dist/page');
    const chunks = (await readdir(dir)).filter((f) => /^page-[a-z-]+\.[0-9a-f]{12}\.js$/.test(f));
    assert.deepEqual(chunks.map((f) => f.split('.')[0]).sort(), ['page-api-snippets', 'page-qr-code']);
    for (const chunk of chunks) {
      const res = await p.get(`/assets/${chunk}`);
      assert.equal(res.status, 200, chunk);
      assert.match(res.headers.get('content-type') ?? '', /javascript/);
      assert.equal(res.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    }
    for (const name of ['page-qr-code.000000000000.js', `${chunks[0]}.map`, 'page-sw.js.map', '..%2Fcli.js', 'page.js.map']) {
      assert.equal((await p.get(`/assets/${name}`)).status, 404, name);
    }
    assert.equal((await p.get(`/assets/${chunks[0]}`, null)).status, 401, 'behind the share token like the page');
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
