import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Request } from 'express';
import { AccessControl, newToken } from '../../src/core/server/access';
import { loadOrCreateTokens, saveTokens, tokensFile } from '../../src/core/server/token-store';

interface FakeRequest {
  authorization?: string;
  cookie?: string;
  t?: unknown;
}

const fakeReq = ({ authorization, cookie, t }: FakeRequest): Request => ({
  headers: { ...(authorization !== undefined ? { authorization } : {}), ...(cookie !== undefined ? { cookie } : {}) },
  query: t !== undefined ? { t } : {},
}) as unknown as Request;

describe('newToken', () => {
  it('makes 256-bit base64url tokens', () => {
    const t = newToken();
    assert.match(t, /^[A-Za-z0-9_-]{43,}$/);
    assert.equal(Buffer.from(t, 'base64url').length, 32);
  });

  it('makes a different token on every call', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newToken()));
    assert.equal(seen.size, 200);
  });
});

describe('AccessControl.levelOf', () => {
  const tokens = { shareToken: newToken(), ownerToken: newToken(), shareIssuedAt: new Date().toISOString() };
  const ac = new AccessControl(tokens);
  const cookieFor = (value: string, name = ac.cookieName) => `other=1; ${name}=${value}; last=2`;

  it('grants owner for the owner token in a Bearer header', () => {
    assert.equal(ac.levelOf(fakeReq({ authorization: `Bearer ${tokens.ownerToken}` })), 'owner');
  });

  it('grants share for the share token via Bearer, ?t= and the cookie', () => {
    assert.equal(ac.levelOf(fakeReq({ authorization: `Bearer ${tokens.shareToken}` })), 'share');
    assert.equal(ac.levelOf(fakeReq({ t: tokens.shareToken })), 'share');
    assert.equal(ac.levelOf(fakeReq({ cookie: cookieFor(tokens.shareToken) })), 'share');
  });

  it('never accepts the owner token from the URL or a cookie', () => {
    assert.equal(ac.levelOf(fakeReq({ t: tokens.ownerToken })), undefined);
    assert.equal(ac.levelOf(fakeReq({ cookie: cookieFor(tokens.ownerToken) })), undefined);
  });

  it('refuses a wrong, empty or missing token', () => {
    assert.equal(ac.levelOf(fakeReq({})), undefined);
    assert.equal(ac.levelOf(fakeReq({ authorization: `Bearer ${newToken()}` })), undefined);
    assert.equal(ac.levelOf(fakeReq({ authorization: 'Bearer ' })), undefined);
    assert.equal(ac.levelOf(fakeReq({ t: newToken() })), undefined);
    assert.equal(ac.levelOf(fakeReq({ t: '' })), undefined);
    assert.equal(ac.levelOf(fakeReq({ t: tokens.shareToken.slice(0, -1) })), undefined);
    assert.equal(ac.levelOf(fakeReq({ cookie: cookieFor(newToken()) })), undefined);
  });

  it('ignores the share token in a cookie with another name', () => {
    assert.equal(ac.levelOf(fakeReq({ cookie: cookieFor(tokens.shareToken, 'mp_share_deadbeef') })), undefined);
  });

  it('ignores a ?t= given more than once (an array)', () => {
    assert.equal(ac.levelOf(fakeReq({ t: [tokens.shareToken, tokens.shareToken] })), undefined);
  });

  it('after rotateShareToken the old share token is refused everywhere and the new one accepted', () => {
    const own = { shareToken: newToken(), ownerToken: newToken(), shareIssuedAt: new Date().toISOString() };
    const control = new AccessControl(own);
    const old = own.shareToken;
    const rotated = control.rotateShareToken();
    assert.notEqual(rotated.shareToken, old);
    assert.equal(rotated.ownerToken, own.ownerToken);
    assert.equal(control.shareToken, rotated.shareToken);
    for (const req of [{ authorization: `Bearer ${old}` }, { t: old }, { cookie: `${control.cookieName}=${old}` }]) {
      assert.equal(control.levelOf(fakeReq(req)), undefined);
    }
    for (const req of [{ authorization: `Bearer ${rotated.shareToken}` }, { t: rotated.shareToken }, { cookie: `${control.cookieName}=${rotated.shareToken}` }]) {
      assert.equal(control.levelOf(fakeReq(req)), 'share');
    }
    assert.equal(control.levelOf(fakeReq({ authorization: `Bearer ${own.ownerToken}` })), 'owner');
  });

  it('uses a different cookie name per owner token, stable for the same one', () => {
    const owner = newToken();
    const a = new AccessControl({ shareToken: newToken(), ownerToken: owner, shareIssuedAt: new Date().toISOString() });
    const b = new AccessControl({ shareToken: newToken(), ownerToken: newToken(), shareIssuedAt: new Date().toISOString() });
    const a2 = new AccessControl({ shareToken: newToken(), ownerToken: owner, shareIssuedAt: new Date().toISOString() });
    assert.match(a.cookieName, /^mp_share_[0-9a-f]{8}$/);
    assert.notEqual(a.cookieName, b.cookieName);
    assert.equal(a.cookieName, a2.cookieName);
    assert.ok(!a.cookieName.includes(owner.slice(0, 8)), 'the cookie name does not leak the owner token');
  });
});

describe('token store', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('creates tokens.json (mode 0600) and a .gitignore that lists it', async () => {
    const dataDir = path.join(dir, '.model-preview');
    const tokens = await loadOrCreateTokens(dataDir);
    assert.match(tokens.shareToken, /^[A-Za-z0-9_-]{43}$/);
    assert.match(tokens.ownerToken, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(tokens.shareToken, tokens.ownerToken);
    const file = tokensFile(dataDir);
    assert.equal(file, path.join(dataDir, 'tokens.json'));
    if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), tokens);
    const ignore = fs.readFileSync(path.join(dataDir, '.gitignore'), 'utf8').split('\n').map((l) => l.trim());
    assert.ok(ignore.includes('/tokens.json'), ignore.join('|'));
    assert.ok(ignore.includes('/server.json'), ignore.join('|'));
  });

  it('adds to a .gitignore the user wrote, once, keeping their lines', async () => {
    fs.writeFileSync(path.join(dir, '.gitignore'), 'blobs/\ntokens.json');
    await loadOrCreateTokens(dir);
    await saveTokens(dir, new AccessControl(await loadOrCreateTokens(dir)).rotateShareToken());
    const text = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
    assert.ok(text.startsWith('blobs/\ntokens.json\n\n# >>> model-preview'), text);
    assert.ok(text.endsWith('/tokens.json\n/tokens.json.*.tmp\n/invites.json\n/invites.json.*.tmp\n/server.json\n/server.json.*\n/server.log\n/address.json\n/address.json.*.tmp\n/*.jsonl.torn-*\n/predictions.jsonl\n/feedback.jsonl\n/regressions.jsonl\n/blobs/\n# <<< model-preview\n'), text);
    assert.equal(text.match(/# >>> model-preview/g)?.length, 1, 'written once');
  });

  it('returns the same tokens on the second call', async () => {
    const first = await loadOrCreateTokens(dir);
    const second = await loadOrCreateTokens(dir);
    assert.deepEqual(second, first);
  });

  it('keeps tokens saved after a rotation', async () => {
    const first = await loadOrCreateTokens(dir);
    const rotated = new AccessControl(first).rotateShareToken();
    await saveTokens(dir, rotated);
    assert.deepEqual(await loadOrCreateTokens(dir), rotated);
  });

  it('replaces an unreadable or too short tokens file with fresh tokens', async () => {
    fs.writeFileSync(path.join(dir, 'tokens.json'), '{not json');
    const fresh = await loadOrCreateTokens(dir);
    assert.match(fresh.shareToken, /^[A-Za-z0-9_-]{43}$/);
    fs.writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify({ shareToken: 'short', ownerToken: 'short' }));
    const again = await loadOrCreateTokens(dir);
    assert.notEqual(again.shareToken, 'short');
    assert.deepEqual(JSON.parse(fs.readFileSync(tokensFile(dir), 'utf8')), again);
  });
});
