import * as vscode from 'vscode';
import { ModelPreviewExtension } from './vscode/model-preview-extension';

let extension: ModelPreviewExtension | undefined;

/** Builds the composition root and hands it to VS Code; everything else lives in src/vscode/. */
export function activate(context: vscode.ExtensionContext): ModelPreviewExtension {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Model Preview', { log: true });
  extension = new ModelPreviewExtension(context, log);
  // Not the log itself: VS Code disposes the subscriptions right after calling deactivate, without waiting for it,
  // while the servers are still stopping (and logging). The extension closes the log once they are gone.
  const owned = extension;
  context.subscriptions.push({ dispose: () => void owned.dispose() });
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
