import * as vscode from 'vscode';
import type { PreviewManager } from '../previews/preview-manager';
import { statusText } from './status-bar-text';

/** The status-bar item of the running previews and their live counts; clicking it offers the link actions. */
export class PreviewStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelPreview.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly previews: PreviewManager) {
    this.item.name = 'Model Preview';
    this.item.command = 'modelPreview.linkActions';
    this.subscriptions = [previews.onDidChange(() => this.update()), previews.onDidChangeCounts(() => this.update())];
    this.update();
  }

  update(): void {
    const shown = statusText(this.previews.all);
    if (!shown) return void this.item.hide();
    this.item.text = shown.text;
    this.item.tooltip = shown.tooltip;
    this.item.accessibilityInformation = { label: shown.label, role: 'button' };
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
