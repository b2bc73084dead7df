import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RegressionReplayedEvent } from '../../src/shared/events';
import { newKey, predict, predictIris, sendFeedback } from '../helpers/feedback-kit';
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

describe('server: regression replay across restarts ("broke" is judged against the previous version, not the previous run)', function () {
  this.timeout(90_000);
  let dir: string;
  let dataDir: string;
  let model: string;
  const ids: Record<string, string> = {};
  const RETRAINED = '9e6862570fb3';
  const ORIGINAL = 'c19ee04a8f90';

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mp-regressions-restart-'));
    dataDir = path.join(dir, '.model-preview');
    model = path.join(dir, 'iris.onnx');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const serve = () => startPreview(model, { watch: false, dataDir });
  const reloadTo = async (preview: Preview, file: string) => {
    await copyFile(file, model);
    await preview.session.reload();
  };
  const replayed = (preview: Preview, version: string) =>
    preview.waitForEvent((e) => e.event === 'regression-replayed' && e.modelVersion === version, 20_000) as Promise<RegressionReplayedEvent>;
  const lastReport = async (preview: Preview) => {
    const reports = (await preview.get('/api/regressions', preview.ownerToken)).json.reports;
    return reports[reports.length - 1];
  };

  it('run 1: corrections on the original, a hot re-export fixes two; B is predicted on the original but judged only after the re-export', async () => {
    await copyFile(IRIS_MODEL, model);
    const preview = await serve();
    try {
      const a = await predictIris(preview, A);
      const b = await predictIris(preview, B); // a page left open on the original: judged after the re-export
      ids.A = (await sendFeedback(preview, { predictionId: a.predictionId, rating: 'down', expected: 'versicolor', idempotencyKey: newKey() })).json.id;
      await reloadTo(preview, fixtureModel('iris-retrained'));
      const event = await replayed(preview, RETRAINED);
      assert.deepEqual([event.total, event.fixed, event.broke], [1, 1, 0], 'only A is a case yet');
      const sent = await sendFeedback(preview, { predictionId: b.predictionId, rating: 'down', expected: 'versicolor', idempotencyKey: newKey() });
      assert.equal(sent.status, 201, sent.text);
      ids.B = sent.json.id;
    } finally {
      await preview.stop();
    }
  });

  it('run 2, same version at start: the original brought back breaks both A (stored answer) and B (replayed at start on the version served)', async () => {
    const preview = await serve();
    try {
      assert.equal(preview.session.card()!.version, RETRAINED);
      await reloadTo(preview, IRIS_MODEL);
      const event = await replayed(preview, ORIGINAL);
      assert.deepEqual([event.total, event.fixed, event.broke, event.previousVersion], [2, 0, 2, RETRAINED]);
      const report = await lastReport(preview);
      assert.deepEqual(report.broke.map((b: { feedbackId: string }) => b.feedbackId).sort(), [ids.A, ids.B].sort());
      assert.deepEqual(report.broke.map((b: { predicted: string; previousPredicted: string }) => [b.predicted, b.previousPredicted]), [['virginica', 'versicolor'], ['virginica', 'versicolor']]);
      assert.equal(report.answers, undefined, 'the API leaves the per-case answers out');
    } finally {
      await preview.stop();
    }
  });

  it('run 3, re-exported while no server ran: the start replays the new version and reports it against the version served last', async () => {
    await copyFile(fixtureModel('iris-retrained'), model);
    const preview = await serve();
    try {
      const event = await replayed(preview, RETRAINED);
      assert.deepEqual([event.total, event.fixed, event.broke, event.previousVersion], [2, 2, 0, ORIGINAL]);
    } finally {
      await preview.stop();
    }
    const lines = (await readFile(path.join(dataDir, 'regressions.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.previousVersion, l.modelVersion, l.fixed, l.broke.length]), [[ORIGINAL, RETRAINED, 1, 0], [RETRAINED, ORIGINAL, 0, 2], [ORIGINAL, RETRAINED, 2, 0]],
      'one row per version loaded, for the notebook');
    assert.deepEqual(lines[2].answers, { [ids.A]: 'versicolor', [ids.B]: 'versicolor' }, 'each case\'s answer on that version is stored for the next "broke"');
  });

  it('run 4, restarted on the version served last: the start reports nothing, and the next re-export is judged against the stored answers', async () => {
    const preview = await serve();
    try {
      await reloadTo(preview, IRIS_MODEL);
      const event = await replayed(preview, ORIGINAL);
      assert.equal(preview.events.filter((e) => e.event === 'regression-replayed').length, 1, 'the start replayed nothing');
      assert.deepEqual([event.fixed, event.broke], [0, 2]);
    } finally {
      await preview.stop();
    }
  });
});

describe('server: regression replay of a picture (its input stored as a blob)', function () {
  this.timeout(60_000);

  it('a thumbs-down corrected to green on mean-colour is replayed on mean-colour-retrained, which now answers green', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mp-regressions-image-'));
    const model = path.join(dir, 'colours.onnx');
    await copyFile(fixtureModel('mean-colour'), model);
    const preview = await startPreview(model, { watch: false });
    try {
      // A 64x64 picture of mean colour (0.6, 0.5, 0.1): red to the first model, green to the retrained one.
      const plane = (value: number) => Array.from({ length: 64 }, () => Array.from({ length: 64 }, () => value));
      const p = await predict(preview, { image: [[plane(0.6), plane(0.5), plane(0.1)]] });
      const sent = await sendFeedback(preview, { predictionId: p.predictionId, rating: 'down', expected: 'green', idempotencyKey: newKey() });
      assert.equal(sent.status, 201, sent.text);
      const stored = (await readFile(path.join(preview.dataDir, 'feedback.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))[0];
      assert.equal(stored.predicted, 'red');
      assert.match(stored.inputs.image.blob, /^blobs\/[0-9a-f]{64}\.json$/, 'the picture is stored as a blob');
      await copyFile(fixtureModel('mean-colour-retrained'), model);
      await preview.session.reload();
      const event = await preview.waitForEvent((e) => e.event === 'regression-replayed', 20_000) as RegressionReplayedEvent;
      assert.deepEqual([event.total, event.fixed, event.broke], [1, 1, 0]);
      assert.deepEqual(preview.logs.filter((l) => l.includes('not replayed')), []);
    } finally {
      await preview.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
