import * as assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/**
 * The answers a refused visitor or program gets say what to do: where the owner token is; that a rotated link was
 * replaced (and to ask for the new one), not "open the share link again" — which the server can tell only by
 * remembering the replaced tokens, by digest; and a browser's page says what the JSON says.
 */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const REPLACED = 'this share link was replaced by a new one; ask the person who shared it for the new link';

describe('server: what refused requests are told', function () {
  this.timeout(30_000);
  let p: Preview;
  const kept: string[] = [];
  afterEach(async () => {
    await p?.stop();
    await Promise.all(kept.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('the owner-token 401 says where the owner token is, without the folder\'s path', async () => {
    p = await startPreview(IRIS_MODEL);
    const res = await p.get('/metrics');
    assert.equal(res.status, 401);
    assert.equal(res.json.error, 'this needs the owner token (Authorization: Bearer <owner token>); the owner finds it in tokens.json in the '
      + 'preview\'s data folder (serve --data-dir, .model-preview by default) or in the "ready" line of serve --json');
    assert.ok(!res.text.includes(p.dataDir));
  });

  it('a rotated link: its token and its cookie are told the link was replaced, in JSON and on the page; after a restart too', async () => {
    p = await startPreview(IRIS_MODEL, { keepDataDir: true });
    const old = p.shareToken;
    const cookie = (await p.request('GET', `/?t=${old}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
    await p.post('/api/share-link/rotate', undefined, p.ownerToken);

    for (const res of [await p.get('/api/card', old), await p.get(`/api/card?t=${old}`, null), await p.get('/api/card', null, { cookie }), await p.post('/api/predict', { inputs: { features: [1, 2, 3, 4] } }, old)]) {
      assert.equal(res.status, 401);
      assert.equal(res.json.error, REPLACED);
    }
    for (const page of [await p.get(`/?t=${old}`, null, { accept: BROWSER_ACCEPT }), await p.get('/', null, { cookie, accept: BROWSER_ACCEPT })]) {
      assert.equal(page.status, 401);
      assert.match(page.text, /<h1>This link does not work<\/h1>/);
      assert.ok(page.text.includes('<p>This share link was replaced by a new one; ask the person who shared it for the new link.</p>'), page.text);
    }
    const never = await p.get('/api/card', 'x'.repeat(43));
    assert.match(never.json.error, /^a valid share link or token is required/, 'a token that was never valid is not "replaced"');

    const saved = await readFile(path.join(p.dataDir, 'tokens.json'), 'utf8');
    assert.ok(!saved.includes(old), 'the replaced token is not kept in clear');
    assert.equal(JSON.parse(saved).previousShareDigests.length, 1);
    const dataDir = p.dataDir;
    kept.push(dataDir);
    await p.stop();
    p = await startPreview(IRIS_MODEL, { dataDir });
    assert.equal((await p.get('/api/card', old)).json.error, REPLACED, 'recognised after a restart');
    assert.equal((await p.get('/api/card')).status, 200);
  });

  it('a link replaced at start because it expired while no server ran is "replaced" too', async () => {
    const first = await startPreview(IRIS_MODEL, { keepDataDir: true });
    const old = first.shareToken;
    kept.push(first.dataDir);
    await first.stop();
    const file = path.join(first.dataDir, 'tokens.json');
    const tokens = JSON.parse(await readFile(file, 'utf8'));
    await import('node:fs/promises').then((fs) => fs.writeFile(file, JSON.stringify({ ...tokens, shareIssuedAt: new Date(Date.now() - 48 * 3600_000).toISOString() })));
    p = await startPreview(IRIS_MODEL, { dataDir: first.dataDir, expiresMs: 24 * 3600_000 });
    assert.equal((await p.get('/api/card', old)).json.error, REPLACED);
  });

  it('a wrong link in a browser: the page says what the JSON says', async () => {
    p = await startPreview(IRIS_MODEL);
    const json = await p.get('/?t=not-the-token', null);
    const page = await p.get('/?t=not-the-token', null, { accept: BROWSER_ACCEPT });
    assert.equal(page.status, 401);
    assert.ok(page.text.includes(`<p>${json.json.error.charAt(0).toUpperCase()}${json.json.error.slice(1).replace(/</g, '&lt;').replace(/>/g, '&gt;')}.</p>`), page.text);
  });
});
