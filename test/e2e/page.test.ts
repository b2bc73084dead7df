import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import WebSocket from 'ws';
import type { Browser, Page } from 'playwright-core';
import type { FeedbackRecord } from '../../src/shared/feedback-record';
import { fixtureModel, IRIS_MODEL, REPO_ROOT, startPreview, type Preview } from '../helpers/preview';
import { ARTIFACTS, DESKTOP, launchBrowser, newContext, PHONE } from './browser';

const DIGITS_MODEL = path.join(REPO_ROOT, 'examples/digits/digits.onnx');
const XSS = '<img src=x onerror=alert(1)>';

const feedbackLines = (p: Preview): FeedbackRecord[] => {
  try {
    return readFileSync(path.join(p.dataDir, 'feedback.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};

async function openShareLink(page: Page, p: Preview): Promise<void> {
  await page.goto(`${p.baseUrl}/?t=${encodeURIComponent(p.shareToken)}`);
  await page.getByTestId('predict').waitFor({ timeout: 15_000 });
  assert.equal(new URL(page.url()).search, '', 'the token is traded for a cookie and leaves the address bar');
}

async function fillIris(page: Page, values: number[]): Promise<void> {
  for (const [i, v] of values.entries()) await page.getByTestId(`field-${i}`).fill(String(v));
}

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
      await page.waitForTimeout(500);
      assert.doesNotMatch(await page.getByTestId('feedback-status').innerText(), /saved/i, 'not "saved" before the server confirmed');

      second = await startPreview(IRIS_MODEL, { dataDir, port });
      await page.getByTestId('feedback-status').filter({ hasText: /saved/i }).waitFor({ timeout: 45_000 });
      // Reloading the page must not send it again.
      await page.reload();
      await page.getByTestId('predict').waitFor();
      await page.waitForTimeout(1_000);
      const records = feedbackLines(second);
      assert.equal(records.length, 1, JSON.stringify(records));
      assert.equal(records[0].comment, 'sent while offline');
    } finally {
      await context.close();
      await second?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
