import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { HANDSHAKE_ENV, waitForStep, writeStep } from './handshake';
import { runVsCodeSuite, waitForFrameWith } from './run-in-code-server';

/** This file runs from out/test/integration/. */
const repoRoot = path.resolve(__dirname, '../../..');

/** Screenshots kept as test artifacts (test-results/ is git-ignored). */
const ARTIFACTS = path.join(repoRoot, 'test-results');

/** A workspace like a data scientist's: the iris example (the suite later writes a retrained export over it). */
function fixtureWorkspace(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mp-it-workspace-'));
  mkdirSync(path.join(folder, 'iris'));
  for (const file of ['iris.onnx', 'iris.preview.json']) copyFileSync(path.join(repoRoot, 'examples/iris', file), path.join(folder, 'iris', file));
  return folder;
}

/** Answers the suite's requests by reading the workbench: the things only a person looking at the window would see. */
async function answerSuite(page: Page, dir: string, signal: AbortSignal): Promise<void> {
  await waitForStep(dir, 'models-tree', 'request', 60_000, signal);
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  await sidebar.getByText('iris', { exact: true }).first().waitFor({ timeout: 20_000 });
  writeStep(dir, 'models-tree', 'answer', { text: await sidebar.innerText() });

  await waitForStep(dir, 'feedback-card', 'request', 60_000, signal);
  const frame = await waitForFrameWith(page, '[data-testid="feedback-card"]', { timeoutMs: 30_000, signal });
  const cards = await frame.$$eval('[data-testid="feedback-card"]', (nodes) => nodes.map((n) => (n as unknown as { innerText: string }).innerText));
  const totals = await frame.$eval('[data-testid="feedback-totals"]', (n) => (n as unknown as { innerText: string }).innerText);
  const imgInjected = await frame.$$eval('[data-testid="feedback-list"] img', (nodes) => nodes.length > 0);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-feedback.png') });
  const statusBar = await page.locator('.statusbar [aria-label^="Model Preview:"]').first().getAttribute('aria-label', { timeout: 10_000 });
  writeStep(dir, 'feedback-card', 'answer', { cards, totals, imgInjected, statusBar });

  const { text } = await waitForStep<{ text: string }>(dir, 'notification', 'request', 60_000, signal);
  const toast = page.locator('.notifications-toasts').getByText(text, { exact: false }).first();
  await toast.waitFor({ timeout: 20_000 });
  writeStep(dir, 'notification', 'answer', { text: await toast.innerText() });
}

describe('the extension in a real VS Code extension host (code-server 4.100.3 + chromium)', function () {
  this.timeout(180_000);

  it('activates, lists the model, publishes, shows live feedback, notices an export, hot-reloads and stops cleanly', async () => {
    const workspaceFolder = fixtureWorkspace();
    const handshake = mkdtempSync(path.join(os.tmpdir(), 'mp-it-handshake-'));
    const output: string[] = [];
    try {
      const result = await runVsCodeSuite({
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: path.join(repoRoot, 'out/test/integration/suite/index.js'),
        workspaceFolder,
        screenshotDir: ARTIFACTS,
        timeoutMs: 150_000,
        env: { [HANDSHAKE_ENV]: handshake },
        settings: { 'modelPreview.tunnel.provider': 'none' },
        log: (line) => output.push(line),
        onPage: (page, { signal }) => answerSuite(page, handshake, signal),
      });
      assert.equal(result.exitCode, 0, `the suite failed${result.timedOut ? ' (timed out)' : ''}:\n${output.join('\n')}`);
      const { ms } = await waitForStep<{ ms: number }>(handshake, 'activation', 'answer', 1_000);
      console.log(`      activation took ${ms.toFixed(1)} ms (logged in the "Model Preview" output channel)`);
    } finally {
      rmSync(workspaceFolder, { recursive: true, force: true });
      rmSync(handshake, { recursive: true, force: true });
    }
  });
});
