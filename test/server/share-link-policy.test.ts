import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/** What a stakeholder holding the link sees once it expired, was rotated, needs a password, or is used too fast. */
const SETOSA = { inputs: { features: [5.1, 3.5, 1.4, 0.2] } };
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const cookieOf = (res: { headers: Headers }): string => {
  const header = res.headers.get('set-cookie');
  assert.ok(header, 'a cookie was set');
  return header.split(';')[0];
};

describe('server: share link expiry', function () {
  this.timeout(20_000);
  let p: Preview;
  afterEach(() => p?.stop());

  it('after the lifetime every request but the owner\'s and the health checks gets 410; a browser gets a page saying so', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    p = await startPreview(IRIS_MODEL, { expiresMs: 60_000, clock: () => now });
    assert.equal(p.session.shareLink().expiresAt, '2030-01-01T00:01:00.000Z');
    now += 59_999;
    assert.equal((await p.post('/api/predict', SETOSA)).status, 200, 'works until it expires');
    now += 1;

    for (const [method, url] of [['POST', '/api/predict'], ['POST', '/v2/models/iris/infer'], ['GET', '/api/card'], ['POST', '/api/feedback'], ['GET', '/']] as const) {
      const res = await p.request(method, url, { body: method === 'POST' ? SETOSA : undefined });
      assert.equal(res.status, 410, `${method} ${url}: ${res.text}`);
      assert.match(res.json.error, /expired at 2030-01-01T00:01:00.000Z; ask the person who shared it for a new link/);
    }
    assert.equal((await p.request('GET', '/api/card', { token: null })).status, 410, 'without a token too');
    const page = await p.request('GET', `/?t=${p.shareToken}`, { token: null, headers: { accept: BROWSER_ACCEPT } });
    assert.equal(page.status, 410);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.match(page.text, /This link has expired/);
    assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/);

    assert.equal((await p.get('/v2/health/ready', null)).status, 200, 'health checks stay open');
    assert.equal((await p.post('/api/predict', SETOSA, p.ownerToken)).status, 200, 'the owner is not locked out');
  });

  it('a link that expired while no server ran is replaced at start, and the old one is refused', async () => {
    const first = await startPreview(IRIS_MODEL, { keepDataDir: true });
    const oldToken = first.shareToken;
    const dataDir = first.dataDir;
    await first.stop();
    const tokens = JSON.parse(await readFile(path.join(dataDir, 'tokens.json'), 'utf8'));
    tokens.shareIssuedAt = new Date(Date.now() - 25 * 3600_000).toISOString();
    await import('node:fs/promises').then((fs) => fs.writeFile(path.join(dataDir, 'tokens.json'), JSON.stringify(tokens)));

    p = await startPreview(IRIS_MODEL, { dataDir, expiresMs: 24 * 3600_000 });
    assert.notEqual(p.shareToken, oldToken);
    assert.equal(p.ownerToken, tokens.ownerToken, 'the owner token is kept');
    // Published during start, before this test could listen: read it from the events stream's buffer.
    const event = p.session.hub.since(0)!.find((e) => e.event === 'share-link-changed');
    assert.deepEqual(event && { ...event, id: undefined }, { id: undefined, event: 'share-link-changed', reason: 'expired', shareUrl: p.session.shareUrl, expiresAt: p.session.shareLink().expiresAt });
    assert.equal((await p.post('/api/predict', SETOSA, oldToken)).status, 401);
    assert.equal((await p.post('/api/predict', SETOSA)).status, 200);
    await import('node:fs/promises').then((fs) => fs.rm(dataDir, { recursive: true, force: true }));
  });
});

describe('server: share link rotation', function () {
  this.timeout(20_000);
  let p: Preview;
  before(async () => (p = await startPreview(IRIS_MODEL)));
  after(() => p?.stop());

  it('POST /api/share-link/rotate (owner only) makes a new link at once: the old token and its cookie get 401', async () => {
    const old = p.shareToken;
    const oldCookie = cookieOf(await p.request('GET', `/?t=${old}`, { token: null }));
    assert.equal((await p.post('/api/share-link/rotate', undefined, old)).status, 401, 'the share token cannot rotate');

    const res = await p.post('/api/share-link/rotate', undefined, p.ownerToken);
    assert.equal(res.status, 200, res.text);
    const fresh = new URL(res.json.shareUrl).searchParams.get('t')!;
    assert.notEqual(fresh, old);
    assert.equal(res.json.tunnel.provider, 'none');
    assert.ok(!res.text.includes(p.ownerToken), 'the owner token is not in the answer');

    assert.equal((await p.post('/api/predict', SETOSA, old)).status, 401);
    assert.equal((await p.request('GET', '/api/card', { token: null, headers: { cookie: oldCookie } })).status, 401);
    const oldPage = await p.request('GET', '/', { token: null, headers: { cookie: oldCookie, accept: BROWSER_ACCEPT } });
    assert.equal(oldPage.status, 401);
    assert.match(oldPage.text, /This link does not work/, 'a person opening the old link in a browser gets a page, not JSON');
    assert.equal((await p.post('/api/predict', SETOSA, fresh)).status, 200);

    const saved = JSON.parse(await readFile(path.join(p.dataDir, 'tokens.json'), 'utf8'));
    assert.equal(saved.shareToken, fresh, 'a restarted server keeps the new link');
    // Published during start, before this test could listen: read it from the events stream's buffer.
    const event = p.session.hub.since(0)!.find((e) => e.event === 'share-link-changed');
    assert.deepEqual(event && { ...event, id: undefined }, { id: undefined, event: 'share-link-changed', reason: 'rotated', shareUrl: res.json.shareUrl, expiresAt: res.json.expiresAt });
  });
});

describe('server: share link password', function () {
  this.timeout(20_000);
  let p: Preview;
  const password = 'correct horse battery';
  before(async () => (p = await startPreview(IRIS_MODEL, { password })));
  after(() => p?.stop());

  it('the link alone opens a password form, not the model; a wrong password is refused', async () => {
    const cookie = cookieOf(await p.request('GET', `/?t=${p.shareToken}`, { token: null }));
    const form = await p.request('GET', '/', { token: null, headers: { cookie } });
    assert.equal(form.status, 401);
    assert.match(form.text, /This preview needs a password/);
    assert.match(form.text, /<form method="post" action="unlock">/);
    assert.ok(!form.text.includes('iris'), 'nothing about the model is shown before the password');
    assert.equal((await p.request('GET', '/api/card', { token: null, headers: { cookie } })).status, 401);

    const wrong = await p.request('POST', '/unlock', { token: null, body: 'password=nope', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /That password is not right/);
    assert.equal(wrong.headers.get('set-cookie'), null);
  });

  it('the right password sets an unlock cookie that opens the page and the API', async () => {
    const cookie = cookieOf(await p.request('GET', `/?t=${p.shareToken}`, { token: null }));
    const ok = await p.request('POST', '/unlock', {
      token: null, body: `password=${encodeURIComponent(password)}`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(ok.status, 303);
    const unlock = cookieOf(ok);
    assert.ok(!unlock.includes(encodeURIComponent(password)) && !unlock.includes(password), 'the cookie does not hold the password');
    const both = `${cookie}; ${unlock}`;
    const page = await p.request('GET', '/', { token: null, headers: { cookie: both } });
    assert.equal(page.status, 200);
    assert.match(page.text, /<script src="assets\/page\.js\?v=[0-9a-f]{12}"><\/script>/);
    assert.equal((await p.request('POST', '/api/predict', { token: null, body: SETOSA, headers: { cookie: both } })).status, 200);
  });

  it('programs send the password in X-Preview-Password with the share token, on both inference paths', async () => {
    assert.equal((await p.post('/v2/models/iris/infer', { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] })).status, 401);
    const locked = await p.post('/api/predict', SETOSA);
    assert.match(locked.json.error, /needs its password .*x-preview-password/);
    assert.equal((await p.post('/api/predict', SETOSA, undefined, { 'x-preview-password': password })).status, 200);
    assert.equal((await p.post('/api/predict?via=express', SETOSA, undefined, { 'x-preview-password': password })).status, 200);
    assert.equal((await p.post('/api/predict', SETOSA, p.ownerToken)).status, 200, 'the owner needs no password');
  });

  it('password guesses are rate-limited (429 with Retry-After)', async () => {
    const cookie = cookieOf(await p.request('GET', `/?t=${p.shareToken}`, { token: null }));
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await p.request('POST', '/unlock', { token: null, body: 'password=guess' + i, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9' } });
      statuses.push(res.status);
      retryAfter ??= res.headers.get('retry-after');
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.deepEqual(statuses.slice(10), [429, 429]);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter}`);
  });
});

describe('server: per-client rate limits', function () {
  this.timeout(20_000);
  let p: Preview;
  before(async () => (p = await startPreview(IRIS_MODEL, { rateLimits: { predictionsPerMinute: 5, feedbackPerMinute: 2 } })));
  after(() => p?.stop());

  // What a tunnel's edge adds: the address it saw, last (anything before it came from the visitor).
  const from = (client: string) => ({ 'x-forwarded-for': `10.9.9.9, ${client}` });

  it('predictions beyond the budget get 429 with Retry-After, on the fast path and through express, per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await p.post('/api/predict', SETOSA, undefined, from('198.51.100.1'))).status);
    statuses.push((await p.post('/api/predict?via=express', SETOSA, undefined, from('198.51.100.1'))).status);
    const over = await p.post('/v2/models/iris/infer', { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }, undefined, from('198.51.100.1'));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    assert.equal(over.status, 429, over.text);
    assert.match(over.json.error, /too many prediction requests from this client; try again in \d+ s/);
    assert.ok(Number(over.headers.get('retry-after')) >= 1);

    assert.equal((await p.post('/api/predict', SETOSA, undefined, from('198.51.100.2'))).status, 200, 'another client has its own budget');
    assert.equal((await p.post('/api/predict', SETOSA, undefined, { 'x-forwarded-for': 'forged-by-visitor, 198.51.100.1' })).status, 429,
      'a visitor cannot get a fresh budget by sending their own X-Forwarded-For entries');
    assert.equal((await p.post('/api/predict', SETOSA, p.ownerToken, from('198.51.100.1'))).status, 200, 'the owner is never limited');
  });

  it('feedback has its own budget', async () => {
    const predicted = await p.post('/api/predict', SETOSA, undefined, from('198.51.100.3'));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await p.post('/api/feedback', { predictionId: predicted.json.predictionId, rating: 'up', idempotencyKey: `k-${i}-${Date.now()}` }, undefined, from('198.51.100.3'));
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [201, 201, 429]);
  });
});

describe('server: the owner token stays secret', function () {
  this.timeout(20_000);
  let p: Preview;
  before(async () => (p = await startPreview(IRIS_MODEL, { password: 'a long enough password', expiresMs: 60_000 })));
  after(() => p?.stop());

  it('is in no link, page, error answer or log line', async () => {
    const seen: string[] = [p.session.shareUrl, JSON.stringify(p.session.shareLink())];
    const cookie = cookieOf(await p.request('GET', `/?t=${p.shareToken}`, { token: null }));
    for (const [method, url, token, headers] of [
      ['GET', '/', null, { cookie, accept: BROWSER_ACCEPT }], ['GET', '/api/card', null, {}], ['GET', '/metrics', undefined, {}],
      ['POST', '/api/predict', `${p.ownerToken}x`, {}], ['GET', '/api/feedback', undefined, {}], ['POST', '/api/share-link/rotate', undefined, {}],
      ['GET', '/nope', p.ownerToken, {}], ['POST', '/v2/models/iris/infer', p.ownerToken, {}],
    ] as const) {
      const res = await p.request(method, url, { token, headers, body: method === 'POST' ? '{"broken' : undefined });
      seen.push(res.text, [...res.headers.entries()].join('\n'));
    }
    seen.push(...p.logs, ...p.events.map((e) => JSON.stringify(e)));
    const leaks = seen.filter((text) => text.includes(p.ownerToken));
    assert.deepEqual(leaks, []);
  });
});
