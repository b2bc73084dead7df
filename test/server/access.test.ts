import * as assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/** Who may do what: share token (Bearer, ?t=, cookie), owner token (Bearer only), public health checks. */
describe('server: access control', function () {
  this.timeout(20_000);
  let preview: Preview;
  const SHARE_REQUIRED = /^a valid share link or token is required/;
  const OWNER_REQUIRED = /^this needs the owner token \(Authorization: Bearer <owner token>\); the owner finds it in tokens.json/;

  before(async () => {
    preview = await startPreview(IRIS_MODEL);
  });
  after(async () => {
    await preview?.stop();
  });

  it('the tokens are long random strings, kept in <dataDir>/tokens.json', async () => {
    assert.match(preview.shareToken, /^[A-Za-z0-9_-]{43}$/);
    assert.match(preview.ownerToken, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(preview.shareToken, preview.ownerToken);
    const saved = JSON.parse(await readFile(path.join(preview.dataDir, 'tokens.json'), 'utf8'));
    assert.deepEqual(saved, { shareToken: preview.shareToken, ownerToken: preview.ownerToken, shareIssuedAt: saved.shareIssuedAt });
    assert.ok(Math.abs(Date.parse(saved.shareIssuedAt) - Date.now()) < 60_000, 'the link was issued just now');
    assert.equal((await stat(path.join(preview.dataDir, 'tokens.json'))).mode & 0o777, 0o600, 'tokens.json is private to its owner');
    assert.equal(preview.session.shareUrl, `${preview.baseUrl}/?t=${preview.shareToken}`);
  });

  it('the share token works as a Bearer token', async () => {
    const res = await preview.get('/api/card', preview.shareToken);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.name, 'iris');
    const infer = await preview.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } }, preview.shareToken);
    assert.equal(infer.status, 200, infer.text);
  });

  it('the share token works in the ?t= query', async () => {
    const res = await preview.get(`/api/card?t=${preview.shareToken}`, null);
    assert.equal(res.status, 200, res.text);
    const meta = await preview.get(`/v2/models/iris?t=${preview.shareToken}`, null);
    assert.equal(meta.status, 200, meta.text);
    const wrong = await preview.get(`/api/card?t=${preview.shareToken.slice(1)}`, null);
    assert.equal(wrong.status, 401, wrong.text);
    assert.match(wrong.json.error, SHARE_REQUIRED);
  });

  it('GET /?t=<share> answers 303 to / with an HttpOnly, SameSite=Lax cookie that then authorizes the API', async () => {
    const res = await preview.get(`/?t=${preview.shareToken}`, null);
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.get('location'), './', 'relative, so it works behind a path-prefixed proxy too');
    const cookies = res.headers.getSetCookie();
    assert.equal(cookies.length, 1, `one cookie: ${cookies}`);
    const [cookie] = cookies;
    assert.match(cookie, /;\s*HttpOnly/i);
    assert.match(cookie, /;\s*SameSite=Lax/i);
    assert.match(cookie, /;\s*Path=\//i);
    assert.doesNotMatch(cookie, /;\s*Secure/i, 'plain http on 127.0.0.1: a Secure cookie would never be sent back');
    const pair = cookie.split(';')[0];
    assert.equal(pair.split('=')[1], preview.shareToken);

    const card = await preview.get('/api/card', null, { cookie: pair });
    assert.equal(card.status, 200, card.text);
    assert.equal(card.json.name, 'iris');
    const page = await preview.get('/', null, { cookie: pair });
    assert.equal(page.status, 200, page.text);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.text, /<code>iris<\/code>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);

    const noCookie = await preview.get('/api/card', null);
    assert.equal(noCookie.status, 401, noCookie.text);
    assert.match(noCookie.json.error, SHARE_REQUIRED);
    const badCookie = await preview.get('/api/card', null, { cookie: `${pair.split('=')[0]}=nope` });
    assert.equal(badCookie.status, 401, badCookie.text);
  });

  it('GET / with a wrong ?t= sets no cookie and answers 401', async () => {
    const res = await preview.get('/?t=wrong-token', null);
    assert.equal(res.status, 401, res.text);
    assert.match(res.json.error, SHARE_REQUIRED);
    assert.deepEqual(res.headers.getSetCookie(), []);
  });

  it('/metrics needs the owner token: the share token gets 401', async () => {
    const asShare = await preview.get('/metrics', preview.shareToken);
    assert.equal(asShare.status, 401, asShare.text);
    assert.match(asShare.json.error, OWNER_REQUIRED);
    const none = await preview.get('/metrics', null);
    assert.equal(none.status, 401, none.text);
    assert.match(none.json.error, OWNER_REQUIRED);
  });

  it('the owner token is refused in the ?t= query (it must never travel in a URL)', async () => {
    for (const url of [`/metrics?t=${preview.ownerToken}`, `/api/card?t=${preview.ownerToken}`, `/?t=${preview.ownerToken}`]) {
      const res = await preview.get(url, null);
      assert.equal(res.status, 401, `${url}: ${res.text}`);
      assert.deepEqual(res.headers.getSetCookie(), [], `${url}: no cookie for the owner token`);
    }
  });

  it('the owner token as Bearer reads /metrics: request counts and the model version', async () => {
    await preview.post('/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] });
    const res = await preview.get('/metrics', preview.ownerToken);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const version = preview.session.card()!.version;
    assert.match(res.text, /^model_preview_http_requests_total\{[^}]*route="\/v2\/models\/:name\/infer"[^}]*status="200"[^}]*\} [1-9]/m);
    assert.match(res.text, new RegExp(`^model_preview_model_info\\{model="iris",version="${version}"\\} 1$`, 'm'));
    assert.match(res.text, /^model_preview_queue_depth 0$/m);
    // the owner token also works for share-level routes
    const card = await preview.get('/api/card', preview.ownerToken);
    assert.equal(card.status, 200, card.text);
  });
});
