import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import jsQR from 'jsqr';
import type { Frame, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { waitForStep, writeStep } from './handshake';
import { waitForFrameWith } from './run-in-code-server';
import { ARTIFACTS, runSuiteSteps, type SuiteRun } from './suite-steps';

/** The little of the DOM the page callbacks below use inside the workbench and the webview (this file has no DOM lib). */
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  getBoundingClientRect(): { height: number };
}
declare const document: { activeElement: PageElement | null; querySelectorAll(selector: string): Iterable<PageElement> & { length: number } };

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, name) });

/** The walkthrough's steps as the page shows them: step id → aria-checked ("true" once ticked). */
async function walkthroughSteps(page: Page, want?: Record<string, string>): Promise<Record<string, string>> {
  const buttons = page.locator('button.getting-started-step');
  await buttons.first().waitFor({ timeout: 20_000 });
  const read = async () => Object.fromEntries(await buttons.evaluateAll((nodes) => nodes.map((n) => [
    (n.getAttribute('data-step-id') ?? '').split('#').pop() ?? '', n.getAttribute('aria-checked') ?? '',
  ])));
  // The page re-renders when a context key changes: wait (a while) for what the suite expects, then report what is shown.
  const deadline = Date.now() + 10_000;
  let steps = await read();
  while (want && Object.entries(want).some(([k, v]) => steps[k] !== v) && Date.now() < deadline) {
    await page.waitForTimeout(200);
    steps = await read();
  }
  return steps;
}

/** The number on the Model Preview activity-bar icon ('' when none), once it equals `expect` or after a few seconds. */
async function activityBadge(page: Page, expect: string): Promise<string> {
  const item = page.locator('.activitybar .action-item').filter({ has: page.locator('.action-label[aria-label^="Model Preview"]') });
  const read = async () => {
    const badge = item.locator('.badge-content');
    return (await badge.count()) > 0 && (await badge.first().isVisible()) ? (await badge.first().innerText()).trim() : '';
  };
  const deadline = Date.now() + 10_000;
  let text = await read();
  while (text !== expect && Date.now() < deadline) {
    await page.waitForTimeout(200);
    text = await read();
  }
  return text;
}

/** Clicks a title-bar action of a sidebar view (they show while the pointer is over the view). */
async function clickViewAction(page: Page, view: string, title: string): Promise<void> {
  const header = page.locator('.pane-header').filter({ hasText: view }).first();
  await header.hover();
  await header.locator(`.action-label[aria-label^="${title}"]`).click();
}

/** The link a QR code on screen reads as, to a camera: the element's pixels, decoded by jsQR ('' when unreadable). */
async function qrCodeLink(frame: Frame, selector: string): Promise<string> {
  const image = frame.locator(selector);
  await image.waitFor({ timeout: 20_000 });
  const png = PNG.sync.read(await image.screenshot());
  return jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data ?? '';
}

/**
 * The filter dropdowns whose chosen text does not fit them (cut off at the view's width): the text's width in the
 * select's own font, against the select's inner width less Chromium's drop-down arrow (20 px).
 */
const cutOffSelects = (frame: Frame) => frame.$$eval('[data-testid="feedback-filters"] select:not([hidden])', (nodes) => nodes.flatMap((node) => {
  const select = node as unknown as { clientWidth: number; selectedOptions: ArrayLike<{ textContent: string | null }>; ownerDocument: { defaultView: { getComputedStyle(e: unknown): { font: string; paddingLeft: string; paddingRight: string } }; createElement(tag: 'canvas'): { getContext(kind: '2d'): { font: string; measureText(t: string): { width: number } } } } };
  const style = select.ownerDocument.defaultView.getComputedStyle(select);
  const context = select.ownerDocument.createElement('canvas').getContext('2d');
  context.font = style.font;
  const text = (select.selectedOptions[0]?.textContent ?? '').trim();
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
  return context.measureText(text).width > room ? [`${text} (${Math.ceil(context.measureText(text).width)} px in ${Math.floor(room)} px)`] : [];
}));

const ratings = (frame: Frame) => frame.$$eval('[data-testid="feedback-list"] [data-testid="feedback-card"]', (nodes) => nodes.map((n) => n.getAttribute('data-rating') ?? ''));

async function answerSuite(page: Page, dir: string, signal: AbortSignal): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const cspViolations: string[] = [];
  page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && cspViolations.push(m.text())));
  // Told when the Feedback view stays blank: what the workbench said about its webviews.
  const webviewConsole: string[] = [];
  page.on('console', (m) => void (/webview|service worker/i.test(m.text()) && webviewConsole.push(`${m.type()}: ${m.text().slice(0, 300)}`)));
  await waitForStep(dir, 'walkthrough-before', 'request', 150_000, signal);
  writeStep(dir, 'walkthrough-before', 'answer', { steps: await walkthroughSteps(page) });
  await waitForStep(dir, 'walkthrough-after', 'request', 150_000, signal);
  const afterExport = await walkthroughSteps(page, { export: 'true' });
  await shot(page, 'walkthrough-export-ticked.png');
  // The step's media (media/walkthrough/export.md) in its webview: a code block wider than its box is cut off there.
  const media = await waitForFrameWith(page, 'pre code', { timeoutMs: 20_000, signal });
  const code = await media.$$eval('pre', (nodes) => nodes.map((n) => {
    const pre = n as unknown as { scrollWidth: number; clientWidth: number; textContent: string | null };
    return { text: (pre.textContent ?? '').slice(0, 40), overflow: pre.scrollWidth - pre.clientWidth };
  }));
  writeStep(dir, 'walkthrough-after', 'answer', { steps: afterExport, code });

  for (const step of ['badge', 'badge-cleared', 'badge-again', 'badge-cleared-again']) {
    const { expect } = await waitForStep<{ expect: string }>(dir, step, 'request', 150_000, signal);
    const badge = await activityBadge(page, expect);
    if (step === 'badge') await shot(page, 'sidebar-badge.png');
    writeStep(dir, step, 'answer', { badge });
  }

  await waitForStep(dir, 'view-sizes', 'request', 150_000, signal);
  const sizes = await page.evaluate(() => {
    const height = (title: string) => [...document.querySelectorAll('[id="workbench.parts.sidebar"] .pane')]
      .find((p) => p.querySelector('.pane-header .title')?.textContent?.trim() === title)?.getBoundingClientRect().height ?? 0;
    return { models: height('Models'), feedback: height('Feedback') };
  });
  writeStep(dir, 'view-sizes', 'answer', sizes);


  for (let round = 1, last = false; !last; round++) {
    ({ last } = await waitForStep<{ last: boolean }>(dir, `walkthrough-open-${round}`, 'request', 150_000, signal));
    writeStep(dir, `walkthrough-open-${round}`, 'answer', { steps: await walkthroughSteps(page) });
    await waitForStep(dir, `cards-after-walkthrough-${round}`, 'request', 150_000, signal);
    const shown = await waitForFrameWith(page, '[data-testid="feedback-card"]', { timeoutMs: 20_000, signal }).then(
      (f) => f.$$eval('[data-testid="feedback-list"] [data-testid="feedback-card"]', (n) => n.length), () => 0);
    const frames = shown > 0 ? '' : (await Promise.all(page.frames().map(async (f) => `${f.url().slice(0, 100)}: ${((await f.textContent('body').catch(() => '')) ?? '').slice(0, 100)}`))).join('\n');
    if (shown === 0) await shot(page, `sidebar-blank-after-walkthrough-${round}.png`);
    writeStep(dir, `cards-after-walkthrough-${round}`, 'answer', { cards: shown, frames: `${frames}\nconsole:\n${webviewConsole.join('\n')}` });
  }

  await waitForStep(dir, 'filters', 'request', 150_000, signal);
  const frame = await waitForFrameWith(page, '[data-testid="feedback-card"]', { timeoutMs: 30_000, signal }).catch(async (err: Error) => {
    // What the webviews show instead, to tell a view that never loaded from one that lost its cards.
    const seen = await Promise.all(page.frames().map(async (f) => `${f.url().slice(0, 120)}: ${((await f.textContent('body').catch(() => '')) ?? '').slice(0, 120)}`));
    await shot(page, 'sidebar-no-cards.png');
    throw new Error(`${err.message}\nframes:\n${seen.join('\n')}`);
  });
  await frame.waitForFunction(() => document.querySelectorAll('[data-testid="feedback-list"] [data-testid="feedback-card"]').length === 3);
  const inputs = await frame.$$eval('[data-testid="card-inputs"]', (nodes) => nodes.map((n) => (n.textContent ?? '').trim()));
  const newest = await ratings(frame);
  const cutOff = await cutOffSelects(frame);
  await shot(page, 'sidebar-feedback.png'); // the README's first picture of VS Code: the view as a person finds it
  await clickViewAction(page, 'Feedback', 'Filter feedback');
  const focused = await frame.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'feedback-search', undefined, { timeout: 10_000 })
    .then(() => true, () => false);
  const visibleCards = () => frame.$$eval('[data-testid="feedback-list"] [data-testid="feedback-card"]', (n) => n.length);
  await frame.fill('[data-testid="feedback-search"]', 'petals');
  const byText = await visibleCards();
  cutOff.push(...await cutOffSelects(frame)); // with "Clear filters" beside them
  await shot(page, 'sidebar-feedback-search.png');
  await frame.fill('[data-testid="feedback-search"]', '');
  await frame.selectOption('[data-testid="feedback-rating"]', 'up');
  const byRating = await ratings(frame);
  await frame.selectOption('[data-testid="feedback-rating"]', '');
  await frame.selectOption('[data-testid="feedback-reviewer"]', 'reviewer:Dana (sales)');
  const byReviewer = await visibleCards();
  await frame.selectOption('[data-testid="feedback-reviewer"]', 'anonymous');
  const anonymous = await visibleCards();
  await frame.selectOption('[data-testid="feedback-reviewer"]', '');
  const reasonChoices = await frame.$$eval('[data-testid="feedback-reason"] option', (n) => n.map((o) => (o.textContent ?? '').trim()));
  await frame.selectOption('[data-testid="feedback-reason"]', 'reason:wrong answer');
  const byReason = await ratings(frame);
  await frame.selectOption('[data-testid="feedback-reason"]', '');
  await clickViewAction(page, 'Feedback', 'Sort feedback: thumbs-down first');
  await frame.waitForSelector('[data-testid="feedback-list"][data-sort="worst"]', { timeout: 10_000 });
  const worst = await ratings(frame);
  await shot(page, 'sidebar-feedback-worst-first.png');
  writeStep(dir, 'filters', 'answer', { inputs, cutOff, focused, byText, byRating, byReviewer, anonymous, reasonChoices, byReason, newest, worst });

  await waitForStep(dir, 'title-actions', 'request', 150_000, signal);
  const clicked: string[] = [];
  await clickViewAction(page, 'Feedback', 'Insert feedback loader into notebook');
  clicked.push('Insert feedback loader into notebook');
  await page.waitForTimeout(500);
  await clickViewAction(page, 'Feedback', 'Export feedback as CSV');
  // VS Code's own save dialog (a quick input in a browser window), its path already filled in: accept it.
  const dialog = page.locator('.quick-input-widget');
  await dialog.waitFor({ state: 'visible', timeout: 20_000 });
  await page.waitForTimeout(500);
  await page.keyboard.press('Enter');
  await page.locator('.notification-toast').filter({ hasText: 'Exported 3 feedback records' }).first().waitFor({ timeout: 20_000 });
  clicked.push('Export feedback as CSV');
  await clickViewAction(page, 'Feedback', 'Open feedback file');
  clicked.push('Open feedback file');
  writeStep(dir, 'title-actions', 'answer', { clicked });

  const { click } = await waitForStep<{ click: string }>(dir, 'context-menu', 'request', 150_000, signal);
  const row = page.locator('[id="workbench.parts.sidebar"] .monaco-list-row').filter({ hasText: 'iris' }).first();
  await row.click({ button: 'right' });
  const menuItems = page.getByRole('menuitem');
  await menuItems.first().waitFor({ timeout: 10_000 });
  const items = (await menuItems.allInnerTexts()).map((t) => t.split('\n')[0].trim()).filter(Boolean);
  await shot(page, 'models-context-menu.png');
  await page.getByRole('menuitem', { name: click }).click();
  writeStep(dir, 'context-menu', 'answer', { items });

  const { version } = await waitForStep<{ version: string }>(dir, 'model-editor', 'request', 150_000, signal);
  const editor = await waitForFrameWith(page, '[data-testid="share-link"]', { timeoutMs: 40_000, signal });
  await editor.waitForSelector(`[data-testid="model-facts"]:has-text("${version}")`, { timeout: 20_000 });
  await shot(page, 'model-editor.png');
  const text = async (selector: string) => ((await editor.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
  const cellsOf = (testid: string) => editor.$$eval(`[data-testid="${testid}"] tbody tr`, (rows) => rows.map((r) => Array.from((r as unknown as { children: ArrayLike<{ textContent: string | null }> }).children).map((c) => c.textContent).join(' ')).join('\n'));
  const shown = {
    inputs: await cellsOf('model-inputs'), outputs: await cellsOf('model-outputs'), facts: await text('[data-testid="model-facts"]'),
    sidecar: await text('[data-testid="sidecar-state"]'), link: await text('[data-testid="share-link"]'),
    feedback: await editor.$$eval('[data-testid="model-feedback"]', (n) => n.length),
    qrCode: await qrCodeLink(editor, '[data-testid="model-qr-code"]'),
  };
  await editor.click('button[data-action="stop"]');
  await editor.waitForSelector('button[data-action="publish"]', { timeout: 30_000 });
  const stoppedState = await text('[data-testid="publish-state"]');
  const stoppedQrCodes = await editor.$$eval('[data-testid="model-qr-code"]', (n) => n.length);
  await editor.click('button[data-action="publish"]');
  await editor.waitForSelector('[data-testid="share-link"]', { timeout: 60_000 });
  const republishedLink = await text('[data-testid="share-link"]');
  const republishedQrCode = await qrCodeLink(editor, '[data-testid="model-qr-code"]');
  await editor.click('button[data-action="customize"]');
  writeStep(dir, 'model-editor', 'answer', { ...shown, stoppedState, stoppedQrCodes, republishedLink, republishedQrCode });

  await waitForStep(dir, 'notebook-toolbar', 'request', 150_000, signal);
  const toolbar = page.locator('.notebook-toolbar-container');
  await toolbar.locator('.action-label').first().waitFor({ timeout: 20_000 });
  const buttons = (await toolbar.locator('.action-item').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  await shot(page, 'notebook-toolbar.png');
  await toolbar.locator('.action-item', { hasText: 'Publish preview' }).first().click();
  writeStep(dir, 'notebook-toolbar', 'answer', { buttons });

  const { search } = await waitForStep<{ search: string }>(dir, 'feedback-table', 'request', 150_000, signal);
  const violationsBefore = cspViolations.length;
  await clickViewAction(page, 'Feedback', 'Open feedback table');
  const table = await waitForFrameWith(page, '[data-testid="feedback-table"]', { timeoutMs: 30_000, signal });
  // The rows come first, then the dropdowns and charts (data-pending until they are drawn).
  await table.waitForSelector('#root[data-rows="5003"]:not([data-pending])', { timeout: 30_000 });
  await page.waitForTimeout(300);
  await shot(page, 'feedback-table.png');
  const status = (await table.textContent('[data-testid="table-status"]'))?.trim() ?? '';
  const rowElements = await table.$$eval('[data-testid="table-row"]', (n) => n.length);
  await table.$eval('[data-testid="table-rows"]', (n) => {
    const scroller = n as unknown as { scrollTop: number; scrollHeight: number };
    scroller.scrollTop = scroller.scrollHeight;
  });
  await page.waitForTimeout(300);
  const lastRowIndex = await table.$$eval('[data-testid="table-row"]:not([hidden])', (n) => Math.max(...n.map((r) => Number(r.getAttribute('aria-rowindex')))));
  const lines = await table.$$eval('[data-testid="chart-up-share"] path.series', (n) => n.length);
  const bars = await table.$$eval('[data-testid="chart-reasons"] rect.bar', (n) => n.length);
  const legend = await table.$$eval('[data-testid="chart-reasons"] .legend li', (n) => n.map((li) => (li.textContent ?? '').trim()));
  await table.click('[data-column="time"]');
  const firstTime = () => table.$eval('[data-testid="table-row"][aria-rowindex="2"] .col-time', (n) => (n.textContent ?? '').trim());
  await table.$eval('[data-testid="table-rows"]', (n) => void ((n as unknown as { scrollTop: number }).scrollTop = 0));
  await page.waitForTimeout(300);
  const oldestFirst = await firstTime();
  await table.fill('[data-testid="table-search"]', search);
  const filtered = (await table.textContent('[data-testid="table-status"]'))?.trim() ?? '';
  await shot(page, 'feedback-table-filtered.png');
  await table.click('[data-testid="table-row"][aria-rowindex="2"]');
  writeStep(dir, 'feedback-table', 'answer', { status, rowElements, lastRowIndex, lines, bars, legend, oldestFirst, filtered, cspViolations: cspViolations.slice(violationsBefore) });

  await waitForStep(dir, 'card-thumbnail', 'request', 150_000, signal);
  const feedbackFrame = await waitForFrameWith(page, '[data-testid="card-thumbnail"]', { timeoutMs: 40_000, signal });
  const thumbnail = feedbackFrame.locator('[data-testid="card-thumbnail"]:not([hidden])').first();
  await thumbnail.waitFor({ timeout: 30_000 });
  await thumbnail.evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
  await shot(page, 'sidebar-feedback-thumbnail.png');
  // Its pixels, as the webview drew them: a canvas reads a data: image (same origin, nothing fetched).
  const pixels = await thumbnail.evaluate((node) => {
    const img = node as unknown as { naturalWidth: number; naturalHeight: number; src: string; ownerDocument: { createElement(tag: 'canvas'): { width: number; height: number; getContext(kind: '2d'): { drawImage(i: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } } } };
    const canvas = img.ownerDocument.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const at = (x: number) => context.getImageData(x, Math.floor(img.naturalHeight / 2), 1, 1).data[0];
    return { width: img.naturalWidth, height: img.naturalHeight, left: at(4), right: at(img.naturalWidth - 5), src: img.src.slice(0, 40) };
  });
  writeStep(dir, 'card-thumbnail', 'answer', pixels);

  await waitForStep(dir, 'walkthrough-done', 'request', 150_000, signal);
  writeStep(dir, 'walkthrough-done', 'answer', { steps: await walkthroughSteps(page, { publish: 'true', feedback: 'true' }) });
}

describe('the sidebar in a real VS Code extension host (code-server 4.100.3 + chromium)', function () {
  this.timeout(240_000);
  let run: SuiteRun;
  let workspaceFolder: string;

  before(async function () {
    this.timeout(240_000);
    workspaceFolder = mkdtempSync(path.join(os.tmpdir(), 'mp-it-sidebar-'));
    run = await runSuiteSteps(this.test!.parent!, {
      suite: 'sidebar.suite.js', workspaceFolder, timeoutMs: 200_000,
      settings: { 'modelPreview.tunnel.provider': 'none' },
      answer: answerSuite,
    });
  });
  after(() => rmSync(workspaceFolder, { recursive: true, force: true }));

  it('the sidebar suite inside VS Code ran every step to the end (each one follows as a test)', () => {
    assert.ok(run.steps.length > 0, `no step reported:\n${run.output.join('\n')}`);
    assert.equal(run.exitCode, 0, `the suite failed${run.timedOut ? ' (timed out)' : ''} after ${run.steps.length} step(s):\n${run.output.join('\n')}`);
  });
});
