import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { waitForStep, writeStep } from './handshake';
import { waitForFrameWith } from './run-in-code-server';
import { ARTIFACTS, runSuiteSteps, type SuiteRun } from './suite-steps';

/** Reads the workbench for test/integration/suite/first-run.suite.ts: the toasts and the QR panel a person sees. */
async function answerSuite(page: Page, dir: string, signal: AbortSignal): Promise<void> {
  const toastWith = async (text: string) => {
    const toast = page.locator('.notification-toast').filter({ hasText: text }).first();
    await toast.waitFor({ timeout: 40_000 });
    const buttons = (await toast.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()).filter(Boolean);
    return { toast, text: await toast.innerText(), buttons };
  };

  const offer = await waitForStep<{ text: string }>(dir, 'export-offer', 'request', 150_000, signal);
  const offered = await toastWith(offer.text);
  writeStep(dir, 'export-offer', 'answer', { text: offered.text, buttons: offered.buttons });
  await offered.toast.locator('.monaco-button', { hasText: 'Publish preview' }).click();

  await waitForStep(dir, 'qr-code', 'request', 150_000, signal);
  const frame = await waitForFrameWith(page, '[data-testid="qr-code"]', { timeoutMs: 30_000, signal });
  const image = frame.locator('[data-testid="qr-code"]');
  const box = await image.boundingBox();
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-qr-code.png') });
  writeStep(dir, 'qr-code', 'answer', {
    link: await frame.locator('[data-testid="qr-link"]').innerText(),
    reach: await frame.locator('[data-testid="qr-reach"]').innerText(),
    alt: await image.getAttribute('alt'),
    width: box?.width ?? 0,
  });

  const died = await waitForStep<{ text: string }>(dir, 'server-died', 'request', 150_000, signal);
  const death = await toastWith(died.text);
  writeStep(dir, 'server-died', 'answer', { text: death.text, buttons: death.buttons });
  await death.toast.locator('.monaco-button', { hasText: 'Restart' }).click();
}

describe('the extension on a first run (real VS Code: code-server 4.100.3 + chromium), a workspace with no model yet', function () {
  this.timeout(180_000);
  let run: SuiteRun;

  before(async function () {
    this.timeout(180_000);
    const workspaceFolder = mkdtempSync(path.join(os.tmpdir(), 'mp-it-first-run-'));
    try {
      run = await runSuiteSteps(this.test!.parent!, {
        suite: 'first-run.suite.js', workspaceFolder, answer: answerSuite, settings: { 'modelPreview.tunnel.provider': 'none' },
      });
    } finally {
      rmSync(workspaceFolder, { recursive: true, force: true });
    }
  });

  it('the suite inside VS Code ran every step to the end (each one follows as a test)', () => {
    assert.ok(run.steps.length > 0, `no step reported:\n${run.output.join('\n')}`);
    assert.equal(run.exitCode, 0, `the suite failed${run.timedOut ? ' (timed out)' : ''} after ${run.steps.length} step(s):\n${run.output.join('\n')}`);
  });
});
