import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { networkInterfaces } from 'node:os';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/**
 * The share and unlock cookies are `Secure` behind an HTTPS tunnel — a request from loopback (where every tunnel
 * delivers) saying `X-Forwarded-Proto: https` — so a browser never sends them over plain HTTP; on plain local http
 * they are not (a Secure cookie would never come back), and a client that is not on loopback cannot ask for it.
 */
const PASSWORD = 'correct horse battery staple';

/** GET /?t= and POST /unlock from `localAddress` to `host`, returning the Set-Cookie headers. */
function cookiesFrom(p: Preview, host: string, headers: Record<string, string>): Promise<string[]> {
  const ask = (method: string, path: string, extra: Record<string, string>, body?: string) => new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request({ host, port: p.port, method, path, headers: { ...headers, ...extra } }, (res) => {
      res.resume();
      resolve(res);
    });
    req.on('error', reject);
    req.end(body);
  });
  return (async () => {
    const link = await ask('GET', `/?t=${p.shareToken}`, {});
    assert.equal(link.statusCode, 303);
    const share = link.headers['set-cookie']!;
    const unlock = await ask('POST', '/unlock', { cookie: share[0].split(';')[0], 'content-type': 'application/x-www-form-urlencoded' }, `password=${encodeURIComponent(PASSWORD)}`);
    assert.equal(unlock.statusCode, 303);
    return [...share, ...unlock.headers['set-cookie']!];
  })();
}

describe('server: Secure cookies behind an HTTPS tunnel', function () {
  this.timeout(20_000);
  let p: Preview;
  before(async () => (p = await startPreview(IRIS_MODEL, { password: PASSWORD, host: '0.0.0.0' })));
  after(() => p?.stop());

  it('X-Forwarded-Proto: https from loopback: both cookies are Secure (and still HttpOnly, SameSite=Lax)', async () => {
    const cookies = await cookiesFrom(p, '127.0.0.1', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'preview.example.com' });
    assert.equal(cookies.length, 2);
    for (const cookie of cookies) {
      assert.match(cookie, /;\s*Secure/i, cookie);
      assert.match(cookie, /;\s*HttpOnly/i, cookie);
      assert.match(cookie, /;\s*SameSite=Lax/i, cookie);
    }
  });

  it('plain local http: neither is Secure', async () => {
    const cookies = await cookiesFrom(p, '127.0.0.1', {});
    assert.equal(cookies.length, 2);
    for (const cookie of cookies) assert.doesNotMatch(cookie, /;\s*Secure/i, cookie);
  });

  it('a client that is not on loopback cannot make them Secure by saying X-Forwarded-Proto (only a tunnel on this machine is trusted)', async () => {
    const address = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    assert.ok(address, 'this test needs a network interface with an IPv4 address besides loopback');
    const cookies = await cookiesFrom(p, address, { 'x-forwarded-proto': 'https' });
    for (const cookie of cookies) assert.doesNotMatch(cookie, /;\s*Secure/i, cookie);
  });
});
