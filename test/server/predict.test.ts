import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';

/** POST /api/predict: the page's one-call prediction, and the record it leaves in predictions.jsonl. */
describe('server: /api/predict', function () {
  this.timeout(20_000);
  let preview: Preview;
  let version: string;
  const argmax = (row: number[]) => row.indexOf(Math.max(...row));
  const readRecords = async () => (await readFile(path.join(preview.dataDir, 'predictions.jsonl'), 'utf8'))
    .split('\n').filter(Boolean).map((line) => JSON.parse(line));

  before(async () => {
    preview = await startPreview(IRIS_MODEL);
    version = preview.session.card()!.version;
  });
  after(async () => {
    await preview?.stop();
  });

  it('accepts one example without the batch dimension and answers shape [1, 3] logits', async () => {
    const started = Date.now();
    const res = await preview.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } });
    const elapsed = Date.now() - started;
    assert.equal(res.status, 200, res.text);
    const body = res.json;
    assert.deepEqual(Object.keys(body).sort(), ['model', 'modelVersion', 'outputs', 'predictionId', 'timing']);
    assert.match(body.predictionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(body.model, 'iris');
    assert.equal(body.modelVersion, version);
    assert.deepEqual(Object.keys(body.outputs), ['logits']);
    const { logits } = body.outputs;
    assert.deepEqual(Object.keys(logits).sort(), ['data', 'datatype', 'shape']);
    assert.equal(logits.datatype, 'FP32');
    assert.deepEqual(logits.shape, [1, 3]);
    assert.equal(logits.data.length, 3);
    assert.equal(argmax(logits.data), 0, `setosa: ${logits.data}`);
    assert.deepEqual(Object.keys(body.timing).sort(), ['inferenceMs', 'totalMs']);
    assert.ok(body.timing.inferenceMs >= 0 && body.timing.totalMs >= body.timing.inferenceMs, JSON.stringify(body.timing));
    assert.ok(body.timing.totalMs <= elapsed + 1, `totalMs ${body.timing.totalMs} within the ${elapsed} ms the call took`);
  });

  it('classifies a typical virginica as class 2', async () => {
    const res = await preview.post('/api/predict', { inputs: { features: [6.7, 3.0, 5.2, 2.3] } });
    assert.equal(res.status, 200, res.text);
    assert.equal(argmax(res.json.outputs.logits.data), 2, `virginica: ${res.json.outputs.logits.data}`);
  });

  it('agrees with the V2 route on the same input', async () => {
    const [predict, v2] = await Promise.all([
      preview.post('/api/predict', { inputs: { features: [[6.7, 3.0, 5.2, 2.3]] } }),
      preview.post('/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [6.7, 3.0, 5.2, 2.3] }] }),
    ]);
    assert.equal(predict.status, 200, predict.text);
    assert.equal(v2.status, 200, v2.text);
    assert.deepEqual(predict.json.outputs.logits.data, v2.json.outputs[0].data);
  });

  it('accepts a batch of several examples as nested rows', async () => {
    const res = await preview.post('/api/predict', { inputs: { features: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] } });
    assert.equal(res.status, 200, res.text);
    const { shape, data } = res.json.outputs.logits;
    assert.deepEqual(shape, [2, 3]);
    assert.deepEqual([argmax(data.slice(0, 3)), argmax(data.slice(3))], [0, 2]);
  });

  it('appends a record to <dataDir>/predictions.jsonl with the inputs as sent, the outputs and the version', async () => {
    const res = await preview.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } });
    assert.equal(res.status, 200, res.text);
    const records = await readRecords();
    const record = records.find((r) => r.predictionId === res.json.predictionId);
    assert.ok(record, `a record with predictionId ${res.json.predictionId} among ${records.length}`);
    assert.equal(record.model, 'iris');
    assert.equal(record.modelVersion, version);
    assert.ok(!Number.isNaN(Date.parse(record.ts)), `ts is a date: ${record.ts}`);
    // 5.1 as the person typed it, not its float32 widening 5.099999904632568
    assert.deepEqual(record.inputs, { features: { datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] } });
    assert.deepEqual(record.outputs, res.json.outputs);
    assert.deepEqual(record.timing, res.json.timing);
  });

  it('keeps one record per successful prediction, none for a refused one', async () => {
    const before = (await readRecords()).length;
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => preview.post('/api/predict', { inputs: { features: [5 + i / 10, 3, 1.5, 0.2] } })));
    assert.deepEqual(replies.map((r) => r.status), Array(10).fill(200));
    const bad = await preview.post('/api/predict', { inputs: { features: [1, 2, 3] } });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.json.error, /^input 'features': expected shape \[batch, 4\] \(rank 2\), got \[(1, )?3\]$/);
    const records = await readRecords();
    assert.equal(records.length, before + 10);
    const ids = new Set(records.map((r) => r.predictionId));
    assert.equal(ids.size, records.length, 'prediction ids are unique');
    for (const r of replies) assert.ok(ids.has(r.json.predictionId));
    // V2 calls are not predictions of the page: they leave no record
    await preview.post('/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] });
    assert.equal((await readRecords()).length, before + 10);
  });
});
