import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { PreviewManager } from '../previews/preview-manager';
import type { RunningPreview } from '../previews/running-preview';
import { linkReach } from '../previews/serve-arguments';
import { qrCodePage } from './qr-code-page';

/**
 * "Show QR code" of a preview's share link, for a stakeholder holding a phone: one editor panel per preview, redrawn
 * when its link changes (a rotation, a new tunnel address), closed when the preview stops.
 */
export class QrCodePanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; shown: string }>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly previews: PreviewManager) {
    this.subscription = previews.onDidChange(() => void this.follow());
  }

  /** Shows (or brings forward) the panel of `preview`. Resolves with the link it shows. */
  async show(preview: RunningPreview): Promise<string> {
    let entry = this.panels.get(preview.file);
    if (!entry) {
      const panel = vscode.window.createWebviewPanel('modelPreview.qrCode', `Share link: ${preview.model}`, vscode.ViewColumn.Active, {
        enableScripts: false, localResourceRoots: [],
      });
      panel.onDidDispose(() => this.panels.delete(preview.file));
      entry = { panel, shown: '' };
      this.panels.set(preview.file, entry);
    } else {
      entry.panel.reveal();
    }
    await this.draw(entry, preview);
    return entry.shown;
  }

  private async follow(): Promise<void> {
    for (const [file, entry] of this.panels) {
      const preview = this.previews.get(file);
      if (!preview) entry.panel.dispose(); // stopped: a code of a dead link helps nobody
      else if (preview.shareUrl !== entry.shown) await this.draw(entry, preview);
    }
  }

  private async draw(entry: { panel: vscode.WebviewPanel; shown: string }, preview: RunningPreview): Promise<void> {
    const shareUrl = preview.shareUrl;
    entry.shown = shareUrl;
    entry.panel.webview.html = await qrCodePage({
      model: preview.model, shareUrl, reach: linkReach(preview.publishedAs), nonce: randomBytes(16).toString('base64'),
    });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const { panel } of this.panels.values()) panel.dispose();
  }
}
