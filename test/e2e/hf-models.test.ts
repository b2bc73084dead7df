import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { fixtureModel, REPO_ROOT } from '../helpers/preview';
import { chromiumForSuite, withModelPage } from './browser';
import { storedInput } from './page-kit';

/**
 * Pages of Hugging Face export folders (test/fixtures/hf/, made by scripts/make-hf-fixtures.py), in a real Chromium:
 * a text classifier gives a text box and answers with its label names; an image classifier is preprocessed as its
 * preprocessor_config.json says. Screenshots in test-results/.
 */
const HF = path.join(REPO_ROOT, 'test', 'fixtures', 'hf');


/** Presses Predict and waits for this prediction's answer (a second answer replaces the first one on the page). */
const predict = async (page: Page) => {
  const response = page.waitForResponse((r) => r.url().endsWith('/api/predict'));
  await page.getByTestId('predict').click();
  const answered = (await (await response).json()) as { predictionId?: string; error?: string };
  assert.ok(answered.predictionId, answered.error);
  await page.locator(`[data-prediction-id="${answered.predictionId}"]`).waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('input-error').isVisible(), false, await page.getByTestId('input-error').innerText());
};

describe('e2e: pages of Hugging Face export folders', function () {
  this.timeout(90_000);
  const chromium = chromiumForSuite();

  it('a text classifier: one text box instead of token ids; a typed sentence is classified with its label names; tokens under details', async () => {
    await withModelPage(chromium(), path.join(HF, 'text-intent', 'model.onnx'), 'page-hf-text-classifier.png', async (page) => {
      const form = await page.getByTestId('input-form').innerText();
      assert.doesNotMatch(form, /input_ids|attention_mask|token_type_ids/, 'no token-id fields');
      assert.match(form, /at most 48 tokens/);
      await page.getByTestId('text-$text').fill('Hello, my order is late and the tracking number does not work');
      await predict(page);
      assert.equal(await page.getByTestId('answer').innerText(), 'delivery');
      const rows = await page.getByTestId('score-row').allInnerTexts();
      assert.deepEqual(rows.map((r) => r.split(/\s/)[0]).sort(), ['billing', 'delivery', 'praise']);
      assert.equal(await page.getByTestId('text-cut').count(), 0);
      await page.getByTestId('tokens').locator('summary').click();
      assert.match(await page.getByTestId('token-ids').innerText(), /^input_ids: \[2, /);
      assert.match(await page.getByTestId('tokens').innerText(), /tracking/);

      await page.getByTestId('text-$text').fill('Thank you, the support team was wonderful. '.repeat(10));
      await predict(page);
      assert.equal(await page.getByTestId('answer').innerText(), 'praise');
      assert.match(await page.getByTestId('text-cut').innerText(), /only the first 48 tokens were used/);
    });
  });

  it('an image classifier: resized and normalised as its preprocessor_config.json says — the tensor the model is given is the one Python makes; the label is by name', async () => {
    const folder = path.join(HF, 'image-colours');
    const expected = (JSON.parse(readFileSync(path.join(folder, 'expected.json'), 'utf8')) as { cases: Array<{ label: string; pixel_values: { data: number[] } }> }).cases[0];
    await withModelPage(chromium(), path.join(folder, 'model.onnx'), 'page-hf-image-classifier.png', async (page, p) => {
      assert.match(await page.getByTestId('image-preprocessing').innerText(), /32 × 32, bicubic like Pillow\), normalised with mean 0\.485\/0\.456\/0\.406 and std 0\.229\/0\.224\/0\.225/);
      await page.getByTestId('image-input').setInputFiles(path.join(folder, 'yellow-blob.png'));
      await page.getByText('Picture ready').waitFor();
      await predict(page);
      // The picture went up as its pixels; the tensor the model was given is the one the prediction record keeps.
      const flat = storedInput(p, 'pixel_values') as number[];
      assert.equal(flat.length, expected.pixel_values.data.length);
      const worst = Math.max(...flat.map((v, i) => Math.abs(v - expected.pixel_values.data[i])));
      assert.ok(worst < 1e-5, `largest difference from Pillow + numpy: ${worst}`);
      assert.equal(await page.getByTestId('answer').innerText(), expected.label);
      assert.equal(expected.label, 'yellow');
    });
  });

  it('a probability map [N, 1, H, W]: a picture laid over the uploaded one, a summary and a download — not 1,024 numbers', async () => {
    await withModelPage(chromium(), path.join(HF, 'mask-red', 'model.onnx'), 'page-hf-mask-overlay.png', async (page) => {
      await page.getByTestId('image-input').setInputFiles(path.join(HF, 'mask-red', 'red-disc.png'));
      await page.getByText('Picture ready').waitFor();
      await predict(page);
      assert.equal(await page.getByTestId('output-figure').getAttribute('data-overlay'), 'true');
      // (a string: this file is compiled without the DOM's types)
      const [inside, outside] = await page.evaluate(`(() => {
        const ctx = document.querySelector('[data-testid="output-picture"]').getContext('2d');
        return [Array.from(ctx.getImageData(10, 16, 1, 1).data), Array.from(ctx.getImageData(28, 4, 1, 1).data)];
      })()`) as number[][];
      assert.ok(inside[0] > 200 && inside[1] < 60, `the disc is red on the map: ${inside.join(',')}`);
      assert.ok(Math.abs(outside[0] - outside[1]) < 20, `the grey background shows through: ${outside.join(',')}`);
      assert.match(await page.getByTestId('array-summary').innerText(), /^1,024 values · min 0\.\d+ · max 0\.\d+/);
      assert.ok((await page.getByTestId('result').innerText()).length < 3000, 'no wall of numbers');
      const download = page.waitForEvent('download');
      await page.getByTestId('download-output').click();
      const saved = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { shape: number[]; data: number[] };
      assert.deepEqual(saved.shape, [1, 1, 32, 32]);
      assert.equal(saved.data.length, 1024);
    });
  });

  it('a sequence of class scores [N, T, C] with a vocab.txt: the decoded text (greedy CTC), the steps under details', async () => {
    await withModelPage(chromium(), path.join(HF, 'ctc-steps', 'model.onnx'), 'page-hf-ctc-sequence.png', async (page) => {
      await page.getByTestId('json-codes').fill('[[1, 1, 0, 2, 2, 0, 3, 1]]');
      await predict(page);
      assert.equal(await page.getByTestId('answer').innerText(), 'abca');
      assert.equal(await page.getByTestId('sequence-steps').textContent(), 'a · a · <blank> · b · b · <blank> · c · a');
    });
  });

  it('a 512-value output is summarised with its data to download, not listed', async () => {
    await withModelPage(chromium(), fixtureModel('slow-matmul'), 'page-large-output-summary.png', async (page) => {
      await predict(page);
      assert.match(await page.getByTestId('array-summary').innerText(), /^512 values · min /);
      assert.equal(await page.locator('.values li').count(), 0);
    });
  });

  it('an audio classifier: a 44.1 kHz stereo WAV and an 8 kHz mono one are sent as 16 kHz mono and classified by name; recording is offered on localhost', async () => {
    const folder = path.join(HF, 'audio-tone');
    await withModelPage(chromium(), path.join(folder, 'model.onnx'), 'page-hf-audio.png', async (page) => {
      assert.equal(await page.getByTestId('record').count(), 1, 'http://127.0.0.1 is a secure context: the microphone may be used');
      for (const [file, samples, label] of [['high-3khz-44k-stereo.wav', 16000, 'high tone'], ['low-440hz-8k-mono.wav', 8000, 'low tone']] as const) {
        await page.getByTestId('audio-input').setInputFiles(path.join(folder, file));
        await page.getByText('Sound ready').waitFor();
        const request = page.waitForRequest((r) => r.url().endsWith('/api/predict'));
        await predict(page);
        const sent = (JSON.parse((await request).postData()!) as { inputs: { input_values: number[][] } }).inputs.input_values;
        assert.equal(sent.length, 1);
        assert.ok(Math.abs(sent[0].length - samples) <= 1, `${file}: ${sent[0].length} samples sent`);
        assert.equal(await page.getByTestId('answer').innerText(), label, file);
      }
    });
  });
});
