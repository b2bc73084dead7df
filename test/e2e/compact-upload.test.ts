import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Request } from 'playwright-core';
import { imageToTensor, tensorValues, type Preprocessing } from '../../src/shared/image-tensor';
import type { PictureInput } from '../../src/shared/picture-upload';
import { nest } from '../../src/page/logic/input-plan';
import { readBinaryAnswer } from '../../src/page/logic/compact-predict';
import { fixtureModel, REPO_ROOT } from '../helpers/preview';
import { chromiumForSuite, withModelPage } from './browser';

/**
 * The page's compact upload in a real Chromium, on the 3x320x320 image model: the picture goes up as its resized
 * RGB pixels, not as 307,200 JSON numbers, and the prediction (what the page shows, what is stored) is the one the
 * JSON upload gave.
 */

/** The result's text without what differs between two runs of the same prediction (times). */
const withoutTimes = (text: string) => text.replace(/\d+(\.\d+)?\s*(ms|s)\b/g, '<time>');

describe('e2e: a picture goes up as its pixels', function () {
  this.timeout(120_000);
  const chromium = chromiumForSuite();

  it('image-conv: ≤ 1/10 of the JSON upload\'s bytes, the same answer on the page, the same stored record', async () => {
    await withModelPage(chromium(), fixtureModel('image-conv'), 'page-image-conv-compact.png', async (page, p) => {
      const uploads: Request[] = [];
      page.on('request', (r) => {
        if (r.url().endsWith('/api/predict')) uploads.push(r);
      });
      await page.getByTestId('image-input').setInputFiles(path.join(REPO_ROOT, 'test/fixtures/images/digit-3.png'));
      await page.locator('.image-status').filter({ hasText: 'Picture ready' }).waitFor();
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/predict'));
      await page.getByTestId('predict').click();
      const response = await answered;
      await page.getByTestId('result').waitFor();
      const shown = withoutTimes(await page.getByTestId('result').innerText());

      // What went up: the JSON, then the pixels.
      assert.equal(uploads.length, 1);
      const onTheWire = uploads[0].postDataBuffer()!;
      const headers = await uploads[0].allHeaders();
      assert.equal(headers['content-type'], 'application/octet-stream');
      assert.equal(headers['content-encoding'], 'gzip', 'Chromium has CompressionStream: the pixels go gzipped');
      const sent = gunzipSync(onTheWire);
      const jsonLength = Number(headers['inference-header-content-length']);
      const head = JSON.parse(sent.subarray(0, jsonLength).toString()) as { inputs: { image: PictureInput } };
      const { picture, shape } = head.inputs.image;
      assert.deepEqual(shape, [1, 3, 320, 320]);
      const rgb = sent.subarray(jsonLength);
      assert.equal(rgb.length, 320 * 320 * 3);

      // The same picture as the page uploaded it before: the tensor as JSON numbers.
      const tensor = imageToTensor(rgb, picture as Preprocessing, 'RGB');
      const jsonForm = { inputs: { image: nest(tensorValues(tensor, 'FP32'), shape) } };
      const jsonBytes = Buffer.byteLength(JSON.stringify(jsonForm));
      assert.ok(onTheWire.length * 10 <= jsonBytes, `${onTheWire.length} bytes sent; the JSON form is ${jsonBytes} bytes (${(jsonBytes / onTheWire.length).toFixed(1)}x)`);
      // Even without gzip (a browser without CompressionStream) it is a quarter of the tensor as float32 bytes.
      assert.ok(sent.length <= 320 * 320 * 3 + 500, `${sent.length} bytes before gzip`);

      // The large output (heatmap, 6,400 values) came back as bytes; decoded, it is the JSON form's answer exactly.
      assert.equal(response.headers()['content-type'], 'application/octet-stream');
      const compactAnswer = readBinaryAnswer(await response.body(), Number(response.headers()['inference-header-content-length'])) as { outputs: Record<string, unknown> };
      const reply = await p.post('/api/predict', jsonForm);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(compactAnswer.outputs, reply.json.outputs);

      // The page shows the JSON form's answer exactly as it showed its own.
      await page.route('**/api/predict', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: reply.text }));
      await page.getByTestId('predict').click();
      await page.getByTestId('result').and(page.locator(`[data-prediction-id="${reply.json.predictionId}"]`)).waitFor();
      assert.equal(withoutTimes(await page.getByTestId('result').innerText()), shown);

      // Both predictions stored the same input (the same blob) and the same outputs.
      const records = readFileSync(path.join(p.dataDir, 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(records.length, 2);
      assert.deepEqual(records[0].inputs, records[1].inputs);
      assert.match(records[0].inputs.image.blob, /^blobs\/[0-9a-f]{64}\.json$/);
      assert.deepEqual(records[0].outputs, records[1].outputs);
    });
  });
});
