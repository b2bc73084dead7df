import type { StreamedEvent } from '../../shared/events';
import type { FeedbackRecord } from '../../shared/feedback';
import type { PreviewProcess } from '../server-process/preview-process';

/** Live counts for the status bar: predictions, thumbs up and down since the preview started (feedback: all kept). */
export interface PreviewCounts {
  predictions: number;
  up: number;
  down: number;
}

/**
 * One published model as the extension sees it: its server process, its current version and link, its counts and
 * the feedback received so far (kept for the Feedback view and "open record").
 */
export class RunningPreview {
  modelVersion: string;
  tunnelState: 'none' | 'up' | 'reconnecting' | 'down';
  readonly counts: PreviewCounts = { predictions: 0, up: 0, down: 0 };
  private readonly records = new Map<string, FeedbackRecord>();

  constructor(readonly file: string, readonly dataDir: string, readonly process: PreviewProcess) {
    this.modelVersion = process.ready.modelVersion;
    this.tunnelState = process.ready.tunnel === 'none' ? 'none' : 'up';
  }

  get id(): string {
    return this.file;
  }

  get model(): string {
    return this.process.ready.model;
  }

  /** Set for VS Code port forwarding: the forwarded base URL (`asExternalUri` of the local one) replaces the local one. */
  forwardedBaseUrl?: string;

  get shareUrl(): string {
    const link = this.process.shareUrl;
    if (!this.forwardedBaseUrl) return link;
    const forwarded = new URL(this.forwardedBaseUrl);
    forwarded.search = new URL(link).search;
    return forwarded.href;
  }

  get tunnel(): string {
    return this.process.ready.tunnel;
  }

  get feedback(): FeedbackRecord[] {
    return [...this.records.values()];
  }

  record(id: string): FeedbackRecord | undefined {
    return this.records.get(id);
  }

  /** Replaces the feedback (at start, and after the server says it cannot replay what was missed). */
  setFeedback(records: FeedbackRecord[]): void {
    this.records.clear();
    this.counts.up = 0;
    this.counts.down = 0;
    for (const r of records) this.addFeedback(r);
  }

  /** Returns the record when it is new (a replayed event after a reconnect is not counted twice). */
  addFeedback(record: FeedbackRecord): FeedbackRecord | undefined {
    if (this.records.has(record.id)) return undefined;
    this.records.set(record.id, record);
    if (record.rating === 'up') this.counts.up++;
    else this.counts.down++;
    return record;
  }

  /** Follows the server's events; true when something shown (version, counts, link state) changed. */
  apply(e: StreamedEvent): boolean {
    switch (e.event) {
      case 'prediction':
        this.counts.predictions++;
        return true;
      case 'model-reloaded':
        this.modelVersion = e.modelVersion;
        return true;
      case 'tunnel-up':
        this.tunnelState = 'up';
        return true;
      case 'tunnel-down':
        this.tunnelState = e.retryInMs === undefined ? 'down' : 'reconnecting';
        return true;
      case 'tunnel-url-changed':
      case 'share-link-changed':
        return true; // the process follows the new link; the tree and status show it
      default:
        return false;
    }
  }
}
