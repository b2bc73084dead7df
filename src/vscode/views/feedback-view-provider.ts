import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  isFromWebview, MAX_VIEW_RECORDS, type HelpTopic, mergeNewestFirst, toFeedbackCard, toPreviewSummary,
  type FeedbackCard, type FromWebview, type PreviewSummary, type RecordRef, type ToWebview,
} from '../../shared/webview-messages';

/**
 * The Feedback webview view (`modelPreview.feedback`). It holds the running previews and the cards of the newest
 * records (at most `limit`), never whole records: when a card is opened it hands on the card's ids, and the owner
 * looks the record up where the records live (the previews).
 *
 * Nothing is posted before the view says `ready`; every `ready` (the first one, and the one after VS Code re-creates
 * the hidden view's page) is answered with a full `reset` of what is held, so whatever changed meanwhile reaches the
 * view exactly once and in order. After `ready`, new cards and preview lists are posted as they come; the view
 * de-duplicates cards by id, so a replay after a reconnect is harmless.
 */
export class FeedbackViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'modelPreview.feedback';

  private view?: vscode.WebviewView;
  private ready = false;
  private viewListeners: vscode.Disposable[] = [];
  private previews: PreviewSummary[] = [];
  private cards: FeedbackCard[] = [];
  private disposed = false;
  private readonly helpRequested = new vscode.EventEmitter<HelpTopic>();
  /** The empty view's "How it works" / "Walkthrough" links. */
  readonly onDidRequestHelp = this.helpRequested.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onOpenRecord: (ref: RecordRef) => void,
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

  /** The cards of new records (from the events stream, including ones replayed after a reconnect). */
  addCards(cards: readonly FeedbackCard[]): void {
    if (this.disposed || cards.length === 0) return;
    const incoming = cards.map(toFeedbackCard);
    this.cards = mergeNewestFirst(this.cards, incoming, this.limit);
    // Post only those still held (a card older than the newest `limit` would be dropped by the view anyway).
    const held = new Set(this.cards.map((c) => c.id));
    const kept = incoming.filter((c) => held.has(c.id));
    if (kept.length > 0) this.post({ type: 'records', records: kept });
  }

  /** The cards of every record of one preview, reloaded (at start, after the server said `reset`): replaces its cards. */
  replaceCards(previewId: string, cards: readonly FeedbackCard[]): void {
    if (this.disposed) return;
    this.cards = mergeNewestFirst(this.cards.filter((c) => c.previewId !== previewId), cards.map(toFeedbackCard), this.limit);
    this.postReset();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.helpRequested.dispose();
    this.detachView();
    this.previews = [];
    this.cards = [];
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
      case 'open-record':
        this.onOpenRecord({ previewId: message.previewId, id: message.id });
        break;
      case 'open-help':
        this.helpRequested.fire(message.topic);
        break;
    }
  }

  private postReset(): void {
    this.post({ type: 'reset', previews: this.previews, records: this.cards });
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
