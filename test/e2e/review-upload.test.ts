import assert from 'node:assert/strict';
import * as path from 'node:path';
import { IRIS_MODEL, startPreview } from '../helpers/preview';
import { ARTIFACTS, DESKTOP, chromiumForSuite, newContext } from './browser';

const file = (name: string, text: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });

describe('e2e: the owner uploads a review set on the page; a share-link visitor never sees the control (real Chromium)', function () {
  this.timeout(120_000);
  const browser = chromiumForSuite();

  it('opened with the owner link, the page offers the upload, shows a refusal as text, and offers an added set at once', async () => {
    const p = await startPreview(IRIS_MODEL, { watch: false });
    const owner = await newContext(browser(), DESKTOP);
    const visitor = await newContext(browser(), DESKTOP);
    try {
      const shareLink = `${p.baseUrl}/?t=${encodeURIComponent(p.shareToken)}`;
      const page = await owner.context.newPage();
      await page.goto(`${shareLink}#owner=${p.ownerToken}`);
      await page.getByTestId('owner-view').waitFor({ timeout: 15_000 });
      assert.ok(!page.url().includes(p.ownerToken), `the owner token is taken out of the address bar: ${page.url()}`);
      assert.equal(await page.getByTestId('review-offer').count(), 0, 'no review sets yet');

      await page.getByTestId('review-upload-file').setInputFiles(file('cases.txt', '{"inputs": {"features": [1, 2, 3, 4]}}\n'));
      await page.getByTestId('review-upload').click();
      await page.getByText('cases.txt: a review file is .jsonl (one case per line) or .csv (one case per row), not .txt.').waitFor({ timeout: 10_000 });
      await page.getByTestId('review-upload-name').fill('');

      await page.getByTestId('review-upload-file').setInputFiles(file('broken.jsonl', '{"inputs": {"features": [1, 2, 3, 4]}}\n{"inputs": {"petals": [1]}}\n'));
      assert.equal(await page.getByTestId('review-upload-name').inputValue(), 'broken', 'the name comes from the file');
      await page.getByTestId('review-upload').click();
      await page.getByText('Not added: line 2: the model has no input "petals" (its inputs: features)').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-upload-refused.png'), fullPage: true });

      const csv = file('cases.csv', 'id,features[0],features[1],features[2],features[3]\r\nc1,5.1,3.5,1.4,0.2\r\nc2,6.7,3.0,5.2,2.3\r\n');
      await page.getByTestId('review-upload-name').fill('<img src=x onerror=alert(1)>');
      await page.getByTestId('review-upload-file').setInputFiles(csv);
      await page.getByTestId('review-upload').click();
      const status = page.getByTestId('review-upload-status');
      await page.getByText('Not added: a review set\'s name is letters, digits', { exact: false }).waitFor({ timeout: 10_000 });
      assert.match(await status.innerText(), /not "<img src=x onerror=alert\(1\)>"$/, 'what was typed is shown as text');
      assert.equal(await status.locator('img').count(), 0);

      await page.getByTestId('review-upload-name').fill('launch check');
      await page.getByTestId('review-upload-file').setInputFiles(csv);
      await page.getByTestId('review-upload').click();
      await page.getByText('Added “launch check” (2 cases)', { exact: false }).waitFor({ timeout: 10_000 });
      assert.match(await page.getByTestId('start-review').innerText(), /Review “launch check” \(2 cases\)/, 'offered at once, without a reload');
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-upload-added.png'), fullPage: true });
      assert.deepEqual((await p.get('/api/review-sets')).json.sets.map((s: { name: string }) => s.name), ['launch check'], 'only the good file was stored');

      // A reload in the same tab keeps the owner view (this tab's storage); the address never shows the token again.
      await page.reload();
      await page.getByTestId('owner-view').waitFor({ timeout: 15_000 });

      // A share-link visitor, also one who guesses at the fragment, gets the try-it page and the set, but no upload.
      const stranger = await visitor.context.newPage();
      for (const url of [shareLink, `${shareLink}#owner=${p.shareToken}`]) {
        await stranger.goto(url);
        await stranger.getByTestId('start-review').waitFor({ timeout: 15_000 });
        assert.equal(await stranger.getByTestId('owner-view').count(), 0, url);
        assert.equal(await stranger.getByText('Upload review set').count(), 0);
      }
      assert.deepEqual([...owner.dialogs, ...visitor.dialogs], []);
    } finally {
      await Promise.all([owner.context.close(), visitor.context.close()]);
      await p.stop();
    }
  });
});
