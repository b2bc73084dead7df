import * as assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelReloadedEvent, ErrorEvent } from '../../src/shared/events';
import { assertTensor, fixtureModel, IRIS_MODEL, loadExpected, pollUntil, startPreview, type Preview, type Reply } from '../helpers/preview';
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

    it('requests running through the swap all get their 200 and a correct answer: the old version finishes what it started', async function () {
      this.timeout(60_000); // loading a version into both workers between jobs: seconds when other programs load the machine
      const modelFile = path.join(dir, 'slow-matmul.onnx');
      await copyFile(fixtureModel('slow-matmul'), modelFile);
      preview = await startPreview(modelFile, { workers: 2 });
      const oldVersion = preview.session.card()!.version;
      const c = loadExpected('slow-matmul').cases[0];
      const body = { inputs: [{ name: 'x', shape: [1, 512], datatype: 'FP32', data: c.inputs.x.data as number[] }] };
      // Clients that each keep one request (~50 ms of work) in flight, back to back, until one they sent after the swap
      // is answered. So requests are running when the new version comes in, however fast the machine is, and each
      // waits behind at most the other clients' few jobs — not behind a fixed pile of work that a loaded machine
      // stretches past the 10 s inference timeout (which is what failed here: the same 504s come without any swap).
      const CLIENTS = 8;
      let swapped = false;
      const reloadedEvent = preview.waitForEvent((e) => e.event === 'model-reloaded', 15_000).then((e) => {
        swapped = true;
        return e as ModelReloadedEvent;
      });
      reloadedEvent.catch(() => (swapped = true)); // no reload at all: stop the clients; the assertion below says why
      const replies: Array<{ reply: Reply; sentAfterSwap: boolean; answeredAfterSwap: boolean }> = [];
      const client = async () => {
        for (let sentAfterSwap = false; !sentAfterSwap;) {
          sentAfterSwap = swapped;
          const reply = await preview.post('/v2/models/slow-matmul/infer', body);
          replies.push({ reply, sentAfterSwap, answeredAfterSwap: swapped });
          if (reply.status !== 200) return;
        }
      };
      const clients = Array.from({ length: CLIENTS }, client);
      await pollUntil(async () => (replies.length >= CLIENTS ? true : undefined), 10_000, 'the clients\' first answers');
      await writeFile(modelFile, withMetadataProp(await readFile(fixtureModel('slow-matmul')), 'exported_by', 'swap-test'));
      await Promise.all(clients);
      const reloaded = await reloadedEvent;
      assert.equal(reloaded.previousVersion, oldVersion);

      assert.deepEqual(replies.filter((r) => r.reply.status !== 200).map((r) => r.reply.text), []);
      for (const { reply } of replies) assertTensor(reply.json.outputs[0], c.outputs.y, 'y');
      const version = (r: { reply: Reply }) => r.reply.json.model_version as string;
      assert.ok(replies.filter((r) => !r.sentAfterSwap).every((r) => [oldVersion, reloaded.modelVersion].includes(version(r))));
      assert.deepEqual(new Set(replies.filter((r) => r.sentAfterSwap).map(version)), new Set([reloaded.modelVersion]), 'sent after the swap: the new version');
      assert.ok(replies.some((r) => r.answeredAfterSwap && version(r) === oldVersion),
        'requests the old version had started were still running at the swap, and it answered them');
      assert.equal(preview.events.filter((e) => e.event === 'error').length, 0, JSON.stringify(preview.events));
      assert.ok(!preview.events.some((e) => e.event === 'reload-without-overlap'), 'memory is plentiful here: the reload overlapped');
    });
  });
});
