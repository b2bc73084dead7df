import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

const FEATURES = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [6.0, 2.7, 5.1, 1.6], [4.9, 2.5, 4.5, 1.7]];
const CASES = FEATURES.map((features, i) => JSON.stringify({ id: `c${i + 1}`, inputs: { features }, tags: ['t'] })).join('\n');

/**
 * `POST /api/review-sets/<name>/open`: a review link's first case and the model's answer for it in one request. The
 * answer is a prediction like /api/predict's: the same outputs, recorded, and paid from the same budget.
 */
describe('server: opening a review set (case and answer in one request)', function () {
  this.timeout(30_000);
  let preview: Preview;
  let dana: string;
  const open = (body: unknown, token: string | null | undefined = preview.shareToken, set = 'launch') => preview.request('POST', `/api/review-sets/${set}/open`, { body, token });
  const predictions = async () => (await readFile(path.join(preview.dataDir, 'predictions.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean)
    .map((line) => JSON.parse(line) as { predictionId: string });

  before(async () => {
    preview = await startPreview(IRIS_MODEL, { watch: false, keepDataDir: true });
    assert.equal((await preview.post('/api/review-sets', { name: 'launch', format: 'jsonl', text: CASES }, preview.ownerToken)).status, 201);
    const invite = await preview.post('/api/invites', { name: 'Dana', rateLimits: { predictionsPerMinute: 3 } }, preview.ownerToken);
    assert.equal(invite.status, 201, invite.text);
    dana = new URL(invite.json.link).searchParams.get('t')!;
  });
  after(async () => {
    await preview?.stop();
    if (preview) await rm(preview.dataDir, { recursive: true, force: true });
  });

  it('answers the case at the browser\'s place with the model\'s answer, as /api/predict gives it, and records the prediction', async () => {
    const before = (await predictions()).length;
    const res = await open({ offset: 1 });
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers.get('content-type')), /^application\/json/);
    const { answer, ...page } = res.json;
    assert.deepEqual(page, { name: 'launch', total: 4, offset: 1, cases: [{ id: 'c2', inputs: { features: FEATURES[1] }, tags: ['t'] }] });
    const direct = await preview.post('/api/predict', { inputs: { features: FEATURES[1] } });
    assert.equal(direct.status, 200, direct.text);
    assert.deepEqual(answer.outputs, direct.json.outputs, 'the same answer as /api/predict for the case');
    assert.equal(answer.modelVersion, direct.json.modelVersion);
    assert.notEqual(answer.predictionId, direct.json.predictionId);
    const recorded = await predictions();
    assert.equal(recorded.length, before + 2);
    assert.ok(recorded.some((p) => p.predictionId === answer.predictionId), 'the case\'s answer is a recorded prediction (feedback can name it)');
  });

  it('opens at an invited reviewer\'s kept place over the browser\'s, and at a typed name\'s', async () => {
    assert.equal((await preview.request('PUT', '/api/review-sets/launch/progress', { body: { position: 2 }, token: dana })).status, 200);
    const invited = await open({ offset: 0, reviewer: 'Sam' }, dana);
    assert.equal(invited.status, 200, invited.text);
    assert.deepEqual([invited.json.offset, invited.json.cases[0].id, typeof invited.json.answer.predictionId], [2, 'c3', 'string']);
    assert.equal((await preview.request('PUT', '/api/review-sets/launch/progress', { body: { position: 3, reviewer: 'Sam' } })).status, 200);
    const typed = await open({ offset: 0, reviewer: 'Sam' });
    assert.deepEqual([typed.json.offset, typed.json.cases[0].id], [3, 'c4']);
  });

  it('predicts nothing past the set\'s end', async () => {
    const before = (await predictions()).length;
    const res = await open({ offset: 99 });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { name: 'launch', total: 4, offset: 4, cases: [] });
    assert.equal((await predictions()).length, before);
  });

  it('spends the same prediction budget as /api/predict: an invite\'s limit refuses both alike', async () => {
    // Dana's invite allows 3 predictions a minute; one went above.
    assert.equal((await preview.post('/api/predict', { inputs: { features: FEATURES[0] } }, dana)).status, 200);
    assert.equal((await open({ offset: 0 }, dana)).status, 200);
    const refused = await open({ offset: 0 }, dana);
    assert.equal(refused.status, 429, refused.text);
    assert.ok(refused.headers.get('retry-after'), 'says when to try again');
    assert.equal((await preview.post('/api/predict', { inputs: { features: FEATURES[0] } }, dana)).status, 429, 'the budget the open spent is /api/predict\'s');
    assert.equal((await open({ offset: 0 })).status, 200, 'the general link has its own budget');
  });

  const bad: Array<[string, unknown, string | null, string, number, RegExp]> = [
    ['a set that does not exist', { offset: 0 }, 'share', 'nope', 404, /^no review set named "nope"$/],
    ['a negative place', { offset: -1 }, 'share', 'launch', 400, /^offset: /],
    ['a place that is no whole number', { offset: '1' }, 'share', 'launch', 400, /^offset: /],
    ['no place', {}, 'share', 'launch', 400, /^offset: /],
    ['an unknown field', { offset: 0, limit: 5 }, 'share', 'launch', 400, /^unknown field\(s\): limit/],
    ['a blank name', { offset: 0, reviewer: '  ' }, 'share', 'launch', 400, /^reviewer: /],
    ['no token', { offset: 0 }, null, 'launch', 401, /share link/],
  ];
  for (const [what, body, who, set, status, message] of bad) {
    it(`refuses ${what} with a ${status}, predicting nothing`, async () => {
      const before = (await predictions()).length;
      const res = await open(body, who === 'share' ? preview.shareToken : who, set);
      assert.equal(res.status, status, res.text);
      assert.match(res.json.error, message);
      assert.equal((await predictions()).length, before);
    });
  }
});
