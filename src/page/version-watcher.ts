import type { ModelCard } from '../shared/model-card';
import { fetchCard } from './api';
import { el } from '../browser/dom';

const CARD_POLL_MS = 10_000;

/** What the watcher needs of the page: the card it shows, and how to switch to a newer one. */
export interface WatchedPage {
  card(): ModelCard;
  /** Whether the person has run an input yet (the banner then offers to re-run it). */
  hasRun(): boolean;
  adopt(card: ModelCard): Promise<void>;
}

/**
 * New model versions: polls the card (and checks it when the tab comes back into view, or when a prediction came from
 * another version), and when the model or its page settings changed, offers the new one in a banner under the header.
 * Nothing changes under the person's hands: the page switches only when they press the banner's button.
 */
export class VersionWatcher {
  private banner?: HTMLElement;
  private pending?: ModelCard;

  constructor(private readonly header: HTMLElement, private readonly page: WatchedPage) {}

  start(): void {
    window.setInterval(() => void this.check(), CARD_POLL_MS);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.check();
    });
  }

  async check(): Promise<void> {
    let card: ModelCard;
    try {
      card = await fetchCard();
    } catch {
      return; // offline or restarting: try at the next tick
    }
    const shown = this.page.card();
    const versionChanged = card.version !== shown.version;
    const pageChanged = JSON.stringify(card.hints) !== JSON.stringify(shown.hints);
    if (!versionChanged && !pageChanged) {
      this.pending = undefined;
      this.removeBanner();
      return;
    }
    this.pending = card;
    const text = versionChanged ? 'A new version of the model is available.' : 'The page for this model was updated.';
    const button = el('button', { type: 'button', class: 'button primary' }, this.page.hasRun() ? 'Show it and re-run my input' : 'Show it');
    button.addEventListener('click', () => void this.adoptPending());
    const banner = el('div', { class: 'banner', role: 'status', 'data-testid': 'new-version', 'data-version': card.version },
      el('p', {}, text, versionChanged ? el('span', { class: 'note' }, ` (version ${card.version})`) : undefined), button);
    if (this.banner) this.banner.replaceWith(banner);
    else this.header.after(banner);
    this.banner = banner;
  }

  private async adoptPending(): Promise<void> {
    const card = this.pending;
    if (!card) return;
    this.pending = undefined;
    this.removeBanner();
    await this.page.adopt(card);
  }

  private removeBanner(): void {
    this.banner?.remove();
    this.banner = undefined;
  }
}
