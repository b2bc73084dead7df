import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startPreview, type Preview } from '../helpers/preview';

/** Debian's chromium, installed by .ci/run (`npx playwright install` cannot work offline). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where screenshots go, kept as test artifacts. */
export const ARTIFACTS = path.resolve(__dirname, '../../../test-results');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/**
 * A real headless Chromium; playwright gives each launch a fresh temporary profile. The flags keep it from reaching
 * for the network (this machine has none: background connections would be refused by the dozen) and let it run as
 * root in CI.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
    timeout: 30_000,
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** A browser context that fails the test on any dialog (an injected alert) and records console errors. */
export async function newContext(browser: Browser, viewport: { width: number; height: number }, isMobile = false): Promise<{ context: BrowserContext; consoleErrors: string[]; dialogs: string[] }> {
  const context = await browser.newContext({ viewport, isMobile, hasTouch: isMobile, deviceScaleFactor: isMobile ? 2 : 1 });
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  context.on('page', (page) => {
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  return { context, consoleErrors, dialogs };
}

/** One Chromium for the tests of a `describe` block: launched before them, closed after. Call in the block's body. */
export function chromiumForSuite(): () => Browser {
  let launched: { browser: Browser; close(): Promise<void> } | undefined;
  before(async () => {
    launched = await launchBrowser();
  });
  after(async () => launched?.close());
  return () => launched!.browser;
}

/**
 * A real preview of `model` opened in a fresh desktop context with the share token; `body` runs on the loaded page,
 * then a full-page screenshot is saved as `shot` in test-results/ and no console error may have been logged.
 */
export async function withModelPage(browser: Browser, model: string, shot: string, body: (page: Page, p: Preview) => Promise<void>): Promise<void> {
  const p = await startPreview(model);
  const { context, consoleErrors } = await newContext(browser, DESKTOP);
  try {
    const page = await context.newPage();
    await page.goto(`${p.baseUrl}/?t=${encodeURIComponent(p.shareToken)}`);
    await page.getByTestId('predict').waitFor({ timeout: 15_000 });
    await body(page, p);
    await page.screenshot({ path: path.join(ARTIFACTS, shot), fullPage: true });
    if (consoleErrors.length > 0) throw new Error(`console errors: ${consoleErrors.join('; ')}`);
  } finally {
    await context.close();
    await p.stop();
  }
}
