import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createTunnelProvider } from '../../src/core/tunnel/create-tunnel-provider';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/**
 * Cross-site request forgery from other local origins: a page on another port of the same host (or a sibling
 * subdomain of a tunnel's domain) is "same-site", so the browser attaches the SameSite=Lax share cookie to what it
 * posts, and a text/plain POST needs no preflight. With the cookie, a state-changing request must be a type the page
 * sends (415 otherwise) and come from the page's own origin (403 otherwise); a Bearer token is not restricted.
 */
/** A POST with headers fetch will not send (Host). */
function rawPost(port: number, url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: url, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SETOSA = JSON.stringify({ inputs: { features: [5.1, 3.5, 1.4, 0.2] } });

describe('server: cross-site requests with the share cookie', function () {
  this.timeout(20_000);
  let p: Preview;
  let cookie: string;
  let self: string;
  before(async () => {
    p = await startPreview(IRIS_MODEL);
    cookie = (await p.request('GET', `/?t=${p.shareToken}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
    self = p.baseUrl;
  });
  after(() => p?.stop());

  const predictions = async () => (await readFile(path.join(p.dataDir, 'predictions.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  const withCookie = (url: string, headers: Record<string, string>, body = SETOSA) => p.request('POST', url, { token: null, body, headers: { cookie, ...headers } });

  it('a text/plain post from another port is refused on both inference paths, and no prediction is written', async () => {
    const before = await predictions();
    for (const url of ['/api/predict', '/api/predict?via=express', '/v2/models/iris/infer']) {
      const res = await withCookie(url, { 'content-type': 'text/plain', origin: 'http://127.0.0.1:9', 'sec-fetch-site': 'same-site' });
      assert.equal(res.status, 403, `${url}: ${res.text}`);
      assert.match(res.json.error, /^this request came from another site: with the preview's cookie, only its own page may send it/);
    }
    const feedback = await withCookie('/api/feedback', { 'content-type': 'text/plain', origin: 'http://127.0.0.1:9' }, '{"predictionId":"x","rating":"up","idempotencyKey":"forged-1"}');
    assert.equal(feedback.status, 403, feedback.text);
    assert.equal(await predictions(), before, 'nothing was recorded');
  });

  it('JSON from a foreign origin is refused (403): another port, another host, an opaque origin, or the browser saying same-site', async () => {
    for (const headers of [
      { origin: 'http://127.0.0.1:9' },
      { origin: self.replace('127.0.0.1', 'localhost') },
      { origin: 'null' },
      { origin: `https://${self.slice('http://'.length)}x` },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site', origin: self },
    ] as Array<Record<string, string>>) {
      for (const url of ['/api/predict', '/api/predict?via=express']) {
        const res = await withCookie(url, { 'content-type': 'application/json', ...headers });
        assert.equal(res.status, 403, `${url} ${JSON.stringify(headers)}: ${res.text}`);
      }
    }
  });

  it('a same-origin post of another type is refused with 415 naming the type the route takes', async () => {
    for (const [url, type] of [['/api/predict', 'text/plain'], ['/api/predict?via=express', 'application/x-www-form-urlencoded'], ['/api/feedback', 'multipart/form-data; boundary=x'], ['/api/predict', '']] as const) {
      const res = await withCookie(url, { 'content-type': type, origin: self, 'sec-fetch-site': 'same-origin' });
      assert.equal(res.status, 415, `${url} ${type}: ${res.text}`);
      // The page sends /api/predict a picture's pixels as application/octet-stream (not CORS-safelisted: no form can).
      const takes = url.startsWith('/api/predict') ? 'application\\/json or application\\/octet-stream' : 'application\\/json';
      assert.match(res.json.error, new RegExp(`^with the preview's cookie, POST \\/api\\/(predict|feedback) takes ${takes} only`));
    }
  });

  it('the page\'s own requests pass: its origin, same-origin, JSON (with a charset too); and no Origin at all (not a browser)', async () => {
    for (const headers of [
      { origin: self, 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'same-origin' },
      { origin: self },
      {},
    ] as Array<Record<string, string>>) {
      for (const url of ['/api/predict', '/api/predict?via=express']) {
        const res = await withCookie(url, { 'content-type': 'application/json; charset=utf-8', ...headers });
        assert.equal(res.status, 200, `${url} ${JSON.stringify(headers)}: ${res.text}`);
      }
    }
  });

  it('behind a path-prefixed proxy (Host passed through) and behind an HTTPS tunnel (X-Forwarded-Host from loopback) the page is its own origin', async () => {
    // VS Code's /proxy/<port>/ forwarding passes the browser's Host on: the origin is the proxy's. (fetch cannot set Host.)
    for (const url of ['/api/predict', '/api/predict?via=express']) {
      const proxied = await rawPost(p.port, url, SETOSA, { cookie, 'content-type': 'application/json', host: 'workbench.example:8443', origin: 'http://workbench.example:8443', 'sec-fetch-site': 'same-origin' });
      assert.equal(proxied.status, 200, proxied.text);
      const other = await rawPost(p.port, url, SETOSA, { cookie, 'content-type': 'application/json', host: 'workbench.example:8443', origin: 'http://workbench.example:8444' });
      assert.equal(other.status, 403, 'another port of the proxy\'s host is another origin');
    }
    // A TLS reverse proxy that sends its own Host but says which one it forwarded.
    const tunnelled = await withCookie('/api/predict?via=express', {
      'content-type': 'application/json', origin: 'https://preview.example.com', 'x-forwarded-host': 'preview.example.com', 'x-forwarded-proto': 'https', 'sec-fetch-site': 'same-origin',
    });
    assert.equal(tunnelled.status, 200, tunnelled.text);
    const sibling = await withCookie('/api/predict', { 'content-type': 'application/json', origin: 'https://evil.example.com', 'x-forwarded-host': 'preview.example.com' });
    assert.equal(sibling.status, 403, 'a sibling subdomain is another origin');
  });

  it('a Bearer token is not restricted: any content type, any origin (programs, Triton\'s client with binary bodies)', async () => {
    for (const url of ['/api/predict', '/api/predict?via=express']) {
      const res = await p.request('POST', url, { body: SETOSA, headers: { 'content-type': 'text/plain', origin: 'http://127.0.0.1:9', 'sec-fetch-site': 'cross-site' } });
      assert.equal(res.status, 200, `${url}: ${res.text}`);
    }
    const binary = await p.request('POST', '/v2/models/iris/infer', { body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(binary.status, 200, binary.text);
  });

  it('reading is not restricted: GET with the cookie from anywhere (the browser keeps the answer from another origin)', async () => {
    const res = await p.request('GET', '/api/card', { token: null, headers: { cookie, origin: 'http://127.0.0.1:9', 'sec-fetch-site': 'same-site' } });
    assert.equal(res.status, 200);
  });
});

describe('server: the password form only from the page itself', function () {
  this.timeout(20_000);
  let p: Preview;
  before(async () => (p = await startPreview(IRIS_MODEL, { password: 'correct horse battery staple' })));
  after(() => p?.stop());

  it('a form posted from another origin gets 403 and is not counted as a guess; the page\'s own form works', async () => {
    const cookie = (await p.request('GET', `/?t=${p.shareToken}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
    const form = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
    for (let i = 0; i < 12; i++) {
      const forged = await p.request('POST', '/unlock', { token: null, body: `password=guess-${i}`, headers: { ...form, origin: 'http://127.0.0.1:9', 'sec-fetch-site': 'same-site' } });
      assert.equal(forged.status, 403, forged.text);
    }
    const json = await p.request('POST', '/unlock', { token: null, body: '{"password":"x"}', headers: { cookie, 'content-type': 'application/json', origin: p.baseUrl } });
    assert.equal(json.status, 415, 'the form posts application/x-www-form-urlencoded');
    const own = await p.request('POST', '/unlock', { token: null, body: 'password=correct+horse+battery+staple', headers: { ...form, origin: p.baseUrl, 'sec-fetch-site': 'same-origin' } });
    assert.equal(own.status, 303, 'the 12 forged posts spent none of the 10 guesses');
  });

  it('the password page asks browsers to name its origin on its own form (Referrer-Policy: same-origin, not no-referrer)', async () => {
    const cookie = (await p.request('GET', `/?t=${p.shareToken}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
    const page = await p.request('GET', '/', { token: null, headers: { cookie } });
    assert.equal(page.status, 401);
    assert.equal(page.headers.get('referrer-policy'), 'same-origin');
    assert.match(page.text, /<meta name="referrer" content="same-origin">/);
  });
});

describe('server: the page\'s own posts through a real pipenet tunnel, which rewrites the Host of each connection\'s first request', function () {
  this.timeout(30_000);
  let tunnelServer: http.Server;
  let p: Preview;
  before(async () => {
    const { createServer } = await import('pipenet/server');
    tunnelServer = createServer({ domains: ['localhost'], maxTcpSockets: 10 });
    await new Promise<void>((resolve) => tunnelServer.listen(0, '127.0.0.1', () => resolve()));
    const server = `http://localhost:${(tunnelServer.address() as AddressInfo).port}`;
    p = await startPreview(IRIS_MODEL, { tunnel: await createTunnelProvider({ provider: 'pipenet', server }, {}) });
  });
  after(async () => {
    await p?.stop();
    tunnelServer?.closeAllConnections();
    await new Promise((resolve) => tunnelServer?.close(resolve));
  });

  it('posts that are the first on their tunnel connection (Host: 127.0.0.1) are recognised by the tunnel\'s public origin', async () => {
    const publicUrl = new URL(p.session.shareLink().publicUrl!);
    const cookie = (await p.request('GET', `/?t=${p.shareToken}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
    const through = (origin: string) => rawPost((tunnelServer.address() as AddressInfo).port, '/api/predict', SETOSA, {
      host: publicUrl.host, cookie, 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin',
    });
    // The tunnel's connections are fresh: each of these is the first request on one of them, its Host rewritten.
    const own = await Promise.all(Array.from({ length: 10 }, () => through(publicUrl.origin)));
    assert.deepEqual(own.map((r) => r.status), Array(10).fill(200), own.map((r) => r.text).join('\n'));
    const forged = await through(`http://evil.localhost:${publicUrl.port}`);
    assert.equal(forged.status, 403, `a sibling subdomain of the tunnel's domain: ${forged.text}`);
  });
});
