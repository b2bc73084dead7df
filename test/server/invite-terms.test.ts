import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { newKey, sendFeedback, SETOSA } from '../helpers/feedback-kit';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const tokenOf = (link: string): string => new URL(link).searchParams.get('t')!;
const PREDICT = { inputs: { features: SETOSA } };
const PREVIEW_PASSWORD = 'the preview password';
const OLGA_PASSWORD = 'olga from outside';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const cookieOf = (res: { headers: Headers }): string => {
  const header = res.headers.get('set-cookie');
  assert.ok(header, 'a cookie was set');
  return header.split(';')[0];
};

/**
 * An invite's own password and rate limits: for the one reviewer outside the company, a password of their own (which
 * replaces the preview's for their link) and budgets of their own. Everyone else's link works as before.
 */
describe('server: an invite\'s own password and rate limits', function () {
  this.timeout(60_000);
  let dataDir: string;
  let preview: Preview;
  let olga: string;
  let dana: string;
  let rita: string;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mp-invite-terms-'));
    preview = await startPreview(IRIS_MODEL, { dataDir, password: PREVIEW_PASSWORD, watch: false, rateLimits: { predictionsPerMinute: 50, feedbackPerMinute: 2 } });
    const made = await preview.post('/api/invites', { name: 'Olga', password: OLGA_PASSWORD }, preview.ownerToken);
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.ownPassword, true);
    assert.equal(made.json.rateLimits, undefined);
    olga = tokenOf(made.json.link);
    const plain = await preview.post('/api/invites', { name: 'Dana' }, preview.ownerToken);
    assert.equal(plain.json.ownPassword, false);
    dana = tokenOf(plain.json.link);
    const limited = await preview.post('/api/invites', { name: 'Rita', rateLimits: { predictionsPerMinute: 2, feedbackPerMinute: 0 } }, preview.ownerToken);
    assert.equal(limited.status, 201, limited.text);
    assert.deepEqual(limited.json.rateLimits, { predictionsPerMinute: 2, feedbackPerMinute: 0 });
    rita = tokenOf(limited.json.link);
  });
  after(async () => {
    await preview?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a program on Olga\'s link: her own password lets her in, the preview\'s is refused like any wrong password (on both inference paths)', async () => {
    const none = await preview.get('/api/reviewer', olga);
    assert.equal(none.status, 401);
    assert.match(none.json.error, /^this preview needs its password \(programs send it in the x-preview-password header\)$/);
    const previews = await preview.get('/api/reviewer', olga, { 'x-preview-password': PREVIEW_PASSWORD });
    assert.equal(previews.status, 401);
    assert.equal(previews.json.error, 'the password in the x-preview-password header is not right');
    const own = await preview.get('/api/reviewer', olga, { 'x-preview-password': OLGA_PASSWORD });
    assert.equal(own.status, 200, own.text);
    assert.deepEqual(own.json, { invitedAs: 'Olga' });
    assert.equal((await preview.post('/api/predict', PREDICT, olga, { 'x-preview-password': OLGA_PASSWORD })).status, 200, 'the fast path');
    assert.equal((await preview.post('/api/predict?via=express', PREDICT, olga, { 'x-preview-password': OLGA_PASSWORD })).status, 200);
    assert.equal((await preview.post('/api/predict', PREDICT, olga, { 'x-preview-password': PREVIEW_PASSWORD })).status, 401);
    const pageLink = await preview.get('/api/page-link', olga, { 'x-preview-password': OLGA_PASSWORD });
    assert.deepEqual(pageLink.json, { token: olga, passwordHeader: 'x-preview-password' });
  });

  it('another invite and the share link are unaffected: they take the preview\'s password, not Olga\'s', async () => {
    assert.equal((await preview.get('/api/reviewer', dana, { 'x-preview-password': PREVIEW_PASSWORD })).status, 200);
    assert.equal((await preview.get('/api/reviewer', dana, { 'x-preview-password': OLGA_PASSWORD })).status, 401);
    assert.equal((await preview.get('/api/card', undefined, { 'x-preview-password': PREVIEW_PASSWORD })).status, 200);
    assert.equal((await preview.get('/api/card', undefined, { 'x-preview-password': OLGA_PASSWORD })).status, 401);
  });

  it('in a browser: the page asks for Olga\'s password; the preview\'s is "not right", hers unlocks her link only', async () => {
    const cookie = cookieOf(await preview.request('GET', `/?t=${olga}`, { token: null }));
    const form = await preview.request('GET', '/', { token: null, headers: { cookie } });
    assert.equal(form.status, 401);
    assert.match(form.text, /This preview needs a password/);
    const previews = await preview.request('POST', '/unlock', { token: null, body: `password=${encodeURIComponent(PREVIEW_PASSWORD)}`, headers: { cookie, ...FORM } });
    assert.equal(previews.status, 401);
    assert.match(previews.text, /That password is not right/);
    const own = await preview.request('POST', '/unlock', { token: null, body: `password=${encodeURIComponent(OLGA_PASSWORD)}`, headers: { cookie, ...FORM } });
    assert.equal(own.status, 303, own.text);
    const unlock = cookieOf(own);
    assert.ok(!unlock.includes(OLGA_PASSWORD) && !unlock.includes(encodeURIComponent(OLGA_PASSWORD)), 'the cookie does not hold the password');
    const page = await preview.request('GET', '/', { token: null, headers: { cookie: `${cookie}; ${unlock}` } });
    assert.equal(page.status, 200);
    assert.match(page.text, /<script src="assets\/page\.js(\?v=[0-9a-f]+)?"/);
    // Her unlock cookie is no key to another link: Dana's link with it still asks for the preview's password.
    const danaCookie = cookieOf(await preview.request('GET', `/?t=${dana}`, { token: null }));
    assert.equal((await preview.request('GET', '/api/card', { token: null, headers: { cookie: `${danaCookie}; ${unlock}` } })).status, 401);
    // And the share link's unlock cookie (a browser that opened both links) does not open hers.
    const shareCookie = cookieOf(await preview.request('GET', `/?t=${preview.shareToken}`, { token: null }));
    const shareUnlock = cookieOf(await preview.request('POST', '/unlock', { token: null, body: `password=${encodeURIComponent(PREVIEW_PASSWORD)}`, headers: { cookie: shareCookie, ...FORM } }));
    assert.equal((await preview.request('GET', '/', { token: null, headers: { cookie: `${cookie}; ${shareUnlock}` } })).status, 401);
  });

  it('an invite\'s own rate limit replaces the preview\'s for that invite only: 429 for Rita, Dana goes on', async () => {
    const predict = (token: string) => preview.post('/api/predict', PREDICT, token, { 'x-preview-password': PREVIEW_PASSWORD }).then((r) => r.status);
    assert.deepEqual([await predict(rita), await predict(rita), await predict(rita)], [200, 200, 429]);
    assert.equal(await predict(dana), 200, 'Dana has the preview\'s 50 a minute');
    // Feedback: the preview allows 2 a minute, Rita's own 0 means no limit for her.
    const p = await preview.post('/api/predict', PREDICT, preview.ownerToken);
    const send = (token: string) => sendFeedback(preview, { predictionId: p.json.predictionId, rating: 'up', idempotencyKey: newKey() }, token, { 'x-preview-password': PREVIEW_PASSWORD }).then((r) => r.status);
    assert.deepEqual([await send(rita), await send(rita), await send(rita)], [201, 201, 201]);
    assert.deepEqual([await send(dana), await send(dana), await send(dana)], [201, 201, 429]);
  });

  it('bad values are 400 naming the field, and nothing is stored', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ name: 'Zed', password: 'short' }, /^password: must be at least 8 characters/],
      [{ name: 'Zed', password: 12345678 }, /^password: must be a string/],
      [{ name: 'Zed', rateLimits: { predictionsPerMinute: -1 } }, /^rateLimits\.predictionsPerMinute: must be a whole number >= 0/],
      [{ name: 'Zed', rateLimits: { feedbackPerMinute: 1.5 } }, /^rateLimits\.feedbackPerMinute: must be a whole number >= 0/],
      [{ name: 'Zed', rateLimits: { burst: 3 } }, /^rateLimits: unknown field\(s\): burst/],
      [{ name: 'Zed', rateLimits: 5 }, /^rateLimits: must be \{/],
    ];
    for (const [body, message] of bad) {
      const res = await preview.post('/api/invites', body, preview.ownerToken);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.json.error, message);
      assert.ok(!res.text.includes('short"') && !res.text.includes('12345678'), 'the error does not quote the password');
    }
    const list = await preview.get('/api/invites', preview.ownerToken);
    assert.deepEqual(list.json.invites.map((i: { name: string }) => i.name), ['Olga', 'Dana', 'Rita']);
    assert.ok(!(await readFile(path.join(dataDir, 'invites.json'), 'utf8')).includes('Zed'));
  });

  it('the list says which invite has its own password (never the password) and its limits; invites.json holds only a scrypt hash; no log has it', async () => {
    const list = await preview.get('/api/invites', preview.ownerToken);
    const row = (name: string) => list.json.invites.find((i: { name: string }) => i.name === name);
    assert.deepEqual([row('Olga').ownPassword, row('Olga').rateLimits], [true, undefined]);
    assert.deepEqual([row('Dana').ownPassword, row('Dana').rateLimits], [false, undefined]);
    assert.deepEqual([row('Rita').ownPassword, row('Rita').rateLimits], [false, { predictionsPerMinute: 2, feedbackPerMinute: 0 }]);
    const file = await readFile(path.join(dataDir, 'invites.json'), 'utf8');
    const stored = JSON.parse(file).invites.find((i: { name: string }) => i.name === 'Olga');
    assert.match(stored.passwordHash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    for (const text of [file, list.text, preview.logs.join('\n')]) {
      assert.ok(!text.includes(OLGA_PASSWORD) && !text.includes(Buffer.from(OLGA_PASSWORD).toString('base64')), 'no password in clear');
    }
  });

  it('after a restart: Olga\'s password and her unlock cookie still work, the preview\'s still does not; Rita keeps her limit', async () => {
    const cookie = cookieOf(await preview.request('GET', `/?t=${olga}`, { token: null }));
    const unlock = cookieOf(await preview.request('POST', '/unlock', { token: null, body: `password=${encodeURIComponent(OLGA_PASSWORD)}`, headers: { cookie, ...FORM } }));
    await preview.stop();
    preview = await startPreview(IRIS_MODEL, { dataDir, password: PREVIEW_PASSWORD, watch: false, rateLimits: { predictionsPerMinute: 50, feedbackPerMinute: 2 } });
    assert.equal((await preview.post('/api/predict', PREDICT, olga, { 'x-preview-password': OLGA_PASSWORD })).status, 200, 'checked against the stored hash');
    assert.equal((await preview.get('/api/card', olga, { 'x-preview-password': PREVIEW_PASSWORD })).status, 401);
    assert.equal((await preview.request('GET', '/', { token: null, headers: { cookie: `${cookie}; ${unlock}` } })).status, 200, 'the unlock cookie survives the restart');
    const predict = () => preview.post('/api/predict', PREDICT, rita, { 'x-preview-password': PREVIEW_PASSWORD }).then((r) => r.status);
    assert.deepEqual([await predict(), await predict(), await predict()], [200, 200, 429]);
  });

  it('a burst of guesses at once does not queue slow hashes: beyond two checks running, 429 "try again in 1 s"', async () => {
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      preview.get('/api/card', olga, { 'x-preview-password': `burst guess ${i}`, 'x-forwarded-for': `198.51.100.${i}` })));
    const statuses = burst.map((r) => r.status).sort();
    assert.ok(statuses.every((s) => s === 401 || s === 429), statuses.join());
    const busy = burst.filter((r) => r.status === 429);
    assert.ok(busy.length >= 1 && busy.length <= 6, `some of the burst waited for nothing: ${statuses.join()}`);
    assert.equal(busy[0].json.error, 'too many passwords are being checked at once; try again in 1 s');
    assert.equal(busy[0].headers.get('retry-after'), '1');
    assert.equal((await preview.get('/api/card', olga, { 'x-preview-password': OLGA_PASSWORD })).status, 200, 'the right password gets in after the burst');
  });

  it('wrong guesses at Olga\'s password count against the same guessing budgets as the preview\'s: 429 after 10 from one client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await preview.get('/api/card', olga, { 'x-preview-password': `guess number ${i}`, 'x-forwarded-for': '203.0.113.7' })).status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
    const right = await preview.get('/api/card', olga, { 'x-preview-password': OLGA_PASSWORD, 'x-forwarded-for': '203.0.113.7' });
    assert.equal(right.status, 429, 'once the budget is spent, even the right password is refused: the answer tells a guesser nothing');
    assert.equal((await preview.get('/api/card', olga, { 'x-preview-password': OLGA_PASSWORD, 'x-forwarded-for': '203.0.113.8' })).status, 200, 'another client is not locked out');
  });
});

describe('server: an invite\'s own password on a preview that has none', function () {
  this.timeout(30_000);
  let preview: Preview;
  before(async () => {
    preview = await startPreview(IRIS_MODEL, { watch: false });
  });
  after(async () => {
    await preview?.stop();
    await rm(preview.dataDir, { recursive: true, force: true });
  });

  it('only that link asks for a password; the share link and the other invites need none', async () => {
    const olga = tokenOf((await preview.post('/api/invites', { name: 'Olga', password: OLGA_PASSWORD }, preview.ownerToken)).json.link);
    const dana = tokenOf((await preview.post('/api/invites', { name: 'Dana' }, preview.ownerToken)).json.link);
    const locked = await preview.get('/api/card', olga);
    assert.equal(locked.status, 401);
    assert.match(locked.json.error, /needs its password/);
    assert.equal((await preview.get('/api/card', olga, { 'x-preview-password': OLGA_PASSWORD })).status, 200);
    assert.equal((await preview.get('/api/card', dana)).status, 200);
    assert.equal((await preview.get('/api/card')).status, 200);
    assert.deepEqual((await preview.get('/api/page-link', dana)).json, { token: dana }, 'no password header for a link that needs none');
    const cookie = cookieOf(await preview.request('GET', `/?t=${olga}`, { token: null }));
    const form = await preview.request('GET', '/', { token: null, headers: { cookie } });
    assert.equal(form.status, 401);
    assert.match(form.text, /<form method="post" action="unlock">/);
  });
});
