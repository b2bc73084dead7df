import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileLines, newKey, predictIris, sendFeedback } from '../helpers/feedback-kit';
import { pandasRowCount } from '../helpers/pandas';
import { IRIS_MODEL, startPreview } from '../helpers/preview';

/**
 * A power loss or a full disk can leave half a line at the end of a JSON Lines file. After a restart the next record
 * must not be appended after those bytes (the broken line would then sit in the middle for good, and pandas refuses
 * the whole file): the start sets the torn tail aside and cuts the file back to its last complete line.
 */
describe('server: a torn last line is set aside at start', function () {
  this.timeout(30_000);
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mp-torn-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('pandas reads every complete record of feedback.jsonl and predictions.jsonl after a torn tail, a restart and one more feedback', async () => {
    const first = await startPreview(IRIS_MODEL, { dataDir });
    for (let i = 0; i < 3; i++) {
      const p = await predictIris(first);
      assert.equal((await sendFeedback(first, { predictionId: p.predictionId, rating: 'down', comment: `c${i}`, idempotencyKey: newKey() })).status, 201);
    }
    await first.stop();
    const feedbackFile = path.join(dataDir, 'feedback.jsonl');
    const predictionsFile = path.join(dataDir, 'predictions.jsonl');
    const tornFeedback = '{"schemaVersion":1,"id":"torn","comm';
    const tornPrediction = '{"predictionId":"torn","ts":"2026-';
    await appendFile(feedbackFile, tornFeedback);
    await appendFile(predictionsFile, tornPrediction);

    const second = await startPreview(IRIS_MODEL, { dataDir });
    const p = await predictIris(second);
    assert.equal((await sendFeedback(second, { predictionId: p.predictionId, rating: 'up', idempotencyKey: newKey() })).status, 201);
    await second.stop();

    assert.equal(pandasRowCount(feedbackFile), 4);
    assert.equal(pandasRowCount(predictionsFile), 4);
    for (const line of [...await fileLines(feedbackFile), ...await fileLines(predictionsFile)]) JSON.parse(line);

    // The torn bytes are kept beside the file, not thrown away.
    const files = await readdir(dataDir);
    const aside = (name: string) => files.filter((f) => f.startsWith(`${name}.torn-`));
    assert.equal(aside('feedback.jsonl').length, 1, files.join(', '));
    assert.equal(aside('predictions.jsonl').length, 1, files.join(', '));
    assert.equal(await readFile(path.join(dataDir, aside('feedback.jsonl')[0]), 'utf8'), tornFeedback);
    assert.equal(await readFile(path.join(dataDir, aside('predictions.jsonl')[0]), 'utf8'), tornPrediction);

    // Said once per file, as a storage warning (not a worker error).
    const torn = second.logs.filter((l) => /torn/.test(l));
    assert.equal(torn.length, 2, second.logs.join('\n'));
    for (const line of torn) assert.match(line, /^warn \(storage\): (feedback|predictions)\.jsonl ended with a torn line .*moved to \S+\.torn-/);
    assert.ok(!second.logs.some((l) => l.startsWith('error')), second.logs.join('\n'));
  });

  it('a file that ends cleanly is left alone, and nothing is said', async () => {
    const first = await startPreview(IRIS_MODEL, { dataDir });
    await predictIris(first);
    await first.stop();
    const before = await readFile(path.join(dataDir, 'predictions.jsonl'), 'utf8');
    const second = await startPreview(IRIS_MODEL, { dataDir });
    await second.stop();
    assert.equal(await readFile(path.join(dataDir, 'predictions.jsonl'), 'utf8'), before);
    assert.deepEqual((await readdir(dataDir)).filter((f) => f.includes('.torn-')), []);
    assert.deepEqual(second.logs, []);
  });
});
