import type { ModelCard } from '../shared/model-card';
import { fetchCard } from './api';
import { el } from '../browser/dom';

/** What the watcher needs of the page: the card it shows, and how to switch to a newer one. */
export interface WatchedPage {
  card(): ModelCard;
  /** Whether the person has run an input yet (the banner then offers to re-run it). */
  hasRun(): boolean;
  adopt(card: ModelCard): Promise<void>;
}

/**
 * New model versions: given each card the page reads (PreviewLink reads it when the page event stream says it changed,
 * or every so often when the stream cannot be used; a prediction from another version checks it too), when the model
 * or its page settings changed, offers the new one in a banner under the header. Nothing changes under the person's
 * hands: the page switches only when they press the banner's button.
 */
export class VersionWatcher {
  private banner?: HTMLElement;
  private pending?: ModelCard;

  constructor(private readonly header: HTMLElement, private readonly page: WatchedPage) {}

  async check(): Promise<void> {
    let card: ModelCard;
    try {
      card = await fetchCard();
    } catch {
      return; // offline or restarting: the link watcher notices and says so
    }
    this.consider(card);
  }

  /** Offers `card` when it differs from the one shown (and takes an earlier offer back when it no longer does). */
  consider(card: ModelCard): void {
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
