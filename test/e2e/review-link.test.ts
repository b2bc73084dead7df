import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { reviewLink } from '../../src/shared/review-set';
import { IRIS_MODEL, startPreview } from '../helpers/preview';
import { ARTIFACTS, chromiumForSuite, newContext, PHONE } from './browser';

describe('e2e: a review link (VS Code\'s "Copy review link") opens the page in Review mode on its set (real Chromium)', function () {
  this.timeout(60_000);
  const browser = chromiumForSuite();

  it('the share link with #review=<set> lands on the set\'s first case, through the redirect that trades the token for a cookie; an unknown set leaves the try-it page', async () => {
    const p = await startPreview(IRIS_MODEL, { watch: false });
    const { context } = await newContext(browser(), PHONE, true);
    try {
      for (const [name, id] of [['warm up', 'w1'], ['launch week', 'edge-1']]) {
        const text = JSON.stringify({ id, inputs: { features: [6.0, 2.7, 5.1, 1.6] } });
        assert.equal((await p.post('/api/review-sets', { name, format: 'jsonl', text }, p.ownerToken)).status, 201);
      }
      const shareUrl = `${p.baseUrl}/?t=${p.shareToken}`;
      const page = await context.newPage();
      await page.goto(reviewLink(shareUrl, 'launch week'));
      await page.locator('[data-testid="review-case"][data-case-id="edge-1"]').waitFor({ timeout: 10_000 });
      assert.equal(await page.getByTestId('review-progress').innerText(), '1 of 1');
      assert.equal(new URL(page.url()).searchParams.get('t'), null, 'the token left the address bar');
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-link.png'), fullPage: true });

      const other = await context.newPage();
      await other.goto(reviewLink(shareUrl, 'no such set'));
      await other.getByTestId('input-form').waitFor({ timeout: 10_000 });
      assert.equal(await other.getByTestId('review-case').count(), 0);
    } finally {
      await context.close();
      await p.stop();
    }
  });

  it('the first case takes one request (the case and its answer); the card, the sets and an invited name come in the page, the name shown as text', async () => {
    const p = await startPreview(IRIS_MODEL, { watch: false });
    const { context } = await newContext(browser(), PHONE, true);
    try {
      const text = ['c1', 'c2'].map((id) => JSON.stringify({ id, inputs: { features: [6.0, 2.7, 5.1, 1.6] } })).join('\n');
      assert.equal((await p.post('/api/review-sets', { name: 'launch', format: 'jsonl', text }, p.ownerToken)).status, 201);
      const name = '<b>Dana</b> & </script>';
      const invite = await p.post('/api/invites', { name }, p.ownerToken);
      assert.equal(invite.status, 201, invite.text);
      const page = await context.newPage();
      const asked: string[] = [];
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (url.pathname.startsWith('/api/')) asked.push(`${r.method()} ${url.pathname}`);
      });
      const consoleErrors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
      await page.goto(reviewLink(invite.json.link, 'launch'));
      const shown = page.locator('[data-testid="review-case"][data-case-id="c1"]');
      await shown.waitFor({ timeout: 10_000 });
      const before = asked.slice(0, asked.indexOf('POST /api/review-sets/launch/open') + 1);
      assert.deepEqual(before, ['POST /api/review-sets/launch/open'], `requests up to the first case: ${asked.join(', ')}`);
      assert.ok(!asked.includes('POST /api/predict'), 'the answer came with the case');
      const predictionId = await shown.getAttribute('data-prediction-id');
      assert.equal(await page.getByTestId('invited-as').innerText(), `Sending as ${name} (from your invitation link)`);
      assert.equal(await page.locator('[data-testid="invited-as"] b').count(), 0, 'the name is text, not markup');
      await page.getByTestId('thumb-up').click();
      await page.getByTestId('send-feedback').click();
      await page.locator('[data-testid="review-case"][data-case-id="c2"]').waitFor({ timeout: 10_000 });
      // The server takes feedback only on a prediction it recorded: the open's answer was recorded like /api/predict's.
      const records = (await p.get('/api/feedback?format=jsonl', p.ownerToken)).text.trim().split('\n').map((l) => JSON.parse(l) as { predictionId: string; reviewer: string; reviewerVerified: boolean; caseId: string; reviewSet: string });
      assert.deepEqual(records.map((r) => [r.predictionId, r.reviewer, r.reviewerVerified, r.reviewSet, r.caseId]), [[predictionId, name, true, 'launch', 'c1']]);
      assert.deepEqual(consoleErrors.filter((e) => /Content Security Policy/.test(e)), [], 'no CSP violation (the data block is not run)');
    } finally {
      await context.close();
      await p.stop();
    }
  });

  it('a set the model cannot answer (stored while no preview ran) is neither offered nor opened by its review link', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mp-review-unfit-'));
    await mkdir(path.join(dataDir, 'review-sets'));
    // As `review add` stores a set with no preview running: checked against itself only (three measurements for four).
    await writeFile(path.join(dataDir, 'review-sets', 'short.jsonl'), `${JSON.stringify({ id: 's1', inputs: { features: [6.0, 2.7, 5.1] } })}\n`);
    await writeFile(path.join(dataDir, 'review-sets', 'launch.jsonl'), `${JSON.stringify({ id: 'l1', inputs: { features: [6.0, 2.7, 5.1, 1.6] } })}\n`);
    const p = await startPreview(IRIS_MODEL, { watch: false, dataDir });
    const { context } = await newContext(browser(), PHONE, true);
    try {
      const page = await context.newPage();
      await page.goto(reviewLink(`${p.baseUrl}/?t=${p.shareToken}`, 'short'));
      await page.getByTestId('review-offer').waitFor({ timeout: 10_000 });
      assert.deepEqual(await page.getByTestId('start-review').evaluateAll((buttons) => buttons.map((b) => (b as unknown as { dataset: Record<string, string> }).dataset.set)), ['launch']);
      assert.equal(await page.getByTestId('review-case').count(), 0);
      assert.equal(await page.getByTestId('review-error').count(), 0);
    } finally {
      await context.close();
      await p.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
