import type { ModelCard } from '../shared/model-card';
import { PAGE_EVENTS_PING_MS, type PageEventData } from '../shared/page-events';
import { el } from '../browser/dom';
import { ApiError, fetchCard } from './api';
import { offlineDelay, OFFLINE_TEXT, POLL_MS, probeResultOf, stallAfterMs, STREAM_ATTEMPTS, type LinkMode } from './logic/link-state';

/** What the link watcher needs of the page. */
export interface LinkedPage {
  /** A card just read from the server: the version watcher compares it with the one shown. */
  cardSeen(card: ModelCard): void;
  /** The server answers again after it did not: send what waited. */
  cameBack(): void;
}

/**
 * Keeps the page true to its link. It listens to the share-scoped event stream (GET api/page-events: a new model
 * version, the link rotated or expired, the server stopping), and when the stream cannot be opened — a tunnel that
 * does not carry it — reads the card every POLL_MS instead. When the server stops answering it says so in a banner
 * (not "check your connection": the visitor's connection is fine), checks again with backoff, and when the same link
 * answers again it takes the banner away, sends the feedback that waited and opens the stream again — no reload.
 * See logic/link-state.ts for the modes.
 */
export class PreviewLink {
  mode: LinkMode = 'connecting';
  private source?: EventSource;
  private stall?: number;
  private timer?: number;
  private failures = 0;
  private streamFailures = 0;
  private banner?: HTMLElement;
  private probing = false;
  /** A reason to read the card came while a read was under way (which may have seen the card before the change). */
  private probeAgain = false;

  constructor(private readonly header: HTMLElement, private readonly page: LinkedPage, private readonly pingMs = PAGE_EVENTS_PING_MS) {}

  start(): void {
    document.documentElement.dataset.linkMode = this.mode;
    this.openStream();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.probe();
    });
    window.addEventListener('online', () => void this.probe());
  }

  /** Something failed to reach the server (a prediction, say): find out now rather than at the next tick. */
  suspect(): void {
    if (this.mode !== 'ended') void this.probe();
  }

  /**
   * Something else reached the server while the banner says it is away (the feedback queue's own retry, a prediction):
   * check now rather than at the end of the backoff, so the banner never contradicts a "Saved" next to it.
   */
  heardFromServer(): void {
    if (this.mode === 'offline') void this.probe();
  }

  private setMode(mode: LinkMode): void {
    this.mode = mode;
    document.documentElement.dataset.linkMode = mode;
  }

  private openStream(): void {
    this.closeStream();
    let heard = false;
    const source = new EventSource('api/page-events');
    this.source = source;
    const on = <N extends keyof PageEventData>(name: N, handle: (data: PageEventData[N]) => void) => source.addEventListener(name, (e) => {
      if (this.source !== source) return;
      this.armStall();
      let data: PageEventData[N];
      try {
        data = JSON.parse((e as MessageEvent<string>).data) as PageEventData[N];
      } catch {
        return;
      }
      handle(data);
    });
    on('hello', () => {
      heard = true;
      this.streamFailures = 0;
      this.setMode('stream');
      this.recovered();
      // Whatever changed while the stream was closed (or before it opened): the card says.
      void this.probe();
    });
    on('card-changed', () => void this.probe());
    on('ping', () => undefined);
    on('link-ended', () => this.ended());
    on('stopping', () => this.wentOffline());
    source.addEventListener('error', () => {
      if (this.source !== source) return;
      this.closeStream();
      if (!heard) this.streamFailures++;
      void this.probe();
    });
    this.armStall();
  }

  private closeStream(): void {
    this.source?.close();
    this.source = undefined;
    window.clearTimeout(this.stall);
  }

  /** A relay can hold a dead connection open: no ping for long means the stream is gone. */
  private armStall(): void {
    window.clearTimeout(this.stall);
    this.stall = window.setTimeout(() => {
      this.closeStream();
      void this.probe();
    }, stallAfterMs(this.pingMs));
  }

  /** Reads the card: whether the server answers, and what it serves. Decides the next mode. */
  private async probe(): Promise<void> {
    if (this.mode === 'ended') return;
    if (this.probing) {
      this.probeAgain = true;
      return;
    }
    this.probing = true;
    window.clearTimeout(this.timer);
    let status: number;
    let card: ModelCard | undefined;
    try {
      card = await fetchCard();
      status = 200;
    } catch (err) {
      status = err instanceof ApiError ? err.status : 0;
    } finally {
      this.probing = false;
    }
    if (this.probeAgain) {
      this.probeAgain = false;
      return this.probe();
    }
    const result = probeResultOf(status);
    if (result === 'ended') return this.ended();
    if (result === 'down') return this.wentOffline();
    this.failures = 0;
    this.recovered();
    if (card) this.page.cardSeen(card);
    if (this.source) return; // the stream is open (or opening): it says when something changes
    if (this.streamFailures < STREAM_ATTEMPTS) {
      this.setMode('connecting');
      this.openStream();
      return;
    }
    this.setMode('polling');
    this.timer = window.setTimeout(() => void this.probe(), POLL_MS);
  }

  private wentOffline(): void {
    this.closeStream();
    if (this.mode === 'ended') return;
    this.setMode('offline');
    const delay = offlineDelay(this.failures++);
    this.showBanner('offline', el('p', {}, OFFLINE_TEXT));
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.probe(), delay);
  }

  /** The server answers again after it did not (a no-op when it never stopped). */
  private recovered(): void {
    if (this.banner?.dataset.testid !== 'offline') return;
    this.hideBanner();
    this.page.cameBack();
  }

  private ended(): void {
    this.closeStream();
    window.clearTimeout(this.timer);
    this.setMode('ended');
    this.showBanner('link-ended', el('p', {}, 'This link does not work any more. Ask the person who shared it for a new link.'));
  }

  private showBanner(kind: 'offline' | 'link-ended', text: HTMLElement): void {
    if (this.banner?.dataset.testid === kind) return;
    const banner = el('div', { class: `banner ${kind}`, role: 'status', 'data-testid': kind }, text);
    if (this.banner) this.banner.replaceWith(banner);
    else this.header.after(banner);
    this.banner = banner;
  }

  private hideBanner(): void {
    this.banner?.remove();
    this.banner = undefined;
  }
}

/** The offline banner's words, for the first load too (main.ts's loadCard). */
export function offlineNotice(): HTMLElement {
  return el('p', { class: 'loading', role: 'status', 'data-testid': 'offline' }, OFFLINE_TEXT);
}
