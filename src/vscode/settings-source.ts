import * as vscode from 'vscode';
import { readSettings, type ExtensionSettings } from './settings';

/** The current settings, read once per change (not per call), with an event when any `modelPreview.*` changes. */
export class SettingsSource implements vscode.Disposable {
  private current = this.read();
  private readonly changed = new vscode.EventEmitter<ExtensionSettings>();
  private readonly subscription = vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('modelPreview')) return;
    this.current = this.read();
    this.changed.fire(this.current);
  });
  readonly onDidChange = this.changed.event;

  get settings(): ExtensionSettings {
    return this.current;
  }

  private read(): ExtensionSettings {
    const config = vscode.workspace.getConfiguration('modelPreview');
    return readSettings((key) => config.get(key));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
