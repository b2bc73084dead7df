import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RegressionReplayedEvent } from '../../src/shared/events';
import { newKey, predictIris, sendFeedback } from '../helpers/feedback-kit';
import { fixtureModel, IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/**
 * "Is it fixed now?" on a real re-export: iris-retrained.onnx (scripts/make-iris-retrained.py) answers versicolor
 * where the example iris model answers virginica for A and B below, and the same for C and D.
 */
const A = [5, 2.9, 4.8, 1.7];
const B = [5, 2.9, 5.0, 1.7];
const C = [6.7, 3.0, 5.2, 2.3];
const D = [5.1, 3.5, 1.4, 0.2];

describe('server: regression replay when a new version loads', function () {
  this.timeout(60_000);
  let dir: string;
  let model: string;
  let preview: Preview;
  const ids: Record<string, string> = {};

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mp-regressions-'));
    model = path.join(dir, 'iris.onnx');
    await copyFile(IRIS_MODEL, model);
    preview = await startPreview(model, { watch: false });
    const judged: Array<[string, number[], string, 'up' | 'down']> = [
      ['A', A, 'versicolor', 'down'], ['B', B, 'versicolor', 'down'], ['C', C, 'versicolor', 'down'], ['D', D, 'virginica', 'down'],
      ['up', C, 'virginica', 'up'], // a thumbs-up is no regression case
    ];
    for (const [name, features, expected, rating] of judged) {
      const p = await predictIris(preview, features);
      const res = await sendFeedback(preview, { predictionId: p.predictionId, rating, expected, idempotencyKey: newKey() });
      assert.equal(res.status, 201, res.text);
      ids[name] = res.json.id;
    }
    // A thumbs-down without a correction is no regression case either.
    const p = await predictIris(preview, A);
    assert.equal((await sendFeedback(preview, { predictionId: p.predictionId, rating: 'down', idempotencyKey: newKey() })).status, 201);
  });
  after(async () => {
    await preview?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const replayedAfter = async (file: string, version: (v: string) => boolean): Promise<RegressionReplayedEvent> => {
    const seen = preview.events.length;
    await copyFile(file, model);
    await preview.session.reload();
    return await preview.waitForEvent((e) => e.event === 'regression-replayed' && version(e.modelVersion) && preview.events.indexOf(e) >= seen, 20_000) as RegressionReplayedEvent;
  };

  it('a re-export that fixes two of the four corrections: the event and the report say 2 of 4, nothing broke', async () => {
    const first = preview.session.card()!.version;
    const event = await replayedAfter(fixtureModel('iris-retrained'), (v) => v !== first);
    assert.deepEqual({ total: event.total, fixed: event.fixed, broke: event.broke, previousVersion: event.previousVersion }, { total: 4, fixed: 2, broke: 0, previousVersion: first });
    assert.equal(event.modelVersion, '9e6862570fb3');
    const reports = await preview.get('/api/regressions', preview.ownerToken);
    assert.equal(reports.status, 200, reports.text);
    assert.equal(reports.json.reports.length, 1);
    assert.deepEqual({ ...reports.json.reports[0], ts: undefined, durationMs: undefined }, {
      model: 'iris', modelVersion: '9e6862570fb3', previousVersion: first, ts: undefined, total: 4, fixed: 2, stillWrong: 2, failed: 0, broke: [], durationMs: undefined,
    });
  });

  it('going back to the old version: none fixed, and the two the previous version had right are listed as broke', async () => {
    const event = await replayedAfter(IRIS_MODEL, (v) => v === 'c19ee04a8f90');
    assert.deepEqual({ total: event.total, fixed: event.fixed, broke: event.broke }, { total: 4, fixed: 0, broke: 2 });
    const reports = (await preview.get('/api/regressions', preview.ownerToken)).json.reports;
    const last = reports[reports.length - 1];
    assert.deepEqual(last.broke.map((b: { feedbackId: string }) => b.feedbackId).sort(), [ids.A, ids.B].sort());
    assert.deepEqual(last.broke[0].expected, 'versicolor');
    assert.deepEqual([last.broke[0].predicted, last.broke[0].previousPredicted], ['virginica', 'versicolor']);
    const lines = (await readFile(path.join(preview.dataDir, 'regressions.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.modelVersion, l.fixed, l.broke.length]), [['9e6862570fb3', 2, 0], ['c19ee04a8f90', 0, 2]], 'the notebook reads the same table');
    assert.equal((await preview.get('/api/regressions')).status, 401, 'the owner\'s only');
  });
});
