import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PreviewManager } from './preview-manager';

/**
 * What is worth interrupting the user for: a server that died (why, with Show log and Restart), a tunnel that gave
 * up (the link is dead), a public URL that changed (the old link is dead; copy the new one). Reconnecting is not:
 * the status bar shows it.
 */
export class PreviewNotifications implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  constructor(previews: PreviewManager, private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      previews.onDidDie(({ file, exit }) => void this.reportDeath(file, exit.lastStderr)),
      previews.onDidReceiveEvent(({ preview, event }) => {
        if (event.event === 'tunnel-down' && event.retryInMs === undefined) {
          void this.offer(vscode.window.showWarningMessage(`The ${event.provider} tunnel of ${preview.model} is down: ${event.reason}. The share link works only on this machine until you publish again.`, 'Show log'), {
            'Show log': () => this.log.show(),
          });
        } else if (event.event === 'tunnel-url-changed') {
          void this.offer(vscode.window.showWarningMessage(`The public link of ${preview.model} changed (the ${event.provider} tunnel could not keep its address). The old link no longer works.`, 'Copy new link'), {
            'Copy new link': () => vscode.env.clipboard.writeText(event.shareUrl),
          });
        }
      }),
    ];
  }

  private async reportDeath(file: string, lastStderr: string[]): Promise<void> {
    const reason = lastStderr.at(-1) ?? 'no message';
    this.log.error(`the preview server of ${file} stopped unexpectedly: ${lastStderr.join('\n')}`);
    await this.offer(vscode.window.showErrorMessage(`The preview of ${path.basename(file)} stopped: ${reason}`, 'Show log', 'Restart'), {
      'Show log': () => this.log.show(),
      Restart: () => vscode.commands.executeCommand('modelPreview.publish', vscode.Uri.file(file)),
    });
  }

  private async offer(shown: Thenable<string | undefined>, actions: Record<string, () => unknown>): Promise<void> {
    const answer = await shown;
    if (answer && Object.hasOwn(actions, answer)) await actions[answer]();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}
