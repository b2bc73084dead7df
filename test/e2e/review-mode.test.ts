import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { FeedbackRecord } from '../../src/shared/feedback-record';
import { IRIS_MODEL, REPO_ROOT, startPreview } from '../helpers/preview';
import { ARTIFACTS, DESKTOP, chromiumForSuite, newContext, PHONE } from './browser';

const CASES = [
  { id: 'setosa-1', inputs: { features: [5.1, 3.5, 1.4, 0.2] }, tags: ['typical'] },
  { id: 'virginica-1', inputs: { features: [6.7, 3.0, 5.2, 2.3] }, tags: ['typical'] },
  { id: 'edge-1', inputs: { features: [6.0, 2.7, 5.1, 1.6] }, tags: ['boundary'] },
  { id: 'edge-2', inputs: { features: [4.9, 2.5, 4.5, 1.7] }, tags: ['boundary'] },
];

const progress = (page: Page) => page.getByTestId('review-progress').innerText();

async function waitForCase(page: Page, id: string, of: string): Promise<void> {
  await page.locator(`[data-testid="review-case"][data-case-id="${id}"]`).waitFor({ timeout: 10_000 });
  assert.equal(await progress(page), of);
}

describe('e2e: Review mode — a reviewer steps through a review set (real Chromium)', function () {
  this.timeout(120_000);
  const browser = chromiumForSuite();

  it('rates with reasons, skips, goes back, and after a reload resumes where they were; the records carry case, set, tags and the verified name', async () => {
    const p = await startPreview(IRIS_MODEL, { watch: false });
    const { context, dialogs } = await newContext(browser(), PHONE, true);
    try {
      const added = await p.post('/api/review-sets', { name: 'launch', format: 'jsonl', text: CASES.map((c) => JSON.stringify(c)).join('\n') }, p.ownerToken);
      assert.equal(added.status, 201, added.text);
      const invite = await p.post('/api/invites', { name: 'Dana' }, p.ownerToken);
      const page = await context.newPage();
      await page.goto(invite.json.link);
      await page.getByTestId('start-review').click();
      await waitForCase(page, 'setosa-1', '1 of 4');
      assert.match(await page.getByTestId('case-inputs').innerText(), /Sepal length\s+5\.1 cm/);
      assert.match(await page.getByTestId('score-row').first().innerText(), /setosa/, 'the model\'s answer, computed now');
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-mode-first-case.png'), fullPage: true });

      await page.getByTestId('thumb-up').click();
      await page.getByTestId('send-feedback').click();
      await waitForCase(page, 'virginica-1', '2 of 4');

      await page.getByTestId('thumb-down').click();
      await page.locator('[data-testid="reason"][data-reason="wrong answer"]').click();
      await page.getByTestId('expected').selectOption({ label: 'versicolor' });
      await page.getByTestId('comment').fill('petals too short for virginica');
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-mode-reasons.png'), fullPage: true });
      await page.getByTestId('send-feedback').click();
      await waitForCase(page, 'edge-1', '3 of 4');

      await page.getByTestId('review-skip').click();
      await waitForCase(page, 'edge-2', '4 of 4');
      await page.getByTestId('review-back').click();
      await waitForCase(page, 'edge-1', '3 of 4');

      // A reload (or a visit tomorrow): the review resumes at the same case.
      await page.reload();
      await page.getByTestId('start-review').click();
      await waitForCase(page, 'edge-1', '3 of 4');
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-mode-resumed.png'), fullPage: true });

      // The same reviewer on another browser (a fresh context: nothing in its storage) resumes there too: the server keeps the place.
      const other = await newContext(browser(), DESKTOP);
      try {
        const laptop = await other.context.newPage();
        await laptop.goto(invite.json.link);
        assert.equal(await laptop.getByTestId('review-name').count(), 0, 'an invited reviewer is known by their link: no name asked');
        await laptop.getByTestId('start-review').click();
        await waitForCase(laptop, 'edge-1', '3 of 4');
        await laptop.screenshot({ path: path.join(ARTIFACTS, 'review-mode-resumed-other-browser.png'), fullPage: true });
      } finally {
        await other.context.close();
      }
      await page.getByTestId('thumb-up').click();
      await page.getByTestId('send-feedback').click();
      await waitForCase(page, 'edge-2', '4 of 4');
      await page.getByTestId('review-skip').click();
      await page.getByTestId('review-done').waitFor({ timeout: 10_000 });
      assert.equal(await page.getByTestId('review-done').innerText(), 'All 4 cases of “launch” are done. Thank you!');
      assert.equal(await page.getByTestId('review-case').count(), 0, 'no case is left on screen');

      const records = readFileSync(path.join(p.dataDir, 'feedback.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FeedbackRecord);
      assert.deepEqual(records.map((r) => [r.caseId, r.rating, r.reviewSet, r.tags, r.reviewer, r.reviewerVerified]), [
        ['setosa-1', 'up', 'launch', ['typical'], 'Dana', true],
        ['virginica-1', 'down', 'launch', ['typical'], 'Dana', true],
        ['edge-1', 'up', 'launch', ['boundary'], 'Dana', true],
      ]);
      assert.deepEqual(records[1].reasons, ['wrong answer']);
      assert.equal(records[1].expected, 'versicolor');
      const stats = await p.get('/api/stats', p.ownerToken);
      assert.deepEqual(stats.json.cases.map((c: { caseId: string }) => c.caseId), ['virginica-1', 'edge-1', 'setosa-1'], 'thumbs-down first');
      assert.deepEqual(dialogs, []);
    } finally {
      await context.close();
      await p.stop();
    }
  });

  it('a reviewer without an invite gives their name, and on another browser giving the same name resumes at the same case', async () => {
    const p = await startPreview(IRIS_MODEL, { watch: false });
    const contexts = await Promise.all([newContext(browser(), PHONE, true), newContext(browser(), DESKTOP)]);
    try {
      const added = await p.post('/api/review-sets', { name: 'launch', format: 'jsonl', text: CASES.map((c) => JSON.stringify(c)).join('\n') }, p.ownerToken);
      assert.equal(added.status, 201, added.text);
      const link = `${p.baseUrl}/?t=${p.shareToken}`;
      const phone = await contexts[0].context.newPage();
      await phone.goto(link);
      await phone.getByTestId('review-name').fill('Sam');
      await phone.getByTestId('start-review').click();
      await waitForCase(phone, 'setosa-1', '1 of 4');
      await phone.getByTestId('review-skip').click();
      await waitForCase(phone, 'virginica-1', '2 of 4');
      await phone.getByTestId('review-skip').click();
      await waitForCase(phone, 'edge-1', '3 of 4');

      const laptop = await contexts[1].context.newPage();
      await laptop.goto(link);
      assert.equal(await laptop.getByTestId('review-name').inputValue(), '', 'nothing remembered on a new browser');
      await laptop.getByTestId('review-name').fill('Sam');
      await laptop.getByTestId('start-review').click();
      await waitForCase(laptop, 'edge-1', '3 of 4');
      await laptop.getByTestId('review-leave').click();
      await laptop.getByTestId('review-name').fill('Someone else');
      await laptop.getByTestId('start-review').click();
      await waitForCase(laptop, 'setosa-1', '1 of 4'); // another name has no place kept, and this browser has none of its own
      assert.deepEqual(contexts.flatMap((c) => c.dialogs), []);
    } finally {
      await Promise.all(contexts.map((c) => c.context.close()));
      await p.stop();
    }
  });

  it('a text model\'s review set: each case shows its text as written and the model\'s answer for it', async () => {
    const p = await startPreview(path.join(REPO_ROOT, 'test', 'fixtures', 'hf', 'text-intent', 'model.onnx'), { watch: false });
    const { context, dialogs } = await newContext(browser(), PHONE, true);
    try {
      const texts = ['Where is my parcel? It has not arrived yet.', '<b>Thank you</b>, great service!'];
      const added = await p.post('/api/review-sets', { name: 'intents', format: 'jsonl', text: texts.map((text, i) => JSON.stringify({ id: `t${i + 1}`, inputs: { text } })).join('\n') }, p.ownerToken);
      assert.equal(added.status, 201, added.text);
      const page = await context.newPage();
      await page.goto(`${p.baseUrl}/?t=${encodeURIComponent(p.shareToken)}`);
      await page.getByTestId('start-review').click();
      await waitForCase(page, 't1', '1 of 2');
      assert.equal(await page.getByTestId('case-text').innerText(), texts[0]);
      assert.match(await page.getByTestId('score-row').first().innerText(), /delivery/, 'the model read the text and answers');
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-mode-text-model.png'), fullPage: true });
      await page.getByTestId('thumb-up').click();
      await page.getByTestId('send-feedback').click();
      await waitForCase(page, 't2', '2 of 2');
      assert.equal(await page.getByTestId('case-text').innerText(), texts[1], 'markup in a case is shown as text');
      assert.equal(await page.locator('[data-testid="case-text"] b').count(), 0);
      const records = readFileSync(path.join(p.dataDir, 'feedback.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FeedbackRecord);
      assert.deepEqual(records.map((r) => [r.caseId, r.reviewSet, r.predicted]), [['t1', 'intents', 'delivery']]);
      assert.deepEqual(dialogs, []);
    } finally {
      await context.close();
      await p.stop();
    }
  });
});
