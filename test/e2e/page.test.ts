import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import type { Browser } from 'playwright-core';
import type { FeedbackRecord } from '../../src/shared/feedback-record';
import { fixtureModel, IRIS_MODEL, REPO_ROOT, startPreview, type Preview } from '../helpers/preview';
import { withMetadataProp } from '../helpers/re-export';
import { ARTIFACTS, DESKTOP, launchBrowser, newContext, PHONE } from './browser';
import { feedbackLines, fillIris, openShareLink, queuedInBrowser } from './page-kit';

const DIGITS_MODEL = path.join(REPO_ROOT, 'examples/digits/digits.onnx');
const XSS = '<img src=x onerror=alert(1)>';

describe('e2e: the try-it page in a real Chromium', function () {
  this.timeout(90_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  before(async () => {
    ({ browser, close: closeBrowser } = await launchBrowser());
  });
  after(async () => closeBrowser?.());

  it('on a phone: fill the iris form, predict, send thumbs down with a correction and a comment; the record is on disk and streamed', async () => {
    const p = await startPreview(IRIS_MODEL);
    const { context, dialogs } = await newContext(browser, PHONE, true);
    const ws = new WebSocket(`ws://127.0.0.1:${p.port}/api/events`, { headers: { authorization: `Bearer ${p.ownerToken}` } });
    const streamed: Array<{ event: string; record?: FeedbackRecord }> = [];
    ws.on('message', (m: WebSocket.RawData) => streamed.push(JSON.parse(m.toString())));
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const page = await context.newPage();
      await openShareLink(page, p);
      await fillIris(page, [6.7, 3.0, 5.2, 2.3]);
      await page.getByTestId('predict').click();
      const top = page.getByTestId('score-row').first();
      await top.waitFor();
      assert.match(await top.innerText(), /virginica/);
      await page.getByTestId('thumb-down').click();
      const expected = page.getByTestId('expected');
      if (await expected.evaluate((el) => el.tagName === 'SELECT')) await expected.selectOption({ label: 'versicolor' });
      else await expected.fill('versicolor');
      await page.getByTestId('comment').fill(XSS);
      await page.getByTestId('reviewer').fill('Ana');
      await page.getByTestId('send-feedback').click();
      await page.getByTestId('feedback-status').filter({ hasText: /saved/i }).waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-phone.png'), fullPage: true });

      const records = feedbackLines(p);
      assert.equal(records.length, 1);
      assert.equal(records[0].rating, 'down');
      assert.equal(records[0].expected, 'versicolor');
      assert.equal(records[0].comment, XSS);
      assert.equal(records[0].reviewer, 'Ana');
      assert.equal(records[0].predicted, 'virginica');
      const deadline = Date.now() + 5_000;
      while (!streamed.some((e) => e.event === 'feedback') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(streamed.find((e) => e.event === 'feedback')?.record?.id, records[0].id, 'the owner saw it live');

      // The comment is inert: no element was injected, no script ran, and the export keeps it as text.
      assert.equal(await page.locator('img[src="x"]').count(), 0);
      assert.deepEqual(dialogs, []);
      const csv = await p.get('/api/feedback?format=csv', p.ownerToken);
      assert.ok(csv.text.includes(XSS), 'the CSV holds the comment as plain text');
    } finally {
      ws.close();
      await context.close();
      await p.stop();
    }
  });

  it('on a desktop: the same page, screenshot for the README', async () => {
    const p = await startPreview(IRIS_MODEL);
    const { context } = await newContext(browser, DESKTOP);
    try {
      const page = await context.newPage();
      await openShareLink(page, p);
      await fillIris(page, [5.1, 3.5, 1.4, 0.2]);
      await page.getByTestId('predict').click();
      await page.getByTestId('score-row').first().waitFor();
      assert.match(await page.getByTestId('score-row').first().innerText(), /setosa/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-desktop.png'), fullPage: true });
    } finally {
      await context.close();
      await p.stop();
    }
  });

  it('digits: uploading a photo of a 3 gives ten scores, with 3 on top', async () => {
    const p = await startPreview(DIGITS_MODEL);
    const { context } = await newContext(browser, PHONE, true);
    try {
      const page = await context.newPage();
      await openShareLink(page, p);
      await page.getByTestId('image-input').setInputFiles(path.join(REPO_ROOT, 'test/fixtures/images/digit-3.png'));
      await page.getByTestId('image-preview').waitFor();
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/predict'));
      await page.getByTestId('predict').click();
      const body = await (await answer).json() as { outputs: { logits: { data: number[] } } };
      assert.equal(body.outputs.logits.data.length, 10);
      const top = page.getByTestId('score-row').first();
      await top.waitFor();
      assert.match(await top.innerText(), /^\s*3\b/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-digits-phone.png'), fullPage: true });
    } finally {
      await context.close();
      await p.stop();
    }
  });

  it("a model that fails inside onnxruntime: the page says which input in words, onnxruntime's text collapsed under Details", async () => {
    const p = await startPreview(fixtureModel('text-to-number'));
    const { context } = await newContext(browser, PHONE, true);
    try {
      const page = await context.newPage();
      await openShareLink(page, p);
      await page.getByTestId('text-amount').fill('twelve');
      await page.getByTestId('predict').click();
      const message = page.getByTestId('error-message');
      await message.waitFor();
      assert.match(await message.innerText(), /^input 'amount': the model reads a number from this text, and a value is not a number; send digits such as "1\.5"/);
      const details = page.getByTestId('error-details');
      assert.equal(await details.evaluate((d) => d.hasAttribute('open')), false, 'collapsed at first');
      assert.equal(await details.locator('pre').isVisible(), false);
      await details.locator('summary').click();
      assert.match(await details.locator('pre').innerText(), /^onnxruntime: .*Cast node.*stod/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-model-error-phone.png'), fullPage: true });

      // A number in the text works, and the error goes away.
      await page.getByTestId('text-amount').fill('1.5');
      await page.getByTestId('predict').click();
      await page.getByTestId('result').waitFor();
      assert.equal(await page.getByTestId('input-error').isVisible(), false);
    } finally {
      await context.close();
      await p.stop();
    }
  });

  it('feedback sent while the server is down arrives exactly once after it restarts', async () => {
    const first = await startPreview(IRIS_MODEL, { keepDataDir: true });
    const { dataDir, port } = first;
    const { context } = await newContext(browser, PHONE, true);
    let second: Preview | undefined;
    try {
      const page = await context.newPage();
      await openShareLink(page, first);
      await fillIris(page, [5.1, 3.5, 1.4, 0.2]);
      await page.getByTestId('predict').click();
      await page.getByTestId('score-row').first().waitFor();
      await first.stop(); // the tunnel dropped, the laptop slept, the notebook restarted the server...
      await page.getByTestId('thumb-up').click();
      await page.getByTestId('comment').fill('sent while offline');
      await page.getByTestId('send-feedback').click();
      // The attempt failed and the page says so: kept on the device, not "saved" before the server confirmed.
      await page.getByTestId('feedback-status').filter({ hasText: /^Not sent yet/ }).waitFor();
      assert.equal((await queuedInBrowser(page)).length, 1);

      second = await startPreview(IRIS_MODEL, { dataDir, port });
      await page.getByTestId('feedback-status').filter({ hasText: /saved/i }).waitFor({ timeout: 45_000 });
      const records = feedbackLines(second);
      assert.equal(records.length, 1, JSON.stringify(records));
      assert.equal(records[0].comment, 'sent while offline');
      // Confirmed, so nothing is left in the browser that a reload could send again.
      assert.deepEqual(await queuedInBrowser(page), []);
      await page.reload();
      await page.getByTestId('predict').waitFor();
      assert.deepEqual(await queuedInBrowser(page), []);
    } finally {
      await context.close();
      await second?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('earlier feedback still waiting is announced by the next page opened, which sends it (the browser set offline, then online)', async () => {
    const p = await startPreview(IRIS_MODEL);
    const { context } = await newContext(browser, PHONE, true);
    try {
      const first = await context.newPage();
      await openShareLink(first, p);
      await fillIris(first, [5.1, 3.5, 1.4, 0.2]);
      await first.getByTestId('predict').click();
      await first.getByTestId('score-row').first().waitFor();
      await context.setOffline(true);
      await first.getByTestId('thumb-up').click();
      await first.getByTestId('send-feedback').click();
      await first.getByTestId('feedback-status').filter({ hasText: /^Not sent yet/ }).waitFor();
      await first.close(); // the person closed the tab; the feedback waits on the device

      await context.setOffline(false);
      const second = await context.newPage();
      // Everything the queue's status line says, recorded as it changes: the page may send the feedback (and say so)
      // within milliseconds of announcing it, faster than a locator polls.
      await second.addInitScript(() => {
        // Runs in the page: typed by hand, as this project's Node tsconfig has no DOM types.
        interface Box { textContent: string | null; hidden: boolean }
        const page = globalThis as unknown as {
          document: { querySelector(selector: string): Box | null };
          MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
          queueStatusTexts: string[];
        };
        const said: string[] = (page.queueStatusTexts = []);
        new page.MutationObserver(() => {
          const box = page.document.querySelector('[data-testid="feedback-queue"]');
          if (box && !box.hidden && box.textContent && said.at(-1) !== box.textContent) said.push(box.textContent);
        }).observe(page.document, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      await openShareLink(second, p);
      await second.getByTestId('feedback-queue').filter({ hasText: 'Your earlier feedback was saved.' }).waitFor({ timeout: 15_000 });
      const said = await second.evaluate(() => (globalThis as unknown as { queueStatusTexts: string[] }).queueStatusTexts);
      assert.deepEqual(said.map((t) => t.split('.')[0]), ['1 piece of earlier feedback is waiting to be sent', 'Your earlier feedback was saved'], JSON.stringify(said));
      assert.equal(feedbackLines(p).length, 1);
      assert.deepEqual(await queuedInBrowser(second), []);
    } finally {
      await context.close();
      await p.stop();
    }
  });

  it('a new model version: a prediction from it brings the banner, and "Show it and re-run my input" shows the new version\'s answer', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-e2e-version-'));
    const modelFile = path.join(dir, 'iris.onnx');
    copyFileSync(IRIS_MODEL, modelFile);
    const p = await startPreview(modelFile);
    const { context } = await newContext(browser, DESKTOP);
    try {
      const page = await context.newPage();
      await openShareLink(page, p);
      const oldVersion = await page.getByTestId('model-version').innerText();
      await fillIris(page, [6.7, 3.0, 5.2, 2.3]);
      await page.getByTestId('predict').click();
      await page.getByTestId('score-row').first().waitFor();
      assert.equal(await page.getByTestId('new-version').count(), 0);

      writeFileSync(modelFile, withMetadataProp(readFileSync(IRIS_MODEL), 'exported_by', 'e2e-version-test'));
      await p.waitForEvent((e) => e.event === 'model-reloaded', 10_000);
      const newVersion = p.session.card()!.version;
      assert.notEqual(newVersion, oldVersion);

      // The next prediction is answered by the new version: the page notices and offers it, without switching by itself.
      await page.getByTestId('predict').click();
      const banner = page.locator(`[data-testid="new-version"][data-version="${newVersion}"]`);
      await banner.waitFor();
      assert.match(await banner.innerText(), new RegExp(`A new version of the model is available\\. \\(version ${newVersion}\\)`));
      assert.equal(await page.getByTestId('model-version').innerText(), oldVersion);

      const rerun = page.waitForResponse((r) => r.url().endsWith('/api/predict'));
      await banner.getByRole('button', { name: 'Show it and re-run my input' }).click();
      assert.equal(JSON.parse(await (await rerun).text()).modelVersion, newVersion);
      await page.getByTestId('score-row').first().waitFor();
      assert.equal(await page.getByTestId('model-version').innerText(), newVersion);
      assert.equal(await page.getByTestId('new-version').count(), 0, 'the banner is gone');
      assert.deepEqual(await page.getByTestId('field-0').inputValue(), '6.7', 'what the person typed is kept');
    } finally {
      await context.close();
      await p.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('"Use via API": the panel shows ready-to-run snippets for this link; the curl one, copied from the page and run, gets an answer', async () => {
    const p = await startPreview(IRIS_MODEL);
    const { context, consoleErrors } = await newContext(browser, DESKTOP);
    try {
      const page = await context.newPage();
      await openShareLink(page, p);
      await page.getByTestId('api-panel').locator('summary').click();
      const shown = page.getByTestId('snippet-curl');
      await shown.waitFor();
      const curl = await shown.innerText();
      assert.ok(curl.includes(`${p.baseUrl}/v2/models/iris/infer`) && curl.includes(p.shareToken), curl);
      for (const id of ['python', 'python-numpy', 'python-tritonclient', 'javascript']) assert.ok(await page.getByTestId(`snippet-${id}`).isVisible(), id);
      assert.match(await page.getByTestId('snippet-python-tritonclient').innerText(), new RegExp(`InferenceServerClient\\(url="${new URL(p.baseUrl).host}", ssl=False\\)`));
      assert.equal(await page.getByTestId('openapi-link').getAttribute('href'), 'openapi.json');
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-use-via-api.png'), fullPage: true });
      // Asynchronously: the server answering it runs in this process.
      const { execFile } = await import('node:child_process');
      const { promisify } = await import('node:util');
      const answer = JSON.parse((await promisify(execFile)('bash', ['-e', '-c', curl], { timeout: 20_000 })).stdout);
      assert.equal(answer.outputs[0].name, 'logits');
      assert.deepEqual(consoleErrors, []);
    } finally {
      await context.close();
      await p.stop();
    }
  });
});
