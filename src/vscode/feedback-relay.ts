import * as vscode from 'vscode';
import type { PreviewManager } from './previews/preview-manager';
import type { RunningPreview } from './previews/running-preview';
import type { FeedbackViewProvider } from './views/feedback-view-provider';

/**
 * Feeds the Feedback view from the running previews: their feedback at start and after a reload, each new record as
 * its event arrives, and the list of previews for the view's filter.
 */
export class FeedbackRelay implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly previews: PreviewManager, private readonly view: FeedbackViewProvider) {
    this.subscriptions = [
      previews.onDidReload((p) => view.replaceRecords(p.id, p.feedback.map((r) => ({ ...r, previewId: p.id })))),
      previews.onDidReceiveEvent(({ preview, event }) => {
        if (event.event === 'feedback') view.addRecords([{ ...event.record, previewId: preview.id }]);
        if (event.event === 'model-reloaded') this.sendPreviews();
      }),
      previews.onDidChange(() => this.sendPreviews()),
    ];
  }

  private sendPreviews(): void {
    this.view.setPreviews(this.previews.all.map((p: RunningPreview) => ({ id: p.id, model: p.model, modelVersion: p.modelVersion })));
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}
