import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_REASONS } from '../../src/shared/feedback';
import { CSV_COLUMNS } from '../../src/shared/feedback-csv';
import { csvObjects, fileLines, fileRecords, newKey, parseCsv, predictIris, sendFeedback, SETOSA, VIRGINICA } from '../helpers/feedback-kit';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/** Schema version 2: a thumbs-down says what is wrong (reasons from the model's list), and its correction differs from the answer. */
describe('server: feedback reasons and corrections (schema version 2)', function () {
  this.timeout(20_000);
  let preview: Preview;
  let virginica: { predictionId: string };
  const feedbackFile = () => path.join(preview.dataDir, 'feedback.jsonl');

  before(async () => {
    preview = await startPreview(IRIS_MODEL);
    virginica = await predictIris(preview, VIRGINICA);
  });
  after(async () => {
    await preview?.stop();
  });

  it('stores the reasons of a thumbs-down, counts them in /api/stats and exports them in the CSV', async () => {
    const res = await sendFeedback(preview, {
      predictionId: virginica.predictionId, rating: 'down', reasons: ['wrong answer', 'unfair to some group'], expected: 'versicolor', idempotencyKey: newKey(),
    });
    assert.equal(res.status, 201, res.text);
    const again = await sendFeedback(preview, { predictionId: virginica.predictionId, rating: 'down', reasons: ['wrong answer'], idempotencyKey: newKey() });
    assert.equal(again.status, 201, again.text);
    const record = (await fileRecords(feedbackFile())).find((r) => r.id === res.json.id);
    assert.equal(record.schemaVersion, 2);
    assert.deepEqual(record.reasons, ['wrong answer', 'unfair to some group']);
    assert.equal(record.source, 'human');

    const stats = await preview.get('/api/stats', preview.ownerToken);
    assert.equal(stats.status, 200, stats.text);
    assert.deepEqual(stats.json.versions[0].reasons, [{ reason: 'wrong answer', count: 2 }, { reason: 'unfair to some group', count: 1 }]);

    const csv = await preview.get('/api/feedback?format=csv', preview.ownerToken);
    const rows = csvObjects(parseCsv(csv.text)); // fetch's text() drops the BOM
    assert.deepEqual(Object.keys(rows[0]), [...CSV_COLUMNS]);
    assert.equal(rows.find((r) => r.id === res.json.id)!.reasons, 'wrong answer; unfair to some group');
  });

  const refused: Array<[string, () => Record<string, unknown>, RegExp]> = [
    ['a reason not in the model\'s list', () => ({ rating: 'down', reasons: ['too slow'] }),
      /^reasons: "too slow" is not among this model's reasons \("wrong answer", "should not answer", "unfair to some group", "other"\)$/],
    ['reasons on a thumbs-up', () => ({ rating: 'up', reasons: ['other'] }), /^reasons: only a thumbs-down says what is wrong/],
    ['a reason named twice', () => ({ rating: 'down', reasons: ['other', 'other'] }), /^reasons: a reason is named twice$/],
    ['reasons that are not a list', () => ({ rating: 'down', reasons: 'wrong answer' }), /^reasons: must be a list of reasons$/],
    ['a thumbs-down whose correction is the model\'s answer', () => ({ rating: 'down', expected: 'virginica' }),
      /^expected: a thumbs-down says the answer was wrong, but the correction "virginica" is what the model answered; give the right answer, or rate it thumbs-up$/],
    ['the same, in other case and with spaces', () => ({ rating: 'down', expected: '  Virginica ' }), /^expected: a thumbs-down says the answer was wrong/],
    ['an unknown review case', () => ({ rating: 'up', caseId: 'no-such-case' }), /^caseId: no review case 'no-such-case' is in this preview's review sets$/],
  ];
  for (const [what, extra, message] of refused) {
    it(`answers 400 for ${what}, naming what to do, and stores nothing`, async () => {
      const before = await fileLines(feedbackFile());
      const res = await sendFeedback(preview, { predictionId: virginica.predictionId, idempotencyKey: newKey(), ...extra() });
      assert.equal(res.status, 400, res.text);
      assert.match(res.json.error, message);
      assert.deepEqual(await fileLines(feedbackFile()), before, 'nothing stored');
    });
  }

  it('a thumbs-up that names the model\'s own answer is fine (it agrees)', async () => {
    const res = await sendFeedback(preview, { predictionId: virginica.predictionId, rating: 'up', expected: 'virginica', idempotencyKey: newKey() });
    assert.equal(res.status, 201, res.text);
  });
});

describe('server: reasons replaced by the model\'s sidecar', function () {
  this.timeout(20_000);
  let dir: string;
  let preview: Preview;
  const OWN = ['mislabelled flower', 'photo too blurry', 'other'];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mp-reasons-'));
    await copyFile(IRIS_MODEL, path.join(dir, 'iris.onnx'));
    await writeFile(path.join(dir, 'iris.preview.json'), JSON.stringify({
      outputs: { logits: { classNames: ['setosa', 'versicolor', 'virginica'] } }, feedback: { reasons: OWN },
    }));
    preview = await startPreview(path.join(dir, 'iris.onnx'), { watch: false });
  });
  after(async () => {
    await preview?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the page\'s card carries the model\'s own reasons, the server takes them and refuses the defaults', async () => {
    const card = await preview.get('/api/card');
    assert.deepEqual(card.json.sidecar.feedback.reasons, OWN);
    const p = await predictIris(preview, SETOSA);
    const own = await sendFeedback(preview, { predictionId: p.predictionId, rating: 'down', reasons: ['photo too blurry'], idempotencyKey: newKey() });
    assert.equal(own.status, 201, own.text);
    const defaultReason = DEFAULT_REASONS[0];
    const refused = await sendFeedback(preview, { predictionId: p.predictionId, rating: 'down', reasons: [defaultReason], idempotencyKey: newKey() });
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.json.error, /"wrong answer" is not among this model's reasons \("mislabelled flower", "photo too blurry", "other"\)/);
  });

  it('a sidecar whose reasons repeat one is reported, and the defaults apply', async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), 'mp-reasons-bad-'));
    await copyFile(IRIS_MODEL, path.join(other, 'iris.onnx'));
    await writeFile(path.join(other, 'iris.preview.json'), JSON.stringify({ feedback: { reasons: ['a', 'a'] } }));
    const bad = await startPreview(path.join(other, 'iris.onnx'), { watch: false });
    try {
      const card = await bad.get('/api/card', bad.ownerToken);
      assert.match(card.json.sidecarError, /feedback\.reasons.*must not name a reason twice/);
      const p = await predictIris(bad, SETOSA);
      const res = await sendFeedback(bad, { predictionId: p.predictionId, rating: 'down', reasons: ['should not answer'], idempotencyKey: newKey() });
      assert.equal(res.status, 201, res.text);
    } finally {
      await bad.stop();
      await rm(other, { recursive: true, force: true });
    }
  });
});
