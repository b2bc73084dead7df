import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ErrorEvent, ShareLinkChangedEvent, StreamedEvent, TunnelUrlChangedEvent } from '../../shared/events';
import { describeEnd } from '../../client/child-output';
import type { PreviewProcessExit } from '../../client/preview-process';
import { crashText } from './crash-text';
import { linkChangeText } from './link-change-text';
import type { PreviewManager } from './preview-manager';
import type { RunningPreview } from './running-preview';

type EventOf<K extends StreamedEvent['event']> = Extract<StreamedEvent, { event: K }>;
/** What to do when a preview's server sends one kind of event. */
type EventHandlers = { [K in StreamedEvent['event']]?: (preview: RunningPreview, event: EventOf<K>) => void };

/**
 * What is worth interrupting the user for: a server that died (why, with Show log and Restart), a tunnel that gave
 * up (the link is dead), a link that changed without the owner asking — a tunnel that could not get its public address
 * back, a port taken by another program, an expired link re-issued (the old link is dead; copy the new one), what the server
 * reports wrong (a re-export that did not load, an invalid sidecar, a worker that failed), each distinct error once,
 * a data folder that cannot be written (a full disk: stakeholders' feedback waits in their pages until there is
 * space) and its recovery, once each, and someone guessing the link's password (rotate it if it leaked). Reconnecting is not: the status bar shows it. One entry per event kind in
 * `handlers`.
 */
export class PreviewNotifications implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  /** Errors already shown, per preview run: the same error again is not a new toast until it was cleared. */
  private readonly errorsShown = new WeakMap<RunningPreview, Set<string>>();

  private readonly handlers: EventHandlers = {
    'tunnel-down': (preview, event) => {
      if (event.retryInMs !== undefined) return;
      this.notify('warning', `The ${event.provider} tunnel of ${preview.model} is down: ${event.reason}. The share link works only on this machine until you publish again.`, {
        'Show log': () => this.log.show(),
      });
    },
    // Sent after several failed checks in a row (the keeper's threshold), so it is a sustained failure, not a blip.
    'tunnel-unreachable': (preview, event) => {
      void this.notify('warning', `The ${event.provider} tunnel of ${preview.model} is up, but its link does not reach the preview from outside: ${event.reason} (${event.failedChecks} checks in a row). People with the link probably see an error; Model Preview keeps checking and says when it works again in the status bar.`, {
        'Show log': () => this.log.show(),
        'Copy link': () => vscode.env.clipboard.writeText(preview.shareUrl),
      });
    },
    'tunnel-url-changed': (preview, event) => this.reportLinkChange(preview, event),
    'share-link-changed': (preview, event) => this.reportLinkChange(preview, event),
    'password-lockout': (preview, event) => {
      this.notify('warning', `Someone may be guessing the password of ${preview.model}'s share link: ${event.failedAttempts} wrong passwords within ${Math.round(event.windowSeconds / 60)} minutes. No password is accepted until ${new Date(event.until).toLocaleTimeString()}; people who already unlocked the page keep access.`, {
        'Rotate link': () => vscode.commands.executeCommand('modelPreview.rotateLink', { file: preview.file }),
        'Show log': () => this.log.show(),
      });
    },
    error: (preview, event) => this.reportError(preview, event),
    'model-reloaded': (preview) => this.clearErrors(preview, 'model-reload'),
    'sidecar-reloaded': (preview) => this.clearErrors(preview, 'sidecar'),
    // The server sends each once per episode (a full disk, then space again).
    storage: (preview, event) => {
      if (event.state === 'failing') {
        void this.notify('error', `Model Preview cannot save the predictions and feedback of ${preview.model}: ${event.message}`, { 'Show log': () => this.log.show() });
      } else {
        void vscode.window.showInformationMessage(`Model Preview saves the predictions and feedback of ${preview.model} again: ${event.message}`);
      }
    },
  };

  constructor(previews: PreviewManager, private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      previews.onDidDie(({ file, exit }) => void this.reportDeath(file, exit)),
      previews.onDidReceiveEvent(({ preview, event }) => {
        const handle = this.handlers[event.event] as ((p: RunningPreview, e: StreamedEvent) => void) | undefined;
        handle?.(preview, event);
      }),
    ];
  }

  /** "Copy link" copies the link as it is when clicked: a later change may have replaced the one this toast is about. */
  private reportLinkChange(preview: RunningPreview, event: ShareLinkChangedEvent | TunnelUrlChangedEvent): void {
    const text = linkChangeText(preview.model, event);
    if (!text) return;
    this.log.warn(text);
    void this.notify('warning', text, {
      'Copy link': () => vscode.env.clipboard.writeText(preview.shareUrl),
      'Show QR code': () => vscode.commands.executeCommand('modelPreview.showQrCode', { file: preview.file }),
    });
  }

  private reportError(preview: RunningPreview, event: ErrorEvent): void {
    const shown = this.errorsShown.get(preview) ?? new Set<string>();
    this.errorsShown.set(preview, shown);
    const key = `${event.source}\n${event.message}`;
    if (shown.has(key)) return;
    shown.add(key);
    const name = path.basename(preview.file);
    const text = {
      'model-reload': `The re-exported ${name} did not load: ${event.message}`,
      sidecar: `The sidecar of ${name} is ignored, so the page shows the model without it: ${event.message}`,
      worker: `The preview of ${name} had a worker problem: ${event.message}`,
    }[event.source];
    this.notify(event.source === 'worker' ? 'warning' : 'error', text, { 'Show log': () => this.log.show() });
  }

  /** The problem was fixed: if it comes back, it is news again. */
  private clearErrors(preview: RunningPreview, source: ErrorEvent['source']): void {
    const shown = this.errorsShown.get(preview);
    for (const key of shown ?? []) if (key.startsWith(`${source}\n`)) shown!.delete(key);
  }

  private async reportDeath(file: string, exit: PreviewProcessExit): Promise<void> {
    this.log.error(`the preview server of ${file} stopped unexpectedly (${describeEnd(exit)}); its last stderr lines:\n${exit.lastStderr.join('\n')}`);
    await this.notify('error', crashText(path.basename(file), exit, exit.lastStderr), {
      'Show log': () => this.log.show(),
      Restart: () => vscode.commands.executeCommand('modelPreview.publish', vscode.Uri.file(file)),
    });
  }

  /** Shows a toast with one button per action, and runs the one clicked. */
  private async notify(severity: 'warning' | 'error', text: string, actions: Record<string, () => unknown>): Promise<void> {
    const buttons = Object.keys(actions);
    const answer = await (severity === 'error' ? vscode.window.showErrorMessage(text, ...buttons) : vscode.window.showWarningMessage(text, ...buttons));
    if (answer && Object.hasOwn(actions, answer)) await actions[answer]();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}
