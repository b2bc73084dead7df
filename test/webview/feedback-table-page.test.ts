import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { inputSummary } from '../../src/shared/input-summary';
import { toEnvelope, toFeedbackCard, type FeedbackCard } from '../../src/shared/webview-messages';
import { launchBrowser } from '../e2e/browser';
import { syntheticFeedback } from '../helpers/synthetic-feedback';
import { serveWebviewPage } from '../helpers/webview-page';
import { card } from './records';

/** The little of the page's globals the tests use (test/ compiles without the DOM library). */
interface PageGlobals {
  postMessage(message: unknown, origin: string): void;
  posted: Array<{ type: string }>;
  document: { querySelector(selector: string): { getBoundingClientRect(): { left: number; right: number }; scrollLeft: number } | null };
}

/**
 * The feedback table's page (dist/webview/table.js, as VS Code loads it) in a real Chromium under the webview's CSP:
 * what a user sees and clicks. The VS Code suite (test/integration/sidebar.test.ts) opens it in VS Code too.
 */
describe('webview: the feedback table page in Chromium (dist/webview/table.js)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let server: Awaited<ReturnType<typeof serveWebviewPage>>;
  const cspViolations: string[] = [];

  before(async () => {
    server = await serveWebviewPage('table');
    ({ browser, close: closeBrowser } = await launchBrowser());
  });
  after(async () => {
    await closeBrowser?.();
    await server?.close();
  });
  afterEach(() => assert.deepEqual(cspViolations.splice(0), [], 'no CSP violation'));

  /** A fresh table page given `cards` (a reset, as the extension sends it), once its rows and charts are drawn. */
  async function open(cards: FeedbackCard[], viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && cspViolations.push(m.text())));
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="feedback-table"]');
    await page.evaluate((message) => (globalThis as unknown as PageGlobals).postMessage(message, '*'), toEnvelope({ type: 'reset', previews: [], records: cards }) as unknown as Record<string, unknown>);
    await drawn(page, cards.length);
    return page;
  }

  const drawn = (page: Page, rows: number) => page.waitForSelector(`#root[data-rows="${rows}"]:not([data-pending])`);
  const cellTexts = (page: Page, column: string) => page.$$eval(`[data-testid="table-row"]:not([hidden]) .col-${column}`,
    (cells) => cells.sort((a, b) => Number(a.parentElement!.getAttribute('aria-rowindex')) - Number(b.parentElement!.getAttribute('aria-rowindex'))).map((c) => c.textContent ?? ''));

  const synthetic = (n: number) => syntheticFeedback(n).map((r) => toFeedbackCard({ ...r, previewId: 'p1', inputSummary: inputSummary(r.inputs) }));

  it('draws 5,000 records newest first as a window of rows, then both charts; a click opens exactly the clicked record', async () => {
    const cards = synthetic(5000);
    const page = await open(cards);
    try {
      const newest = [...cards].sort((a, b) => b.ts.localeCompare(a.ts) || a.id.localeCompare(b.id));
      assert.deepEqual((await cellTexts(page, 'time')).slice(0, 3), newest.slice(0, 3).map((c) => c.ts.slice(0, 16).replace('T', ' ')));
      const rowElements = await page.$$eval('[data-testid="table-row"]', (n) => n.length);
      assert.ok(rowElements < 100, `a window of rows, not 5,000 (${rowElements})`);
      assert.equal(await page.textContent('[data-testid="table-status"]'), '5000 of 5000 feedback');
      assert.equal(await page.$$eval('[data-testid="chart-up-share"] path.series', (n) => n.length), 3, 'a line per version');
      assert.ok(await page.$$eval('[data-testid="chart-reasons"] rect.bar', (n) => n.length) >= 3, 'bars per version');
      assert.match(await page.$eval('[data-testid="table-version"]', (s) => (s as unknown as { options: Array<{ text: string }> }).options[0].text), /^All versions \(5000\)$/);

      await page.click('[data-testid="table-row"][aria-rowindex="4"]');
      const posted = await page.evaluate(() => (globalThis as unknown as PageGlobals).posted.filter((m) => m.type === 'open-record'));
      assert.deepEqual(posted, [{ type: 'open-record', previewId: 'p1', id: newest[2].id }]);
    } finally {
      await page.close();
    }
  });

  it('sorts by a clicked column and filters the table and both charts by the search text', async () => {
    const page = await open(synthetic(600));
    try {
      await page.click('.table-header [data-column="reviewer"]');
      await drawn(page, 600);
      const reviewers = await cellTexts(page, 'reviewer');
      assert.deepEqual(reviewers, [...reviewers].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' })), 'ascending by reviewer');
      assert.equal(await page.getAttribute('.table-header [data-column="reviewer"]', 'aria-sort'), 'ascending');

      await page.fill('[data-testid="table-search"]', 'petals wider');
      const shown = Number(await page.getAttribute('#root', 'data-rows'));
      assert.ok(shown > 0 && shown < 600, `the search narrows the rows (${shown})`);
      await drawn(page, shown);
      const comments = await cellTexts(page, 'comment');
      assert.ok(comments.length > 0 && comments.every((c) => c.includes('petals are wider')), 'every row shown matches');
      const dots = await page.$$eval('[data-testid="chart-up-share"] circle.dot title', (n) => n.map((t) => Number(/of (\d+)$/.exec(t.textContent ?? '')?.[1])));
      assert.equal(dots.reduce((a, b) => a + b, 0), shown, 'the up-share chart counts the rows shown, not all of them');
    } finally {
      await page.close();
    }
  });

  it('in an editor narrower than the columns, the table scrolls sideways with its header; a cut cell has its whole text as tooltip', async () => {
    const long = 'features: [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3, 4.9, 3.1, 1.5, 0.1, 7.7, 2.6, 6.9, 2.3]';
    const page = await open([card({ id: 'wide', inputSummary: long, rating: 'down', reasons: ['wrong answer', 'should not answer', 'unfair to some group'] })], { width: 760, height: 700 });
    try {
      const scroller = '[data-testid="table-rows"]';
      const sizes = await page.$eval(scroller, (s) => ({ scrollWidth: s.scrollWidth, clientWidth: s.clientWidth }));
      assert.ok(sizes.scrollWidth > sizes.clientWidth, `the columns scroll sideways (${JSON.stringify(sizes)})`);
      const columnAt = (id: string) => page.evaluate((column) => {
        const box = (selector: string) => (globalThis as unknown as PageGlobals).document.querySelector(selector)!.getBoundingClientRect();
        const view = box('[data-testid="table-rows"]');
        const head = box(`.table-header [data-column="${column}"]`);
        const cell = box(`[data-testid="table-row"] .col-${column}`);
        return { headLeft: Math.round(head.left), cellLeft: Math.round(cell.left), visible: head.left >= view.left && head.right <= view.right + 1 };
      }, id);
      assert.equal((await columnAt('comment')).visible, false, 'the last column starts off screen');
      await page.$eval(scroller, (s) => s.scrollTo({ left: s.scrollWidth }));
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('[data-testid="table-rows"]')!.scrollLeft > 0);
      const comment = await columnAt('comment');
      assert.ok(comment.visible, 'scrolled sideways, the last column shows');
      assert.equal(comment.headLeft, comment.cellLeft, 'its heading moved with it');
      for (const [column, text] of [['inputs', long], ['reasons', 'wrong answer; should not answer; unfair to some group']]) {
        const cell = await page.$eval(`[data-testid="table-row"] .col-${column}`, (c) => ({ title: c.getAttribute('title'), text: c.textContent, cut: c.scrollWidth > c.clientWidth }));
        assert.deepEqual(cell, { title: text, text, cut: true }, `${column}: cut to the column, all of it in the tooltip`);
      }
    } finally {
      await page.close();
    }
  });

  it('every x-axis label lies inside its chart (the last date was cut in half)', async () => {
    // Ten days: a tick every second day, the last one on the axis' very end.
    const days = [1, 3, 6, 8, 11].map((d, i) => card({ id: `d${d}`, ts: new Date(Date.UTC(2026, 10, d, 9)).toISOString(), rating: i % 2 ? 'up' : 'down', modelVersion: `v${1 + (i % 2)}` }));
    const page = await open(days);
    try {
      const labels = await page.$$eval('.chart-svg', (svgs) => svgs.flatMap((svg) => {
        const view = (svg as unknown as { viewBox: { baseVal: { width: number } } }).viewBox.baseVal;
        return [...svg.querySelectorAll('text.xtick')].map((t) => {
          const box = (t as unknown as { getBBox(): { x: number; width: number } }).getBBox();
          return { text: t.textContent, left: box.x, right: box.x + box.width, width: view.width };
        });
      }));
      assert.ok(labels.length >= 5, `x labels drawn (${labels.length})`);
      for (const l of labels) assert.ok(l.left >= 0 && l.right <= l.width, `"${l.text}" spans ${l.left.toFixed(1)}..${l.right.toFixed(1)} of 0..${l.width}`);
    } finally {
      await page.close();
    }
  });

  it('both charts list the versions in one order, oldest first, whatever order the newest feedback comes in', async () => {
    const at = (day: number, hour: number) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();
    // v2 is the newest version, but its only feedback is thumbs up; v1's newest feedback is newer than v3's oldest.
    const cards = [
      card({ id: 'a', ts: at(1, 1), modelVersion: 'v1', rating: 'down', reasons: ['wrong answer'] }),
      card({ id: 'b', ts: at(2, 1), modelVersion: 'v3', rating: 'down', reasons: ['other'] }),
      card({ id: 'c', ts: at(3, 1), modelVersion: 'v1', rating: 'down', reasons: ['wrong answer'] }),
      card({ id: 'd', ts: at(4, 1), modelVersion: 'v2', rating: 'up' }),
      card({ id: 'e', ts: at(4, 2), modelVersion: 'v3', rating: 'up' }),
    ];
    const page = await open(cards);
    try {
      const legend = await page.$$eval('[data-testid="chart-up-share"] .legend li', (n) => n.map((li) => (li.textContent ?? '').trim()));
      const axis = await page.$$eval('[data-testid="chart-reasons"] text.xtick', (n) => n.map((t) => t.textContent ?? ''));
      assert.deepEqual(legend, ['iris@v1', 'iris@v3', 'iris@v2']);
      assert.deepEqual(axis, ['iris@v1', 'iris@v3'], 'the same order, without the version that has no thumbs-down');
    } finally {
      await page.close();
    }
  });
});
