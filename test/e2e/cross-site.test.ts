import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createTunnelProvider } from '../../src/core/tunnel/create-tunnel-provider';
import { IRIS_MODEL, startPreview, type Preview } from '../helpers/preview';
import { DESKTOP, launchBrowser, newContext } from './browser';
import { waitForMode } from './page-kit';

/**
 * The cross-site checks against a real Chromium: the page's own requests (its fetches, its password form) still pass,
 * and a page on another port of the same host cannot post with the visitor's cookie; and through a real pipenet
 * tunnel the page on the tunnel's public origin works (test/server/cross-site.test.ts checks the posts whose Host the
 * pipenet client rewrote, which a browser cannot be made to send on purpose).
 */
const PASSWORD = 'correct horse battery staple';

const lines = (p: Preview, file: string): number => {
  try {
    return readFileSync(path.join(p.dataDir, file), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

async function predictAndSendFeedback(page: Page): Promise<void> {
  for (const [i, v] of [6.7, 3.0, 5.2, 2.3].entries()) await page.getByTestId(`field-${i}`).fill(String(v));
  await page.getByTestId('predict').click();
  assert.match(await page.getByTestId('score-row').first().innerText(), /virginica/);
  await page.getByTestId('thumb-up').click();
  await page.getByTestId('send-feedback').click();
  await page.getByTestId('feedback-status').filter({ hasText: /saved/i }).waitFor({ timeout: 10_000 });
}

/** A page on another port of 127.0.0.1 that posts to the preview as a forger would: no CORS preflight needed. */
function startForgerSite(previewUrl: string): Promise<{ url: string; close(): void }> {
  const html = `<!doctype html><form id="f" method="post" action="${previewUrl}/unlock"><input name="password" value="guess"></form><script>
fetch(${JSON.stringify(`${previewUrl}/api/predict`)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' },
  body: JSON.stringify({ inputs: { features: [5.1, 3.5, 1.4, 0.2] } }) })
  .catch(() => undefined).finally(() => { document.title = 'posted'; document.getElementById('f').submit(); });
</script>`;
  const server = http.createServer((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => void server.close(),
  })));
}

describe('e2e: cross-site checks in a real Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  before(async () => ({ browser, close: closeBrowser } = await launchBrowser()));
  after(async () => closeBrowser?.());

  it('the password form and the page\'s own posts work; a page on another port posting with the visitor\'s cookie writes nothing and guesses nothing', async () => {
    const p = await startPreview(IRIS_MODEL, { password: PASSWORD });
    const forger = await startForgerSite(p.baseUrl);
    const { context } = await newContext(browser, DESKTOP);
    try {
      const page = await context.newPage();
      await page.goto(`${p.baseUrl}/?t=${encodeURIComponent(p.shareToken)}`);
      await page.getByTestId('password').fill('not the password');
      await page.getByTestId('unlock').click();
      await page.getByText('That password is not right.').waitFor();
      await page.getByTestId('password').fill(PASSWORD);
      await page.getByTestId('unlock').click();
      await page.getByTestId('predict').waitFor({ timeout: 15_000 });
      await predictAndSendFeedback(page);
      assert.equal(lines(p, 'predictions.jsonl'), 1);

      const answers: string[] = [];
      const evil = await context.newPage();
      evil.on('response', (r) => void (r.url().startsWith(p.baseUrl) && answers.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`)));
      await evil.goto(forger.url);
      await evil.waitForURL(`${p.baseUrl}/unlock`, { timeout: 10_000 });
      assert.ok(answers.includes('POST /unlock 403'), answers.join(', '));
      assert.equal(lines(p, 'predictions.jsonl'), 1, 'the forged prediction was refused');
      // The forged form post was not counted as a guess: nine wrong passwords of the visitor's own still get 401.
      for (let i = 0; i < 9; i++) {
        const res = await p.request('POST', '/unlock', { token: null, body: `password=own-${i}`, headers: { cookie: (await context.cookies()).filter((c) => c.name.startsWith('mp_share')).map((c) => `${c.name}=${c.value}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal(res.status, 401, `attempt ${i + 2}: ${res.status}`);
      }
    } finally {
      await context.close();
      forger.close();
      await p.stop();
    }
  });

  it('through a real pipenet tunnel, on its public origin, the page opens its event stream, predicts and sends feedback', async () => {
    const { createServer } = await import('pipenet/server');
    // *.localhost resolves to loopback in Chromium, so the tunnel's public URL works in the browser as a real domain would.
    const tunnelServer = createServer({ domains: ['localhost'], maxTcpSockets: 10 });
    await new Promise<void>((resolve) => tunnelServer.listen(0, '127.0.0.1', () => resolve()));
    const server = `http://localhost:${(tunnelServer.address() as AddressInfo).port}`;
    const p = await startPreview(IRIS_MODEL, { tunnel: await createTunnelProvider({ provider: 'pipenet', server }, {}) });
    const { context } = await newContext(browser, DESKTOP);
    try {
      const publicUrl = p.session.shareLink().publicUrl!;
      assert.match(publicUrl, /^http:\/\/[a-z0-9-]+\.localhost:\d+\/$/);
      const page = await context.newPage();
      await page.goto(p.session.shareUrl);
      await page.getByTestId('predict').waitFor({ timeout: 15_000 });
      assert.equal(page.url(), publicUrl);
      await waitForMode(page, 'stream'); // the page event stream goes through the relay too
      await predictAndSendFeedback(page);
      assert.equal(lines(p, 'feedback.jsonl'), 1);
    } finally {
      await context.close();
      await p.stop();
      tunnelServer.closeAllConnections?.();
      await new Promise((resolve) => tunnelServer.close(resolve));
    }
  });
});
