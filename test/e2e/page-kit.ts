import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { FeedbackRecord } from '../../src/shared/feedback-record';
import { FEEDBACK_QUEUE_STORAGE_KEY } from '../../src/page/logic/feedback-queue';
import type { Preview } from '../helpers/preview';

/** What the page tests do again and again: open the share link, fill the iris form, read what was stored. */

export const feedbackLines = (p: Preview): FeedbackRecord[] => {
  try {
    return readFileSync(path.join(p.dataDir, 'feedback.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};

export async function openShareLink(page: Page, p: Preview): Promise<void> {
  await page.goto(`${p.baseUrl}/?t=${encodeURIComponent(p.shareToken)}`);
  await page.getByTestId('predict').waitFor({ timeout: 15_000 });
  assert.equal(new URL(page.url()).search, '', 'the token is traded for a cookie and leaves the address bar');
}

export async function fillIris(page: Page, values: number[]): Promise<void> {
  for (const [i, v] of values.entries()) await page.getByTestId(`field-${i}`).fill(String(v));
}

/** The feedback the page keeps in the browser until the server confirms it (the durable queue's entries). */
export const queuedInBrowser = (page: Page): Promise<unknown[]> => page.evaluate((key) => {
  const storage = (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage;
  return JSON.parse(storage.getItem(key) ?? '[]') as unknown[];
}, FEEDBACK_QUEUE_STORAGE_KEY);


/** How the page learns about its link: `stream`, `polling`, `offline`, `ended` (PreviewLink sets it on <html>). */
export const linkMode = (page: Page): Promise<string | undefined> => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset.linkMode);
export const waitForMode = (page: Page, mode: string, timeout = 10_000) => page.waitForFunction((m) => (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset.linkMode === m, mode, { timeout });

/**
 * The values predictions.jsonl stored for input `name` of the latest prediction (inline, or from its blob): the tensor
 * the model was given, whichever way the page sent it (a picture goes up as its pixels, shared/picture-upload.ts).
 */
export function storedInput(p: Preview, name: string): unknown[] {
  const lines = readFileSync(path.join(p.dataDir, 'predictions.jsonl'), 'utf8').trim().split('\n');
  const input = (JSON.parse(lines[lines.length - 1]) as { inputs: Record<string, { data?: unknown[]; blob?: string }> }).inputs[name];
  return input.data ?? (JSON.parse(readFileSync(path.join(p.dataDir, input.blob!), 'utf8')) as unknown[]);
}
