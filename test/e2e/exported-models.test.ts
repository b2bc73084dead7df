import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { FIXTURE_DIR, fixtureModel, IRIS_MODEL, REPO_ROOT } from '../helpers/preview';
import { chromiumForSuite, withModelPage } from './browser';

/**
 * The page of models as tools export them, with no sidecar, in a real Chromium: what a stakeholder sees is labelled
 * from the model itself, dropdowns where the model knows the categories, and a prediction works. Screenshots in
 * test-results/ (the best are copied to docs/images/).
 */


const predict = async (page: Page) => {
  await page.getByTestId('predict').click();
  await page.getByTestId('result').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('input-error').isVisible(), false, await page.getByTestId('input-error').innerText());
};

describe('e2e: pages of models as notebooks and packages export them (no sidecar)', function () {
  this.timeout(90_000);
  const chromium = chromiumForSuite();

  it('the iris notebook’s export, unchanged: fields named from its metadata, answers with its class names', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-e2e-iris-'));
    copyFileSync(IRIS_MODEL, path.join(dir, 'iris.onnx')); // without iris.preview.json
    await withModelPage(chromium(), path.join(dir, 'iris.onnx'), 'page-iris-no-sidecar.png', async (page) => {
      const form = await page.getByTestId('input-form').innerText();
      assert.match(form, /sepal length \(cm\)[\s\S]*sepal width \(cm\)[\s\S]*petal length \(cm\)[\s\S]*petal width \(cm\)/);
      assert.doesNotMatch(form, /features\[0\]/);
      for (const [i, v] of [6.7, 3.0, 5.2, 2.3].entries()) await page.getByTestId(`field-${i}`).fill(String(v));
      await predict(page);
      assert.match(await page.getByTestId('score-row').first().innerText(), /virginica/);
      // The correction offered is by name too.
      assert.ok((await page.getByTestId('expected').innerText()).includes('versicolor'));
    });
  });

  it('a scikit-learn classifier (zipmap=True, string classes): probabilities with its class labels', async () => {
    await withModelPage(chromium(), fixtureModel('sklearn-zipmap-strings'), 'page-sklearn-zipmap.png', async (page) => {
      for (const [i, v] of [6.0, 2.9, 4.5, 1.5].entries()) await page.getByTestId(`field-${i}`).fill(String(v));
      await predict(page);
      const rows = await page.getByTestId('score-row').allInnerTexts();
      assert.equal(rows.length, 3);
      assert.match(rows[0], /^versicolor\s+\d/);
      assert.ok(rows.some((r) => r.startsWith('setosa')) && rows.some((r) => r.startsWith('virginica')));
    });
  });

  it('a DataFrame pipeline: one form, a field per column, dropdowns of the encoders’ categories, the scaler’s typical values', async () => {
    await withModelPage(chromium(), fixtureModel('sklearn-dataframe'), 'page-sklearn-dataframe.png', async (page) => {
      assert.equal(await page.getByTestId('columns').count(), 1, 'the four column inputs share one form');
      const contract = page.locator('select[name="contract"]');
      assert.deepEqual(await contract.locator('option').allInnerTexts(), ['month-to-month', 'one year', 'two year']);
      assert.deepEqual(await page.locator('select[name="payment_method"] option').allInnerTexts(), ['bank transfer', 'credit card', 'electronic check', 'mailed check']);
      assert.equal(await page.locator('input[name="tenure_months"]').inputValue(), '27.6', 'the training mean, from the Scaler');
      await page.locator('input[name="tenure_months"]').fill('2');
      await page.locator('input[name="monthly_charges"]').fill('95');
      await contract.selectOption('month-to-month');
      await page.locator('select[name="payment_method"]').selectOption('electronic check');
      await predict(page);
      assert.match(await page.getByTestId('score-row').first().innerText(), /^churns/);
    });
  });

  it('a ColumnTransformer over a matrix: the integer-coded column is a dropdown inside the vector, sent as a number', async () => {
    await withModelPage(chromium(), fixtureModel('sklearn-array-pipeline'), 'page-sklearn-array.png', async (page) => {
      const code = page.locator('select[name="X[1]"]');
      assert.deepEqual(await code.locator('option').allInnerTexts(), ['1', '2', '3']);
      await code.selectOption('3');
      const answer = page.waitForRequest((r) => r.url().endsWith('/api/predict'));
      await predict(page);
      const sent = (await answer).postDataJSON() as { inputs: { X: number[][] } };
      assert.equal(sent.inputs.X[0][1], 3, 'a number, as the model takes it');
      assert.equal(await page.getByTestId('score-row').count(), 2);
    });
  });

  it('a Conv2d export with a fixed batch of 2: the picture is sent twice, the page says so, and the answer comes back', async () => {
    await withModelPage(chromium(), fixtureModel('fixed-batch-conv'), 'page-fixed-batch.png', async (page) => {
      assert.match(await page.getByTestId('batch-note').innerText(), /always takes 2 examples at once/);
      await page.getByTestId('image-input').setInputFiles(path.join(REPO_ROOT, 'test/fixtures/images/digit-3.png'));
      await page.getByTestId('image-preview').waitFor();
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/predict'));
      await predict(page);
      const body = await (await answer).json() as { outputs: { logits: { shape: number[] } } };
      assert.deepEqual(body.outputs.logits.shape, [2, 3]);
      assert.match(await page.getByTestId('score-row').first().innerText(), /^(red|green|blue)/);
    });
  });

  it('Silero VAD v5 (from a public npm package): its inputs reuse `dim1`, and a prediction works from the page', async () => {
    await withModelPage(chromium(), path.join(FIXTURE_DIR, 'third-party', 'silero-vad-v5.onnx'), 'page-silero-vad.png', async (page) => {
      assert.equal(JSON.parse(await page.getByTestId('json-state').inputValue()).flat(2).length, 256, 'the state starts as zeros of its shape');
      await page.getByTestId('json-input').fill(JSON.stringify([Array.from({ length: 512 }, (_, i) => Math.sin(i / 5) / 4)]));
      await page.locator('input[name="sr"]').fill('16000');
      await predict(page);
      assert.ok(await page.locator('[data-output="output"]').isVisible());
    });
  });

  it('a model with external data (model.onnx + its data file): labelled from its metadata, answers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-e2e-external-'));
    for (const f of ['external-data.onnx', 'external-data.onnx.data']) copyFileSync(path.join(FIXTURE_DIR, f), path.join(dir, f));
    await withModelPage(chromium(), path.join(dir, 'external-data.onnx'), 'page-external-data.png', async (page) => {
      assert.match(await page.getByTestId('input-form').innerText(), /petal width \(cm\)/);
      await predict(page);
      assert.match(await page.getByTestId('score-row').first().innerText(), /^(setosa|versicolor|virginica)/);
    });
  });
});
