import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  isFromWebview, MAX_VIEW_RECORDS, type HelpTopic, mergeNewestFirst, toFeedbackCard, toPreviewSummary,
  type FromWebview, type PreviewSummary, type ToWebview, type ViewRecord,
} from '../../shared/webview-messages';

/**
 * The Feedback webview view (`modelPreview.feedback`). It holds the running previews and the newest records (at most
 * `limit`, whole records, so a card can be opened with its input and output), and shows the view cards of them.
 *
 * Nothing is posted before the view says `ready`; every `ready` (the first one, and the one after VS Code re-creates
 * the hidden view's page) is answered with a full `reset` of what is held, so whatever changed meanwhile reaches the
 * view exactly once and in order. After `ready`, new records and preview lists are posted as they come; the view
 * de-duplicates records by id, so a replay after a reconnect is harmless.
 */
export class FeedbackViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'modelPreview.feedback';

  private view?: vscode.WebviewView;
  private ready = false;
  private viewListeners: vscode.Disposable[] = [];
  private previews: PreviewSummary[] = [];
  private records: ViewRecord[] = [];
  private disposed = false;
  private readonly helpRequested = new vscode.EventEmitter<HelpTopic>();
  /** The empty view's "How it works" / "Walkthrough" links. */
  readonly onDidRequestHelp = this.helpRequested.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onOpenRecord: (record: ViewRecord) => void,
    private readonly limit = MAX_VIEW_RECORDS,
  ) {}

  resolveWebviewView(webviewView: vscode.WebviewView, _context: vscode.WebviewViewResolveContext, _token: vscode.CancellationToken): void {
    if (this.disposed) return;
    this.detachView();
    this.view = webviewView;
    this.ready = false;
    const webview = webviewView.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'),
        vscode.Uri.joinPath(this.extensionUri, 'media'),
        vscode.Uri.joinPath(this.extensionUri, 'node_modules', '@vscode', 'codicons', 'dist'),
      ],
    };
    this.viewListeners.push(
      webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
      webviewView.onDidDispose(() => {
        if (this.view === webviewView) this.detachView();
      }),
    );
    webview.html = this.html(webview);
  }

  /** The running previews (only id, model and version are kept: no link or token ever reaches the view). */
  setPreviews(previews: readonly PreviewSummary[]): void {
    if (this.disposed) return;
    this.previews = previews.map(toPreviewSummary);
    this.post({ type: 'previews', previews: this.previews });
  }

  /** New records (from the events stream, including ones replayed after a reconnect). */
  addRecords(records: readonly ViewRecord[]): void {
    if (this.disposed || records.length === 0) return;
    this.records = mergeNewestFirst(this.records, records, this.limit);
    // Post only those still held (a record older than the newest `limit` would be dropped by the view anyway).
    const held = new Set(this.records.map((r) => r.id));
    const kept = records.filter((r) => held.has(r.id));
    if (kept.length > 0) this.post({ type: 'records', records: kept.map(toFeedbackCard) });
  }

  /** Every record of one preview, reloaded (after the server said `reset`): replaces what was held for it. */
  replaceRecords(previewId: string, records: readonly ViewRecord[]): void {
    if (this.disposed) return;
    this.records = mergeNewestFirst(this.records.filter((r) => r.previewId !== previewId), records, this.limit);
    this.postReset();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.helpRequested.dispose();
    this.detachView();
    this.previews = [];
    this.records = [];
  }

  private onMessage(message: unknown): void {
    if (this.disposed) return;
    if (!isFromWebview(message)) return; // not from our view's script: ignore it
    this.handle(message);
  }

  private handle(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.postReset();
        break;
      case 'open-record': {
        const record = this.records.find((r) => r.id === message.id && r.previewId === message.previewId)
          ?? this.records.find((r) => r.id === message.id);
        if (record) this.onOpenRecord(record);
        break;
      }
      case 'open-help':
        this.helpRequested.fire(message.topic);
        break;
    }
  }

  private postReset(): void {
    this.post({ type: 'reset', previews: this.previews, records: this.records.map(toFeedbackCard) });
  }

  private post(message: ToWebview): void {
    if (!this.view || !this.ready) return; // the `reset` that answers `ready` will carry it
    try {
      this.view.webview.postMessage(message).then(undefined, () => {
        // The view was disposed meanwhile: nothing to deliver to.
      });
    } catch {
      // Disposed before its onDidDispose reached us: the same.
    }
  }

  private detachView(): void {
    for (const listener of this.viewListeners) listener.dispose();
    this.viewListeners = [];
    this.view = undefined;
    this.ready = false;
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const asset = (...segments: string[]) => escapeAttribute(webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...segments)).toString());
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `img-src ${webview.cspSource} data:`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('node_modules', '@vscode', 'codicons', 'dist', 'codicon.css')}">
<link rel="stylesheet" href="${asset('media', 'webview.css')}">
<title>Feedback</title>
</head>
<body>
<main id="root" aria-label="Feedback"></main>
<script nonce="${escapeAttribute(nonce)}" src="${asset('dist', 'webview', 'feedback.js')}"></script>
</body>
</html>`;
  }
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
