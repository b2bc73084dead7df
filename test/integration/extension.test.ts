import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { waitForStep, writeStep } from './handshake';
import { waitForFrameWith } from './run-in-code-server';
import { ARTIFACTS, REPO_ROOT as repoRoot, runSuiteSteps, type SuiteRun } from './suite-steps';

/** A workspace like a data scientist's: the iris example (the suite later writes a retrained export over it). */
function fixtureWorkspace(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mp-it-workspace-'));
  mkdirSync(path.join(folder, 'iris'));
  for (const file of ['iris.onnx', 'iris.preview.json']) copyFileSync(path.join(repoRoot, 'examples/iris', file), path.join(folder, 'iris', file));
  return folder;
}

/** Answers the suite's requests by reading the workbench: the things only a person looking at the window would see. */
async function answerSuite(page: Page, dir: string, signal: AbortSignal): Promise<void> {
  const noPreview = await waitForStep<{ text: string }>(dir, 'review-no-preview', 'request', 150_000, signal);
  const noPreviewToast = page.locator('.notification-toast').filter({ hasText: noPreview.text }).first();
  await noPreviewToast.waitFor({ timeout: 20_000 });
  writeStep(dir, 'review-no-preview', 'answer', {
    text: await noPreviewToast.innerText(), buttons: (await noPreviewToast.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()).filter(Boolean),
  });
  await noPreviewToast.locator('.codicon-notifications-clear').click().catch(() => undefined); // out of the way of later toasts

  await waitForStep(dir, 'models-tree', 'request', 150_000, signal);
  const sidebar = page.locator('[id="workbench.parts.sidebar"]');
  await sidebar.getByText('iris', { exact: true }).first().waitFor({ timeout: 20_000 });
  writeStep(dir, 'models-tree', 'answer', { text: await sidebar.innerText() });

  const { choose } = await waitForStep<{ choose: string }>(dir, 'tunnel-pick', 'request', 150_000, signal);
  const quickPick = page.locator('.quick-input-widget');
  await quickPick.getByText(choose, { exact: true }).waitFor({ timeout: 20_000 });
  const title = await quickPick.locator('.quick-input-title').innerText();
  const items = await quickPick.locator('.monaco-list-row .label-name').allInnerTexts();
  const placeholder = (await quickPick.locator('.quick-input-box input').getAttribute('placeholder')) ?? '';
  // A line wider than its box is cut off with an ellipsis: its content is wider than what is shown.
  const cutOff = await quickPick.locator('.monaco-list-row .label-name').evaluateAll((nodes) => nodes
    .filter((n) => (n as unknown as { scrollWidth: number }).scrollWidth > (n as unknown as { clientWidth: number }).clientWidth)
    .map((n) => n.textContent ?? ''));
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'tunnel-pick.png') });
  await quickPick.getByText(choose, { exact: true }).click();
  const savedNote = page.locator('.notification-toast').filter({ hasText: 'modelPreview.tunnel.provider' }).first();
  const saved = await savedNote.waitFor({ timeout: 20_000 }).then(async () => ({
    text: (await savedNote.locator('.notification-list-item-message').innerText()).trim(),
    buttons: await savedNote.locator('.monaco-button').allInnerTexts(),
  }), () => ({ text: '', buttons: [] as string[] }));
  await page.waitForTimeout(500); // the toast fades in
  await page.screenshot({ path: path.join(ARTIFACTS, 'tunnel-saved-note.png') });
  writeStep(dir, 'tunnel-pick', 'answer', { title, items, placeholder, cutOff, saved });

  const expected = await waitForStep<{ statusBar: string }>(dir, 'feedback-card', 'request', 150_000, signal);
  const frame = await waitForFrameWith(page, '[data-testid="feedback-card"]', { timeoutMs: 30_000, signal });
  const cards = await frame.$$eval('[data-testid="feedback-card"]', (nodes) => nodes.map((n) => (n as unknown as { innerText: string }).innerText));
  const totals = await frame.$eval('[data-testid="feedback-totals"]', (n) => (n as unknown as { innerText: string }).innerText);
  const imgInjected = await frame.$$eval('[data-testid="feedback-list"] img', (nodes) => nodes.length > 0);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-feedback.png') });
  // The counts reach the status bar throttled (a quarter of a second): wait for what the suite expects, then read it.
  const item = page.locator('.statusbar [aria-label^="Model Preview:"]').first();
  await page.locator(`.statusbar [aria-label="${expected.statusBar}"]`).waitFor({ timeout: 5_000 }).catch(() => undefined);
  const statusBar = await item.getAttribute('aria-label', { timeout: 10_000 });
  writeStep(dir, 'feedback-card', 'answer', { cards, totals, imgInjected, statusBar });

  await waitForStep(dir, 'open-record', 'request', 150_000, signal);
  await frame.click('[data-testid="feedback-card"]');
  writeStep(dir, 'open-record', 'answer', {});

  await waitForStep(dir, 'type-in-record', 'request', 150_000, signal);
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.type('typed by a person');
  // The editor says so where the person typed: proof the keys reached a read-only editor, not some other element.
  const refusal = page.locator('.monaco-editor-overlaymessage').first();
  await refusal.waitFor({ timeout: 10_000 });
  writeStep(dir, 'type-in-record', 'answer', { message: await refusal.innerText() });

  await waitForStep(dir, 'feedback-again', 'request', 150_000, signal);
  const again = await waitForFrameWith(page, '[data-testid="feedback-card"]', { timeoutMs: 30_000, signal });
  writeStep(dir, 'feedback-again', 'answer', { cards: await again.$$eval('[data-testid="feedback-card"]', (nodes) => nodes.length) });

  const { text } = await waitForStep<{ text: string }>(dir, 'notification', 'request', 150_000, signal);
  const toast = page.locator('.notifications-toasts').getByText(text, { exact: false }).first();
  await toast.waitFor({ timeout: 20_000 });
  writeStep(dir, 'notification', 'answer', { text: await toast.innerText() });

  const failed = await waitForStep<{ text: string; tree: string }>(dir, 'reload-failed', 'request', 150_000, signal);
  const failedToast = page.locator('.notification-toast').filter({ hasText: failed.text }).first();
  await failedToast.waitFor({ timeout: 20_000 });
  const failedText = await failedToast.innerText();
  const failedButtons = (await failedToast.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()).filter(Boolean);
  await sidebar.getByText(failed.tree).first().waitFor({ timeout: 20_000 }); // the Models view shows it too
  await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-reload-failed.png') });
  await failedToast.locator('.monaco-button', { hasText: 'Show log' }).click();
  const panel = page.locator('[id="workbench.parts.panel"]');
  await panel.getByText('error (model-reload)', { exact: false }).first().waitFor({ timeout: 20_000 });
  writeStep(dir, 'reload-failed', 'answer', { text: failedText, buttons: failedButtons, output: (await panel.innerText()).replace(/\u00a0/g, ' ') }); // Monaco draws spaces as no-break spaces

  const failedAgain = await waitForStep<{ text: string; marker: string }>(dir, 'reload-failed-again', 'request', 150_000, signal);
  // A positive signal first: the suite showed `marker` after the second error event reached the extension, so a toast
  // for that error, had one been asked for, reached the workbench before the marker did.
  await page.locator('.notification-toast').filter({ hasText: failedAgain.marker }).first().waitFor({ timeout: 20_000 });
  writeStep(dir, 'reload-failed-again', 'answer', { toasts: await page.locator('.notification-toast').filter({ hasText: failedAgain.text, visible: true }).count() });

  // A full disk under a published preview: one error toast when it fills, one information toast when it has room again.
  for (const step of ['storage-full', 'storage-recovered']) {
    const { text } = await waitForStep<{ text?: string }>(dir, step, 'request', 150_000, signal);
    if (text === undefined) {
      writeStep(dir, step, 'answer', {}); // the suite could not mount a small disk here
      continue;
    }
    const storageToast = page.locator('.notification-toast').filter({ hasText: text }).first();
    await storageToast.waitFor({ timeout: 30_000 });
    if (step === 'storage-full') await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-disk-full.png') });
    const storageButtons = await storageToast.locator('.monaco-button').allInnerTexts();
    writeStep(dir, step, 'answer', { text: await storageToast.innerText(), buttons: storageButtons.map((b) => b.trim()).filter(Boolean) });
  }

  await waitForStep(dir, 'review-sidebar', 'request', 150_000, signal);
  const view = await waitForFrameWith(page, '[data-testid="fixed-now-line"]', { timeoutMs: 30_000, signal });
  await view.waitForSelector('[data-testid="case-row"]', { timeout: 20_000 });
  const cases = await view.$$eval('[data-testid="case-row"]', (nodes) => nodes.map((n) => {
    const e = n as unknown as { dataset: Record<string, string>; innerText: string };
    return { id: e.dataset.caseId, up: e.dataset.up, down: e.dataset.down, text: e.innerText };
  }));
  const fixedNow = await view.$$eval('[data-testid="fixed-now-line"]', (nodes) => nodes.map((n) => (n as unknown as { innerText: string }).innerText.trim()));
  await view.waitForSelector('[data-testid="regression-row"]:nth-child(3)', { timeout: 20_000 });
  const rows = await view.$$eval('[data-testid="regression-row"]', (nodes) => nodes.map((n) => {
    const cells = Array.from((n as unknown as { children: ArrayLike<{ firstChild: { textContent: string } | null }> }).children).map((c) => c.firstChild?.textContent?.trim() ?? '');
    const broken = Array.from((n as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string }> }).querySelectorAll('[data-testid="broken-case"]')).map((b) => b.textContent.trim());
    return [...cells, ...broken];
  }));
  await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-review-cases.png') });
  writeStep(dir, 'review-sidebar', 'answer', { cases, fixedNow, rows });

  const reviewFile = await waitForStep<{ file: string; click: string; type: string; toast: string; button: string }>(dir, 'review-file', 'request', 150_000, signal);
  const fileRow = page.locator('[id="workbench.parts.sidebar"] .monaco-list-row').filter({ hasText: reviewFile.file }).first();
  await fileRow.waitFor({ timeout: 20_000 });
  await fileRow.click({ button: 'right' });
  const fileMenu = page.getByRole('menuitem');
  await fileMenu.first().waitFor({ timeout: 10_000 });
  const menu = (await fileMenu.allInnerTexts()).map((t) => t.split('\n')[0].trim()).filter(Boolean);
  await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-explorer-ask-stakeholders.png') });
  await page.getByRole('menuitem', { name: reviewFile.click }).click();
  const nameBox = page.locator('.quick-input-widget');
  await nameBox.locator('.quick-input-title').getByText('Ask stakeholders about', { exact: false }).waitFor({ timeout: 20_000 });
  const nameInput = nameBox.locator('.quick-input-box input');
  const asked = { menu, title: await nameBox.locator('.quick-input-title').innerText(), value: await nameInput.inputValue() };
  await nameInput.fill(reviewFile.type);
  await nameInput.press('Enter');
  const addedToast = page.locator('.notification-toast').filter({ hasText: reviewFile.toast }).first();
  await addedToast.waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500); // the toast slides in: let it settle for the screenshot
  await page.screenshot({ path: path.join(ARTIFACTS, 'vscode-review-set-added.png') });
  const addedText = await addedToast.innerText();
  const addedButtons = (await addedToast.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()).filter(Boolean);
  await addedToast.locator('.monaco-button', { hasText: reviewFile.button }).click();
  writeStep(dir, 'review-file', 'answer', { ...asked, toast: addedText, buttons: addedButtons });

  const refusedFile = await waitForStep<{ text: string }>(dir, 'review-file-refused', 'request', 150_000, signal);
  const refusedToast = page.locator('.notification-toast').filter({ hasText: refusedFile.text }).first();
  await refusedToast.waitFor({ timeout: 20_000 });
  writeStep(dir, 'review-file-refused', 'answer', { text: await refusedToast.innerText() });

  const inviteOnly = await waitForStep<{ text: string }>(dir, 'invite-only-review', 'request', 150_000, signal);
  const inviteOnlyToast = page.locator('.notification-toast').filter({ hasText: inviteOnly.text }).first();
  await inviteOnlyToast.waitFor({ timeout: 20_000 });
  writeStep(dir, 'invite-only-review', 'answer', {
    text: await inviteOnlyToast.innerText(), buttons: (await inviteOnlyToast.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()).filter(Boolean),
  });

  const died = await waitForStep<{ text: string }>(dir, 'server-died', 'request', 150_000, signal);
  const deathToast = page.locator('.notification-toast').filter({ hasText: died.text }).first();
  await deathToast.waitFor({ timeout: 20_000 });
  const buttons = await deathToast.locator('.monaco-button').allInnerTexts();
  writeStep(dir, 'server-died', 'answer', { text: await deathToast.innerText(), buttons: buttons.map((b) => b.trim()).filter(Boolean) });
  await deathToast.locator('.monaco-button', { hasText: 'Restart' }).click();

  const { type } = await waitForStep<{ type: string }>(dir, 'ngrok-token', 'request', 150_000, signal);
  const box = page.locator('.quick-input-widget');
  await box.locator('.quick-input-title').getByText('ngrok authtoken', { exact: false }).waitFor({ timeout: 20_000 });
  const input = box.locator('.quick-input-box input');
  const typed = { title: await box.locator('.quick-input-title').innerText(), password: (await input.getAttribute('type')) === 'password' };
  await input.fill(type);
  await input.press('Enter');
  writeStep(dir, 'ngrok-token', 'answer', typed);

}

describe('the extension in a real VS Code extension host (code-server 4.100.3 + chromium)', function () {
  this.timeout(300_000);
  let run: SuiteRun;

  // The suite runs once, inside VS Code (test/integration/suite/extension.suite.ts): its steps build on each other.
  // Each step it ran is reported below as a test of its own, with its own outcome.
  before(async function () {
    this.timeout(300_000);
    const workspaceFolder = fixtureWorkspace();
    try {
      // A CI run at load 15 (helpers building alongside) was stopped by the old 150 s bound at step 23 of 30.
      run = await runSuiteSteps(this.test!.parent!, { suite: 'extension.suite.js', workspaceFolder, answer: answerSuite, timeoutMs: 260_000 });
    } finally {
      rmSync(workspaceFolder, { recursive: true, force: true });
    }
  });

  it('the suite inside VS Code ran every step to the end (each one follows as a test)', () => {
    assert.ok(run.steps.length > 0, `no step reported:\n${run.output.join('\n')}`);
    assert.equal(run.exitCode, 0, `the suite failed${run.timedOut ? ' (timed out)' : ''} after ${run.steps.length} step(s):\n${run.output.join('\n')}`);
  });
});
