import type { ModelCard } from '../shared/model-card';
import { reasonsOf } from '../shared/feedback-reasons';
import { predictedLabel } from '../shared/predicted-label';
import { ApiError, fetchCard, fetchReviewer, fetchReviewSets, predict, sendFeedback } from './api';
import { ApiPanel } from './api-panel';
import { ReviewMode } from './review-mode';
import { reviewSetOfHash } from '../shared/review-set-rules';
import { confirmOwner, reviewUploadPanel, takeOwnerToken } from './owner-view';
import { append, el, replaceChildren } from '../browser/dom';
import { FeedbackForm } from './feedback-view';
import { ImageView } from './image-view';
import { AudioView } from './audio-view';
import { ColumnView, formSections } from './column-view';
import { JsonView, TextView, VectorView, type FieldCounter, type InputView } from './input-views';
import { FeedbackQueue } from './logic/feedback-queue';
import { planInput } from './logic/input-plan';
import { textPlanFor, tokenInputNames } from './logic/text-input';
import type { PredictResponse } from './logic/output-plan';
import { relativeTime } from '../browser/logic/relative-time';
import { QueueStatus } from './queue-status';
import { correctionChoices, renderOutputs } from './result-view';
import { SafeStorage } from './storage';
import { backoffDelay } from '../shared/backoff';
import { VersionWatcher } from './version-watcher';
import { offlineNotice, PreviewLink } from './preview-link';
import { PhoneLink } from './phone-link';
import { parsePageData } from './logic/page-data';
import { PAGE_DATA_ID } from '../shared/page-data';

/**
 * The stakeholder try-it page. The server sends an HTML shell with the model card as data (src/core/server/routes/
 * page-route.ts); this script reads the model card, builds a form for the model's inputs and shows predictions for people. Feedback goes through a
 * durable queue (QueueStatus shows what still waits), and a VersionWatcher offers a newer model version.
 */
class PreviewPage {
  private card!: ModelCard;
  private views: InputView[] = [];
  private form?: HTMLFormElement;
  private predictButton?: HTMLButtonElement;
  private errorBox?: HTMLElement;
  private results?: HTMLElement;
  private feedbackForm?: FeedbackForm;
  private lastInputs?: Record<string, unknown>;
  private predicting = false;
  private relativeTimer?: number;
  private apiPanel?: ApiPanel;
  /** One for the page's life: a re-render (new version) keeps it open if it was. */
  private readonly phoneLink = new PhoneLink();
  readonly queueStatus: QueueStatus;
  readonly versions: VersionWatcher;
  /** The reviewer's name when they came through an invite link (their feedback is sent under it, verified). */
  invitedAs?: string;
  /** The owner's review sets, offered above the try-it form. */
  reviewSets: Awaited<ReturnType<typeof fetchReviewSets>> = [];
  readonly review: ReviewMode;
  /** The owner's controls (upload a review set): only when the page was opened with the owner token (owner-view.ts). */
  ownerPanel?: HTMLElement;
  readonly link: PreviewLink;

  constructor(
    private readonly header: HTMLElement,
    private readonly main: HTMLElement,
    private readonly queue: FeedbackQueue,
    private readonly storage: SafeStorage,
  ) {
    this.queueStatus = new QueueStatus(main, queue, () => (this.feedbackForm ? this.currentPredictionId() : undefined));
    this.review = new ReviewMode(main, {
      card: () => this.card, queue, storage, invitedAs: () => this.invitedAs, leave: () => this.render(this.card),
    });
    this.versions = new VersionWatcher(header, {
      card: () => this.card,
      hasRun: () => this.lastInputs !== undefined,
      adopt: (card) => this.adopt(card),
    });
    this.link = new PreviewLink(header, {
      cardSeen: (card) => this.versions.consider(card),
      cameBack: () => {
        queue.retryAllNow();
        void queue.flush();
      },
    });
    queue.onEvent((e) => {
      if (e.status === 'saved') this.link.heardFromServer();
    });
  }

  render(card: ModelCard): void {
    this.card = card;
    this.renderHeader();
    const previousViews = this.views;
    this.views = [];
    const counter: FieldCounter = { next: 0 };
    // A model that takes text (its tokenizer is beside it): one text box in place of its token inputs.
    const textPlan = textPlanFor(card);
    if (textPlan) this.views.push(new TextView(textPlan));
    const filledByText = tokenInputNames(card);
    for (const spec of card.inputs.filter((s) => !filledByText.has(s.name))) {
      const plan = planInput(spec, card.hints.inputs[spec.name], card.inputs);
      switch (plan.kind) {
        case 'vector': this.views.push(new VectorView(plan, counter)); break;
        case 'column': this.views.push(new ColumnView(plan, counter)); break;
        case 'image': this.views.push(new ImageView(plan)); break;
        case 'text': this.views.push(new TextView(plan)); break;
        case 'audio': this.views.push(new AudioView(plan)); break;
        default: this.views.push(new JsonView(plan));
      }
    }
    // A re-render (new model version) keeps what the person had entered.
    for (const view of this.views) {
      const old = previousViews.find((v) => v.plan.name === view.plan.name);
      if (view instanceof ImageView && old instanceof ImageView && view.adoptPictureFrom(old)) continue;
      const previous = this.lastInputs?.[view.plan.name];
      if (previous !== undefined && !(view instanceof ImageView)) view.fill(previous);
    }
    previousViews.forEach((v) => v.dispose?.());

    this.errorBox = el('div', { class: 'input-error', id: 'input-error', 'data-testid': 'input-error', role: 'alert', hidden: true });
    this.predictButton = el('button', { type: 'submit', class: 'button primary', 'data-testid': 'predict', id: 'predict' }, 'Predict');
    const examples = card.hints.examples;
    const exampleRow = examples.length > 0
      ? el('div', { class: 'examples' },
        el('p', { class: 'examples-title', id: 'examples-title' }, 'Or try an example:'),
        el('div', { class: 'button-row', role: 'group', 'aria-labelledby': 'examples-title' },
          ...examples.map((ex, i) => {
            const b = el('button', { type: 'button', class: 'button secondary', 'data-testid': `example-${i}` }, ex.name);
            b.addEventListener('click', () => void this.tryExample(ex.inputs));
            return b;
          })))
      : undefined;
    this.form = el('form', { class: 'input-form', novalidate: true, 'data-testid': 'input-form', 'aria-labelledby': 'inputs-heading' },
      ...formSections(this.views),
      this.errorBox,
      el('div', { class: 'actions' }, this.predictButton),
      exampleRow);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.runFromForm();
    });
    this.results = el('div', { class: 'results-body', 'aria-live': 'polite' },
      el('p', { class: 'placeholder' }, 'Fill in the form and press Predict: the model’s answer appears here, and you can tell us whether it is right.'));
    this.feedbackForm?.dispose();
    this.feedbackForm = undefined;
    replaceChildren(this.main,
      this.ownerPanel,
      this.review.offer(this.reviewSets),
      el('section', { class: 'panel inputs', 'aria-labelledby': 'inputs-heading' }, el('h2', { id: 'inputs-heading' }, 'Try it'), this.form),
      el('section', { class: 'panel results', 'aria-labelledby': 'results-heading' }, el('h2', { id: 'results-heading' }, 'Result'), this.results),
      this.apiPanelFor(card).element);
    this.main.setAttribute('aria-busy', 'false');
  }

  /** Opens on a review set's case (a review link): the header now, the try-it form only when the reviewer leaves. */
  openReview(card: ModelCard, set: string): Promise<void> {
    this.card = card;
    this.renderHeader();
    this.main.setAttribute('aria-busy', 'false');
    return this.review.start(set);
  }

  /** The review sets changed (the owner uploaded one): offered at once, with what the person had entered kept. */
  showReviewSets(sets: Awaited<ReturnType<typeof fetchReviewSets>>): void {
    this.reviewSets = sets;
    this.render(this.card);
  }

  /** One panel for the page's life (it keeps its open state across a new model version). */
  private apiPanelFor(card: ModelCard): ApiPanel {
    if (this.apiPanel) this.apiPanel.update(card);
    else this.apiPanel = new ApiPanel(card);
    return this.apiPanel;
  }

  private renderHeader(): void {
    const card = this.card;
    const title = card.hints.title || card.name;
    document.title = `${title} · Model Preview`;
    const loadedAt = new Date(card.loadedAt);
    const updated = el('time', { datetime: card.loadedAt });
    const refresh = () => replaceChildren(updated, relativeTime(loadedAt.getTime(), Date.now()));
    // "updated 5 minutes ago" and the full date a second later: the first relative time costs a new page 50-67 ms
    // and the first locale date some more (both load ICU data), which the first case of a review link or the try-it
    // form should not wait for. Meanwhile the clock time, formatted without Intl.
    const twoDigits = (n: number) => String(n).padStart(2, '0');
    replaceChildren(updated, Number.isNaN(loadedAt.getTime()) ? '' : `at ${twoDigits(loadedAt.getHours())}:${twoDigits(loadedAt.getMinutes())}`);
    window.setTimeout(() => {
      updated.setAttribute('title', loadedAt.toLocaleString());
      refresh();
    }, 1_000);
    replaceChildren(this.header,
      this.phoneLink.element,
      el('p', { class: 'brand' }, 'Model Preview'),
      el('h1', {}, title),
      card.hints.description ? el('p', { class: 'description' }, card.hints.description) : undefined,
      el('p', { class: 'meta' },
        el('span', {}, 'Model ', el('code', {}, card.name)), ' · ',
        el('span', {}, 'version ', el('code', { 'data-testid': 'model-version' }, card.version)), ' · ',
        el('span', {}, 'updated ', updated)),
      card.sidecarError ? el('p', { class: 'note warning' }, `The model’s page settings could not be read: ${card.sidecarError}`) : undefined);
    window.clearInterval(this.relativeTimer);
    this.relativeTimer = window.setInterval(refresh, 30_000);
  }

  private async collect(): Promise<Record<string, unknown> | undefined> {
    const inputs: Record<string, unknown> = {};
    for (const view of this.views) {
      const result = await view.collect();
      if (!result.ok) {
        this.showError(result.message);
        result.focus?.focus();
        return undefined;
      }
      inputs[view.plan.name] = result.data;
    }
    return inputs;
  }

  private async runFromForm(): Promise<void> {
    if (this.predicting) return;
    this.showError(undefined);
    const inputs = await this.collect();
    if (inputs) await this.run(inputs);
  }

  private async tryExample(data: Record<string, unknown>): Promise<void> {
    if (this.predicting) return;
    this.showError(undefined);
    for (const view of this.views) {
      if (data[view.plan.name] !== undefined) view.fill(data[view.plan.name]);
    }
    // Send the example as written (the server checks it), not as re-read from the fields.
    const inputs = await this.collect();
    if (inputs) await this.run({ ...inputs, ...pick(data, this.views.map((v) => v.plan.name)) });
  }

  private async run(inputs: Record<string, unknown>): Promise<void> {
    this.predicting = true;
    const button = this.predictButton!;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    replaceChildren(button, 'Predicting…');
    const started = performance.now();
    try {
      const response = await predict(inputs);
      this.lastInputs = inputs;
      this.showResult(response, performance.now() - started);
      if (response.modelVersion !== this.card.version) void this.versions.check();
    } catch (err) {
      if (err instanceof ApiError && err.status === 0) this.link.suspect();
      if (err instanceof ApiError) this.showError(err.message, err.details);
      else this.showError('Something went wrong. Please try again.');
    } finally {
      this.predicting = false;
      button.disabled = false;
      button.removeAttribute('aria-busy');
      replaceChildren(button, 'Predict');
    }
  }

  private showResult(response: PredictResponse, roundTripMs: number): void {
    this.feedbackForm?.dispose();
    this.feedbackForm = new FeedbackForm({
      predictionId: response.predictionId, predicted: predictedLabel(response.outputs, this.card), reasons: reasonsOf(this.card), invitedAs: this.invitedAs,
    }, correctionChoices(this.card), this.queue, this.storage);
    replaceChildren(this.results!,
      el('article', { class: 'result', 'data-testid': 'result', 'data-prediction-id': response.predictionId },
        renderOutputs(this.card, response, roundTripMs),
        this.feedbackForm.element));
    // On a phone the result is below the form: bring it into view.
    if (window.matchMedia('(max-width: 767px)').matches) this.results!.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  /** The message in words; `details` (onnxruntime's text, for the model's author) collapsed under it. */
  private showError(message: string | undefined, details?: string): void {
    const box = this.errorBox!;
    replaceChildren(box, el('p', { 'data-testid': 'error-message' }, message ?? ''),
      details && el('details', { class: 'error-details', 'data-testid': 'error-details' }, el('summary', {}, 'Details for the model’s author'), el('pre', {}, details)));
    box.hidden = message === undefined;
  }

  /** A picture pasted anywhere on the page goes to the first image input. */
  acceptPastedPictures(): void {
    document.addEventListener('paste', (e) => {
      const file = Array.from(e.clipboardData?.files ?? []).find((f) => f.type.startsWith('image/'));
      const view = this.views.find((v): v is ImageView => v instanceof ImageView);
      if (file && view) {
        e.preventDefault();
        void view.useFile(file);
      }
    });
  }

  /** Shows a newer card (the version watcher's banner was pressed), and re-runs the person's last input on it. */
  private async adopt(card: ModelCard): Promise<void> {
    const rerun = this.lastInputs !== undefined;
    this.render(card);
    if (rerun) await this.runFromForm();
  }

  private currentPredictionId(): string | undefined {
    return this.results?.querySelector<HTMLElement>('[data-prediction-id]')?.dataset.predictionId;
  }
}

function pick(data: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) if (data[n] !== undefined) out[n] = data[n];
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

/** Waits between attempts to load the card: 1 s, doubling, at most 10 s. */
const CARD_RETRY = { initialMs: 1_000, maxMs: 10_000 };

/** The card, waiting while the model loads (503) or the network is down; a refused link (401) is said plainly. */
async function loadCard(main: HTMLElement): Promise<ModelCard | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchCard();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        replaceChildren(main, el('section', { class: 'panel' },
          el('h2', {}, 'This link does not work any more'),
          el('p', {}, 'Ask the person who shared it for a new link.')));
        main.setAttribute('aria-busy', 'false');
        return undefined;
      }
      replaceChildren(main, err instanceof ApiError && err.status === 503 ? el('p', { class: 'loading', role: 'status' }, 'The model is still loading…') : offlineNotice());
      await sleep(backoffDelay(attempt, CARD_RETRY));
    }
  }
}

async function boot(): Promise<void> {
  const header = document.getElementById('page-header') ?? document.body.insertBefore(el('header', { id: 'page-header', class: 'page-header' }), document.body.firstChild);
  let main = document.getElementById('app');
  if (!main) {
    main = el('main', { id: 'app' });
    append(document.body, main);
  }
  const storage = SafeStorage.local();
  const queue = new FeedbackQueue({ storage: storage.raw, clock: { now: () => Date.now() }, send: sendFeedback });
  const page = new PreviewPage(header, main, queue, storage);
  page.queueStatus.start();
  const ownerToken = takeOwnerToken();
  // A review link (`#review=<set>`, "Copy review link" in VS Code) opens that set's Review mode at once: its case is
  // asked for beside the card, not after it.
  const asked = reviewSetOfHash(location.hash);
  // The card, the sets and who the visitor is come in the HTML (shared/page-data.ts); asked for only when they do not.
  const given = parsePageData(document.getElementById(PAGE_DATA_ID)?.textContent);
  const cardLoaded = given ? Promise.resolve(given.card) : loadCard(main);
  if (asked !== undefined) page.review.prefetch(asked, cardLoaded);
  const [card, invitedAs, reviewSets, isOwner] = await Promise.all([
    cardLoaded, given ? given.invitedAs : fetchReviewer(), given ? given.reviewSets : fetchReviewSets(), ownerToken ? confirmOwner(ownerToken) : Promise.resolve(false),
  ]);
  if (!card) return;
  page.invitedAs = invitedAs;
  page.reviewSets = reviewSets;
  if (isOwner && ownerToken) page.ownerPanel = reviewUploadPanel(ownerToken, (sets) => page.showReviewSets(sets));
  // Only a set the page offers: one the served model cannot answer (`problem`) would show nothing but errors. The
  // try-it form is drawn when the reviewer leaves the review, not before its first case.
  if (asked !== undefined && reviewSets.some((s) => s.name === asked && s.problem === undefined)) {
    // The link watcher (an event stream, then a card read) starts once the first case is shown: its requests would
    // otherwise reach the server beside the case's.
    void page.openReview(card, asked).finally(() => page.link.start());
  } else {
    page.render(card);
    page.link.start();
  }
  page.acceptPastedPictures();
}

/**
 * The offline explanation for a reload while the preview is away (service-worker.ts). Browsers allow service workers
 * on https and on this computer only; elsewhere (a plain-http tunnel address) the page works the same without it.
 */
function registerOfflineWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('page-sw.js').catch(() => undefined);
}

registerOfflineWorker();
void boot();
