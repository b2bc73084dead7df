import * as vscode from 'vscode';
import { ModelPreviewExtension } from './vscode/model-preview-extension';

let extension: ModelPreviewExtension | undefined;

/** Builds the composition root and hands it to VS Code; everything else lives in src/vscode/. */
export function activate(context: vscode.ExtensionContext): ModelPreviewExtension {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Model Preview', { log: true });
  extension = new ModelPreviewExtension(context, log);
  context.subscriptions.push(log, { dispose: () => void extension?.dispose() });
  extension.activationMs = performance.now() - started;
  log.info(`activated in ${extension.activationMs.toFixed(1)} ms`);
  return extension;
}

/** Stops every preview server; VS Code waits for the returned promise, so no child process or port is left behind. */
export function deactivate(): Promise<void> | undefined {
  const stopping = extension?.dispose();
  extension = undefined;
  return stopping;
}
