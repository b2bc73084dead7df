import assert from 'node:assert/strict';
import * as http from 'node:http';
import { INFERENCE_ROUTES, inferencePath } from '../../src/core/server/request-pipeline';
import { IRIS_MODEL, startPreview, type Preview, type Reply } from '../helpers/preview';

const INFER = '/v2/models/iris/infer';
const body = { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };

/** The route label the metrics give a request: tells which path (fast path or express) answered, as both label alike. */
async function requestCount(p: Preview, route: string, status: number): Promise<number> {
  const text = (await p.get('/metrics', p.ownerToken)).text;
  const line = text.split('\n').find((l) => l.startsWith(`model_preview_http_requests_total{route="${route}",method="POST",status="${status}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Every header but those that differ per answer (the date, the connection's own). */
const stableHeaders = (reply: Reply) => Object.fromEntries([...reply.headers].filter(([name]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(name)));

/** Timings and ids differ per answer; the rest of a /api/predict answer must not. */
const stableBody = (reply: Reply) => (reply.json && typeof reply.json === 'object' ? { ...reply.json, predictionId: undefined, timing: undefined } : reply.text);

describe('server: the inference fast path and its express fallback give the same answers', function () {
  this.timeout(20_000);
  let p: Preview;
  before(async () => {
    p = await startPreview(IRIS_MODEL, { workers: 1, bodyLimitBytes: 2000 });
  });
  after(() => p.stop());

  it('the same V2 answer by Bearer token (fast path) and by ?t= query token (express route), both counted in /metrics', async () => {
    const before = await requestCount(p, '/v2/models/:name/infer', 200);
    const fast = await p.post(INFER, body);
    const viaExpress = await p.post(`${INFER}?t=${encodeURIComponent(p.shareToken)}`, body, null);
    assert.equal(fast.status, 200);
    assert.equal(viaExpress.status, 200);
    assert.deepEqual(fast.json.outputs, viaExpress.json.outputs);
    assert.equal(fast.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(fast.headers.get('cache-control'), 'no-store');
    assert.equal(await requestCount(p, '/v2/models/:name/infer', 200), before + 2);
  });

  it('the versioned infer path and /api/predict also work by Bearer token', async () => {
    const version = p.session.card()!.version;
    assert.equal((await p.post(`/v2/models/iris/versions/${version}/infer`, body)).status, 200);
    assert.equal((await p.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } })).status, 200);
  });

  it('a chunked body (no Content-Length) over the limit is 413 with the limit named, and the server keeps serving', async () => {
    const url = new URL(INFER, p.baseUrl);
    const status = await new Promise<{ code: number; text: string }>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { authorization: `Bearer ${p.shareToken}`, 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve({ code: res.statusCode!, text }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(500));
      req.end();
    });
    assert.equal(status.code, 413);
    assert.equal(JSON.parse(status.text).error, 'the request body is larger than the limit of 2000 bytes');
    assert.equal((await p.post(INFER, body)).status, 200);
  });

  it('a bad request by Bearer token gets the same named 400 as by the express route', async () => {
    const bad = { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] };
    const fast = await p.post(INFER, bad);
    const viaExpress = await p.post(`${INFER}?t=${encodeURIComponent(p.shareToken)}`, bad, null);
    assert.equal(fast.status, 400);
    assert.deepEqual(fast.json, viaExpress.json);
    assert.match(fast.json.error, /^input 'features': expected shape \[batch, 4\]/);
  });

  it('every inference route answers alike on both fronts: status, body and every header, for a success and a 400', async () => {
    const model = p.session.card()!;
    const good = { v2: body, predict: { inputs: { features: [5.1, 3.5, 1.4, 0.2] } } };
    const bad = { v2: { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }, predict: { inputs: { features: [1, 2, 3] } } };
    for (const route of INFERENCE_ROUTES) {
      const url = inferencePath(route, model);
      for (const [what, sent] of [['success', good[route.kind]], ['bad input', bad[route.kind]]] as const) {
        const fast = await p.post(url, sent);
        const viaExpress = await p.post(`${url}?t=${encodeURIComponent(p.shareToken)}`, sent, null);
        assert.equal(fast.status, what === 'success' ? 200 : 400, `${route.pattern} ${what}: ${fast.text}`);
        assert.equal(viaExpress.status, fast.status, `${route.pattern} ${what}: ${viaExpress.text}`);
        assert.deepEqual(stableBody(viaExpress), stableBody(fast), `${route.pattern} ${what}`);
        assert.deepEqual(stableHeaders(viaExpress), stableHeaders(fast), `${route.pattern} ${what}`);
      }
    }
  });
});

describe('server: rate limits are the same on both fronts', function () {
  this.timeout(20_000);
  let p: Preview;
  before(async () => {
    p = await startPreview(IRIS_MODEL, { workers: 1, rateLimits: { predictionsPerMinute: 1, feedbackPerMinute: 0 } });
  });
  after(() => p.stop());

  it('one prediction a minute: the second gets the same 429, message and Retry-After by Bearer token as by the express route; the owner is not limited', async () => {
    assert.equal((await p.post(INFER, body)).status, 200);
    const fast = await p.post(INFER, body);
    const viaExpress = await p.post(`${INFER}?t=${encodeURIComponent(p.shareToken)}`, body, null);
    assert.equal(fast.status, 429, fast.text);
    assert.equal(viaExpress.status, 429, viaExpress.text);
    assert.match(fast.json.error, /^too many prediction requests from this client; try again in \d+ s$/);
    assert.deepEqual(stableHeaders(viaExpress), stableHeaders(fast));
    assert.ok(Number(fast.headers.get('retry-after')) >= 1);
    assert.equal((await p.post(INFER, body, p.ownerToken)).status, 200);
    assert.equal((await p.post(`${INFER}?t=${encodeURIComponent(p.shareToken)}`, body, p.ownerToken)).status, 200, 'the owner\'s token wins over a share token in the URL');
  });
});
