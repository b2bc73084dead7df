import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { newKey, predictIris, sendFeedback, SETOSA, VIRGINICA } from '../helpers/feedback-kit';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const tokenOf = (link: string): string => new URL(link).searchParams.get('t')!;

/** Named reviewers with their own links: verified names, revocation, invite-only mode, per-invite expiry and limits. */
describe('server: invites (named reviewers with their own links)', function () {
  this.timeout(30_000);
  let dataDir: string;
  let now = Date.parse('2026-11-30T09:00:00.000Z');
  let preview: Preview;
  let dana: string;
  let eve: string;
  let short: string;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mp-invites-'));
    preview = await startPreview(IRIS_MODEL, { dataDir, clock: () => now, watch: false, rateLimits: { predictionsPerMinute: 0, feedbackPerMinute: 3 } });
    const made = await Promise.all(['Dana', 'Eve'].map((name) => preview.post('/api/invites', { name }, preview.ownerToken)));
    made.forEach((r) => assert.equal(r.status, 201, r.text));
    assert.equal(made[0].json.name, 'Dana');
    assert.match(made[0].json.link, new RegExp(`^${preview.baseUrl}/\\?t=[A-Za-z0-9_-]{43}$`));
    assert.equal(made[0].json.expiresAt, undefined);
    [dana, eve] = made.map((r) => tokenOf(r.json.link));
    const expiring = await preview.post('/api/invites', { name: 'Short-lived', expiresInMs: 60_000 }, preview.ownerToken);
    assert.equal(expiring.status, 201, expiring.text);
    assert.equal(expiring.json.expiresAt, '2026-11-30T09:01:00.000Z');
    short = tokenOf(expiring.json.link);
  });
  after(async () => {
    await preview?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('feedback through an invite carries the invite\'s name, verified, whatever name was typed; a typed name stays unverified', async () => {
    const p = await predictIris(preview, VIRGINICA);
    const invited = await sendFeedback(preview, { predictionId: p.predictionId, rating: 'down', expected: 'versicolor', reviewer: 'Mallory', idempotencyKey: newKey() }, dana);
    assert.equal(invited.status, 201, invited.text);
    const typed = await sendFeedback(preview, { predictionId: p.predictionId, rating: 'up', reviewer: 'Dana', idempotencyKey: newKey() });
    assert.equal(typed.status, 201, typed.text);
    const records = (await readFile(path.join(dataDir, 'feedback.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const byId = new Map(records.map((r) => [r.id, r]));
    assert.deepEqual([byId.get(invited.json.id).reviewer, byId.get(invited.json.id).reviewerVerified], ['Dana', true]);
    assert.deepEqual([byId.get(typed.json.id).reviewer, byId.get(typed.json.id).reviewerVerified], ['Dana', false]);
  });

  it('the page learns who its visitor is: an invite link is traded for the cookie, and /api/reviewer names them', async () => {
    const open = await preview.request('GET', `/?t=${dana}`, { token: null });
    assert.equal(open.status, 303);
    const cookie = open.headers.get('set-cookie')!.split(';')[0];
    assert.ok(cookie.endsWith(`=${dana}`), 'the cookie holds the invite token');
    const me = await preview.request('GET', '/api/reviewer', { token: null, headers: { cookie } });
    assert.deepEqual(me.json, { invitedAs: 'Dana' });
    const anonymous = await preview.get('/api/reviewer');
    assert.deepEqual(anonymous.json, {});
  });

  it('"Use via API" and "Open on phone" (GET /api/page-link) hand an invited reviewer their own token, never the general share token (which a revoke would not cut)', async () => {
    const own = await preview.get('/api/page-link', dana);
    assert.equal(own.status, 200, own.text);
    assert.equal(own.json.token, dana);
    const open = await preview.request('GET', `/?t=${eve}`, { token: null });
    const cookie = open.headers.get('set-cookie')!.split(';')[0];
    const viaCookie = await preview.request('GET', '/api/page-link', { token: null, headers: { cookie } });
    assert.equal(viaCookie.json.token, eve);
    assert.equal((await preview.get('/api/page-link')).json.token, preview.shareToken, 'the share link\'s holder gets the share token');
  });

  it('lists invites with last seen and feedback counts, and no token anywhere: not in the list, invites.json or the log', async () => {
    const list = await preview.get('/api/invites', preview.ownerToken);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.inviteOnly, false);
    const danaRow = list.json.invites.find((i: { name: string }) => i.name === 'Dana');
    assert.equal(danaRow.feedback, 1);
    assert.equal(danaRow.lastSeenAt, new Date(now).toISOString());
    assert.equal(list.json.invites.find((i: { name: string }) => i.name === 'Short-lived').lastSeenAt, undefined, 'never used yet');
    const file = await readFile(path.join(dataDir, 'invites.json'), 'utf8');
    assert.equal((await stat(path.join(dataDir, 'invites.json'))).mode & 0o777, 0o600);
    for (const token of [dana, eve, short]) {
      assert.ok(!list.text.includes(token) && !file.includes(token) && !preview.logs.join('\n').includes(token), 'no token stored or shown');
    }
    assert.match(file, /"digest": "[0-9a-f]{64}"/);
    assert.match(await readFile(path.join(dataDir, '.gitignore'), 'utf8'), /^\/invites\.json$/m);
  });

  it('refuses a second invite of a live name (409), an empty or spaced name (400), and revoking an unknown name (404)', async () => {
    const taken = await preview.post('/api/invites', { name: 'Dana' }, preview.ownerToken);
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.json.error, '"Dana" already has an invite link; revoke it first to give them a new one');
    for (const name of ['', ' Dana', 'a\u001bb']) {
      const bad = await preview.post('/api/invites', { name }, preview.ownerToken);
      assert.equal(bad.status, 400, `${JSON.stringify(name)}: ${bad.text}`);
    }
    const extra = await preview.post('/api/invites', { name: 'Zed', admin: true }, preview.ownerToken);
    assert.equal(extra.status, 400);
    assert.equal(extra.json.error, 'unknown field(s): admin');
    const unknown = await preview.post('/api/invites/Nobody/revoke', undefined, preview.ownerToken);
    assert.equal(unknown.status, 404, unknown.text);
    assert.match(unknown.json.error, /^no invite named "Nobody" \(the invites are "Dana", "Eve", "Short-lived"\)$/);
  });

  it('rate limits count per invite: Dana\'s spent budget does not stop Eve on the same connection', async () => {
    const p = await predictIris(preview, SETOSA);
    const send = (token: string) => sendFeedback(preview, { predictionId: p.predictionId, rating: 'up', idempotencyKey: newKey() }, token);
    // Dana sent 1 already (3 a minute).
    assert.deepEqual([(await send(dana)).status, (await send(dana)).status, (await send(dana)).status], [201, 201, 429]);
    assert.equal((await send(eve)).status, 201, 'Eve has her own budget');
  });

  it('an invite expires on its own clock (410), the share link and other invites go on', async () => {
    assert.equal((await preview.get('/api/card', short)).status, 200);
    now += 60_000;
    const expired = await preview.get('/api/card', short);
    assert.equal(expired.status, 410, expired.text);
    assert.equal(expired.json.error, 'this invitation link expired; ask the person who invited you for a new one');
    assert.equal((await preview.get('/api/card', eve)).status, 200);
    assert.equal((await preview.get('/api/card')).status, 200);
    const list = await preview.get('/api/invites', preview.ownerToken);
    assert.equal(list.json.invites.find((i: { name: string }) => i.name === 'Short-lived').expired, true);
  });

  it('revoke: that invite answers 401 as soon as the owner\'s call returns; the others and the share link keep working', async () => {
    assert.equal((await preview.get('/api/card', dana)).status, 200);
    const revoked = await preview.post('/api/invites/Dana/revoke', undefined, preview.ownerToken);
    assert.equal(revoked.status, 200, revoked.text);
    assert.ok(revoked.json.invites.find((i: { name: string }) => i.name === 'Dana').revokedAt);
    const refused = await preview.get('/api/card', dana);
    assert.equal(refused.status, 401, refused.text);
    assert.equal(refused.json.error, 'this invitation link was withdrawn; ask the person who invited you if you should still review');
    const page = await preview.request('GET', `/?t=${dana}`, { token: null });
    assert.equal(page.status, 401, 'a revoked link is not traded for a cookie');
    assert.equal((await preview.get('/api/card', eve)).status, 200);
    assert.equal((await preview.get('/api/card')).status, 200);
  });

  it('invite-only mode: the general share link answers 401 saying so, invites keep working; turned off, the link works again', async () => {
    const on = await preview.post('/api/invite-only', { inviteOnly: true }, preview.ownerToken);
    assert.equal(on.status, 200, on.text);
    assert.equal(on.json.inviteOnly, true);
    const general = await preview.get('/api/card');
    assert.equal(general.status, 401);
    assert.equal(general.json.error, 'this preview takes invited reviewers only; ask the person who shared it for your own invitation link');
    const page = await preview.request('GET', `/?t=${preview.shareToken}`, { token: null, headers: { accept: 'text/html' } });
    assert.equal(page.status, 401);
    assert.match(page.text, /invited reviewers only/);
    assert.equal((await preview.post('/api/predict', { inputs: { features: SETOSA } })).status, 401, 'the inference fast path refuses it too');
    assert.equal((await preview.post('/api/predict', { inputs: { features: SETOSA } }, eve)).status, 200);
    const off = await preview.post('/api/invite-only', { inviteOnly: false }, preview.ownerToken);
    assert.equal(off.json.inviteOnly, false);
    assert.equal((await preview.get('/api/card')).status, 200);
  });

  it('after a restart: the revoked invite stays revoked, the live one works, the mode and last seen are kept', async () => {
    await preview.post('/api/invite-only', { inviteOnly: true }, preview.ownerToken);
    await preview.stop();
    preview = await startPreview(IRIS_MODEL, { dataDir, clock: () => now, watch: false });
    assert.equal((await preview.get('/api/card', dana)).status, 401);
    assert.equal((await preview.get('/api/card', eve)).status, 200);
    assert.equal((await preview.get('/api/card')).status, 401, 'still invite-only');
    const list = await preview.get('/api/invites', preview.ownerToken);
    assert.ok(list.json.invites.find((i: { name: string }) => i.name === 'Dana').lastSeenAt, 'last seen kept across the restart');
    const flag = await startPreview(IRIS_MODEL, { dataDir: await mkdtemp(path.join(os.tmpdir(), 'mp-invites-flag-')), inviteOnly: true, watch: false });
    try {
      assert.equal((await flag.get('/api/card')).status, 401, 'serve --invite-only starts with the share link off');
    } finally {
      await flag.stop();
      await rm(flag.dataDir, { recursive: true, force: true });
    }
  });
});

describe('server: an invite link needs the preview\'s password too', function () {
  this.timeout(20_000);
  let preview: Preview;
  before(async () => {
    preview = await startPreview(IRIS_MODEL, { password: 'correct horse', watch: false });
  });
  after(async () => preview?.stop());

  it('without the password: 401 asking for it; with it: in, as the invited reviewer', async () => {
    const made = await preview.post('/api/invites', { name: 'Dana' }, preview.ownerToken);
    const token = tokenOf(made.json.link);
    const locked = await preview.get('/api/reviewer', token);
    assert.equal(locked.status, 401);
    assert.match(locked.json.error, /^this preview needs its password/);
    const open = await preview.get('/api/reviewer', token, { 'x-preview-password': 'correct horse' });
    assert.equal(open.status, 200, open.text);
    assert.deepEqual(open.json, { invitedAs: 'Dana' });
  });
});
