import type { FeedbackCard, HelpTopic, PreviewSummary } from '../shared/webview-messages';
import { el, replaceChildren } from '../browser/dom';
import { cardText } from './logic/card-text';
import type { ViewState } from './logic/view-state';
import { applyFilter, filterOptions, upPercent, versionTotals, type VersionTotals } from './logic/versions';
import { caseRows, fixedNowText, regressionRowText, type CaseRow } from './logic/case-agreement';
import { isQueryActive, matchesQuery, NO_QUERY, queryChoices, sortCards, type CardQuery } from './logic/card-query';

/**
 * The Feedback view's DOM: a filter, per-version totals, and the cards, newest first. Built with createElement and
 * text nodes only (src/browser/dom.ts): what a stakeholder typed is never parsed as markup. Cards are kept per record id
 * and moved, not rebuilt, so a new record does not steal focus or reset the scroll of the ones already shown.
 */
export interface FeedbackViewEvents {
  onFilter(filter: string): void;
  onQuery(query: CardQuery): void;
  onOpen(card: FeedbackCard): void;
  onHelp(topic: HelpTopic): void;
  /** A card whose record was given a picture came into sight: ask for its thumbnail (once per card and page). */
  onWantThumbnail(card: FeedbackCard): void;
}

interface CardNode {
  card: FeedbackCard;
  /** The card as JSON: a replayed record with other contents (another preview id) gets a new node. */
  signature: string;
  element: HTMLElement;
  time: HTMLTimeElement;
  /** The picture's thumbnail, shown once the extension sent it. */
  thumbnail?: HTMLImageElement;
}

const CARD_SELECTOR = '[data-testid="feedback-card"]';

function icon(name: string, label?: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': label === undefined ? 'true' : undefined, role: label === undefined ? undefined : 'img', 'aria-label': label, title: label });
}

export class FeedbackViewDom {
  private readonly filter: HTMLSelectElement;
  private readonly search: HTMLInputElement;
  private readonly rating: HTMLSelectElement;
  private readonly reviewer: HTMLSelectElement;
  private readonly reason: HTMLSelectElement;
  private readonly clear: HTMLButtonElement;
  private choicesSignature = '';
  private readonly totals: HTMLElement;
  private readonly status: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLElement;
  private readonly fixedNow: HTMLElement;
  private readonly cases: HTMLElement;
  private readonly nodes = new Map<string, CardNode>();
  private filterSignature = '';
  /** Thumbnails by record id (data: URLs the shared guard checked), asked for once each, kept while the page lives. */
  private readonly thumbnails = new Map<string, string>();
  private readonly thumbnailsAsked = new Set<string>();
  /** Asks for a card's thumbnail only when the card is scrolled into sight: a long list costs nothing until read. */
  private readonly inSight = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      this.inSight.unobserve(entry.target);
      const node = this.nodes.get((entry.target as HTMLElement).dataset.recordId ?? '');
      if (node && !this.thumbnailsAsked.has(node.card.id)) {
        this.thumbnailsAsked.add(node.card.id);
        this.events.onWantThumbnail(node.card);
      }
    }
  }, { rootMargin: '200px' });

  constructor(root: HTMLElement, private readonly events: FeedbackViewEvents) {
    this.filter = el('select', { id: 'feedback-filter', 'data-testid': 'feedback-filter' });
    this.filter.addEventListener('change', () => this.events.onFilter(this.filter.value));
    this.search = el('input', { type: 'search', id: 'feedback-search', 'data-testid': 'feedback-search', placeholder: 'Search answers, comments, inputs…', 'aria-label': 'Search feedback' });
    this.rating = el('select', { 'data-testid': 'feedback-rating', 'aria-label': 'Rating' },
      el('option', { value: '' }, 'Any rating'), el('option', { value: 'up' }, 'Thumbs up'), el('option', { value: 'down' }, 'Thumbs down'));
    this.reviewer = el('select', { 'data-testid': 'feedback-reviewer', 'aria-label': 'Reviewer' });
    this.reason = el('select', { 'data-testid': 'feedback-reason', 'aria-label': 'Reason' });
    this.clear = el('button', { type: 'button', class: 'link', 'data-testid': 'feedback-clear-filters', hidden: true }, 'Clear filters');
    const query = (): CardQuery => ({
      text: this.search.value, rating: this.rating.value === 'up' || this.rating.value === 'down' ? this.rating.value : '',
      reviewer: this.reviewer.value, reason: this.reason.value,
    });
    this.search.addEventListener('input', () => this.events.onQuery(query()));
    for (const select of [this.rating, this.reviewer, this.reason]) select.addEventListener('change', () => this.events.onQuery(query()));
    this.clear.addEventListener('click', () => {
      this.events.onQuery({ ...NO_QUERY });
      this.events.onFilter('');
    });
    this.totals = el('section', { class: 'totals', 'data-testid': 'feedback-totals', 'aria-label': 'Feedback per model version' });
    this.status = el('p', { class: 'status', role: 'status', 'data-testid': 'feedback-status' });
    this.list = el('ul', { class: 'cards', 'data-testid': 'feedback-list', 'aria-label': 'Feedback, newest first' });
    this.empty = el('p', { class: 'empty', 'data-testid': 'feedback-empty', hidden: true });
    this.fixedNow = el('section', { class: 'fixed-now', 'data-testid': 'fixed-now', 'aria-label': 'Is it fixed now?', hidden: true });
    this.cases = el('section', { class: 'cases', 'data-testid': 'review-cases', 'aria-label': 'Review cases: agreement across reviewers', hidden: true });
    this.list.addEventListener('click', (e) => this.openFrom(e.target));
    this.list.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      if (!(e.target instanceof Element) || !e.target.matches(CARD_SELECTOR)) return;
      e.preventDefault(); // Space would scroll the list
      this.openFrom(e.target);
    });
    replaceChildren(root,
      el('header', { class: 'toolbar' },
        el('label', { for: 'feedback-filter' }, icon('filter'), el('span', {}, 'Version')),
        this.filter),
      el('div', { class: 'filters', 'data-testid': 'feedback-filters' }, this.search, this.rating, this.reviewer, this.reason, this.clear),
      this.totals,
      this.fixedNow,
      this.cases,
      this.status,
      this.list,
      this.empty);
  }

  render(state: ViewState, nowMs: number): void {
    const allTotals = versionTotals(state.cards, state.previews);
    this.renderFilter(allTotals, state.filter);
    this.renderQuery(state);
    const visible = sortCards(applyFilter(state.cards, state.filter).filter((c) => matchesQuery(c, state.query)), state.sort);
    this.renderTotals(applyFilter(allTotals, state.filter));
    this.renderFixedNow(state.previews);
    this.renderCases(caseRows(visible));
    this.renderStatus(state);
    this.list.setAttribute('aria-label', state.sort === 'worst' ? 'Feedback, thumbs-down first' : 'Feedback, newest first');
    this.list.dataset.sort = state.sort;
    this.renderCards(visible, state.cards, nowMs);
    this.renderEmpty(state, visible.length);
  }

  /** Puts the cursor in the search box (the view's "Filter" title action). */
  focusSearch(): void {
    this.search.focus();
    this.search.select();
  }

  private renderQuery(state: ViewState): void {
    const q = state.query;
    const choices = queryChoices(state.cards, q);
    const signature = JSON.stringify(choices);
    // Rebuilt only when the choices change, so an open dropdown stays open while records arrive.
    if (signature !== this.choicesSignature) {
      this.choicesSignature = signature;
      replaceChildren(this.reviewer, el('option', { value: '' }, 'Any reviewer'), ...choices.reviewers.map((c) => el('option', { value: c.value }, c.label)));
      replaceChildren(this.reason, el('option', { value: '' }, 'Any reason'), ...choices.reasons.map((c) => el('option', { value: c.value }, c.label)));
    }
    this.reason.hidden = choices.reasons.length === 0;
    if (this.search.value !== q.text) this.search.value = q.text;
    for (const [select, value] of [[this.rating, q.rating], [this.reviewer, q.reviewer], [this.reason, q.reason]] as const) {
      if (select.value !== value) select.value = value;
    }
    this.clear.hidden = !isQueryActive(q) && state.filter === '';
  }

  /** Shows the thumbnail the extension sent for a card (now, or when that card is drawn). */
  setThumbnail(id: string, image: string): void {
    this.thumbnails.set(id, image);
    const node = this.nodes.get(id);
    if (node?.thumbnail) {
      node.thumbnail.src = image;
      node.thumbnail.hidden = false;
    }
  }

  /** Updates the "5 minutes ago" of every card (call every so often). */
  refreshTimes(nowMs: number): void {
    for (const node of this.nodes.values()) replaceChildren(node.time, cardText(node.card, nowMs).when);
  }

  private openFrom(target: EventTarget | null): void {
    const element = target instanceof Element ? target.closest(CARD_SELECTOR) : null;
    const id = element instanceof HTMLElement ? element.dataset.recordId : undefined;
    const node = id === undefined ? undefined : this.nodes.get(id);
    if (node) this.events.onOpen(node.card);
  }

  private renderFilter(totals: VersionTotals[], selected: string): void {
    const options = filterOptions(totals, selected);
    const signature = JSON.stringify(options);
    // Rebuilt only when the choices change, so an open dropdown is not closed by a new record of another version.
    if (signature !== this.filterSignature) {
      this.filterSignature = signature;
      replaceChildren(this.filter, ...options.map((o) => el('option', { value: o.value }, o.label)));
    }
    if (this.filter.value !== selected) this.filter.value = selected;
  }

  private renderTotals(totals: VersionTotals[]): void {
    replaceChildren(this.totals, ...totals.map((t) => {
      const percent = upPercent(t);
      return el('div', { class: 'total', 'data-testid': 'feedback-total', 'data-model': t.model, 'data-model-version': t.modelVersion, 'data-up': t.up, 'data-down': t.down, 'data-count': t.count },
        el('span', { class: 'chip', title: t.running ? `${t.label}: served by a running preview` : t.label }, t.running ? icon('broadcast', 'running') : undefined, el('span', { dir: 'auto' }, t.label)),
        el('span', { class: 'tally up', title: 'Thumbs up' }, icon('thumbsup'), el('span', { class: 'visually-hidden' }, 'up: '), String(t.up)),
        el('span', { class: 'tally down', title: 'Thumbs down' }, icon('thumbsdown'), el('span', { class: 'visually-hidden' }, 'down: '), String(t.down)),
        el('span', { class: 'tally count', title: 'All feedback on this version' }, `${t.count} total`),
        percent === undefined ? undefined : el('span', { class: 'tally share', title: 'Share of thumbs up' }, `${percent}% up`));
    }));
    this.totals.hidden = totals.length === 0;
  }

  private renderFixedNow(previews: PreviewSummary[]): void {
    const lines = previews.map((p) => fixedNowText(p)).filter((t): t is string => t !== undefined);
    const tables = previews.filter((p) => (p.regressionHistory?.length ?? 0) > 0).map((p) => this.regressionTable(p));
    replaceChildren(this.fixedNow, ...lines.map((t) => el('p', { 'data-testid': 'fixed-now-line' }, icon('pass'), ' ', t)), ...tables);
    this.fixedNow.hidden = lines.length === 0 && tables.length === 0;
  }

  /** Every version's replay, newest first: how many corrected thumbs-down it answers as corrected, and which broke. */
  private regressionTable(preview: PreviewSummary): HTMLElement {
    const rows = [...preview.regressionHistory!].reverse().map((row) => {
      const text = regressionRowText(row);
      return el('tr', { 'data-testid': 'regression-row', 'data-model-version': row.modelVersion, 'data-fixed': row.fixed, 'data-total': row.total, 'data-broke': row.broke },
        el('td', { class: 'version', title: `after ${row.previousVersion}` }, text.version),
        el('td', {}, text.fixed),
        el('td', {}, text.broke, text.broken.length === 0 ? undefined
          : el('ul', { class: 'broken-cases' }, ...text.broken.map((b) => el('li', { 'data-testid': 'broken-case', dir: 'auto' }, b)))));
    });
    return el('table', { class: 'regression-table', 'data-testid': 'regression-table', 'data-preview': preview.id },
      el('caption', {}, `${preview.model}: fixed per version`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Version'), el('th', { scope: 'col' }, 'Fixed'), el('th', { scope: 'col' }, 'Broke (right before)'))),
      el('tbody', {}, ...rows));
  }

  private renderCases(rows: CaseRow[]): void {
    replaceChildren(this.cases,
      el('h2', { class: 'section-title' }, 'Review cases'),
      el('ul', { class: 'case-rows' }, ...rows.map((r) => el('li', {
        class: r.disagreement ? 'case-row disagreement' : 'case-row', 'data-testid': 'case-row', 'data-case-id': r.caseId,
        'data-up': r.up, 'data-down': r.down, 'data-agreement': r.agreement.toFixed(2),
      },
      el('span', { class: 'case-id', dir: 'auto', title: `Review set: ${r.reviewSet}` }, r.caseId),
      el('span', { class: 'tally up', title: 'Thumbs up' }, icon('thumbsup'), el('span', { class: 'visually-hidden' }, 'up: '), String(r.up)),
      el('span', { class: 'tally down', title: 'Thumbs down' }, icon('thumbsdown'), el('span', { class: 'visually-hidden' }, 'down: '), String(r.down)),
      el('span', { class: 'tally agreement' }, r.disagreement ? `disagree (${Math.round(r.agreement * 100)}% agree)` : 'all agree')))));
    this.cases.hidden = rows.length === 0;
  }

  private renderStatus(state: ViewState): void {
    const running = state.previews.length;
    replaceChildren(this.status, running === 0
      ? 'No preview running.'
      : running === 1
        ? `Live: ${state.previews[0].model}${state.previews[0].modelVersion === '' ? '' : `@${state.previews[0].modelVersion}`}`
        : `Live: ${running} previews`);
  }

  private renderEmpty(state: ViewState, visible: number): void {
    this.empty.hidden = visible > 0;
    this.list.hidden = visible === 0;
    if (visible > 0) return;
    if (state.cards.length > 0) return void replaceChildren(this.empty, isQueryActive(state.query) ? 'No feedback matches these filters.' : 'No feedback for this version yet.');
    const link = (topic: HelpTopic, text: string) => {
      const button = el('button', { type: 'button', class: 'link', 'data-testid': `help-${topic}` }, text);
      button.addEventListener('click', () => this.events.onHelp(topic));
      return button;
    };
    replaceChildren(this.empty,
      'No feedback yet. When people rate answers on a preview\u2019s share link, their feedback appears here, newest first. ',
      link('docs', 'How it works'), ' · ', link('walkthrough', 'Walkthrough'));
  }

  private renderCards(visible: FeedbackCard[], all: FeedbackCard[], nowMs: number): void {
    // Move existing nodes into place, insert new ones, drop the rest: focused and unchanged cards stay where they are.
    let cursor = this.list.firstChild;
    for (const card of visible) {
      const { element } = this.nodeFor(card, nowMs);
      // A card's <li> is its parent for its whole life, also while filtered out (detached).
      const item = element.parentElement ?? el('li', { class: 'card-item' }, element);
      if (item === cursor) {
        cursor = cursor.nextSibling;
      } else {
        this.list.insertBefore(item, cursor);
      }
    }
    while (cursor) {
      const next = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
    // Forget nodes of records no longer held (not of those merely filtered out: they come back when the filter does).
    const held = new Set(all.map((c) => c.id));
    for (const [id, node] of this.nodes) {
      if (held.has(id)) continue;
      this.inSight.unobserve(node.element);
      this.nodes.delete(id);
      this.thumbnails.delete(id);
    }
  }

  private nodeFor(card: FeedbackCard, nowMs: number): CardNode {
    const existing = this.nodes.get(card.id);
    if (existing?.card === card) return existing; // merges keep the objects of unchanged cards
    const signature = JSON.stringify(card);
    if (existing && existing.signature === signature) {
      existing.card = card;
      return existing;
    }
    const text = cardText(card, nowMs);
    const known = this.thumbnails.get(card.id);
    const thumbnail = card.hasPicture === true
      ? el('img', { class: 'thumbnail', 'data-testid': 'card-thumbnail', alt: 'The picture this feedback is about', width: 48, height: 48, src: known, hidden: known === undefined })
      : undefined;
    const time = el('time', { datetime: text.isoTime, title: text.isoTime }, text.when);
    let answer: HTMLElement;
    if (text.predicted !== undefined || text.expected !== undefined) {
      answer = el('span', { class: 'answer' },
        el('span', { class: 'predicted', dir: 'auto', title: 'Predicted' }, text.predicted ?? '\u2014'),
        text.expected === undefined ? undefined : el('span', { class: 'arrow', 'aria-hidden': 'true' }, ' \u2192 '),
        text.expected === undefined ? undefined : el('span', { class: 'expected', dir: 'auto', title: 'Expected' }, text.expected));
    } else {
      answer = el('span', { class: 'answer muted' }, text.rating);
    }
    const element = el('div', {
      class: `card ${card.rating}`, role: 'button', tabindex: 0, 'data-testid': 'feedback-card',
      'data-record-id': card.id, 'data-preview-id': card.previewId, 'data-rating': card.rating, 'aria-label': text.ariaLabel,
    },
    el('div', { class: 'card-head' }, icon(text.icon, text.rating), answer),
    text.reasons.length === 0 ? undefined : el('p', { class: 'reasons', 'data-testid': 'card-reasons' },
      ...text.reasons.map((r) => el('span', { class: 'chip reason', dir: 'auto' }, r))),
    text.comment === undefined ? undefined : el('p', { class: 'comment', dir: 'auto' }, text.comment),
    card.inputSummary === undefined ? undefined : el('p', { class: 'inputs', 'data-testid': 'card-inputs', title: card.inputSummary },
      icon(card.hasPicture === true || card.inputSummary.includes(': image ') || card.inputSummary.startsWith('image') ? 'file-media' : 'symbol-field', 'input'), el('span', { dir: 'auto' }, card.inputSummary)),
    thumbnail,
    el('div', { class: 'card-meta' },
      el('span', { class: text.anonymous ? 'reviewer muted' : 'reviewer', dir: 'auto', title: text.verified ? 'Named by their invite link' : undefined }, text.reviewer),
      text.verified ? icon('verified', 'invited reviewer') : undefined,
      text.caseId === undefined ? undefined : el('span', { class: 'chip case', dir: 'auto', title: 'Review case' }, text.caseId),
      time,
      el('span', { class: 'chip', dir: 'auto', title: 'Model version' }, text.version)));
    const node: CardNode = { card, signature, element, time, thumbnail };
    if (existing) this.inSight.unobserve(existing.element);
    if (thumbnail && known === undefined && !this.thumbnailsAsked.has(card.id)) this.inSight.observe(element);
    const oldItem = existing?.element.parentElement;
    if (oldItem) replaceChildren(oldItem, element);
    this.nodes.set(card.id, node);
    return node;
  }
}
