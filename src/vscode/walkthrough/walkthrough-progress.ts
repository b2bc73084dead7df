import * as vscode from 'vscode';
import type { ModelCatalog } from '../models/model-catalog';
import type { PreviewManager } from '../previews/preview-manager';

/**
 * Context keys the walkthrough's steps complete on (`onContext:` completion events in package.json), set by what really
 * happened: `modelPreview.hasModel` once the workspace has a model (an export), `modelPreview.hasFeedback` once a
 * preview has feedback. (The publish step uses `modelPreview.running`, set by the composition root.) A step VS Code
 * has ticked stays ticked; the keys are only ever set to true here.
 */
export class WalkthroughProgress implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  private readonly done = new Set<string>();

  constructor(catalog: ModelCatalog, previews: PreviewManager) {
    const models = () => catalog.models.length > 0 && this.set('modelPreview.hasModel');
    this.subscriptions = [
      catalog.onDidChange(models),
      previews.onDidReload((p) => p.feedback.length > 0 && this.set('modelPreview.hasFeedback')),
      previews.onDidReceiveEvent(({ event }) => event.event === 'feedback' && this.set('modelPreview.hasFeedback')),
    ];
    models();
  }

  private set(key: string): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    void vscode.commands.executeCommand('setContext', key, true);
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}
