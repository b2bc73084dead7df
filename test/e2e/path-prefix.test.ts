import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';
import { DESKTOP, launchBrowser, newContext } from './browser';

/**
 * VS Code's port forwarding in a browser (code-server, VS Code server for the web) gives a path, not a host:
 * `http://<workbench>/proxy/<port>/`. Our own minimal stand-in for that proxy (it strips the prefix and forwards, like
 * code-server's) puts the preview behind such a prefix, and a real Chromium uses the page through it.
 */
function startPrefixProxy(targetPort: number, prefix: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (!req.url!.startsWith(prefix)) {
      res.writeHead(404).end('not under the prefix: the page asked for an absolute path');
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url!.slice(prefix.length - 1), headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  })));
}

describe('e2e: the page behind a path-prefixed proxy (a stand-in for VS Code\'s /proxy/<port>/ forwarding)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let p: Preview;
  before(async () => {
    ({ browser, close: closeBrowser } = await launchBrowser());
    p = await startPreview(IRIS_MODEL);
  });
  after(async () => {
    await closeBrowser?.();
    await p?.stop();
  });

  it('the link, its redirect, the assets, a prediction and a feedback all stay under the prefix', async () => {
    const proxy = await startPrefixProxy(p.port, `/proxy/${p.port}/`);
    const { context } = await newContext(browser, DESKTOP, false);
    try {
      const page = await context.newPage();
      const outside: string[] = [];
      page.on('response', (r) => {
        if (!new URL(r.url()).pathname.startsWith(`/proxy/${p.port}/`)) outside.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${proxy.url}?t=${encodeURIComponent(p.shareToken)}`);
      await page.getByTestId('predict').waitFor({ timeout: 15_000 });
      assert.equal(page.url(), proxy.url, 'the token traded for a cookie, and still under the prefix');
      for (const [i, v] of [6.7, 3.0, 5.2, 2.3].entries()) await page.getByTestId(`field-${i}`).fill(String(v));
      await page.getByTestId('predict').click();
      const top = page.getByTestId('score-row').first();
      await top.waitFor();
      assert.match(await top.innerText(), /virginica/);
      await page.getByTestId('thumb-up').click();
      await page.getByTestId('send-feedback').click();
      await page.getByTestId('feedback-status').filter({ hasText: /saved/i }).waitFor({ timeout: 10_000 });
      // The QR code's part of the script loads when asked for, from beside page.js: under the prefix too.
      const chunk = page.waitForResponse((r) => /\/assets\/page-qr-code\.[0-9a-f]{12}\.js$/.test(r.url()));
      await page.getByTestId('open-on-phone').click();
      await page.getByTestId('phone-link-qr').waitFor({ timeout: 10_000 });
      assert.equal((await chunk).status(), 200);
      assert.deepEqual(outside, [], 'no request left the prefix');
    } finally {
      await context.close();
      await proxy.close();
    }
  });
});
