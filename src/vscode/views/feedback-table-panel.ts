import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { FEEDBACK_RECORD_LINES, type FeedbackRecord } from '../../shared/feedback-record';
import { parseJsonLines } from '../../shared/json-lines';
import { isFromWebview, mergeNewestFirst, toEnvelope, type FeedbackCard, type ToWebview } from '../../shared/webview-messages';
import { cardOf } from '../feedback-relay';
import type { PreviewManager } from '../previews/preview-manager';
import { webviewHtml, webviewResourceRoots } from './webview-html';

/** More than any feedback file we expect; the table's bound (it holds whole records to open them). */
const MAX_TABLE_RECORDS = 200_000;
/** Card `previewId`s are ids, not paths: a long data folder path is cut to its end. */
const MAX_SOURCE = 200;

/**
 * "Open feedback table": every feedback record of the workspace (each `feedback.jsonl` under the data folder, plus
 * what running previews receive live) in an editor tab — a sortable, filterable table and two charts
 * (src/webview/table/). The tab gets the Feedback view's messages (a `reset` of cards, then new `records`, checked by
 * the shared guards); the whole records stay here, and a clicked row opens its exact record.
 */
export class FeedbackTablePanel implements vscode.Disposable {
  static readonly viewType = 'modelPreview.feedbackTable';
  private panel?: vscode.WebviewPanel;
  private ready = false;
  private records = new Map<string, FeedbackRecord>();
  private cards: FeedbackCard[] = [];
  private panelListeners: vscode.Disposable[] = [];
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    previews: PreviewManager,
    private readonly dataFolder: () => string,
    private readonly openRecord: (record: FeedbackRecord) => unknown,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = previews.onDidReceiveEvent(({ preview, event }) => {
      if (event.event === 'feedback' && this.panel) this.add(vscode.workspace.asRelativePath(preview.dataDir), [event.record]);
    });
  }

  /** Opens the tab (or shows the open one) and loads every record again. */
  async show(): Promise<vscode.WebviewPanel> {
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(FeedbackTablePanel.viewType, 'Feedback table', vscode.ViewColumn.Active, {
        enableScripts: true, localResourceRoots: webviewResourceRoots(this.extensionUri),
      });
      this.panel = panel;
      this.ready = false;
      panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activity-bar.svg');
      this.panelListeners.push(
        panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
        panel.onDidDispose(() => this.closePanel()),
      );
      panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { script: 'table', title: 'Feedback table' });
    } else {
      this.panel.reveal();
    }
    const panel = this.panel;
    await this.reload();
    return panel;
  }

  /** Records held now (what the table shows before its filters). */
  get recordCount(): number {
    return this.records.size;
  }

  private async reload(): Promise<void> {
    const files = await vscode.workspace.findFiles(`${this.dataFolder()}/**/feedback.jsonl`);
    const records = new Map<string, FeedbackRecord>();
    const cards: FeedbackCard[] = [];
    for (const file of files) {
      const source = vscode.workspace.asRelativePath(vscode.Uri.joinPath(file, '..')).slice(-MAX_SOURCE);
      const text = await readFile(file.fsPath, 'utf8').catch((err: Error) => (this.log.warn(`feedback table: cannot read ${file.fsPath}: ${err.message}`), ''));
      for (const record of parseJsonLines(text, { source: file.fsPath, warn: (m) => this.log.warn(m), check: FEEDBACK_RECORD_LINES })) {
        records.set(record.id, record);
        cards.push(cardOf(source, record));
      }
    }
    this.records = records;
    this.cards = mergeNewestFirst([], cards, MAX_TABLE_RECORDS);
    this.post({ type: 'reset', previews: [], records: this.cards });
  }

  private add(source: string, records: readonly FeedbackRecord[]): void {
    for (const record of records) this.records.set(record.id, record);
    const cards = records.map((r) => cardOf(source.slice(-MAX_SOURCE), r));
    this.cards = mergeNewestFirst(this.cards, cards, MAX_TABLE_RECORDS);
    this.post({ type: 'records', records: cards });
  }

  private onMessage(message: unknown): void {
    if (!isFromWebview(message)) return;
    if (message.type === 'ready') {
      this.ready = true;
      this.post({ type: 'reset', previews: [], records: this.cards });
    } else if (message.type === 'open-record') {
      const record = this.records.get(message.id);
      if (record) void this.openRecord(record);
    }
  }

  private post(message: ToWebview): void {
    if (!this.panel || !this.ready) return; // the reset that answers `ready` carries it
    this.panel.webview.postMessage(toEnvelope(message)).then(undefined, () => undefined);
  }

  private closePanel(): void {
    this.panelListeners.splice(0).forEach((d) => d.dispose());
    this.panel = undefined;
    this.ready = false;
    this.records.clear();
    this.cards = [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.panel?.dispose();
    this.closePanel();
  }
}
