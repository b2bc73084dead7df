import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { feedbackThumbnail } from '../../src/client/feedback-thumbnail';
import { regressionCases } from '../../src/core/feedback/regression-replay';
import { BlobStore } from '../../src/core/store/blob-store';
import { PictureUpload, predictRequest, readBinaryAnswer } from '../../src/page/logic/compact-predict';
import { feedbackCsv } from '../../src/shared/feedback-csv';
import type { FeedbackRecord } from '../../src/shared/feedback-record';
import { imageToTensor, tensorValues, type Preprocessing } from '../../src/shared/image-tensor';
import { fileRecords, newKey, sendFeedback } from '../helpers/feedback-kit';
import { fixtureModel, startPreview, type Preview } from '../helpers/preview';

/*
 * The page's prediction of a picture leaves a predictions.jsonl line whose large tensors are blobs. The worker now
 * makes that line and those blobs (the HTTP thread only writes them): what is stored, and what every reader of it
 * gets, must be what it was — the values the JSON form of the upload had, bit for bit.
 */

const SHAPE = [1, 3, 320, 320];
const P: Preprocessing = { width: 320, height: 320, channels: 'RGB', layout: 'NCHW', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], invert: false };

/** Gradients plus noise, 8-bit RGB: what the page has after resizing a photo. */
function picture(seed: number): Uint8Array {
  const rgb = new Uint8Array(320 * 320 * 3);
  for (let i = 0; i < 320 * 320; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const x = i % 320, y = Math.floor(i / 320), noise = (seed >>> 24) % 32;
    rgb[i * 3] = Math.min(255, (x * 255) / 320 + noise);
    rgb[i * 3 + 1] = Math.min(255, (y * 255) / 320 + noise);
    rgb[i * 3 + 2] = Math.min(255, ((x + y) * 127) / 320 + noise);
  }
  return rgb;
}

const sha256Ref = (text: string): string => `blobs/${createHash('sha256').update(text).digest('hex')}.json`;

/** The page's own compact upload of the picture; the answer's outputs, the binary ones as Float32Arrays. */
async function predictPicture(preview: Preview, rgb: Uint8Array): Promise<{ predictionId: string; outputs: Record<string, { data: ArrayLike<number> }> }> {
  const request = predictRequest({ inputs: { image: new PictureUpload(rgb, P, SHAPE) } });
  const res = await fetch(`${preview.baseUrl}/api/predict`, {
    method: 'POST', headers: { authorization: `Bearer ${preview.shareToken}`, ...request.headers }, body: request.body,
  });
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, body.toString().slice(0, 300));
  return readBinaryAnswer(body, Number(res.headers.get('inference-header-content-length'))) as never;
}

describe('server: a page prediction of a picture is stored as it always was', function () {
  this.timeout(60_000);
  let preview: Preview;

  before(async () => {
    preview = await startPreview(fixtureModel('image-conv'), { workers: 1, watch: false });
  });
  after(async () => {
    await preview?.stop();
  });

  it('its line and blobs hold the JSON form\'s values bit for bit, and the thumbnail, CSV and replay read them', async () => {
    const rgb = picture(16);
    const answer = await predictPicture(preview, rgb);
    const [record] = await fileRecords(path.join(preview.dataDir, 'predictions.jsonl'));
    assert.equal(record.predictionId, answer.predictionId);

    // The input: a blob of the values the page would have sent as JSON numbers (tensorValues), named by its sha256.
    const values = tensorValues(imageToTensor(rgb, P, 'RGB'), 'FP32');
    const inputText = JSON.stringify(values);
    assert.deepEqual(record.inputs, { image: { datatype: 'FP32', shape: SHAPE, blob: sha256Ref(inputText) } });
    assert.equal(await readFile(path.join(preview.dataDir, record.inputs.image.blob), 'utf8'), inputText);

    // The outputs: the 6,400-value heatmap as a blob of its float32 values' JSON numbers, the 10 logits inline.
    const heatmapText = JSON.stringify(Array.from(answer.outputs.heatmap.data));
    assert.deepEqual(record.outputs.heatmap, { datatype: 'FP32', shape: [1, 1, 80, 80], blob: sha256Ref(heatmapText) });
    assert.equal(await readFile(path.join(preview.dataDir, record.outputs.heatmap.blob), 'utf8'), heatmapText);
    assert.deepEqual(record.outputs.logits, { datatype: 'FP32', shape: [1, 10], data: Array.from(answer.outputs.logits.data) });
    assert.deepEqual((await readdir(path.join(preview.dataDir, 'blobs'))).sort(), [record.inputs.image.blob, record.outputs.heatmap.blob].map((r) => r.slice(6)).sort());

    // Feedback on it names the same blobs; the readers get the values.
    const sent = await sendFeedback(preview, { predictionId: answer.predictionId, rating: 'down', expected: '3', idempotencyKey: newKey() });
    assert.equal(sent.status, 201, sent.text);
    const [feedback] = await fileRecords(path.join(preview.dataDir, 'feedback.jsonl')) as FeedbackRecord[];
    assert.deepEqual(feedback.inputs, record.inputs);
    assert.deepEqual(feedback.outputs, record.outputs);
    const inline = { datatype: 'FP32', shape: SHAPE, data: values };
    assert.equal(await feedbackThumbnail(preview.dataDir, feedback.inputs.image), await feedbackThumbnail(preview.dataDir, inline), 'the Feedback view\'s thumbnail');
    const logits = Array.from(answer.outputs.logits.data);
    const row = feedbackCsv([feedback]).split('\r\n')[1].split(',');
    assert.deepEqual([row[4], row[6], row[7]], [answer.predictionId, String(logits.indexOf(Math.max(...logits))), '3'], 'the CSV export\'s row');
    const [replayed] = await regressionCases([feedback], new BlobStore(preview.dataDir), assert.fail);
    assert.deepEqual(JSON.parse(Buffer.from(replayed.body).toString()).inputs, [{ name: 'image', ...inline }], 'regression replay sends the values');
  });

  it('the same picture again: one blob file, a new line naming it', async () => {
    const before = await readdir(path.join(preview.dataDir, 'blobs'));
    await predictPicture(preview, picture(16));
    const records = await fileRecords(path.join(preview.dataDir, 'predictions.jsonl'));
    assert.deepEqual(records.at(-1).inputs, records.at(-2).inputs);
    assert.deepEqual(await readdir(path.join(preview.dataDir, 'blobs')), before);
  });
});

describe('server: a picture prediction stored by an older server still takes feedback and reads', function () {
  this.timeout(60_000);

  it('a record and blob written as before this change: feedback after a restart names them, the thumbnail reads', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mp-old-picture-'));
    try {
      // Written as the server wrote it: the worker's record parsed on the HTTP thread, its tensor moved to a blob.
      const values = tensorValues(imageToTensor(picture(3), P, 'RGB'), 'FP32');
      const text = JSON.stringify(values);
      await mkdir(path.join(dataDir, 'blobs'));
      await writeFile(path.join(dataDir, sha256Ref(text)), text);
      const old = {
        predictionId: 'old-prediction', ts: '2026-11-01T10:00:00.000Z', model: 'image-conv', modelVersion: 'aaaaaaaaaaaa',
        inputs: { image: { datatype: 'FP32', shape: SHAPE, blob: sha256Ref(text) } },
        outputs: { logits: { datatype: 'FP32', shape: [1, 10], data: [0.5, 0.25, 0, 0, 0, 0, 0, 0, 0, 0] } },
        timing: { inferenceMs: 3, totalMs: 9 },
      };
      await writeFile(path.join(dataDir, 'predictions.jsonl'), `${JSON.stringify(old)}\n`);
      const preview = await startPreview(fixtureModel('image-conv'), { workers: 1, watch: false, dataDir });
      try {
        const sent = await sendFeedback(preview, { predictionId: 'old-prediction', rating: 'up', idempotencyKey: newKey() });
        assert.equal(sent.status, 201, sent.text);
        const [feedback] = await fileRecords(path.join(dataDir, 'feedback.jsonl')) as FeedbackRecord[];
        assert.deepEqual(feedback.inputs, old.inputs);
        const thumbnail = await feedbackThumbnail(dataDir, feedback.inputs.image);
        assert.equal(thumbnail, await feedbackThumbnail(dataDir, { datatype: 'FP32', shape: SHAPE, data: values }));
      } finally {
        await preview.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
