import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { PasswordLockoutEvent } from '../../src/shared/events';
import { IRIS_MODEL, startPreview, type Preview, type Reply } from '../helpers/preview';

/**
 * Guessing the link's password is limited whatever carries the guess — the page's form, a program's
 * X-Preview-Password header, or an unlock cookie computed for a guess (its value is an HMAC anyone holding the link can
 * compute) — per client (10 per minute) and per preview across all clients (30 per 10 minutes), on both inference
 * paths (the fast path and express). Once a budget is spent the right password is refused too, or the answer would
 * still tell the guesser when they hit it; people who unlocked before keep their access.
 */
const PASSWORD = 'correct horse battery staple';
const SETOSA = { inputs: { features: [5.1, 3.5, 1.4, 0.2] } };

describe('server: password guessing is limited, whatever carries the guess', function () {
  this.timeout(30_000);
  let p: Preview;
  beforeEach(async () => (p = await startPreview(IRIS_MODEL, { password: PASSWORD })));
  afterEach(() => p?.stop());

  /** What a tunnel's edge adds: the visitor's address, last. */
  const from = (client: string) => ({ 'x-forwarded-for': client });
  const shareCookie = async (): Promise<string> => {
    const res = await p.request('GET', `/?t=${p.shareToken}`, { token: null });
    return res.headers.get('set-cookie')!.split(';')[0];
  };
  /** The unlock cookie a guesser computes for a guess, as the server computes it for the right password. */
  const unlockCookieFor = (guess: string) => `${p.session.access.unlockCookieName}=${createHmac('sha256', guess).update(p.shareToken).digest('base64url')}`;
  const headerGuess = (guess: string, client: string, path = '/api/predict') => (path === '/api/card'
    ? p.get(path, undefined, { 'x-preview-password': guess, ...from(client) })
    : p.post(path, SETOSA, undefined, { 'x-preview-password': guess, ...from(client) }));

  it('wrong passwords in the header: 10 get 401 naming the header, the 11th gets 429 with Retry-After, and then the right one is refused too', async () => {
    const answers: Reply[] = [];
    for (let i = 0; i < 11; i++) answers.push(await headerGuess(`guess-${i}`, '198.51.100.7', i % 2 ? '/api/predict' : '/api/predict?via=express'));
    assert.deepEqual(answers.map((a) => a.status), [...Array(10).fill(401), 429]);
    assert.equal(answers[0].json.error, 'the password in the x-preview-password header is not right');
    assert.match(answers[10].json.error, /^too many wrong passwords from this client; try again in \d+ s$/);
    assert.ok(Number(answers[10].headers.get('retry-after')) >= 1);
    for (const path of ['/api/predict', '/api/predict?via=express', '/v2/models/iris']) {
      const right = await p.request(path.startsWith('/v2') ? 'GET' : 'POST', path, { body: path.startsWith('/v2') ? undefined : SETOSA, headers: { 'x-preview-password': PASSWORD, ...from('198.51.100.7') } });
      assert.equal(right.status, 429, `${path}: the right password gets the same 429 as a wrong one while the budget is spent`);
    }
    assert.equal((await headerGuess(PASSWORD, '198.51.100.8')).status, 200, 'another client has its own budget');
  });

  it('the form, the header and a computed unlock cookie spend one per-client budget', async () => {
    const cookie = await shareCookie();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await p.request('POST', '/unlock', { token: null, body: `password=form-${i}`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...from('203.0.113.5') } })).status);
    }
    for (let i = 0; i < 3; i++) statuses.push((await headerGuess(`header-${i}`, '203.0.113.5')).status);
    for (let i = 0; i < 3; i++) {
      statuses.push((await p.request('GET', '/api/card', { token: null, headers: { cookie: `${cookie}; ${unlockCookieFor(`cookie-${i}`)}`, ...from('203.0.113.5') } })).status);
    }
    assert.deepEqual(statuses, Array(10).fill(401));
    const form = await p.request('POST', '/unlock', { token: null, body: `password=${encodeURIComponent(PASSWORD)}`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...from('203.0.113.5') } });
    assert.equal(form.status, 429, 'the form then refuses even the right password');
    assert.match(form.headers.get('content-type')!, /^text\/html/, 'a person gets the password page, not JSON');
    assert.match(form.text, /Too many wrong passwords from this client; try again in \d+ s\./);
    assert.ok(Number(form.headers.get('retry-after')) >= 1);
    assert.equal((await p.request('GET', '/api/card', { token: null, headers: { cookie: `${cookie}; ${unlockCookieFor('cookie-x')}`, ...from('203.0.113.5') } })).status, 429);
  });

  it('60 wrong guesses at once from one client: no more than 10 are answered as checked (401), the rest 429', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => headerGuess(`parallel-${i}`, '192.0.2.44', i % 2 ? '/api/predict' : '/api/card')));
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 401).length, 10, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 50);
  });

  it('a guesser who sends a new X-Forwarded-For each time is stopped by the per-preview budget; the owner is told once; who unlocked before keeps access', async () => {
    // A stakeholder unlocks the page before the guessing starts.
    const cookie = await shareCookie();
    const unlocked = await p.request('POST', '/unlock', { token: null, body: `password=${encodeURIComponent(PASSWORD)}`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    const stakeholder = `${cookie}; ${unlocked.headers.get('set-cookie')!.split(';')[0]}`;

    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await headerGuess(`spoofed-${i}`, `198.18.${i}.1`, i % 3 ? '/api/predict' : '/api/card')).status);
    assert.deepEqual(statuses, [...Array(30).fill(401), ...Array(10).fill(429)]);
    const refused = await headerGuess('one-more', '198.18.200.1');
    assert.match(refused.json.error, /^too many wrong passwords were tried for this preview, so passwords are not checked for \d+ s; /);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter > 500 && retryAfter <= 600, `Retry-After ${retryAfter}`);

    const lockouts = p.events.filter((e): e is PasswordLockoutEvent => e.event === 'password-lockout');
    assert.equal(lockouts.length, 1, 'one event, not one per refused guess');
    assert.equal(lockouts[0].failedAttempts, 30);
    assert.equal(lockouts[0].windowSeconds, 600);
    assert.ok(Math.abs(Date.parse(lockouts[0].until) - (Date.now() + retryAfter * 1000)) < 5_000, lockouts[0].until);

    // The stakeholder who unlocked before: the page, the card and predictions on both paths still work.
    for (const [method, path] of [['GET', '/'], ['GET', '/api/card'], ['POST', '/api/predict'], ['POST', '/api/predict?via=express']] as const) {
      const res = await p.request(method, path, { token: null, body: method === 'POST' ? SETOSA : undefined, headers: { cookie: stakeholder, origin: p.baseUrl, 'sec-fetch-site': 'same-origin' } });
      assert.equal(res.status, 200, `${method} ${path}: ${res.text.slice(0, 200)}`);
    }
    // A new visitor with the right password waits, on both paths; the owner is never limited.
    assert.equal((await headerGuess(PASSWORD, '198.18.250.1')).status, 429);
    assert.equal((await headerGuess(PASSWORD, '198.18.250.1', '/api/predict?via=express')).status, 429);
    assert.equal((await p.post('/api/predict', SETOSA, p.ownerToken)).status, 200);
    // A visitor with the link but no password yet still sees the form (asking costs nothing); posting it waits.
    const fresh = await shareCookie();
    assert.equal((await p.request('GET', '/', { token: null, headers: { cookie: fresh } })).status, 401);
    const form = await p.request('POST', '/unlock', { token: null, body: `password=${encodeURIComponent(PASSWORD)}`, headers: { cookie: fresh, 'content-type': 'application/x-www-form-urlencoded', ...from('198.18.251.1') } });
    assert.equal(form.status, 429);
    assert.match(form.text, /people who already unlocked the page are not affected/);
  });
});
