import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionSettings } from '../settings';
import type { ModelCatalog } from './model-catalog';

/**
 * "iris.onnx was exported — Publish preview?": once per file per window, when a model file appears (the notebook
 * exported it). Rewrites of a known file are re-exports, handled by the server's hot reload, not asked about.
 *
 * The question stays a plain information message even when the model gets published another way while it shows: VS
 * Code lets an extension close only a progress notification, and a question drawn as one would carry a busy bar and a
 * Cancel button. A late "Publish preview" is harmless: the publish command starts nothing twice (a model already
 * published gets "is already published" with its link; one still starting is waited for).
 */
export class ExportNotifier implements vscode.Disposable {
  private readonly asked = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(catalog: ModelCatalog, settings: () => ExtensionSettings, private readonly isPublished: (file: string) => boolean) {
    this.subscription = catalog.onDidAppear((uri) => {
      if (!settings().notifyOnExport || this.asked.has(uri.fsPath) || this.isPublished(uri.fsPath)) return;
      this.asked.add(uri.fsPath);
      void this.ask(uri);
    });
  }

  private async ask(uri: vscode.Uri): Promise<void> {
    const publish = 'Publish preview';
    const never = 'Don\'t ask again';
    const answer = await vscode.window.showInformationMessage(`${path.basename(uri.fsPath)} was exported — Publish preview?`, publish, never);
    if (answer === publish) await vscode.commands.executeCommand('modelPreview.publish', uri);
    if (answer === never) await vscode.workspace.getConfiguration('modelPreview').update('notifyOnExport', false, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
