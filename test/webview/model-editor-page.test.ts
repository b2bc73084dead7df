import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { ModelEditorState } from '../../src/shared/model-editor-messages';
import { launchBrowser } from '../e2e/browser';
import { serveWebviewPage } from '../helpers/webview-page';
import { card } from './records';

/** The little of the page's globals the test uses (test/ compiles without the DOM library). */
interface PageGlobals {
  postMessage(message: unknown, origin: string): void;
  posted: Array<{ type: string }>;
}

/** The `.onnx` model editor's page (dist/webview/model.js, as VS Code loads it) in a real Chromium under the webview's CSP. */
describe('webview: the model editor page in Chromium (dist/webview/model.js)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let server: Awaited<ReturnType<typeof serveWebviewPage>>;

  before(async () => {
    server = await serveWebviewPage('model');
    ({ browser, close: closeBrowser } = await launchBrowser());
  });
  after(async () => {
    await closeBrowser?.();
    await server?.close();
  });

  it('lists the latest feedback with what each thumbs-down said is wrong, as text; a click opens that record', async () => {
    const down = card({ id: 'down-1', rating: 'down', predicted: 'setosa', expected: 'virginica', reasons: ['wrong answer', '<b>other</b>'], reviewer: 'Mei' });
    const up = card({ id: 'up-1', rating: 'up', predicted: 'versicolor' });
    const model: ModelEditorState = {
      name: 'iris', relativePath: 'models/iris.onnx', fileSize: 1234, version: 'v3',
      inputs: [{ name: 'features', datatype: 'FP32', shape: '[1, 4]' }], outputs: [{ name: 'label', datatype: 'INT64', shape: '[1]' }],
      details: [], sidecar: { state: 'missing', file: 'iris.page.json' }, feedback: [down, up],
    };
    const page = await browser.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && cspViolations.push(m.text())));
    try {
      await page.goto(server.url);
      await page.evaluate((message) => (globalThis as unknown as PageGlobals).postMessage(message, '*'), { type: 'model', model } as unknown as Record<string, unknown>);
      await page.waitForSelector('[data-testid="model-feedback"]');
      const items = await page.$$eval('[data-testid="model-feedback"]', (n) => n.map((li) => ({
        reasons: li.querySelector('[data-testid="model-feedback-reasons"]')?.textContent ?? null,
        text: li.textContent ?? '',
        markup: li.querySelectorAll('b').length,
      })));
      assert.equal(items.length, 2);
      assert.equal(items[0].reasons, ' (wrong answer, <b>other</b>)', 'the reasons, as text');
      assert.equal(items[0].markup, 0, 'never as markup');
      assert.match(items[0].text, /setosa → virginica \(wrong answer, <b>other<\/b>\) · Mei/);
      assert.equal(items[1].reasons, null, 'a thumbs-up has none');

      await page.click('[data-testid="model-feedback"]:first-child');
      const posted = await page.evaluate(() => (globalThis as unknown as PageGlobals).posted.filter((m) => m.type === 'open-record'));
      assert.deepEqual(posted, [{ type: 'open-record', previewId: down.previewId, id: 'down-1' }]);
      assert.deepEqual(cspViolations, []);
    } finally {
      await page.close();
    }
  });
});
