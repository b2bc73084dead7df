import * as assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createApp } from '../../src/core/server/app';
import { newToken } from '../../src/core/server/access';
import { RateLimits } from '../../src/core/server/rate-limits';
import { IRIS_MODEL, startPreview, type Preview, type Reply } from '../helpers/preview';

/**
 * Which credentials every route accepts, as one table: every route of the app × no token, the share token (Bearer and
 * the page's cookie), the owner token, a wrong token, an expired link, a replaced (rotated) link, and the share token
 * without the link's password. The routes are read from the express app itself, so a route added without a row here
 * fails the test, and a guard lost anywhere changes a cell.
 */
type Access = 'public' | 'share' | 'owner' | 'unlock';
type Credential = 'none' | 'share' | 'share-cookie' | 'owner' | 'wrong' | 'expired' | 'rotated' | 'locked';
const CREDENTIALS: Credential[] = ['none', 'share', 'share-cookie', 'owner', 'wrong', 'expired', 'rotated', 'locked'];

const PASSWORD = 'correct horse battery staple';
const V2_BODY = { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };

interface Row {
  access: Access;
  /** The concrete URL (route parameters filled in). */
  url: (version: string) => string;
  body?: unknown;
  /** The status an admitted request gets. */
  ok: number;
  /** An answer that never ends by itself (an event stream): read until this matches. */
  streamUntil?: RegExp;
}

/** One row per route and method of the app (`_all` is the 405 of each route, not a method). */
const TABLE: Record<string, Row> = {
  'GET /v2/health/live': { access: 'public', url: () => '/v2/health/live', ok: 200 },
  'GET /v2/health/ready': { access: 'public', url: () => '/v2/health/ready', ok: 200 },
  'GET /v2': { access: 'share', url: () => '/v2', ok: 200 },
  'GET /v2/models/:name': { access: 'share', url: () => '/v2/models/iris', ok: 200 },
  'GET /v2/models/:name/ready': { access: 'share', url: () => '/v2/models/iris/ready', ok: 200 },
  'POST /v2/models/:name/infer': { access: 'share', url: () => '/v2/models/iris/infer', body: V2_BODY, ok: 200 },
  'GET /v2/models/:name/versions/:version': { access: 'share', url: (v) => `/v2/models/iris/versions/${v}`, ok: 200 },
  'GET /v2/models/:name/versions/:version/ready': { access: 'share', url: (v) => `/v2/models/iris/versions/${v}/ready`, ok: 200 },
  'POST /v2/models/:name/versions/:version/infer': { access: 'share', url: (v) => `/v2/models/iris/versions/${v}/infer`, body: V2_BODY, ok: 200 },
  'GET /v2/models/:name/config': { access: 'share', url: () => '/v2/models/iris/config', ok: 200 },
  'GET /v2/models/:name/versions/:version/config': { access: 'share', url: (v) => `/v2/models/iris/versions/${v}/config`, ok: 200 },
  'POST /api/predict': { access: 'share', url: () => '/api/predict', body: { inputs: { features: [5.1, 3.5, 1.4, 0.2] } }, ok: 200 },
  'GET /api/card': { access: 'share', url: () => '/api/card', ok: 200 },
  'GET /openapi.json': { access: 'share', url: () => '/openapi.json', ok: 200 },
  'GET /api/page-link': { access: 'share', url: () => '/api/page-link', ok: 200 },
  'GET /api/page-events': { access: 'share', url: () => '/api/page-events', ok: 200, streamUntil: /event: hello\n/ },
  'GET /metrics': { access: 'owner', url: () => '/metrics', ok: 200 },
  // An admitted feedback with no prediction behind it is a 400 naming the field; a refused one never gets that far.
  'POST /api/feedback': { access: 'share', url: () => '/api/feedback', body: { rating: 'up', idempotencyKey: 'route-table-1' }, ok: 400 },
  'GET /api/feedback': { access: 'owner', url: () => '/api/feedback', ok: 200 },
  'GET /api/stats': { access: 'owner', url: () => '/api/stats', ok: 200 },
  'GET /api/share-link': { access: 'owner', url: () => '/api/share-link', ok: 200 },
  'POST /api/share-link/rotate': { access: 'owner', url: () => '/api/share-link/rotate', ok: 200 },
  // Admitted invite requests that cannot be done (an empty name, an unknown invite, a mode that is not a boolean).
  'GET /api/invites': { access: 'owner', url: () => '/api/invites', ok: 200 },
  'POST /api/invites': { access: 'owner', url: () => '/api/invites', body: { name: '' }, ok: 400 },
  'POST /api/invites/:name/revoke': { access: 'owner', url: () => '/api/invites/nobody/revoke', ok: 404 },
  'POST /api/invite-only': { access: 'owner', url: () => '/api/invite-only', body: { inviteOnly: 'yes' }, ok: 400 },
  'GET /api/reviewer': { access: 'share', url: () => '/api/reviewer', ok: 200 },
  // Review sets: listed and paged for the page; a set that is not there is 404, a body with no file 400.
  'GET /api/review-sets': { access: 'share', url: () => '/api/review-sets', ok: 200 },
  'POST /api/review-sets': { access: 'owner', url: () => '/api/review-sets', body: { name: 'x' }, ok: 400 },
  'GET /api/review-sets/:name/cases': { access: 'share', url: () => '/api/review-sets/none/cases', ok: 404 },
  'POST /api/review-sets/:name/remove': { access: 'owner', url: () => '/api/review-sets/none/remove', ok: 404 },
  'GET /api/review-sets/:name/progress': { access: 'share', url: () => '/api/review-sets/none/progress?reviewer=x', ok: 404 },
  'PUT /api/review-sets/:name/progress': { access: 'share', url: () => '/api/review-sets/none/progress', body: { position: 0, reviewer: 'x' }, ok: 404 },
  'POST /api/review-sets/:name/open': { access: 'share', url: () => '/api/review-sets/none/open', body: { offset: 0 }, ok: 404 },
  'GET /api/regressions': { access: 'owner', url: () => '/api/regressions', ok: 200 },
  'GET /api/server': { access: 'owner', url: () => '/api/server', ok: 200 },
  // A session started in-process (no `serve` behind it) cannot be stopped over HTTP: 409 says where to stop it.
  'POST /api/server/stop': { access: 'owner', url: () => '/api/server/stop', ok: 409 },
  'GET /': { access: 'share', url: () => '/', ok: 200 },
  'POST /unlock': { access: 'unlock', url: () => '/unlock', body: `password=${encodeURIComponent(PASSWORD)}`, ok: 303 },
  'GET /page-sw.js': { access: 'share', url: () => '/page-sw.js', ok: 200 },
  'GET /assets/:name': { access: 'share', url: () => '/assets/page.js', ok: 200 },
};

const SHARE_REQUIRED = /^a valid share link or token is required/;
const OWNER_REQUIRED = /^this needs the owner token \(Authorization: Bearer <owner token>\); the owner finds it in tokens\.json/;
const REPLACED = /^this share link was replaced by a new one; ask the person who shared it for the new link$/;
const PASSWORD_REQUIRED = /^this preview needs its password/;
const EXPIRED = /^this share link expired at /;

/** What a cell must be: admitted (the row's `ok` status), or refused with this status and message. */
type Expected = 'ok' | [number, RegExp | 'password form'];

function expected(access: Access, credential: Credential, method: string, url: string): Expected {
  if (access === 'public') return 'ok';
  if (credential === 'expired') return [410, EXPIRED];
  if (credential === 'owner') return access === 'unlock' ? [401, SHARE_REQUIRED] : 'ok';
  if (access === 'owner') return [401, OWNER_REQUIRED];
  if (credential === 'share' || credential === 'share-cookie') return 'ok';
  if (credential === 'rotated') return [401, REPLACED];
  if (credential === 'locked') {
    if (access === 'unlock') return 'ok'; // the form is how a locked link is unlocked
    return method === 'GET' && url === '/' ? [401, 'password form'] : [401, PASSWORD_REQUIRED];
  }
  return [401, SHARE_REQUIRED];
}

/** The routes of an express app, as "METHOD /path" (read from its router, so none can be left out). */
function routesOf(app: ReturnType<typeof createApp>): string[] {
  interface Layer { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } }
  const routes: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) routes.push(...Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${layer.route!.path}`));
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return routes;
}

describe('server: which credentials every route accepts (route × credential table)', function () {
  this.timeout(60_000);
  let p: Preview;
  let expiredPreview: Preview;
  let rotatedToken: string;

  before(async () => {
    let now = Date.now();
    [p, expiredPreview] = await Promise.all([
      startPreview(IRIS_MODEL, { password: PASSWORD }),
      startPreview(IRIS_MODEL, { password: PASSWORD, expiresMs: 1_000, clock: () => now }),
    ]);
    rotatedToken = p.session.access.shareToken;
    await p.session.rotateShareLink();
    now += 1_000;
    assert.ok(expiredPreview.session.access.expired);
  });
  after(async () => Promise.all([p?.stop(), expiredPreview?.stop()]));

  it('the table has exactly the app\'s routes', () => {
    const s = p.session;
    const app = createApp({
      backend: s, feedback: s.feedback, access: s.access, metrics: s.metrics, shareLink: s, invites: s, reviewSets: s.reviewSets, regressions: () => s.regressions.all(),
      server: s, pageEvents: s.pageEvents, bodyLimitBytes: 1024, log: () => undefined,
      rateLimits: new RateLimits({ predictionsPerMinute: 0, feedbackPerMinute: 0 }),
    });
    assert.deepEqual(routesOf(app).sort(), Object.keys(TABLE).sort());
  });

  /**
   * The browser's way in: the share cookie and the unlock cookie (got once per share token: a rotation in the table
   * replaces them), and posts as the page makes them (same origin, JSON).
   */
  const cookiesByToken = new Map<string, string>();
  async function pageCookies(): Promise<string> {
    const token = p.session.access.shareToken;
    if (!cookiesByToken.has(token)) {
      const share = (await p.request('GET', `/?t=${token}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
      const unlocked = await p.request('POST', '/unlock', { token: null, body: `password=${encodeURIComponent(PASSWORD)}`, headers: { cookie: share, 'content-type': 'application/x-www-form-urlencoded' } });
      cookiesByToken.set(token, `${share}; ${unlocked.headers.get('set-cookie')!.split(';')[0]}`);
    }
    return cookiesByToken.get(token)!;
  }

  async function send(credential: Credential, method: string, url: string, body: unknown, streamUntil?: RegExp): Promise<Reply> {
    const target = credential === 'expired' ? expiredPreview : p;
    const form = url === '/unlock';
    const headers: Record<string, string> = form ? { 'content-type': 'application/x-www-form-urlencoded' } : {};
    let token: string | null = null;
    if (credential === 'share') {
      token = p.session.access.shareToken;
      headers['x-preview-password'] = PASSWORD;
    } else if (credential === 'share-cookie') {
      Object.assign(headers, { cookie: await pageCookies(), origin: p.baseUrl, 'sec-fetch-site': 'same-origin' });
      if (method === 'POST' && !form) headers['content-type'] = 'application/json';
    } else if (credential === 'owner') token = p.ownerToken;
    else if (credential === 'wrong') token = newToken();
    else if (credential === 'expired') token = expiredPreview.shareToken;
    else if (credential === 'rotated') token = rotatedToken;
    else if (credential === 'locked') {
      // The form is posted with the link's cookie, programs send the token: each the way it is used.
      if (form) headers.cookie = (await p.request('GET', `/?t=${p.session.access.shareToken}`, { token: null })).headers.get('set-cookie')!.split(';')[0];
      else token = p.session.access.shareToken;
    }
    return target.request(method, url, { token, headers, body, streamUntil });
  }

  for (const [route, row] of Object.entries(TABLE)) {
    const [method] = route.split(' ');
    it(`${route}: ${row.access}`, async () => {
      const version = p.session.card()!.version;
      const problems: string[] = [];
      for (const credential of CREDENTIALS) {
        const url = row.url(version);
        const res = await send(credential, method, url, row.body, row.streamUntil);
        const want = expected(row.access, credential, method, url);
        const got = `${res.status} ${res.text.slice(0, 160)}`;
        if (want === 'ok') {
          if (res.status !== row.ok) problems.push(`${credential}: expected ${row.ok}, got ${got}`);
        } else if (res.status !== want[0]) {
          problems.push(`${credential}: expected ${want[0]}, got ${got}`);
        } else if (want[1] === 'password form' ? !/This preview needs a password/.test(res.text) : !want[1].test(res.json?.error ?? '')) {
          problems.push(`${credential}: expected ${want[1]}, got ${got}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  it('GET /api/events (the events WebSocket): the owner token only', async () => {
    const open = (target: Preview, token: string | undefined) => new Promise<number>((resolve) => {
      const ws = new WebSocket(`${target.baseUrl.replace('http', 'ws')}/api/events`, { headers: token ? { authorization: `Bearer ${token}`, 'x-preview-password': PASSWORD } : {} });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode!);
        ws.terminate();
      });
      ws.once('error', () => undefined);
    });
    const statuses = {
      none: await open(p, undefined), share: await open(p, p.session.access.shareToken), owner: await open(p, p.ownerToken),
      wrong: await open(p, newToken()), expired: await open(expiredPreview, expiredPreview.shareToken), rotated: await open(p, rotatedToken),
      'owner of an expired link': await open(expiredPreview, expiredPreview.ownerToken),
    };
    assert.deepEqual(statuses, { none: 401, share: 401, owner: 101, wrong: 401, expired: 401, rotated: 401, 'owner of an expired link': 101 });
  });
});
