import { reasonsOf } from '../shared/feedback-reasons';
import type { ModelCard } from '../shared/model-card';
import { predictedLabel } from '../shared/predicted-label';
import type { ReviewCase, ReviewSetList } from '../shared/review-set';
import { caseKey, REVIEW_PROGRESS_NAME_LENGTH } from '../shared/review-set-rules';
import { el, replaceChildren } from '../browser/dom';
import { ApiError, fetchReviewCase, openReviewSet, predict, saveReviewProgress } from './api';
import { FeedbackForm, REVIEWER_KEY } from './feedback-view';
import type { FeedbackQueue } from './logic/feedback-queue';
import { correctionChoices, renderOutputs } from './result-view';
import { reviewCaseInputs, TEXT_KEY } from './logic/text-input';
import type { SafeStorage } from './storage';

/**
 * Where a reviewer is in a set, also kept in this browser (localStorage): the place when the server keeps none for them
 * (no name given) or cannot be reached.
 */
const positionKey = (set: string) => `model-preview.review.${set}`;

type CasePage = Awaited<ReturnType<typeof fetchReviewCase>>;
/** A case as the server gave it, and the model's answer for it (see `answer`). */
type Answered = { page: CasePage; answer?: Awaited<ReturnType<typeof predict>>; roundTripMs?: number };

export interface ReviewModeDeps {
  card: () => ModelCard;
  queue: FeedbackQueue;
  storage: SafeStorage;
  invitedAs: () => string | undefined;
  /** Back to the try-it form. */
  leave(): void;
}

/**
 * Review mode: the owner's review sets, one case at a time, with progress ("12 of 40"). Each case's answer is computed
 * by the model version served now (and recorded as a prediction, like any other); the reviewer rates it with reasons,
 * a correction and a comment, or skips it, and can go back. The position is kept per set and per reviewer on the
 * server (under their invite, else under the name they give), so a reload, a later visit or another browser or phone
 * resumes at the same case; this browser keeps it too, for when the server cannot be reached.
 */
export class ReviewMode {
  private set?: string;
  private index = 0;
  private total = 0;
  private form?: FeedbackForm;
  private loading = 0;
  /** A review link's first case, asked for before the card arrived (`prefetch`). */
  private opening?: { set: string; answered: Promise<Answered> };
  /** The next case, asked for while the reviewer judges this one (`fetchAhead`). */
  private ahead?: { set: string; index: number; page: Promise<CasePage> };

  constructor(private readonly root: HTMLElement, private readonly deps: ReviewModeDeps) {}

  /** The sets on offer, as buttons above the try-it form; empty when there are none. */
  offer(all: ReviewSetList['sets']): HTMLElement | undefined {
    // A set the served model cannot answer (the server names its problem to the owner) would only show errors.
    const sets = all.filter((s) => s.problem === undefined);
    if (sets.length === 0) return undefined;
    // An invited reviewer is known by their link; anyone else gives a name to find their place again elsewhere.
    const name = this.deps.invitedAs() === undefined
      ? el('input', { id: 'review-name', type: 'text', maxlength: REVIEW_PROGRESS_NAME_LENGTH, autocomplete: 'name', 'data-testid': 'review-name', value: this.deps.storage.get(REVIEWER_KEY) ?? '' })
      : undefined;
    return el('section', { class: 'panel review-offer', 'aria-labelledby': 'review-offer-heading', 'data-testid': 'review-offer' },
      el('h2', { id: 'review-offer-heading' }, 'Cases to review'),
      el('p', {}, 'The model’s author asks you to judge these cases one by one.'),
      name ? el('div', { class: 'field' }, el('label', { for: 'review-name' }, 'Your name', el('span', { class: 'optional' }, ' (optional: to continue where you left off on another device)')), name) : undefined,
      el('div', { class: 'button-row' }, ...sets.map((s) => {
        const b = el('button', { type: 'button', class: 'button primary', 'data-testid': 'start-review', 'data-set': s.name }, `Review “${s.name}” (${s.cases} cases)`);
        b.addEventListener('click', () => {
          if (name) this.rememberName(name.value.trim());
          void this.start(s.name);
        });
        return b;
      })));
  }

  /**
   * A review link (`#review=<set>`): asks for the set's case at the reviewer's place and the model's answer for it at
   * once (`open`), beside the card and the page's other first requests, before the page knows whether it will offer
   * the set; `start` then shows them.
   */
  prefetch(set: string, card: Promise<ModelCard | undefined>): void {
    const answered = this.open(set, card);
    answered.catch(() => undefined); // `start` reports a failure; a set the page does not offer is never started
    this.opening = { set, answered };
  }

  async start(set: string): Promise<void> {
    this.set = set;
    const prefetched = this.opening?.set === set ? this.opening.answered : undefined;
    this.opening = undefined;
    await this.show(() => prefetched ?? this.open(set, this.deps.card()));
  }

  /**
   * The case at the reviewer's place (the server's, kept under their invite or the name they typed on this device;
   * else the one this browser kept) and the model's answer for it, in one request: the first screen waits on one
   * round trip, not a case's and then its answer's.
   */
  private async open(set: string, card: ModelCard | Promise<ModelCard | undefined>): Promise<Answered> {
    const saved = Number(this.deps.storage.get(positionKey(set)));
    const started = performance.now();
    const [{ answer, ...page }, known] = await Promise.all([openReviewSet(set, Number.isInteger(saved) && saved >= 0 ? saved : 0, this.typedName()), card]);
    return { page, ...(known && answer ? { answer, roundTripMs: performance.now() - started } : {}) };
  }

  private async move(step: number): Promise<void> {
    this.index = Math.max(0, Math.min(this.index + step, this.total));
    const set = this.set!;
    this.deps.storage.set(positionKey(set), String(this.index));
    const typed = this.typedName();
    if (this.deps.invitedAs() !== undefined || typed) void saveReviewProgress(set, { position: this.index, ...(typed ? { reviewer: typed } : {}) });
    const index = this.index;
    // The case asked for ahead, or asked for now (also when asking ahead failed: it may be back).
    const ahead = this.ahead?.set === set && this.ahead.index === index ? this.ahead.page.catch(() => fetchReviewCase(set, index)) : fetchReviewCase(set, index);
    this.ahead = undefined;
    await this.show((wanted) => this.answer(ahead, this.deps.card(), wanted));
  }

  /** The name the reviewer typed on this device, unless their invite names them. */
  private typedName(): string | undefined {
    if (this.deps.invitedAs() !== undefined) return undefined;
    return this.deps.storage.get(REVIEWER_KEY)?.trim() || undefined;
  }

  private rememberName(name: string): void {
    if (name) this.deps.storage.set(REVIEWER_KEY, name.slice(0, REVIEW_PROGRESS_NAME_LENGTH));
    else this.deps.storage.remove(REVIEWER_KEY);
  }

  /**
   * The case, and the model's answer for it by the version served now (recorded as a prediction, like any other); no
   * answer past the set's end, or once the reviewer has moved on (`wanted`).
   */
  private async answer(located: Promise<CasePage>, card: ModelCard | Promise<ModelCard | undefined>, wanted: () => boolean = () => true): Promise<Answered> {
    const page = await located;
    if (!page.case || !wanted()) return { page };
    const known = await card;
    if (!known || !wanted()) return { page };
    const started = performance.now();
    const answer = await predict(reviewCaseInputs(known, page.case.inputs));
    return { page, answer, roundTripMs: performance.now() - started };
  }

  private async show(answering: (wanted: () => boolean) => Promise<Answered>): Promise<void> {
    const ticket = ++this.loading; // a later move wins over an earlier one still loading
    const wanted = () => ticket === this.loading;
    this.form?.dispose();
    this.form = undefined;
    replaceChildren(this.root, el('p', { class: 'loading', role: 'status' }, 'Loading the case…'));
    try {
      const { page: { total, offset, case: reviewCase }, answer, roundTripMs = 0 } = await answering(wanted);
      if (!wanted()) return;
      this.total = total;
      this.index = offset;
      if (!reviewCase) return this.finished();
      if (answer) this.render(reviewCase, answer, roundTripMs);
      this.fetchAhead(offset + 1);
    } catch (err) {
      if (!wanted()) return;
      replaceChildren(this.root, this.frame(el('p', { class: 'input-error', role: 'alert', 'data-testid': 'review-error' },
        err instanceof ApiError ? err.message : 'Something went wrong loading this case.')));
    }
  }

  /**
   * The next case, asked for while the reviewer looks at this one: a Skip or a rating then waits for the model's
   * answer only. Only the case (no prediction is made for a case nobody has seen yet).
   */
  private fetchAhead(index: number): void {
    if (index >= this.total) return;
    const page = fetchReviewCase(this.set!, index);
    page.catch(() => undefined); // asked for again when it is needed (`move`)
    this.ahead = { set: this.set!, index, page };
  }

  private render(reviewCase: ReviewCase, answer: Awaited<ReturnType<typeof predict>>, roundTripMs: number): void {
    const card = this.deps.card();
    this.form = new FeedbackForm({
      predictionId: answer.predictionId, predicted: predictedLabel(answer.outputs, card), reasons: reasonsOf(card),
      caseId: caseKey(this.set!, reviewCase.id), invitedAs: this.deps.invitedAs(),
    }, correctionChoices(card), this.deps.queue, this.deps.storage);
    this.form.onSaved = () => void this.move(1);
    replaceChildren(this.root, this.frame(
      el('article', { class: 'result', 'data-testid': 'review-case', 'data-case-id': reviewCase.id, 'data-prediction-id': answer.predictionId },
        el('h3', {}, 'The case'),
        reviewCase.tags?.length ? el('p', { class: 'chips', 'data-testid': 'case-tags' }, ...reviewCase.tags.map((t) => el('span', { class: 'chip' }, t))) : undefined,
        inputList(card, reviewCaseInputs(card, reviewCase.inputs)),
        el('h3', {}, 'The model’s answer'),
        renderOutputs(card, answer, roundTripMs),
        this.form.element)));
  }

  private finished(): void {
    replaceChildren(this.root, this.frame(el('p', { class: 'note', 'data-testid': 'review-done', role: 'status' },
      `All ${this.total} cases of “${this.set}” are done. Thank you!`)));
  }

  /** The set's name, the progress and the buttons around a case. */
  private frame(body: HTMLElement): HTMLElement {
    const position = Math.min(this.index + 1, this.total);
    const back = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'review-back', disabled: this.index === 0 }, 'Back');
    const skip = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'review-skip', disabled: this.index >= this.total }, 'Skip');
    const leave = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'review-leave' }, 'Leave review');
    back.addEventListener('click', () => void this.move(-1));
    skip.addEventListener('click', () => void this.move(1));
    leave.addEventListener('click', () => this.deps.leave());
    return el('section', { class: 'panel review', 'aria-labelledby': 'review-heading' },
      el('h2', { id: 'review-heading' }, `Reviewing “${this.set}”`),
      el('p', { class: 'review-progress' },
        el('progress', { max: this.total, value: Math.min(this.index, this.total), 'aria-hidden': 'true' }),
        ' ', el('span', { 'data-testid': 'review-progress', role: 'status' }, this.index >= this.total ? `${this.total} of ${this.total}` : `${position} of ${this.total}`)),
      body,
      el('div', { class: 'button-row review-nav' }, back, skip, leave));
  }
}

/** A case's inputs in words: a text model's text as written, a vector's elements by the sidecar's field labels, anything else as JSON text. */
function inputList(card: ModelCard, inputs: Record<string, unknown>): HTMLElement {
  const rows: HTMLElement[] = [];
  for (const [name, data] of Object.entries(inputs)) {
    if (name === TEXT_KEY) {
      rows.push(el('div', { class: 'case-input' }, el('dt', {}, 'Text'), el('dd', { class: 'case-text', 'data-testid': 'case-text' }, String(data))));
      continue;
    }
    const fields = card.sidecar?.inputs?.[name]?.fields;
    const flat = Array.isArray(data) && Array.isArray(data[0]) && data.length === 1 ? data[0] as unknown[] : data;
    if (fields && Array.isArray(flat) && flat.length === fields.length) {
      flat.forEach((v, i) => rows.push(el('div', { class: 'case-input' }, el('dt', {}, fields[i].label), el('dd', {}, `${String(v)}${fields[i].unit ? ` ${fields[i].unit}` : ''}`))));
    } else {
      rows.push(el('div', { class: 'case-input' }, el('dt', {}, name), el('dd', { class: 'mono' }, JSON.stringify(data))));
    }
  }
  return el('dl', { class: 'case-inputs', 'data-testid': 'case-inputs' }, ...rows);
}
