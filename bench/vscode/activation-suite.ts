import { writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelPreviewExtension } from '../../src/vscode/model-preview-extension';
import { RESULT_ENV } from './result-env';

const IDLE_MS = 10_000;

/**
 * Runs inside the extension host of a real VS Code on a generated 50,000-file workspace with no model: waits for the
 * startup activation, then measures what it costs — `activate` itself, the first scan, the extension host's CPU while
 * idle, and an export's way to the offer (the catalog's "appeared" event).
 */
export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension<ModelPreviewExtension>('model-preview.model-preview');
  if (!extension) {
    // The baseline run (a placeholder extension instead of Model Preview): only the idle CPU, for comparison.
    writeFileSync(process.env[RESULT_ENV]!, JSON.stringify({ idleCpuPercent: await idleCpuPercent() }));
    return;
  }
  const deadline = Date.now() + 60_000;
  while (!extension.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const api = extension.exports;
  const scanStarted = performance.now();
  await api.catalog.rescan();
  const scanMs = performance.now() - scanStarted;
  const idle = await idleCpuPercent();
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const exportStarted = performance.now();
  const appeared = new Promise<void>((resolve) => api.catalog.onDidAppear(() => resolve()));
  await copyFile(path.join(extension.extensionPath, 'examples/iris/iris.onnx'), path.join(folder, 'src', 'exported.onnx'));
  await appeared;
  const exportToOfferMs = performance.now() - exportStarted;
  writeFileSync(process.env[RESULT_ENV]!, JSON.stringify({ activationMs: api.activationMs, scanMs, idleCpuPercent: idle, exportToOfferMs }));
}

/** The extension host's CPU over `IDLE_MS` with nothing happening, after the startup work settled. */
async function idleCpuPercent(): Promise<number> {
  await new Promise((r) => setTimeout(r, 3_000));
  const before = process.cpuUsage();
  const started = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const cpu = process.cpuUsage(before);
  return ((cpu.user + cpu.system) / 1000 / (performance.now() - started)) * 100;
}
