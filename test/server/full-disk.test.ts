import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { StorageEvent } from '../../src/shared/events';
import { newKey, sendFeedback } from '../helpers/feedback-kit';
import { pandasRowCount } from '../helpers/pandas';
import { IRIS_MODEL, startPreview, type Preview, type Reply } from '../helpers/preview';
import { mountSmallDisk, SMALL_DISK_NOTE, type SmallDisk } from '../helpers/small-disk';

/** Every line of a JSON Lines file parses, and the file ends with a newline: the next append starts a line of its own. */
async function assertWholeLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${path.basename(file)} ends in a partial line: …${JSON.stringify(text.slice(-80))}`);
  const lines = text.split('\n').filter((l) => l !== '');
  lines.forEach((line, i) => assert.doesNotThrow(() => JSON.parse(line), `${path.basename(file)} line ${i + 1} is not whole`));
  return lines;
}

function assertDiskFull(res: Reply): void {
  assert.equal(res.status, 507, res.text);
  assert.match(res.json?.error, /^the preview owner's disk is full, so nothing new can be saved right now; try again later/);
  assert.equal(res.headers.get('retry-after'), '30');
}

/**
 * A full disk is a condition of the owner's machine, not a bug: 507 with a sentence that says so (never 500), the
 * owner told once, no partial line left in a file, and writes working again by themselves once there is space.
 */
describe('server: a full data disk', function () {
  this.timeout(60_000);
  const title = SMALL_DISK_NOTE ? ` (SKIPPED: ${SMALL_DISK_NOTE})` : ' (on a real small tmpfs)';
  let disk: SmallDisk | undefined;
  let preview: Preview | undefined;

  afterEach(async () => {
    await preview?.stop();
    disk?.unmount();
  });

  (SMALL_DISK_NOTE ? it.skip : it)(`answers 507, tells the owner once, leaves whole lines only, and recovers when space returns${title}`, async () => {
    disk = mountSmallDisk(256);
    const dataDir = path.join(disk.dir, 'data');
    preview = await startPreview(IRIS_MODEL, { dataDir });
    const feedbackFile = path.join(dataDir, 'feedback.jsonl');
    const predictionsFile = path.join(dataDir, 'predictions.jsonl');
    const acknowledged: string[] = [];
    const refusedKeys: Array<{ predictionId: string; key: string }> = [];
    const statuses = new Set<number>();
    let lastPrediction: string | undefined;
    let predictionRefused: Reply | undefined;

    // Fill the disk with what stakeholders do: predictions and long comments.
    for (let i = 0; i < 1000 && !predictionRefused; i++) {
      const p = await preview.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } });
      statuses.add(p.status);
      if (p.status !== 200) {
        predictionRefused = p;
        break;
      }
      lastPrediction = p.json.predictionId;
      const key = newKey();
      const f = await sendFeedback(preview, { predictionId: p.json.predictionId, rating: 'down', comment: 'x'.repeat(1500), idempotencyKey: key });
      statuses.add(f.status);
      if (f.status === 201) acknowledged.push(f.json.id);
      else {
        assertDiskFull(f);
        refusedKeys.push({ predictionId: p.json.predictionId, key });
        // Cut off at once, not at the next start: the file is whole while the server runs.
        await assertWholeLines(feedbackFile);
      }
    }
    assert.ok(predictionRefused, `the disk never filled: ${[...statuses].join(', ')}`);
    assertDiskFull(predictionRefused);
    assert.ok(!statuses.has(500), `no 500: ${[...statuses].join(', ')}`);

    // Feedback on a prediction made before the disk filled: refused the same way.
    const key = newKey();
    assertDiskFull(await sendFeedback(preview, { predictionId: lastPrediction, rating: 'up', comment: 'y'.repeat(3000), idempotencyKey: key }));
    refusedKeys.push({ predictionId: lastPrediction!, key });

    // The owner is told once, with the cause; the log holds no stack traces and no "internal error".
    const storage = () => preview!.events.filter((e): e is StorageEvent => e.event === 'storage');
    assert.equal(storage().length, 1, JSON.stringify(storage()));
    assert.equal(storage()[0].state, 'failing');
    assert.equal(storage()[0].code, 'ENOSPC');
    assert.match(storage()[0].message, /the disk is full \(ENOSPC\)\. New predictions and feedback are refused \(HTTP 507\)/);
    assert.deepEqual(preview.logs.filter((l) => /ENOSPC|internal error|\bat .*\.js:\d+/.test(l)), []);

    // Everything acknowledged is on disk, in whole lines that pandas reads.
    const feedbackLines = await assertWholeLines(feedbackFile);
    await assertWholeLines(predictionsFile);
    const stored = new Set(feedbackLines.map((l) => JSON.parse(l).id));
    for (const id of acknowledged) assert.ok(stored.has(id), `acknowledged feedback ${id} is in feedback.jsonl`);
    assert.equal(pandasRowCount(feedbackFile), feedbackLines.length);

    // Space returns: writes work at once, the page's retry (same key) is stored, and the owner hears it once.
    disk.resize(4096);
    const retried = await sendFeedback(preview, { predictionId: refusedKeys[0].predictionId, rating: 'down', comment: 'x'.repeat(1500), idempotencyKey: refusedKeys[0].key });
    assert.equal(retried.status, 201, retried.text);
    const deadline = Date.now() + 15_000;
    while (!storage().some((e) => e.state === 'recovered') && Date.now() < deadline) {
      assert.equal((await preview.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } })).status, 200);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(storage().map((e) => e.state), ['failing', 'recovered']);
    assert.match(storage()[1].message, /can be written again/);

    await preview.stop();
    const finalLines = await assertWholeLines(feedbackFile);
    assert.equal(pandasRowCount(feedbackFile), finalLines.length);
    assert.equal(finalLines.filter((l) => JSON.parse(l).idempotencyKey === refusedKeys[0].key).length, 1, 'the retried feedback is stored once');
    assert.ok(pandasRowCount(predictionsFile) > 0);
  });

  (SMALL_DISK_NOTE ? it.skip : it)(`a torn tail found at start on a full disk is cut off (it cannot be kept beside the file), and the preview starts${title}`, async () => {
    disk = mountSmallDisk(128);
    const dataDir = path.join(disk.dir, 'data');
    preview = await startPreview(IRIS_MODEL, { dataDir });
    const p = await preview.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } });
    assert.equal((await sendFeedback(preview, { predictionId: p.json.predictionId, rating: 'up', idempotencyKey: newKey() })).status, 201);
    await preview.stop();
    const feedbackFile = path.join(dataDir, 'feedback.jsonl');
    await appendFile(feedbackFile, '{"schemaVersion":1,"id":"torn","comm');
    // Fill what is left of the disk.
    const filler = path.join(disk.dir, 'filler');
    await writeFile(filler, '');
    for (;;) {
      try {
        await appendFile(filler, Buffer.alloc(4096));
      } catch {
        break;
      }
    }

    preview = await startPreview(IRIS_MODEL, { dataDir });
    assert.deepEqual(preview.logs.filter((l) => /torn/.test(l)),
      ['warn (storage): feedback.jsonl ended with a torn line (36 bytes of an interrupted write, never acknowledged): cut off (they could not be kept beside it: ENOSPC), so the file stays readable by pandas; every complete record is kept']);
    assert.equal((await readdir(dataDir)).filter((f) => f.includes('.torn-')).length, 0, 'no partial file left beside it');
    assert.equal(pandasRowCount(feedbackFile), 1);
    assert.equal((await assertWholeLines(feedbackFile)).length, 1);
  });

  (SMALL_DISK_NOTE ? it.skip : it)(`a read-only data folder answers 507 saying so, and works again once writable${title}`, async () => {
    disk = mountSmallDisk(1024);
    const dataDir = path.join(disk.dir, 'data');
    preview = await startPreview(IRIS_MODEL, { dataDir }); // writes the tokens while it can
    await preview.stop();
    disk.remount('ro'); // (a file system with files open for writing cannot be made read-only: hence the restart)
    preview = await startPreview(IRIS_MODEL, { dataDir });
    const predict = () => preview!.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } });
    const refused = await predict();
    assert.equal(refused.status, 507, refused.text);
    assert.match(refused.json.error, /^the preview owner's data folder is read-only, so nothing new can be saved right now; try again later/);
    const failing = await preview.waitForEvent((e) => e.event === 'storage') as StorageEvent;
    assert.equal(failing.code, 'EROFS');
    assert.match(failing.message, /the file system is read-only \(EROFS\)/);
    disk.remount('rw');
    const deadline = Date.now() + 15_000;
    while (!preview.events.some((e) => e.event === 'storage' && e.state === 'recovered') && Date.now() < deadline) {
      assert.equal((await predict()).status, 200);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(preview.events.filter((e): e is StorageEvent => e.event === 'storage').map((e) => e.state), ['failing', 'recovered']);
  });
});
