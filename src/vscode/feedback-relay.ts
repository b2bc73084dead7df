import * as vscode from 'vscode';
import { pictureInput } from '../client/feedback-thumbnail';
import type { FeedbackRecord } from '../shared/feedback-record';
import { inputSummary } from '../shared/input-summary';
import { toFeedbackCard, type FeedbackCard } from '../shared/webview-messages';
import type { PreviewManager } from './previews/preview-manager';
import type { RunningPreview } from './previews/running-preview';
import type { FeedbackViewProvider } from './views/feedback-view-provider';

/**
 * Feeds the Feedback view from the running previews: the cards of their feedback at start and after a reload, each
 * new record's card as its event arrives, and the list of previews for the view's filter. (The whole records stay in
 * the previews.)
 */
export class FeedbackRelay implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly previews: PreviewManager, private readonly view: FeedbackViewProvider) {
    this.subscriptions = [
      previews.onDidReload((p) => view.replaceCards(p.id, p.feedback.map((r) => cardOf(p.id, r)))),
      previews.onDidReceiveEvent(({ preview, event }) => {
        if (event.event === 'feedback') view.addCards([cardOf(preview.id, event.record)]);
        if (event.event === 'model-reloaded' || event.event === 'regression-replayed') this.sendPreviews();
      }),
      previews.onDidChange(() => this.sendPreviews()),
    ];
  }

  private sendPreviews(): void {
    this.view.setPreviews(this.previews.all.map((p: RunningPreview) => ({ id: p.id, model: p.model, modelVersion: p.modelVersion, regressions: p.regressions, regressionHistory: p.regressionHistory })));
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}

/** The card of a record (what the sidebar and the feedback table show): no tensors, the inputs as one line, whether one is a picture. */
export const cardOf = (previewId: string, record: FeedbackRecord): FeedbackCard => toFeedbackCard({
  ...record, previewId, inputSummary: inputSummary(record.inputs), hasPicture: pictureInput(record) !== undefined,
});
