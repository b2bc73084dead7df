import type { RegressionRow, RegressionSummary } from '../../shared/webview-messages';
import type { StreamedEvent } from '../../shared/events';
import type { FeedbackRecord } from '../../shared/feedback-record';
import { caseKey } from '../../shared/review-set';
import type { ShareLinkInfo } from '../../shared/share-link';
import { MAX_BROKEN_SHOWN, MAX_VIEW_RECORDS } from '../../shared/webview-messages';
import type { PreviewProblems } from '../models/model-tree';
import type { PreviewServer } from './preview-server';
import type { PublishTunnel } from './serve-arguments';

/** Live counts for the status bar: predictions since the preview started; thumbs up and down of all its feedback. */
export interface PreviewCounts {
  predictions: number;
  up: number;
  down: number;
}

/** What an event changed: the counts only (status bar), or what the tree and views show (version, link, tunnel). */
export type PreviewChange = 'counts' | 'state' | undefined;

/**
 * One published model as the extension sees it: its server process, its current version and link, its counts and
 * the newest feedback. The one place the extension keeps whole records (with their inputs and outputs): the Feedback
 * view holds cards and asks for a record by id when one is opened. Bounded like the view.
 */
export class RunningPreview {
  modelVersion: string;
  /** `unreachable`: up by the provider's word, but the keeper's checks of the public URL from outside keep failing. */
  tunnelState: 'none' | 'up' | 'reconnecting' | 'down' | 'unreachable';
  /** "Is it fixed now?": the last regression replay's counts (the Feedback view shows them). */
  regressions?: RegressionSummary;
  /** The replay of each version loaded, oldest first, as the server keeps it (also across its restarts). */
  regressionHistory: RegressionRow[] = [];
  /**
   * Set when people reach the server at another address than its own: VS Code port forwarding's URL (`asExternalUri`
   * of the local one), or this computer's address on its network (Share on this network). It replaces the local one.
   */
  forwardedBaseUrl?: string;
  readonly counts: PreviewCounts = { predictions: 0, up: 0, down: 0 };
  /** What the server reported wrong that still holds: a re-export that did not load, a sidecar it ignores. */
  readonly problems: PreviewProblems = {};
  private readonly records = new Map<string, FeedbackRecord>();
  private reloadGeneration = 0;
  /** Feedback that arrived while a reload was fetching: merged into its snapshot, which may predate it. */
  private readonly arrivedDuringReload = new Map<string, FeedbackRecord>();
  /** The link as the server last said: `ready`, then the tunnel and share-link events and the owner calls. */
  private link: string;

  constructor(
    readonly file: string,
    readonly dataDir: string,
    /** Its server: forked by this window, or attached to (see `PreviewServer`). */
    readonly process: PreviewServer,
    /** How the owner chose to share it: who can open the link (`linkReach`). */
    readonly publishedAs: PublishTunnel = 'none',
  ) {
    this.modelVersion = process.ready.modelVersion;
    this.tunnelState = process.ready.tunnel === 'none' ? 'none' : 'up';
    this.link = process.ready.shareUrl;
  }

  get id(): string {
    return this.file;
  }

  get model(): string {
    return this.process.ready.model;
  }

  /** The link to give people (on the forwarded URL when VS Code forwards the port). */
  get shareUrl(): string {
    if (!this.forwardedBaseUrl) return this.link;
    const forwarded = new URL(this.forwardedBaseUrl);
    forwarded.search = new URL(this.link).search;
    return forwarded.href;
  }

  /** A new share link: the old one answers 401 at once. */
  async rotateShareLink(): Promise<ShareLinkInfo> {
    const info = await this.process.owner.rotateShareLink();
    this.link = info.shareUrl;
    return info;
  }

  /**
   * A named reviewer's own link (on the forwarded URL when VS Code forwards the port), shown once; with `password`, the
   * link asks for that password instead of the preview's (the server checks its length and stores it hashed).
   */
  async inviteReviewer(name: string, password?: string): Promise<string> {
    const made = await this.process.owner.createInvite({ name, ...(password !== undefined ? { password } : {}) });
    if (!this.forwardedBaseUrl) return made.link;
    const forwarded = new URL(this.forwardedBaseUrl);
    forwarded.search = new URL(made.link).search;
    return forwarded.href;
  }

  /** Reads every version's replay from the server (at start, and after each replay: the event carries counts only). */
  async loadRegressions(): Promise<void> {
    const { reports } = await this.process.owner.regressions();
    this.regressionHistory = reports.map((r) => ({
      modelVersion: r.modelVersion, previousVersion: r.previousVersion, fixed: r.fixed, total: r.total, broke: r.broke.length,
      broken: r.broke.slice(0, MAX_BROKEN_SHOWN).map((b) => ({ ...(b.caseId !== undefined ? { caseId: b.reviewSet !== undefined ? caseKey(b.reviewSet, b.caseId) : b.caseId } : {}), expected: b.expected, predicted: b.predicted })),
    }));
    const last = reports[reports.length - 1];
    if (last) this.regressions = { modelVersion: last.modelVersion, fixed: last.fixed, total: last.total, broke: last.broke.length };
  }

  get tunnel(): string {
    return this.process.ready.tunnel;
  }

  /** How the link is reached, as the tree says it: the server's tunnel provider, or `lan` / `vscode` (the extension's). */
  get linkKind(): string {
    return this.publishedAs === 'lan' || this.publishedAs === 'vscode' ? this.publishedAs : this.tunnel;
  }

  get feedback(): FeedbackRecord[] {
    return [...this.records.values()];
  }

  record(id: string): FeedbackRecord | undefined {
    return this.records.get(id);
  }

  /** Marks the start of a reload (at start, and after the server says it cannot replay what was missed). */
  beginReload(): number {
    this.arrivedDuringReload.clear();
    return ++this.reloadGeneration;
  }

  /**
   * Replaces the feedback with a reload's snapshot, plus whatever arrived while it was fetched. False (and nothing
   * changed) when a newer reload has started since: its snapshot will be newer.
   */
  finishReload(generation: number, snapshot: FeedbackRecord[]): boolean {
    if (generation !== this.reloadGeneration) return false;
    const arrived = [...this.arrivedDuringReload.values()];
    this.records.clear();
    this.counts.up = 0;
    this.counts.down = 0;
    for (const r of [...snapshot, ...arrived]) this.keep(r);
    this.arrivedDuringReload.clear();
    return true;
  }

  /** Returns the record when it is new (a replayed event after a reconnect is not counted twice). */
  addFeedback(record: FeedbackRecord): FeedbackRecord | undefined {
    this.arrivedDuringReload.set(record.id, record);
    return this.keep(record);
  }

  /** Follows the server's events; says what changed. */
  apply(e: StreamedEvent): PreviewChange {
    switch (e.event) {
      case 'prediction':
        this.counts.predictions++;
        return 'counts';
      case 'feedback':
        return this.addFeedback(e.record) ? 'counts' : undefined;
      case 'regression-replayed':
        this.regressions = { modelVersion: e.modelVersion, fixed: e.fixed, total: e.total, broke: e.broke };
        return 'state';
      case 'model-reloaded':
        this.modelVersion = e.modelVersion;
        delete this.problems.reload;
        delete this.problems.unserved;
        return 'state';
      case 'reload-without-overlap':
        this.problems.unserved = `${e.previousVersion} was unloaded to make room for the re-export (both do not fit in the memory free); `
          + 'requests get 503 (try again shortly) until a version loads';
        return 'state';
      case 'error':
        // A crashed worker is replaced at once: nothing stays wrong to show (the notification tells it).
        if (e.source === 'worker') return undefined;
        this.problems[e.source === 'model-reload' ? 'reload' : 'sidecar'] = e.message;
        return 'state';
      case 'sidecar-reloaded':
        if (this.problems.sidecar === undefined) return undefined;
        delete this.problems.sidecar;
        return 'state';
      case 'tunnel-up':
        this.tunnelState = 'up';
        delete this.problems.unreachable;
        this.link = e.shareUrl;
        return 'state';
      case 'tunnel-down':
        this.tunnelState = e.retryInMs === undefined ? 'down' : 'reconnecting';
        delete this.problems.unreachable;
        return 'state';
      case 'tunnel-unreachable':
        this.tunnelState = 'unreachable';
        this.problems.unreachable = `${e.publicUrl} does not reach the preview from outside (${e.failedChecks} checks in a row): ${e.reason}`;
        return 'state';
      case 'tunnel-url-changed':
      case 'share-link-changed':
        this.link = e.shareUrl;
        return 'state';
      default:
        return undefined;
    }
  }

  private keep(record: FeedbackRecord): FeedbackRecord | undefined {
    if (this.records.has(record.id)) return undefined;
    this.records.set(record.id, record);
    if (record.rating === 'up') this.counts.up++;
    else this.counts.down++;
    // Bounded like the Feedback view: the oldest (first inserted) go; the counts keep counting them.
    if (this.records.size > MAX_VIEW_RECORDS) this.records.delete(this.records.keys().next().value!);
    return record;
  }
}
