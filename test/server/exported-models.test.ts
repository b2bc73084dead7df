import * as assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { readModelFile } from '../../src/core/model/model-file';
import type { ModelCard } from '../../src/shared/model-card';
import { FIXTURE_DIR, fixtureModel, IRIS_MODEL, sleep, startPreview, type Preview } from '../helpers/preview';

/** Models as notebooks and public packages really export them, served for real. */

const card = async (p: Preview): Promise<ModelCard> => (await p.get('/api/card')).json as ModelCard;

async function tempCopy(...files: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mp-exported-'));
  for (const f of files) await copyFile(f, path.join(dir, path.basename(f)));
  return dir;
}

describe('server: models as they are exported, with no sidecar', function () {
  this.timeout(30_000);

  it('the iris export: the card carries its metadata’s feature and class names', async () => {
    const dir = await tempCopy(IRIS_MODEL); // without iris.preview.json
    const p = await startPreview(path.join(dir, 'iris.onnx'));
    try {
      const { hints, sidecar } = await card(p);
      assert.equal(sidecar, undefined);
      assert.deepEqual(hints.inputs.features.fields?.map((f) => f.label), ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
      assert.deepEqual(hints.outputs.logits.classNames, ['setosa', 'versicolor', 'virginica']);
    } finally {
      await p.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a sidecar written later wins at once (the page reloads on save)', async () => {
    const dir = await tempCopy(IRIS_MODEL);
    const p = await startPreview(path.join(dir, 'iris.onnx'));
    try {
      await writeFile(path.join(dir, 'iris.preview.json'), JSON.stringify({ outputs: { logits: { classNames: ['a', 'b', 'c'] } } }));
      await p.waitForEvent((e) => e.event === 'sidecar-reloaded');
      const { hints } = await card(p);
      assert.deepEqual(hints.outputs.logits.classNames, ['a', 'b', 'c']);
      assert.equal(hints.inputs.features.fields?.[0].label, 'sepal length (cm)', 'what the sidecar does not say still comes from the model');
    } finally {
      await p.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a scikit-learn DataFrame pipeline: one input per column; the card has their categories; a prediction agrees with scikit-learn', async () => {
    const p = await startPreview(fixtureModel('sklearn-dataframe'));
    try {
      const { hints } = await card(p);
      assert.deepEqual(hints.inputs.contract.fields?.[0].choices, ['month-to-month', 'one year', 'two year']);
      assert.deepEqual(hints.outputs.output_probability.classNames, ['churns', 'stays']);
      const res = await p.post('/api/predict', { inputs: { tenure_months: [[2]], monthly_charges: [[95]], contract: [['month-to-month']], payment_method: [['electronic check']] } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.outputs.output_label.data, ['churns']);
      const [churns, stays] = res.json.outputs.output_probability.data as number[];
      assert.ok(churns > 0.5 && Math.abs(churns + stays - 1) < 1e-5, `${churns} + ${stays}`);
    } finally {
      await p.stop();
    }
  });

  it('a voice model whose inputs reuse an unnamed dimension (Silero VAD v5, from a public npm package) answers', async () => {
    const p = await startPreview(path.join(FIXTURE_DIR, 'third-party', 'silero-vad-v5.onnx'));
    try {
      const res = await p.post('/api/predict', {
        inputs: { input: [new Array(512).fill(0.01)], state: [[new Array(128).fill(0)], [new Array(128).fill(0)]], sr: 16000 },
      });
      assert.equal(res.status, 200, res.text);
      const probability = res.json.outputs.output.data[0] as number;
      assert.ok(probability >= 0 && probability <= 1, String(probability));
      assert.deepEqual(res.json.outputs.stateN.shape, [2, 1, 128]);
    } finally {
      await p.stop();
    }
  });

  it('the same on a fixture with the same shapes: `dim1` of one input and of the other need not agree', async () => {
    const p = await startPreview(fixtureModel('colliding-dims'));
    try {
      // input [1, 4] and state [2, 1, 128]: 'dim1' is 4 in one and 1 in the other.
      const ok = await p.post('/api/predict', { inputs: { input: [[1, 2, 3, 4]], state: [[new Array(128).fill(2)], [new Array(128).fill(4)]] } });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.json.outputs.output.data, [2.5]);
      assert.deepEqual(ok.json.outputs.stateN.shape, [2, 1, 128]);
    } finally {
      await p.stop();
    }
  });

  it('a Conv2d export with a fixed batch of 2 takes two pictures; one picture is refused with the shape to send', async () => {
    const p = await startPreview(fixtureModel('fixed-batch-conv'));
    try {
      const picture = Array.from({ length: 3 }, () => Array.from({ length: 16 }, () => new Array(16).fill(0.5)));
      const two = await p.post('/api/predict', { inputs: { image: [picture, picture] } });
      assert.equal(two.status, 200, two.text);
      assert.deepEqual(two.json.outputs.logits.shape, [2, 3]);
      const one = await p.post('/api/predict', { inputs: { image: [picture] } });
      assert.equal(one.status, 400);
      assert.match(one.json.error, /expected shape \[2, 3, 16, 16\]/);
    } finally {
      await p.stop();
    }
  });
});

describe('server: a model with external data (model.onnx + its data file)', function () {
  this.timeout(30_000);
  const MODEL = fixtureModel('external-data');
  const DATA = path.join(FIXTURE_DIR, 'external-data.onnx.data');

  it('loads with its data file, and the data is part of the version', async () => {
    const plain = await readModelFile(MODEL);
    assert.deepEqual(plain.externalData?.map((d) => d.location), ['external-data.onnx.data']);
    const dir = await tempCopy(MODEL, DATA);
    const p = await startPreview(path.join(dir, 'external-data.onnx'));
    try {
      const before = (await card(p));
      assert.deepEqual(before.externalData, [{ location: 'external-data.onnx.data', size: 224 }]);
      assert.equal(before.fileSize, 538 + 224);
      const res = await p.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } });
      assert.equal(res.status, 200, res.text);

      // New weights in the data file alone are a new version.
      const data = await readFile(path.join(dir, 'external-data.onnx.data'));
      data.writeFloatLE(9, 0);
      await writeFile(path.join(dir, 'external-data.onnx.data'), data);
      const reloaded = await p.waitForEvent((e) => e.event === 'model-reloaded');
      assert.equal(reloaded.event === 'model-reloaded' && reloaded.previousVersion, before.version);
      assert.notEqual((await card(p)).version, before.version);
    } finally {
      await p.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a re-export that rewrites the model and then, slowly, its data file reloads once, after both are complete', async () => {
    const dir = await tempCopy(MODEL, DATA);
    const p = await startPreview(path.join(dir, 'external-data.onnx'));
    try {
      const v1 = (await card(p)).version;
      // The re-export names a new data file with the weights at another offset (as an exporter appending would).
      const model = onnx.ModelProto.decode(await readFile(MODEL));
      for (const t of model.graph!.initializer!) {
        for (const e of t.externalData!) {
          if (e.key === 'location') e.value = 'weights.bin';
          if (e.key === 'offset') e.value = String(Number(e.value) + 64);
        }
      }
      const data = Buffer.concat([Buffer.alloc(64), await readFile(DATA)]);
      await writeFile(path.join(dir, 'external-data.onnx'), onnx.ModelProto.encode(model).finish());
      // The data file appears after the model has been quiet for longer than the watcher waits, and is written in
      // pieces, 100 ms apart: the model is never loaded without it, or with it half-written.
      await sleep(400);
      for (let at = 0; at < data.length; at += 96) {
        await writeFile(path.join(dir, 'weights.bin'), data.subarray(0, Math.min(data.length, at + 96)));
        await sleep(100);
      }
      const reloaded = await p.waitForEvent((e) => e.event === 'model-reloaded', 5_000);
      await sleep(800);
      assert.equal(p.events.filter((e) => e.event === 'model-reloaded').length, 1, JSON.stringify(p.events));
      assert.deepEqual(p.events.filter((e) => e.event === 'error'), []);
      const now = await card(p);
      assert.equal(reloaded.event === 'model-reloaded' && reloaded.modelVersion, now.version);
      assert.notEqual(now.version, v1);
      assert.deepEqual(now.externalData, [{ location: 'weights.bin', size: 288 }]);
      const res = await p.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } });
      assert.equal(res.status, 200, res.text);
    } finally {
      await p.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without its data file: a clear reason that names the file', async () => {
    const dir = await tempCopy(MODEL);
    try {
      await assert.rejects(startPreview(path.join(dir, 'external-data.onnx')),
        /external-data\.onnx: its external data file 'external-data\.onnx\.data' cannot be read: no such file \(copy it beside the model\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a data location outside the model’s folder is refused (a model may not make the server read other files)', async () => {
    const dir = await tempCopy(MODEL, DATA);
    try {
      const model = onnx.ModelProto.decode(await readFile(MODEL));
      for (const t of model.graph!.initializer!) for (const e of t.externalData!) if (e.key === 'location') e.value = '../../etc/passwd';
      await writeFile(path.join(dir, 'external-data.onnx'), onnx.ModelProto.encode(model).finish());
      await assert.rejects(readModelFile(path.join(dir, 'external-data.onnx')), /its external data location '\.\.\/\.\.\/etc\/passwd' is outside the model's folder/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
