import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as http from 'node:http';
import * as path from 'node:path';
import jsQR from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';
import { withMetadataProp } from '../helpers/re-export';
import { ARTIFACTS, DESKTOP, launchBrowser, newContext, PHONE } from './browser';
import { feedbackLines, fillIris, linkMode, openShareLink, queuedInBrowser, waitForMode } from './page-kit';

const OFFLINE = 'This preview is offline right now — your feedback is kept in this browser and sent when it is back.';

/** Marks the loaded document: a reload (which the page must not need) would lose the mark. */
const markDocument = (page: Page) => page.evaluate(() => void ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
const stillSameDocument = (page: Page) => page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded === true);

/**
 * A tunnel relay's public side on loopback: forwards to the preview's port, and answers 502 (as relays do) when the
 * preview does not answer.
 */
async function startRelay(targetPort: number, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const forwarded = http.request({ host: '127.0.0.1', port: targetPort, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>'));
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('e2e: a link that lives — the page through a server restart, a re-export, a rotation', function () {
  this.timeout(120_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let dir: string;
  before(async () => {
    ({ browser, close: closeBrowser } = await launchBrowser());
  });
  after(async () => closeBrowser?.());
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mp-e2e-link-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('server stopped under an open page: the offline banner, feedback typed meanwhile is delivered once after the restart, and the page recovers without a reload', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await startPreview(IRIS_MODEL, { dataDir });
    const { context } = await newContext(browser, PHONE, true);
    let second: Preview | undefined;
    try {
      const page = await context.newPage();
      await openShareLink(page, first);
      await waitForMode(page, 'stream');
      await markDocument(page);
      await fillIris(page, [6.7, 3.0, 5.2, 2.3]);
      await page.getByTestId('predict').click();
      await page.getByTestId('score-row').first().waitFor();

      await first.stop();
      const banner = page.getByTestId('offline');
      await banner.waitFor({ timeout: 5_000 });
      assert.equal(await banner.innerText(), OFFLINE);
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-offline.png'), fullPage: true });

      await page.getByTestId('thumb-down').click();
      await page.getByTestId('comment').fill('typed while the preview was away');
      await page.getByTestId('send-feedback').click();
      await page.getByTestId('feedback-status').filter({ hasText: /^Not sent yet/ }).waitFor();
      assert.equal((await queuedInBrowser(page)).length, 1);

      // The same data folder on the same port: the same link answers again.
      second = await startPreview(IRIS_MODEL, { dataDir, port: first.port });
      await page.getByTestId('feedback-status').filter({ hasText: /^Saved$/ }).waitFor({ timeout: 30_000 });
      await banner.waitFor({ state: 'detached', timeout: 5_000 });
      await waitForMode(page, 'stream');
      assert.ok(await stillSameDocument(page), 'the page recovered by itself, without a reload');
      const records = feedbackLines(second);
      assert.equal(records.length, 1, JSON.stringify(records));
      assert.equal(records[0].comment, 'typed while the preview was away');
      assert.deepEqual(await queuedInBrowser(page), []);

      // And it works again as before: a new prediction is answered.
      await page.getByTestId('predict').click();
      await page.locator('[data-testid="feedback-status"]:not([data-state="ok"])').waitFor();
      assert.ok(await stillSameDocument(page));
    } finally {
      await context.close();
      await first.stop();
      await second?.stop();
    }
  });

  /**
   * A preview of `modelFile` (in the test's folder) and a page open on its share link; `body` runs, then both close.
   * `beforeOpen` prepares the page first (a blocked route, a listener).
   */
  async function onOpenPage(modelFile: string, body: (page: Page, p: Preview, consoleErrors: string[]) => Promise<void>, beforeOpen?: (page: Page) => unknown, viewport = PHONE): Promise<void> {
    const p = await startPreview(modelFile, { dataDir: path.join(dir, 'data') });
    const { context, consoleErrors } = await newContext(browser, viewport, viewport === PHONE);
    try {
      const page = await context.newPage();
      await beforeOpen?.(page);
      await openShareLink(page, p);
      await body(page, p, consoleErrors);
    } finally {
      await context.close();
      await p.stop();
    }
  }

  /** A re-export of the page's model, and the time from the write to the new-version banner on the open page. */
  async function reExportUntilBanner(page: Page, p: Preview, modelFile: string, tag: string): Promise<void> {
    writeFileSync(modelFile, withMetadataProp(readFileSync(IRIS_MODEL), 'exported_by', tag));
    const reloaded = await p.waitForEvent((e) => e.event === 'model-reloaded' && p.session.card()!.metadataProps.exported_by === tag, 10_000);
    await page.locator(`[data-testid="new-version"][data-version="${(reloaded as { modelVersion: string }).modelVersion}"]`).waitFor({ timeout: 15_000 });
  }

  /** The iris model copied to a file the test may rewrite (a re-export). */
  function modelCopy(): string {
    const modelFile = path.join(dir, 'iris.onnx');
    copyFileSync(IRIS_MODEL, modelFile);
    return modelFile;
  }

  it('a re-export reaches the open page through the event stream (no polling in that mode)', () => {
    const modelFile = modelCopy();
    const cardReads: number[] = [];
    return onOpenPage(modelFile, async (page, p) => {
      await waitForMode(page, 'stream');
      const readsBefore = cardReads.length;
      await reExportUntilBanner(page, p, modelFile, 'e2e-stream');
      assert.equal(await linkMode(page), 'stream');
      assert.equal(cardReads.length, readsBefore + 1, 'one card read, when the stream said the card changed');
    }, (page) => void page.on('request', (r) => r.url().endsWith('/api/card') && cardReads.push(Date.now())));
  });

  it('where the stream cannot be opened (a tunnel that does not carry it), the page polls the card and the banner still comes', () => {
    const modelFile = modelCopy();
    return onOpenPage(modelFile, async (page, p) => {
      await waitForMode(page, 'polling');
      assert.equal(await page.getByTestId('offline').count(), 0, 'the page is not offline: only its stream is blocked');
      await reExportUntilBanner(page, p, modelFile, 'e2e-polling');
      assert.equal(await linkMode(page), 'polling');
    }, (page) => page.route('**/api/page-events', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }))); // a relay that refuses the stream
  });

  it('a rotated link: the open page says at once that the link does not work any more', () => onOpenPage(IRIS_MODEL, async (page, p) => {
    await waitForMode(page, 'stream');
    await p.session.rotateShareLink();
    const ended = page.getByTestId('link-ended');
    await ended.waitFor({ timeout: 5_000 });
    assert.match(await ended.innerText(), /This link does not work any more\. Ask the person who shared it for a new link\./);
    assert.equal(await linkMode(page), 'ended');
  }));

  it('"Open on phone": a QR code of the page\'s own share link, drawn under the page\'s strict CSP, that decodes to the link', () => onOpenPage(IRIS_MODEL, async (page, p, consoleErrors) => {
    await page.getByTestId('open-on-phone').click();
    const qr = page.getByTestId('phone-link-qr');
    await qr.waitFor({ timeout: 5_000 });
    const link = `${p.baseUrl}/?t=${p.shareToken}`;
    assert.equal(await qr.getAttribute('data-link'), link);
    assert.match(await page.getByTestId('phone-link').innerText(), /on this computer only: a phone cannot open it/, 'a loopback address is named as such');
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-open-on-phone.png') });
    // Decode what is on screen: the SVG drawn into a canvas (as a blob: image, which the CSP allows), read by jsQR.
    const pixels = await qr.evaluate(async (box) => {
      const g = globalThis as unknown as {
        XMLSerializer: new () => { serializeToString(n: unknown): string }; Blob: new (parts: string[], o: object) => unknown;
        URL: { createObjectURL(b: unknown): string }; Image: new () => { src: string; decode(): Promise<void> };
        document: { createElement(t: 'canvas'): { width: number; height: number; getContext(t: '2d'): { fillStyle: string; fillRect(...a: number[]): void; drawImage(i: unknown, ...a: number[]): void; getImageData(...a: number[]): { data: Uint8ClampedArray } } } };
      };
      const svg = (box as unknown as { querySelector(s: string): unknown }).querySelector('svg');
      const img = new g.Image();
      img.src = g.URL.createObjectURL(new g.Blob([new g.XMLSerializer().serializeToString(svg)], { type: 'image/svg+xml' }));
      await img.decode();
      const canvas = g.document.createElement('canvas');
      canvas.width = canvas.height = 400;
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 400, 400);
      ctx.drawImage(img, 0, 0, 400, 400);
      return Array.from(ctx.getImageData(0, 0, 400, 400).data);
    });
    const decoded = jsQR(Uint8ClampedArray.from(pixels), 400, 400);
    assert.equal(decoded?.data, link);
    assert.deepEqual(consoleErrors, [], 'no CSP violation or other error');
    assert.equal(await page.locator('[data-testid="phone-link-qr"] svg [style]').count(), 0, 'no inline style');
  }, undefined, DESKTOP));

  it('a reload while the preview is away: the page\'s own explanation (service worker) for a relay\'s 502 and for no answer at all; back when it is', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await startPreview(IRIS_MODEL, { dataDir });
    const relay = await startRelay(first.port);
    const { context, consoleErrors } = await newContext(browser, PHONE, true);
    let second: Preview | undefined;
    try {
      const page = await context.newPage();
      await page.goto(`${relay.url}/?t=${encodeURIComponent(first.shareToken)}`);
      await page.getByTestId('predict').waitFor({ timeout: 15_000 });
      await page.evaluate(() => (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<unknown> } } }).navigator.serviceWorker.ready);

      await first.stop();
      await page.reload();
      const offline = page.getByTestId('offline-page');
      await offline.waitFor({ timeout: 10_000 });
      assert.match(await offline.innerText(), new RegExp(`${OFFLINE.replace(/[.]/g, '\\.')}[\\s\\S]*the link's relay answered 502`));
      assert.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute('content'), '20', 'it tries again by itself');
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-offline-reload.png'), fullPage: true });

      await relay.close(); // now nothing answers at all: the browser's own error page, but for the worker
      await page.reload();
      await page.getByTestId('offline-page').filter({ hasText: '(no answer)' }).waitFor({ timeout: 10_000 });

      second = await startPreview(IRIS_MODEL, { dataDir, port: first.port });
      const again = await startRelay(second.port, Number(new URL(relay.url).port));
      try {
        await page.getByRole('link', { name: 'Try again now' }).click();
        await page.getByTestId('predict').waitFor({ timeout: 15_000 });
      } finally {
        await again.close();
      }
      assert.deepEqual(consoleErrors.filter((e) => /Content Security Policy/.test(e)), [], 'no CSP violation');
    } finally {
      await context.close();
      await relay.close();
      await first.stop();
      await second?.stop();
    }
  });
});
