import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { BenchCase, CaseResult } from '../lib/case';
import { irisModel } from '../lib/paths';
import { makeDataDir, startOurServer } from '../lib/processes';
import { fmt, median, round } from '../lib/stats';

const RE_EXPORTS = 5;
const TARGET_MS = 1_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The same model with new bytes (one more ONNX metadata_props entry): a new version to the server. */
function reExport(modelFile: string, n: number): void {
  const entry = (key: string, value: string) => {
    const field = (no: number, s: string) => Buffer.concat([Buffer.from([(no << 3) | 2, Buffer.byteLength(s)]), Buffer.from(s)]);
    const body = Buffer.concat([field(1, key), field(2, value)]);
    return Buffer.concat([Buffer.from([(14 << 3) | 2, body.length]), body]);
  };
  fs.writeFileSync(modelFile, Buffer.concat([fs.readFileSync(irisModel), entry('bench_export', `${n}-${Date.now()}`)]));
}

/** When each new-version banner appeared in the page (Date.now() there; the same clock as this process). */
const recordBanners = () => {
  // Runs in the page (no DOM types in this tsconfig).
  const page = globalThis as unknown as {
    document: { querySelector(s: string): { getAttribute(n: string): string | null } | null };
    MutationObserver: new (cb: () => void) => { observe(t: unknown, o: object): void };
    banners: Array<{ version: string; at: number }>;
  };
  const seen: Array<{ version: string; at: number }> = (page.banners = []);
  new page.MutationObserver(() => {
    const version = page.document.querySelector('[data-testid="new-version"]')?.getAttribute('data-version');
    if (version && seen.at(-1)?.version !== version) seen.push({ version, at: Date.now() });
  }).observe(page.document, { subtree: true, childList: true, attributes: true });
};

async function bannerAfter(page: Page, since: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const at = await page.evaluate((t) => (globalThis as unknown as { banners: Array<{ at: number }> }).banners.find((b) => b.at >= t)?.at, since);
    if (at !== undefined) return at - since;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no new-version banner within ${timeoutMs} ms of the re-export`);
}

/**
 * Re-export → new-version banner on an open try-it page in a real Chromium, measured from the file write to the
 * banner in the DOM (file watcher + reload + the page hearing of it). `stream`: the page event stream (now);
 * `polling`: the stream blocked, so the page reads the card every 10 s (what every page did before).
 */
export const pageBanner: BenchCase = {
  name: 'page-banner',
  description: `re-export -> new-version banner on an open page (Chromium), ${RE_EXPORTS} re-exports, stream vs polling`,
  async run(options): Promise<CaseResult> {
    const dataDir = makeDataDir();
    const modelFile = path.join(dataDir, 'iris.onnx');
    fs.copyFileSync(irisModel, modelFile);
    const server = await startOurServer({ label: 'serve', dataDir: path.join(dataDir, 'data'), model: modelFile });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const figures: Record<'stream' | 'polling', number[]> = { stream: [], polling: [] };
    let exported = 0;
    try {
      for (const mode of ['polling', 'stream'] as const) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.addInitScript(recordBanners);
        if (mode === 'polling') await page.route('**/api/page-events', (route) => route.fulfill({ status: 502, body: 'blocked for the benchmark' }));
        await page.goto(`${server.baseUrl}/?t=${server.token}`);
        await page.waitForFunction((m) => (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset.linkMode === m, mode, { timeout: 15_000 });
        for (let i = 0; i < RE_EXPORTS; i++) {
          // At a random moment of the page's 10 s poll, as a real re-export is (the stream has no such phase).
          await new Promise((r) => setTimeout(r, 500 + Math.floor(Math.random() * (mode === 'polling' ? 10_000 : 1_000))));
          const since = Date.now();
          reExport(modelFile, ++exported);
          const ms = await bannerAfter(page, since, 20_000);
          figures[mode].push(ms);
          options.log(`  ${mode}: re-export ${i + 1} -> banner in ${ms} ms`);
        }
        await context.close();
      }
    } finally {
      await browser.close();
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const row = (label: string, values: number[]) => [label, fmt(median(values), 0), fmt(Math.min(...values), 0), fmt(Math.max(...values), 0), values.join(' ')];
    const after = median(figures.stream);
    return {
      tables: [{
        title: `Re-export -> new-version banner on an open page (${RE_EXPORTS} re-exports each, ms from the file write)`,
        rows: [['page learns by', 'median', 'min', 'max', 'each'], row('polling the card every 10 s (before)', figures.polling), row('page event stream (after)', figures.stream)],
      }],
      notes: ['Includes the file watcher noticing the write and the new version loading in the workers.'],
      checks: [{ target: `re-export -> banner, median <= ${TARGET_MS} ms (stream)`, actual: `${fmt(after, 0)} ms`, pass: after <= TARGET_MS }],
      data: { reExports: RE_EXPORTS, pollingMs: figures.polling, streamMs: figures.stream, medianMs: { polling: round(median(figures.polling), 0), stream: round(after, 0) } },
    };
  },
};
