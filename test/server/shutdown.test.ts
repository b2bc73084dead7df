import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { fixtureModel, IRIS_MODEL, loadExpected, pollUntil, startPreview, type Preview } from '../helpers/preview';

function listenOn(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** Waits until the session's pool has handed a request to a worker (read from its own in-flight gauge). */
async function untilInFlight(preview: Preview): Promise<void> {
  await pollUntil(async () => {
    const text = await preview.session.metrics.registry.getSingleMetricAsString('model_preview_inference_in_flight');
    return /^model_preview_inference_in_flight [1-9]/m.test(text) ? true : undefined;
  }, 5_000, 'a request in flight', 2);
}

describe('server: shutdown', function () {
  this.timeout(20_000);

  it('frees the port when stop() resolves, and stop() twice is fine', async () => {
    const preview = await startPreview(IRIS_MODEL);
    const { port } = preview;
    // a keep-alive connection stays open after this answer: stop() must not wait for it
    const res = await preview.post('/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] });
    assert.equal(res.status, 200, res.text);
    const started = performance.now();
    await preview.session.stop();
    assert.ok(performance.now() - started < 2_000, 'idle keep-alive connections do not hold stop() up');
    await listenOn(port);
    await preview.session.stop();
    await Promise.all([preview.session.stop(), preview.stop()]);
    await assert.rejects(fetch(`${preview.baseUrl}/v2/health/live`), 'nobody answers on the old port');
  });

  it('a request in flight when stop() is called still gets its 200', async () => {
    const preview = await startPreview(fixtureModel('slow-matmul'), { workers: 1 });
    try {
      const c = loadExpected('slow-matmul').cases[0];
      const inFlight = preview.post('/v2/models/slow-matmul/infer', { inputs: [{ name: 'x', ...c.inputs.x }] });
      await untilInFlight(preview); // the request has reached the worker (a run takes ~50 ms)
      const stopping = preview.session.stop();
      const res = await inFlight;
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.outputs[0].shape, [1, 512]);
      await stopping;
      await listenOn(preview.port);
    } finally {
      await preview.stop();
    }
  });

  it('stop() does not linger once the request in flight has been answered (its keep-alive socket is closed)', async () => {
    const preview = await startPreview(fixtureModel('slow-matmul'), { workers: 1 });
    try {
      const c = loadExpected('slow-matmul').cases[0];
      const inFlight = preview.post('/v2/models/slow-matmul/infer', { inputs: [{ name: 'x', ...c.inputs.x }] });
      await untilInFlight(preview);
      const stopping = preview.session.stop();
      const res = await inFlight;
      assert.equal(res.status, 200, res.text);
      const answeredAt = performance.now();
      await stopping;
      const lingered = performance.now() - answeredAt;
      assert.ok(lingered < 1_000,
        `stop() resolved ${lingered.toFixed(0)} ms after the last answer (sent with "Connection: ${res.headers.get('connection')}"): ` +
        'the idle keep-alive socket is only destroyed by the 3 s grace timer');
    } finally {
      await preview.stop();
    }
  });

  it('the same data folder keeps the same tokens across a restart (the share link survives)', async () => {
    const first = await startPreview(IRIS_MODEL, { keepDataDir: true });
    await first.stop();
    const second = await startPreview(IRIS_MODEL, { dataDir: first.dataDir });
    try {
      assert.equal(second.shareToken, first.shareToken);
      assert.equal(second.ownerToken, first.ownerToken);
      const res = await second.get('/api/card', first.shareToken);
      assert.equal(res.status, 200, res.text);
    } finally {
      await second.stop();
      await (await import('node:fs/promises')).rm(first.dataDir, { recursive: true, force: true });
    }
  });
});
