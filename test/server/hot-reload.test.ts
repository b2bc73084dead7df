import * as assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelReloadedEvent, ErrorEvent } from '../../src/shared/events';
import { assertTensor, fixtureModel, IRIS_MODEL, loadExpected, pollUntil, startPreview, type Preview } from '../helpers/preview';
import { withMetadataProp } from '../helpers/re-export';

const irisBody = (data = [5.1, 3.5, 1.4, 0.2]) => ({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data }] });

describe('server: hot reload of the model file', function () {
  this.timeout(20_000);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mp-reload-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('iris, re-exported in place', () => {
    let preview: Preview;
    let modelFile: string;
    afterEach(async () => {
      await preview?.stop();
    });

    const versionServed = async () => (await preview.get('/v2/models/iris')).json.versions[0] as string;
    const waitForNewVersion = (old: string) => pollUntil(async () => {
      const v = await versionServed();
      return v !== old ? v : undefined;
    }, 5_000, `GET /v2/models/iris to show a version other than ${old}`);

    it('serves a rewritten file, then keeps the old version when a broken file is written, then follows a new signature', async () => {
      modelFile = path.join(dir, 'iris.onnx');
      await copyFile(IRIS_MODEL, modelFile);
      preview = await startPreview(modelFile);
      const v1 = await versionServed();
      const before = await preview.post('/v2/models/iris/infer', irisBody());
      assert.equal(before.status, 200, before.text);

      // 1. Same graph, different bytes (a re-export): a new version, same answers.
      await writeFile(modelFile, withMetadataProp(await readFile(IRIS_MODEL), 'exported_by', 'hot-reload-test'));
      const v2 = await waitForNewVersion(v1);
      const reloaded = await preview.waitForEvent((e) => e.event === 'model-reloaded') as ModelReloadedEvent;
      assert.deepEqual({ ...reloaded, loadMs: 0 }, { event: 'model-reloaded', model: 'iris', modelVersion: v2, previousVersion: v1, loadMs: 0 });
      assert.ok(reloaded.loadMs >= 0);
      assert.equal(preview.session.card()!.metadataProps.exported_by, 'hot-reload-test', 'the new bytes were loaded');
      const after = await preview.post('/v2/models/iris/infer', irisBody());
      assert.equal(after.status, 200, after.text);
      assert.equal(after.json.model_version, v2);
      assert.deepEqual(after.json.outputs, before.json.outputs);
      const metrics = await preview.get('/metrics', preview.ownerToken);
      assert.match(metrics.text, new RegExp(`^model_preview_model_info\\{model="iris",version="${v2}"\\} 1$`, 'm'));
      assert.match(metrics.text, /^model_preview_model_reloads_total\{result="ok"\} 1$/m);

      // 2. A truncated (broken) file: the old version keeps serving, and an error event says why.
      const whole = await readFile(modelFile);
      await writeFile(modelFile, whole.subarray(0, Math.floor(whole.length / 2)));
      const failed = await preview.waitForEvent((e) => e.event === 'error') as ErrorEvent;
      assert.equal(failed.source, 'model-reload');
      assert.match(failed.message, new RegExp(`still serving version ${v2}\\)$`));
      assert.match(failed.message, /iris\.onnx/);
      assert.equal(await versionServed(), v2);
      const still = await preview.post('/v2/models/iris/infer', irisBody());
      assert.equal(still.status, 200, still.text);
      assert.equal(still.json.model_version, v2);
      assert.equal(preview.events.filter((e) => e.event === 'model-reloaded').length, 1, JSON.stringify(preview.events));

      // 3. A model with another signature under the same file name: the served name stays, the signature follows.
      await copyFile(fixtureModel('two-inputs'), modelFile);
      const v3 = await waitForNewVersion(v2);
      const second = await preview.waitForEvent((e) => e.event === 'model-reloaded' && e.modelVersion === v3) as ModelReloadedEvent;
      assert.equal(second.previousVersion, v2, 'the broken file never became a version');
      const meta = await preview.get('/v2/models/iris');
      assert.deepEqual(meta.json.inputs.map((i: { name: string }) => i.name), ['a', 'b']);
      const c = loadExpected('two-inputs').cases[0];
      const sum = await preview.post('/v2/models/iris/infer', {
        inputs: Object.entries(c.inputs).map(([name, t]) => ({ name, ...t })), outputs: [{ name: 'sum' }],
      });
      assert.equal(sum.status, 200, sum.text);
      assertTensor(sum.json.outputs[0], c.outputs.sum, 'sum');
      const old = await preview.post('/v2/models/iris/infer', irisBody());
      assert.equal(old.status, 400, old.text);
      assert.match(old.json.error, /^unknown input 'features'; the model's inputs are: a, b$/);
    });
  });

  describe('the sidecar file, edited while the preview runs', () => {
    let preview: Preview;
    afterEach(async () => {
      await preview?.stop();
    });

    it('an invalid edit is an error event and is ignored; a valid one is a sidecar-reloaded event, and the page gets it', async () => {
      const modelFile = path.join(dir, 'iris.onnx');
      const sidecarFile = path.join(dir, 'iris.preview.json');
      await copyFile(IRIS_MODEL, modelFile);
      await writeFile(sidecarFile, JSON.stringify({ title: 'Iris, first title' }));
      preview = await startPreview(modelFile);
      const card = async () => (await preview.get('/api/card')).json as { sidecar?: { title?: string }; sidecarError?: string };
      assert.equal((await card()).sidecar?.title, 'Iris, first title');

      await writeFile(sidecarFile, '{"title": "half an edit');
      const failed = await preview.waitForEvent((e) => e.event === 'error') as ErrorEvent;
      assert.equal(failed.source, 'sidecar');
      assert.match(failed.message, /iris\.preview\.json: not valid JSON/);
      assert.match((await card()).sidecarError ?? '', /not valid JSON/);

      await writeFile(sidecarFile, JSON.stringify({ title: 'Iris, fixed' }));
      await preview.waitForEvent((e) => e.event === 'sidecar-reloaded');
      const fixed = await card();
      assert.equal(fixed.sidecar?.title, 'Iris, fixed');
      assert.equal(fixed.sidecarError, undefined);
      assert.deepEqual(preview.events.map((e) => e.event), ['error', 'sidecar-reloaded'], 'nothing else, and nothing at start for a valid sidecar');
    });
  });

  describe('slow-matmul, swapped while requests run', () => {
    let preview: Preview;
    afterEach(async () => {
      await preview?.stop();
    });

    it('every request started before the swap gets its 200 and a correct answer', async () => {
      const modelFile = path.join(dir, 'slow-matmul.onnx');
      await copyFile(fixtureModel('slow-matmul'), modelFile);
      preview = await startPreview(modelFile, { workers: 2 });
      const oldVersion = preview.session.card()!.version;
      const c = loadExpected('slow-matmul').cases[0];
      const row = c.inputs.x.data as number[];
      // ~100 ms a request. 40 of them exceed what the 2 workers take in at once (16 each), so some are still waiting
      // in the queue when the new version is swapped in: the swap happens while requests are in progress.
      const batch = 2;
      const count = 40;
      const body = { inputs: [{ name: 'x', shape: [batch, 512], datatype: 'FP32', data: Array.from({ length: batch }, () => row).flat() }] };
      let lastReplyAt = 0;
      const requests = Array.from({ length: count }, () => preview.post('/v2/models/slow-matmul/infer', body).then((r) => {
        lastReplyAt = performance.now();
        return r;
      }));
      let reloadedAt = Infinity;
      void preview.waitForEvent((e) => e.event === 'model-reloaded', 10_000).then(() => (reloadedAt = performance.now()), () => undefined);
      await new Promise((r) => setTimeout(r, 30));
      await writeFile(modelFile, withMetadataProp(await readFile(fixtureModel('slow-matmul')), 'exported_by', 'swap-test'));
      const replies = await Promise.all(requests);
      assert.deepEqual(replies.map((r) => r.status), Array(count).fill(200), replies.map((r) => r.text.slice(0, 200)).join('\n'));
      const reloaded = await preview.waitForEvent((e) => e.event === 'model-reloaded') as ModelReloadedEvent;
      assert.equal(reloaded.previousVersion, oldVersion);
      assert.ok(reloadedAt < lastReplyAt, `the new version was swapped in while requests were still running (${Math.round(lastReplyAt - reloadedAt)} ms before the last answer)`);
      const versions = replies.map((r) => r.json.model_version);
      assert.equal(versions[0], oldVersion, 'the first request ran on the version it started on');
      for (const v of versions) assert.ok(v === oldVersion || v === reloaded.modelVersion, `a known version: ${v}`);
      for (const r of replies) {
        const y = r.json.outputs[0];
        assert.deepEqual(y.shape, [batch, 512]);
        for (let b = 0; b < batch; b++) {
          assertTensor({ ...y, shape: [1, 512], data: y.data.slice(b * 512, (b + 1) * 512) }, c.outputs.y, `row ${b}`);
        }
      }
      assert.equal(preview.events.filter((e) => e.event === 'error').length, 0, JSON.stringify(preview.events));
      const later = await preview.post('/v2/models/slow-matmul/infer', { inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: row }] });
      assert.equal(later.status, 200, later.text);
      assert.equal(later.json.model_version, reloaded.modelVersion);
    });
  });
});
