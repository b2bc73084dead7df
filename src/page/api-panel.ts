import type { ModelCard } from '../shared/model-card';
import { el, replaceChildren } from '../browser/dom';
import { fetchPageLink } from './api';

/**
 * "Use via API" (as Gradio, BentoML and Cog offer it): ready-to-run snippets that call this model through this very
 * link — curl, Python, JavaScript — and its OpenAPI document. Collapsed by default: the page is for people first.
 * The snippets carry the link's token, fetched only when the panel is opened.
 */
export class ApiPanel {
  readonly element: HTMLDetailsElement;
  private readonly body: HTMLElement;
  private loaded = false;

  constructor(private card: ModelCard) {
    this.body = el('div', { class: 'api-body' });
    this.element = el('details', { class: 'panel api-use', 'data-testid': 'api-panel' },
      el('summary', {}, el('h2', {}, 'Use via API')),
      this.body);
    this.element.addEventListener('toggle', () => {
      if (this.element.open && !this.loaded) void this.load();
    });
  }

  /** A new model version: the snippets follow its signature. */
  update(card: ModelCard): void {
    this.card = card;
    this.loaded = false;
    if (this.element.open) void this.load();
  }

  private async load(): Promise<void> {
    this.loaded = true;
    let access, apiSnippets;
    try {
      // The snippet writer loads only when the panel is opened (most visitors never do), beside the link's token.
      [access, { apiSnippets }] = await Promise.all([fetchPageLink(), import(/* webpackChunkName: "api-snippets" */ '../shared/api-snippets')]);
    } catch (err) {
      this.loaded = false;
      replaceChildren(this.body, el('p', { class: 'note warning' }, `The snippets could not be made: ${(err as Error).message}`));
      return;
    }
    const baseUrl = new URL('.', location.href).href;
    const snippets = apiSnippets(this.card, { baseUrl, ...access });
    replaceChildren(this.body,
      el('p', {}, 'Call this model from a program, with this link’s token (anyone with the token can use the model, as with the link). ',
        'The inputs are placeholders of the right shape: put your own data in. The full description: ',
        el('a', { href: 'openapi.json', 'data-testid': 'openapi-link', target: '_blank', rel: 'noopener' }, 'openapi.json'),
        access.passwordHeader ? '. This link has a password: replace PASSWORD in the snippets.' : '.'),
      ...snippets.map((s) => {
        const code = el('code', { 'data-testid': `snippet-${s.id}` }, s.code);
        const copy = el('button', { type: 'button', class: 'button secondary copy' }, 'Copy');
        copy.addEventListener('click', () => {
          void navigator.clipboard?.writeText(s.code).then(() => replaceChildren(copy, 'Copied'), () => replaceChildren(copy, 'Select and copy'));
        });
        return el('section', { class: 'snippet' }, el('h3', {}, s.title, ' ', copy), el('pre', {}, code));
      }));
  }
}
