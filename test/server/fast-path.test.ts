import assert from 'node:assert/strict';
import * as http from 'node:http';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const INFER = '/v2/models/iris/infer';
const body = { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };

/** The route label the metrics give a request: tells which path (fast path or express) answered, as both label alike. */
async function requestCount(p: Preview, route: string, status: number): Promise<number> {
  const text = (await p.get('/metrics', p.ownerToken)).text;
  const line = text.split('\n').find((l) => l.startsWith(`model_preview_http_requests_total{route="${route}",method="POST",status="${status}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

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
});
