import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FeedbackRecord } from '../../src/shared/feedback-record';
import { IRIS_MODEL, startPreview } from '../helpers/preview';
import { ARTIFACTS, chromiumForSuite, newContext, PHONE } from './browser';

describe('e2e: a thumbs-down asks what is wrong (real Chromium)', function () {
  this.timeout(90_000);
  const browser = chromiumForSuite();

  it('shows the reason chips on thumbs-down, refuses a correction equal to the answer, and stores the chosen reasons', async () => {
    const p = await startPreview(IRIS_MODEL);
    const { context, dialogs } = await newContext(browser(), PHONE, true);
    try {
      const page = await context.newPage();
      await page.goto(`${p.baseUrl}/?t=${encodeURIComponent(p.shareToken)}`);
      await page.getByTestId('predict').waitFor({ timeout: 15_000 });
      for (const [i, v] of [6.7, 3.0, 5.2, 2.3].entries()) await page.getByTestId(`field-${i}`).fill(String(v));
      await page.getByTestId('predict').click();
      await page.getByTestId('score-row').first().waitFor();

      const reasons = page.getByTestId('reasons');
      assert.equal(await reasons.isVisible(), false, 'no chips before the answer is called wrong');
      await page.getByTestId('thumb-down').click();
      await reasons.waitFor({ state: 'visible' });
      assert.deepEqual(await page.getByTestId('reason').allInnerTexts(), ['wrong answer', 'should not answer', 'unfair to some group', 'other']);
      await page.locator('[data-testid="reason"][data-reason="wrong answer"]').click();
      await page.locator('[data-testid="reason"][data-reason="unfair to some group"]').click();
      assert.equal(await page.locator('[data-testid="reason"][aria-pressed="true"]').count(), 2);

      // The model said virginica: "it is wrong, it should be virginica" is no correction.
      await page.getByTestId('expected').selectOption({ label: 'virginica' });
      await page.getByTestId('send-feedback').click();
      const status = page.getByTestId('feedback-status');
      await status.filter({ hasText: /is what the model answered/ }).waitFor({ timeout: 5_000 });
      assert.match(await status.innerText(), /“virginica” is what the model answered\. Choose the right answer, or “Yes, right” if it is right\./);
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-reasons-refused.png'), fullPage: true });

      await page.getByTestId('expected').selectOption({ label: 'versicolor' });
      await page.getByTestId('send-feedback').click();
      await status.filter({ hasText: /^Saved$/ }).waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-reasons-saved.png'), fullPage: true });

      const records = readFileSync(path.join(p.dataDir, 'feedback.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FeedbackRecord);
      assert.equal(records.length, 1, 'the refused attempt sent nothing');
      assert.deepEqual(records[0].reasons, ['wrong answer', 'unfair to some group']);
      assert.equal(records[0].expected, 'versicolor');
      assert.equal(records[0].schemaVersion, 2);
      assert.deepEqual(dialogs, []);
    } finally {
      await context.close();
      await p.stop();
    }
  });

  it('an invited reviewer: the page says whose name the feedback goes under, and the record carries it, verified', async () => {
    const p = await startPreview(IRIS_MODEL);
    const { context } = await newContext(browser(), PHONE, true);
    try {
      const made = await p.post('/api/invites', { name: 'Dana' }, p.ownerToken);
      const page = await context.newPage();
      await page.goto(made.json.link);
      await page.getByTestId('predict').waitFor({ timeout: 15_000 });
      await page.getByTestId('predict').click();
      await page.getByTestId('score-row').first().waitFor();
      assert.equal(await page.getByTestId('invited-as').innerText(), 'Sending as Dana (from your invitation link)');
      assert.equal(await page.getByTestId('reviewer').count(), 0, 'no name field to type another name in');
      await page.getByTestId('thumb-up').click();
      await page.getByTestId('send-feedback').click();
      await page.getByTestId('feedback-status').filter({ hasText: /^Saved$/ }).waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-invited-reviewer.png'), fullPage: true });
      const [record] = readFileSync(path.join(p.dataDir, 'feedback.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FeedbackRecord);
      assert.deepEqual([record.reviewer, record.reviewerVerified], ['Dana', true]);
    } finally {
      await context.close();
      await p.stop();
    }
  });
});
