import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ErrorEvent, ModelReloadedEvent, ReloadWithoutOverlapEvent } from '../../src/shared/events';
import { fixtureModel, startPreview, type Preview } from '../helpers/preview';
import { withMetadataProp } from '../helpers/re-export';

/**
 * A hot reload whose new version does not fit in memory beside the old one (a container's memory limit: running out
 * there kills the server without a word). The memory the process may take is made scarce for the test
 * (`availableMemoryForTests`); the workers, the model files, onnxruntime and the HTTP requests are real.
 */
describe('server: a hot reload that does not fit beside the old version', function () {
  this.timeout(90_000);
  let dir: string;
  let preview: Preview | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mp-reload-fit-test-'));
  });
  afterEach(async () => {
    await preview?.stop();
    preview = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const MB = 1024 * 1024;
  /** slow-matmul takes ~50 ms per input row (batch 32: ~1.8 s on the 2-core reference machine). */
  const rows = (n: number) => ({ inputs: [{ name: 'x', shape: [n, 512], datatype: 'FP32', data: Array.from({ length: n * 512 }, (_, i) => (i % 7) / 7) }] });

  it('unloads the old version first and says so: 503 with Retry-After meanwhile, then the new version; a version that fails leaves 503 with the reason, and the next good one loads', async () => {
    const modelFile = path.join(dir, 'slow-matmul.onnx');
    const original = await readFile(fixtureModel('slow-matmul'));
    await writeFile(modelFile, original);
    // slow-matmul's file is ~1 MB: creating it needs ~66 MB by the estimate (2× and 64 MB), so 65.5 MB free is short
    // beside the old version, and enough once a worker's ~1 MB of it is freed.
    let available = 65.5 * MB;
    preview = await startPreview(modelFile, { workers: 2, timeoutMs: 60_000, availableMemoryForTests: () => available });
    const p = preview;
    const v1 = p.session.card()!.version;
    const infer = (body: object) => p.post('/v2/models/slow-matmul/infer', body);

    // A long request in flight on v1 when the re-export comes: the old version finishes it before it is unloaded.
    const long = infer(rows(96)); // ~5 s here: still running when the gap starts, on a faster machine too
    await new Promise((r) => setTimeout(r, 300));
    const reexport = withMetadataProp(original, 'exported_by', 'reload-fit-test');
    await writeFile(modelFile, reexport);
    const announced = await p.waitForEvent((e) => e.event === 'reload-without-overlap', 15_000) as ReloadWithoutOverlapEvent;
    const size = (await stat(modelFile)).size;
    assert.deepEqual({ ...announced, neededBytes: 0 }, { event: 'reload-without-overlap', model: 'slow-matmul', previousVersion: v1, availableBytes: 65.5 * MB, neededBytes: 0 });
    assert.ok(announced.neededBytes >= 2 * size && announced.neededBytes > announced.availableBytes, `needs ${announced.neededBytes} for a ${size}-byte model`);

    // The gap: no version is served until the new one loads.
    const during = await infer(rows(1));
    assert.equal(during.status, 503, during.text);
    assert.equal(during.headers.get('retry-after'), '1');
    assert.equal(during.json.error, 'the model is being reloaded; try again shortly');
    // A load balancer's probes see it too: not ready while nothing is served.
    assert.deepEqual([(await p.get('/v2/health/ready', null)).status, (await p.get('/v2/models/slow-matmul/ready')).json], [503, { name: 'slow-matmul', ready: false }]);
    const longReply = await long;
    assert.equal(longReply.status, 200, longReply.text);
    assert.equal(longReply.json.model_version, v1, 'the old version finished what it had started');

    const reloaded = await p.waitForEvent((e) => e.event === 'model-reloaded', 30_000) as ModelReloadedEvent;
    assert.equal(reloaded.previousVersion, v1);
    assert.ok(typeof reloaded.unavailableMs === 'number' && reloaded.unavailableMs >= 0, JSON.stringify(reloaded));
    const v2 = reloaded.modelVersion;
    const after = await infer(rows(1));
    assert.equal(after.status, 200, after.text);
    assert.equal(after.json.model_version, v2);
    assert.equal((await p.get('/v2/health/ready', null)).status, 200, 'ready again once the new version serves');

    // A re-export onnxruntime cannot load (an operator it does not know): without overlap the old version is gone
    // already, so nothing is served; the server keeps running and says why, to the owner and to requests.
    await writeFile(modelFile, Buffer.from(original.toString('latin1').replaceAll('Tanh', 'Tanx'), 'latin1'));
    // (The second worker may still be loading v2 in the background: the rewrite makes that load fail, a `worker` error.)
    const failed = await p.waitForEvent((e) => e.event === 'error' && e.source === 'model-reload', 30_000) as ErrorEvent;
    assert.match(failed.message, /Tanx/);
    assert.match(failed.message, new RegExp(`\\(no version is served: ${v2} was unloaded to make room for the new one; requests get 503 until a re-export loads\\)$`));
    assert.equal(p.events.filter((e) => e.event === 'reload-without-overlap').length, 2);
    const broken = await infer(rows(1));
    assert.equal(broken.status, 503, broken.text);
    assert.ok(Number(broken.headers.get('retry-after')) > 0);
    assert.match(broken.json.error, /^the model is not available: its new version could not be loaded \(.*Tanx.*\); try again later$/);
    assert.equal((await p.get('/v2/health/live')).status, 200, 'the server is still running');
    assert.equal((await p.get('/v2/health/ready', null)).status, 503, 'but not ready: no version is served');

    // The version served before, written back: it loads although it is the version the session last described.
    await writeFile(modelFile, reexport);
    const back = await p.waitForEvent((e) => e.event === 'model-reloaded' && e.modelVersion === v2 && e !== reloaded, 30_000) as ModelReloadedEvent;
    assert.equal(back.previousVersion, v2);
    const again = await infer(rows(1));
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.model_version, v2);
    assert.equal(p.events.filter((e) => e.event === 'reload-without-overlap').length, 2, 'nothing was served to unload: no third one');

    // So little memory that the new version would not fit even without the old one: it is not tried (the process
    // would be killed), and the version served stays.
    available = 1 * MB;
    await writeFile(modelFile, withMetadataProp(original, 'exported_by', 'too-big'));
    const refused = await p.waitForEvent((e) => e.event === 'error' && e.source === 'model-reload' && e !== failed, 30_000) as ErrorEvent;
    assert.match(refused.message, /not loaded: creating its session needs about 66 MB of memory \(twice its files and a margin\), and this process has 1\.0 MB free/);
    assert.match(refused.message, new RegExp(`\\(still serving version ${v2}\\)$`));
    const kept = await infer(rows(1));
    assert.equal(kept.status, 200, kept.text);
    assert.equal(kept.json.model_version, v2);
    assert.equal(p.events.filter((e) => e.event === 'reload-without-overlap').length, 2);
  });
});
