import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { AccessControl, newToken, type Credentials } from '../../src/core/server/access';
import { HttpError } from '../../src/core/server/http-error';
import { ServerMetrics } from '../../src/core/server/metrics';
import { RateLimits } from '../../src/core/server/rate-limits';
import { INFERENCE_ROUTES, inferencePath, RequestPipeline } from '../../src/core/server/request-pipeline';
import type { JobResult } from '../../src/core/inference/worker-protocol';

/**
 * The request pipeline on its own, with no HTTP server: a request is only its head (method, headers, peer address),
 * as both fronts — express and the inference fast path — hand it over.
 */
const head = (headers: Record<string, string>, method = 'POST', remoteAddress = '203.0.113.7'): IncomingMessage =>
  ({ method, headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

function pipelineWith(options: { expiresMs?: number; password?: string; predictionsPerMinute?: number; now?: () => number } = {}) {
  const tokens = { shareToken: newToken(), ownerToken: newToken(), shareIssuedAt: new Date(options.now?.() ?? Date.now()).toISOString() };
  const access = new AccessControl(tokens, { expiresMs: options.expiresMs, password: options.password }, options.now);
  const metrics = new ServerMetrics(() => 0, () => 0);
  const runs: Array<{ kind: string; body: string }> = [];
  const records: string[] = [];
  const lengths: Array<number | undefined> = [];
  const backend = {
    card: () => undefined,
    serving: () => true,
    workers: 1,
    async run(kind: 'v2' | 'predict', body: Uint8Array, _receivedAt: number, jsonLength?: number): Promise<JobResult> {
      runs.push({ kind, body: Buffer.from(body).toString() });
      lengths.push(jsonLength);
      return { status: 200, body: '{}', inferenceMs: 2, ...(kind === 'predict' ? { predictionRecord: '{"id":1}' } : {}) };
    },
    async recordPrediction(record: string) {
      records.push(record);
    },
  };
  const logs: string[] = [];
  const pipeline = new RequestPipeline({
    backend, access, metrics, rateLimits: new RateLimits({ predictionsPerMinute: options.predictionsPerMinute ?? 0, feedbackPerMinute: 0 }),
    publicOrigins: () => ['https://preview.example'], log: (m) => logs.push(m),
  });
  return { pipeline, tokens, access, metrics, runs, records, logs, lengths };
}

const verdict = (decision: Credentials | HttpError) => (decision instanceof HttpError ? decision.status : decision.verdict);

describe('RequestPipeline: admission', () => {
  it('lets in the owner and the share token by Bearer, and nobody without a token; health checks are public', () => {
    const { pipeline, tokens } = pipelineWith();
    assert.equal(verdict(pipeline.admit(head({ authorization: `Bearer ${tokens.ownerToken}` }), '/api/predict')), 'owner');
    assert.equal(verdict(pipeline.admit(head({ authorization: `Bearer ${tokens.shareToken}` }), '/api/predict')), 'share');
    assert.equal(verdict(pipeline.admit(head({}), '/api/predict', tokens.shareToken)), 'share', 'the link\'s ?t=');
    assert.equal(verdict(pipeline.admit(head({}), '/api/predict')), 'none');
    assert.equal(verdict(pipeline.admit(head({ authorization: `Bearer ${tokens.ownerToken}` }, 'GET'), '/v2/health/ready')), 'none', 'nothing is checked');
  });

  it('refuses an expired link with 410, but not the owner (on its own clock)', () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const { pipeline, tokens } = pipelineWith({ expiresMs: 60_000, now: () => now });
    assert.equal(verdict(pipeline.admit(head({ authorization: `Bearer ${tokens.shareToken}` }), '/api/predict')), 'share');
    now += 60_000;
    const refusal = pipeline.admit(head({ authorization: `Bearer ${tokens.shareToken}` }), '/api/predict');
    assert.ok(refusal instanceof HttpError);
    assert.equal(refusal.status, 410);
    assert.match(refusal.message, /expired at 2030-01-01T00:01:00.000Z/);
    assert.equal(verdict(pipeline.admit(head({ authorization: `Bearer ${tokens.ownerToken}` }), '/api/predict')), 'owner');
  });

  it('refuses a cookie-authenticated post from another site (403) or of another type (415); a Bearer token is not restricted', () => {
    const { pipeline, tokens, access } = pipelineWith();
    const cookie = `${access.cookieName}=${tokens.shareToken}`;
    const json = { cookie, 'content-type': 'application/json' };
    assert.equal(verdict(pipeline.admit(head({ ...json, origin: 'https://preview.example', 'sec-fetch-site': 'same-origin' }), '/api/predict')), 'share');
    assert.equal(verdict(pipeline.admit(head({ ...json, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), '/api/predict')), 403);
    assert.equal(verdict(pipeline.admit(head({ cookie, 'content-type': 'text/plain' }), '/api/predict')), 415);
    assert.equal(verdict(pipeline.admit(head({ authorization: `Bearer ${tokens.shareToken}`, origin: 'https://evil.example', 'content-type': 'text/plain' }), '/api/predict')), 'share');
  });

  it('settles a password the request carries: a right one is let in, wrong ones are counted until even the right one gets 429', async () => {
    const { pipeline, tokens } = pipelineWith({ password: 'open sesame' });
    const withPassword = (password: string) => head({ authorization: `Bearer ${tokens.shareToken}`, 'x-preview-password': password });
    const right = pipeline.admit(withPassword('open sesame'), '/api/predict');
    assert.equal(verdict(right), 'share');
    assert.equal(await pipeline.settlePassword(withPassword('open sesame'), right as Credentials, '/api/predict'), true);
    for (let i = 0; i < 10; i++) {
      const wrong = pipeline.admit(withPassword(`guess ${i}`), '/api/predict') as Credentials;
      assert.equal(wrong.verdict, 'locked');
      assert.equal(await pipeline.settlePassword(withPassword(`guess ${i}`), wrong, '/api/predict'), false);
    }
    await assert.rejects(pipeline.settlePassword(withPassword('open sesame'), right as Credentials, '/api/predict')!,
      (err: HttpError) => err.status === 429 && /too many wrong passwords from this client/.test(err.message));
    assert.equal(pipeline.settlePassword(head({}), { verdict: 'share', source: 'bearer' }, '/api/predict'), undefined, 'nothing to settle');
  });
});

describe('RequestPipeline: budgets, inference, errors and metrics', () => {
  it('spends a prediction from a client\'s budget (429 with Retry-After beyond it), never the owner\'s', async () => {
    const { pipeline } = pipelineWith({ predictionsPerMinute: 2 });
    const share: Credentials = { verdict: 'share', source: 'bearer' };
    await pipeline.spend('prediction', share, head({}));
    await pipeline.spend('prediction', share, head({}));
    await assert.rejects(pipeline.spend('prediction', share, head({})), (err: HttpError) => err.status === 429 && Number(err.headers['Retry-After']) >= 1);
    await pipeline.spend('prediction', share, head({}, 'POST', '198.51.100.1')); // another client has its own budget
    for (let i = 0; i < 5; i++) await pipeline.spend('prediction', { verdict: 'owner' }, head({}));
  });

  it('runs an inference, keeps the record of a /api/predict, and refuses an empty body with a 400 before any worker sees it', async () => {
    const { pipeline, runs, records } = pipelineWith();
    assert.equal((await pipeline.infer('predict', head({}), Buffer.from('{"inputs":{}}'), Date.now())).status, 200);
    assert.deepEqual(runs, [{ kind: 'predict', body: '{"inputs":{}}' }]);
    assert.deepEqual(records, ['{"id":1}']);
    await assert.rejects(pipeline.infer('v2', head({}), Buffer.alloc(0), Date.now()), (err: HttpError) => err.status === 400 && /body is empty/.test(err.message));
    assert.equal(runs.length, 1);
  });

  it('checks the binary tensor data header against the body before any worker sees it, and hands its length on', async () => {
    const { pipeline, runs, lengths } = pipelineWith();
    const body = Buffer.from('{"inputs":[]}1234');
    await pipeline.infer('v2', head({ 'inference-header-content-length': '13' }), body, Date.now());
    assert.deepEqual(lengths, [13]);
    for (const [value, message] of [['abc', /must be a number of bytes.*, got "abc"$/], ['1e3', /got "1e3"$/], ['18', /^Inference-Header-Content-Length is 18, but the body has only 17 bytes$/]] as const) {
      await assert.rejects(pipeline.infer('v2', head({ 'inference-header-content-length': value }), body, Date.now()),
        (err: HttpError) => err.status === 400 && message.test(err.message));
    }
    assert.equal(runs.length, 1);
  });

  it('answers binary outputs as octet-stream with the JSON length, and the rest as JSON', () => {
    const { pipeline } = pipelineWith();
    assert.deepEqual(pipeline.answerHeaders({ status: 200, body: new Uint8Array(20), jsonLength: 12 }),
      { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': '12' });
    assert.deepEqual(pipeline.answerHeaders({ status: 200, body: '{}' }), { 'Content-Type': 'application/json; charset=utf-8' });
  });

  it('answers a failure as data: a client error with its message, a bug of ours as a 500 whose details only reach the log', () => {
    const { pipeline, logs } = pipelineWith();
    assert.deepEqual(pipeline.failure(new HttpError(404, 'no such model \u202e')), { status: 404, message: 'no such model \\u202e', headers: {} });
    assert.deepEqual(pipeline.failure(new TypeError('x is undefined')), { status: 500, message: 'internal server error', headers: {} });
    assert.match(logs.join('\n'), /internal error: TypeError: x is undefined/);
  });

  it('counts every answer by route pattern, method and status', async () => {
    const { pipeline, metrics } = pipelineWith();
    const started = performance.now();
    pipeline.count('/api/predict', 'POST', 200, started);
    pipeline.count('/api/predict', 'POST', 200, started);
    pipeline.count('unmatched', 'GET', 404, started);
    const text = await metrics.registry.metrics();
    assert.match(text, /^model_preview_http_requests_total\{route="\/api\/predict",method="POST",status="200"\} 2$/m);
    assert.match(text, /^model_preview_http_requests_total\{route="unmatched",method="GET",status="404"\} 1$/m);
    assert.match(text, /^model_preview_http_request_duration_seconds_count\{route="\/api\/predict"\} 2$/m);
  });

  it('names each inference route\'s exact path for the served model', () => {
    const model = { name: 'iris v2/β', version: 'abc123' };
    assert.deepEqual(INFERENCE_ROUTES.map((r) => inferencePath(r, model)),
      ['/v2/models/iris%20v2%2F%CE%B2/infer', '/v2/models/iris%20v2%2F%CE%B2/versions/abc123/infer', '/api/predict']);
  });
});
