import * as vscode from 'vscode';
import {
  isFromWebview, MAX_VIEW_RECORDS, type HelpTopic, mergeNewestFirst, toEnvelope, toFeedbackCard, toPreviewSummary,
  type FeedbackCard, type FeedbackSort, type FromWebview, type PreviewSummary, type RecordRef, type ToWebview,
} from '../../shared/webview-messages';
import { webviewHtml, webviewResourceRoots } from './webview-html';

const NO_BADGE: vscode.ViewBadge = { value: 0, tooltip: '' };

/** How long a shown view's page may take to say `ready` before it is loaded again, and how often that is tried. */
const READY_TIMEOUT_MS = 5_000;
const MAX_PAGE_RELOADS = 3;

/** What the provider needs besides its view; the defaults are the product's. */
export interface FeedbackViewOptions {
  /** The newest records held (and posted). */
  limit?: number;
  readyTimeoutMs?: number;
  /** Where a page reload is told (the output channel). */
  log?: (line: string) => void;
  /** The thumbnail (a PNG data URL) of the picture a card's record was given; undefined when there is none. */
  thumbnailOf?: (ref: RecordRef) => Promise<string | undefined>;
  /** Where the time the view was last looked at is kept between sessions (the workspace state). */
  seenState?: Pick<vscode.Memento, 'get' | 'update'>;
}

/** The workspace-state key of the last time the Feedback view was looked at (ms since the epoch). */
export const FEEDBACK_SEEN_KEY = 'modelPreview.feedbackSeenAt';

/** Where the unseen-feedback badge goes while the Feedback view has no page (a tree view of the same container). */
export interface BadgeHolder {
  badge?: vscode.ViewBadge | undefined;
}

/**
 * The Feedback webview view (`modelPreview.feedback`). It holds the running previews and the cards of the newest
 * records (at most `limit`), never whole records: when a card is opened it hands on the card's ids, and the owner
 * looks the record up where the records live (the previews).
 *
 * Nothing is posted before the view says `ready`; every `ready` (the first one, and the one after VS Code re-creates
 * the hidden view's page) is answered with a full `reset` of what is held, so whatever changed meanwhile reaches the
 * view exactly once and in order. After `ready`, new cards and preview lists are posted as they come; the view
 * de-duplicates cards by id, so a replay after a reconnect is harmless.
 *
 * A page that is shown but never says `ready` is loaded again (a few times). In code-server, opening and closing the
 * walkthrough tab just before the view is shown left the view's page blank in about one run in four: its frame was
 * there with an empty body and its script never ran (the workbench logged "Found unexpected service worker
 * controller": webview resources load through a service worker), so it never said `ready` and got nothing. Setting the
 * HTML again (a fresh nonce, so VS Code does load it) gives a page that loads. The same blank page was seen in a view
 * that had said `ready` and stayed visible while the walkthrough tab opened and closed (a loaded CI machine): so when
 * the editor tabs change, a visible view's page is asked whether it still runs (`ping`), and one that does not answer
 * in time is loaded again like one that never said `ready`. Hiding the view drops its page (no
 * `retainContextWhenHidden`), so nothing is posted until the page made on showing it says `ready`.
 *
 * New feedback that arrives while the view is not visible is counted in a badge on the view (VS Code shows it on the
 * activity-bar container too); showing the view clears it. A view VS Code has not resolved yet (the container was never
 * opened in this window) cannot carry a badge, so until then it is shown on `badgeFallback` (the Models tree). When the
 * view was last looked at is kept in the workspace state: a preview's records loaded at start (a detached server kept
 * taking feedback while the window was closed) count as new when they are newer than that.
 */
export class FeedbackViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'modelPreview.feedback';
  readonly viewId = FeedbackViewProvider.viewType;

  private view?: vscode.WebviewView;
  private ready = false;
  private viewListeners: vscode.Disposable[] = [];
  private previews: PreviewSummary[] = [];
  private cards: FeedbackCard[] = [];
  private disposed = false;
  private unseen = 0;
  /** When the view was last looked at (ms): records loaded later than this count as new. */
  private seenAt: number;
  private readonly seenState?: Pick<vscode.Memento, 'get' | 'update'>;
  private sort: FeedbackSort = 'newest';
  private focusFilterWhenReady = false;
  private badgeFallback?: BadgeHolder;
  private readyTimer?: ReturnType<typeof setTimeout>;
  private reloads = 0;
  private readonly limit: number;
  private readonly readyTimeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly thumbnailOf: (ref: RecordRef) => Promise<string | undefined>;
  private readonly helpRequested = new vscode.EventEmitter<HelpTopic>();
  private readonly tabsListener: vscode.Disposable;
  /** The empty view's "How it works" / "Walkthrough" links. */
  readonly onDidRequestHelp = this.helpRequested.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onOpenRecord: (ref: RecordRef) => void,
    options: FeedbackViewOptions = {},
  ) {
    this.limit = options.limit ?? MAX_VIEW_RECORDS;
    this.readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    this.log = options.log ?? (() => undefined);
    this.thumbnailOf = options.thumbnailOf ?? (() => Promise.resolve(undefined));
    this.seenState = options.seenState;
    const stored = this.seenState?.get<unknown>(FEEDBACK_SEEN_KEY);
    // Never looked at before (a first start): what is already there is not news.
    this.seenAt = typeof stored === 'number' && Number.isFinite(stored) ? stored : Date.now();
    if (stored !== this.seenAt) this.rememberSeen(this.seenAt);
    this.tabsListener = vscode.window.tabGroups.onDidChangeTabs(() => this.checkAlive());
  }

  resolveWebviewView(webviewView: vscode.WebviewView, _context: vscode.WebviewViewResolveContext, _token: vscode.CancellationToken): void {
    if (this.disposed) return;
    this.detachView();
    this.view = webviewView;
    this.ready = false;
    const webview = webviewView.webview;
    webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(this.extensionUri) };
    this.viewListeners.push(
      webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
      webviewView.onDidDispose(() => {
        if (this.view === webviewView) {
          this.detachView();
          this.showBadge();
        }
      }),
      webviewView.onDidChangeVisibility(() => {
        if (webviewView.visible) {
          this.markSeen();
          this.reloads = 0;
          this.expectReady();
        } else {
          this.ready = false; // VS Code drops a hidden view's page; the one made when it is shown says `ready` again
          this.stopWaitingForReady();
        }
      }),
    );
    this.reloads = 0;
    webview.html = this.html(webview);
    this.expectReady();
    if (webviewView.visible) this.markSeen();
    else this.showBadge();
  }

  /** New feedback not seen yet: what the badge shows. */
  get unseenCount(): number {
    return this.unseen;
  }

  /** Where the badge goes while the view has no page (see the class comment). */
  setBadgeFallback(holder: BadgeHolder | undefined): void {
    this.badgeFallback = holder;
    this.showBadge();
  }

  get cardOrder(): FeedbackSort {
    return this.sort;
  }

  /** The order of the cards (the title bar's sort actions); the view keeps it with its state. */
  setSort(sort: FeedbackSort): void {
    this.sort = sort;
    this.post({ type: 'sort', sort });
  }

  /** Puts the cursor in the view's search box (now, or as soon as the view's page is ready). */
  focusFilter(): void {
    if (this.view && this.ready) this.post({ type: 'focus-filter' });
    else this.focusFilterWhenReady = true;
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
    const known = new Set(this.cards.map((c) => c.id));
    const fresh = incoming.filter((c) => !known.has(c.id)).length; // a replay after a reconnect is not news
    this.cards = mergeNewestFirst(this.cards, incoming, this.limit);
    if (fresh > 0) this.countNew(fresh);
    // Post only those still held (a card older than the newest `limit` would be dropped by the view anyway).
    const held = new Set(this.cards.map((c) => c.id));
    const kept = incoming.filter((c) => held.has(c.id));
    if (kept.length > 0) this.post({ type: 'records', records: kept });
  }

  /** The cards of every record of one preview, reloaded (at start, after the server said `reset`): replaces its cards. */
  replaceCards(previewId: string, cards: readonly FeedbackCard[]): void {
    if (this.disposed) return;
    const known = new Set(this.cards.map((c) => c.id));
    // Records newer than the last look that this window has not shown yet: they came while it was closed.
    const fresh = cards.filter((c) => !known.has(c.id) && Date.parse(c.ts) > this.seenAt).length;
    this.cards = mergeNewestFirst(this.cards.filter((c) => c.previewId !== previewId), cards.map(toFeedbackCard), this.limit);
    if (fresh > 0) this.countNew(fresh);
    this.postReset();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.helpRequested.dispose();
    this.tabsListener.dispose();
    this.unseen = 0;
    this.showBadge();
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
      case 'pong': // the state posted while it was asked is dropped (not ready): the `reset` below carries it
        this.ready = true;
        this.stopWaitingForReady();
        this.postReset();
        if (this.focusFilterWhenReady) {
          this.focusFilterWhenReady = false;
          this.post({ type: 'focus-filter' });
        }
        break;
      case 'open-record':
        this.onOpenRecord({ previewId: message.previewId, id: message.id });
        break;
      case 'open-help':
        this.helpRequested.fire(message.topic);
        break;
      case 'want-thumbnail': {
        const { previewId, id } = message;
        this.thumbnailOf({ previewId, id }).then(
          (image) => image !== undefined && !this.disposed && this.post({ type: 'thumbnail', id, image }),
          (err: Error) => this.log(`no thumbnail for feedback ${id}: ${err.message}`),
        );
        break;
      }
    }
  }

  /** While the view is shown and its page has not said `ready`, waits for it, then loads the page again. */
  private expectReady(): void {
    this.stopWaitingForReady();
    const view = this.view;
    if (!view?.visible || this.ready) return;
    this.readyTimer = setTimeout(() => {
      this.readyTimer = undefined;
      if (this.view !== view || !view.visible || this.ready || this.disposed) return;
      if (this.reloads >= MAX_PAGE_RELOADS) {
        this.log(`the Feedback view's page did not load after ${MAX_PAGE_RELOADS} tries: close and reopen the view`);
        return;
      }
      this.reloads++;
      this.log(`the Feedback view's page did not load within ${this.readyTimeoutMs} ms: loading it again (try ${this.reloads} of ${MAX_PAGE_RELOADS})`);
      try {
        view.webview.html = this.html(view.webview);
      } catch {
        return; // disposed meanwhile: its onDidDispose cleans up
      }
      this.expectReady();
    }, this.readyTimeoutMs);
  }

  /**
   * Asks a visible page that said `ready` whether it still runs: until it answers (`pong`, handled as `ready`), it is
   * treated as not ready, and without an answer in time it is loaded again (expectReady).
   */
  private checkAlive(): void {
    const view = this.view;
    if (this.disposed || !view?.visible || !this.ready || this.readyTimer !== undefined) return;
    this.post({ type: 'ping' });
    this.ready = false;
    this.reloads = 0;
    this.expectReady();
  }

  private stopWaitingForReady(): void {
    if (this.readyTimer !== undefined) clearTimeout(this.readyTimer);
    this.readyTimer = undefined;
  }

  /** New records: counted in the badge while the view is out of sight, seen at once while it shows. */
  private countNew(fresh: number): void {
    if (this.view?.visible) {
      this.rememberSeen(Date.now());
      return;
    }
    this.unseen += fresh;
    this.showBadge();
  }

  private markSeen(): void {
    this.rememberSeen(Date.now());
    if (this.unseen === 0) return;
    this.unseen = 0;
    this.showBadge();
  }

  private rememberSeen(at: number): void {
    this.seenAt = at;
    this.seenState?.update(FEEDBACK_SEEN_KEY, at).then(undefined, (err: Error) => this.log(`Could not keep when the Feedback view was last seen: ${err.message}`));
  }

  private showBadge(): void {
    const badge = this.unseen > 0 ? { value: this.unseen, tooltip: `${this.unseen} new feedback since you last looked` } : undefined;
    try {
      // VS Code 1.100's webview view sets a badge but never takes one back when set to undefined (its activity-bar
      // number stays); a badge of 0 is one the activity bar does not draw. The tree view clears with undefined.
      if (this.view) this.view.badge = badge ?? NO_BADGE;
      if (this.badgeFallback) this.badgeFallback.badge = this.view ? undefined : badge;
    } catch {
      // The view was disposed meanwhile: its onDidDispose moves the badge.
    }
  }

  private postReset(): void {
    this.post({ type: 'reset', previews: this.previews, records: this.cards, sort: this.sort });
  }

  private post(message: ToWebview): void {
    if (!this.view || !this.ready) return; // the `reset` that answers `ready` will carry it
    try {
      this.view.webview.postMessage(toEnvelope(message)).then(undefined, () => {
        // The view was disposed meanwhile: nothing to deliver to.
      });
    } catch {
      // Disposed before its onDidDispose reached us: the same.
    }
  }

  private detachView(): void {
    this.stopWaitingForReady();
    for (const listener of this.viewListeners) listener.dispose();
    this.viewListeners = [];
    this.view = undefined;
    this.ready = false;
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.extensionUri, { script: 'feedback', title: 'Feedback' });
  }
}
