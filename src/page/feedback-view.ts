import { sameAnswer } from '../shared/feedback-reasons';
import type { FeedbackSubmission } from '../shared/feedback';
import { el, replaceChildren, thumbIcon, uid } from '../browser/dom';
import { FEEDBACK_LIMITS, newIdempotencyKey, type FeedbackQueue, type QueueEvent } from './logic/feedback-queue';
import type { SafeStorage } from './storage';

/** The name a reviewer typed, remembered on this device (also the name their place in a review set is kept under). */
export const REVIEWER_KEY = 'model-preview.reviewer';
const OTHER = '__other__';

/** What the form needs to know about the prediction it judges. */
export interface JudgedPrediction {
  predictionId: string;
  /** The top answer as the server names it (the correction must differ from it on a thumbs-down). */
  predicted?: string;
  /** What a thumbs-down may say is wrong: the model's reasons. */
  reasons: readonly string[];
  /** The review-set case the prediction was made for. */
  caseId?: string;
  /** Set when the reviewer came through an invite link: their name is fixed by it, and no name field is shown. */
  invitedAs?: string;
}

/**
 * The feedback form under a prediction. A rating is required; the rest is optional. Sending puts the feedback in the
 * durable queue (logic/feedback-queue.ts) and locks the form; "Saved" appears only when the server confirms.
 */
export class FeedbackForm {
  readonly element: HTMLFormElement;
  private rating?: 'up' | 'down';
  private readonly up: HTMLButtonElement;
  private readonly down: HTMLButtonElement;
  private readonly expectedSelect?: HTMLSelectElement;
  private readonly expectedText: HTMLInputElement;
  private readonly otherField?: HTMLElement;
  private readonly comment: HTMLTextAreaElement;
  private readonly reviewer: HTMLInputElement;
  private readonly send: HTMLButtonElement;
  private readonly reasonsField: HTMLElement;
  private readonly reasonChips: HTMLButtonElement[];
  private readonly fields: HTMLFieldSetElement;
  private readonly status: HTMLElement;
  private key?: string;
  private readonly unsubscribe: () => void;

  /** Called once the server has saved this feedback (the Review mode moves to the next case). */
  onSaved?: () => void;

  constructor(
    private readonly judged: JudgedPrediction,
    classNames: string[] | undefined,
    private readonly queue: FeedbackQueue,
    private readonly storage: SafeStorage,
  ) {
    const headingId = uid('fb-heading');
    this.up = el('button', { type: 'button', class: 'thumb up', 'data-testid': 'thumb-up', 'aria-pressed': 'false' }, thumbIcon('up'), el('span', {}, 'Yes, right'));
    this.down = el('button', { type: 'button', class: 'thumb down', 'data-testid': 'thumb-down', 'aria-pressed': 'false' }, thumbIcon('down'), el('span', {}, 'No, wrong'));
    this.up.addEventListener('click', () => this.rate('up'));
    this.down.addEventListener('click', () => this.rate('down'));

    // "What is wrong?": toggle chips, shown once the answer is called wrong.
    const reasonsId = uid('fb-reasons');
    this.reasonChips = judged.reasons.map((reason) => {
      const chip = el('button', { type: 'button', class: 'chip', 'aria-pressed': 'false', 'data-testid': 'reason', 'data-reason': reason }, reason);
      chip.addEventListener('click', () => chip.setAttribute('aria-pressed', String(chip.getAttribute('aria-pressed') !== 'true')));
      return chip;
    });
    this.reasonsField = el('div', { class: 'field', hidden: true, 'data-testid': 'reasons' },
      el('p', { class: 'field-label', id: reasonsId }, 'What is wrong?', el('span', { class: 'optional' }, ' (choose any)')),
      el('div', { class: 'chips', role: 'group', 'aria-labelledby': reasonsId }, ...this.reasonChips));

    const expectedId = uid('fb-expected');
    let expectedField: HTMLElement;
    if (classNames && classNames.length > 0) {
      const otherId = uid('fb-other');
      this.expectedSelect = el('select', { id: expectedId, 'data-testid': 'expected' },
        el('option', { value: '' }, 'Choose… (optional)'),
        ...classNames.map((n) => el('option', { value: n }, n)),
        el('option', { value: OTHER }, 'Something else…'));
      this.expectedText = el('input', { id: otherId, type: 'text', maxlength: FEEDBACK_LIMITS.expected, 'data-testid': 'expected-other', autocomplete: 'off' });
      this.otherField = el('div', { class: 'field', hidden: true }, el('label', { for: otherId }, 'Something else: what?'), this.expectedText);
      this.expectedSelect.addEventListener('change', () => {
        const other = this.expectedSelect!.value === OTHER;
        this.otherField!.hidden = !other;
        if (other) this.expectedText.focus();
      });
      expectedField = el('div', { class: 'field' },
        el('label', { for: expectedId }, 'What should it have been?'), this.expectedSelect);
    } else {
      this.expectedText = el('input', { id: expectedId, type: 'text', maxlength: FEEDBACK_LIMITS.expected, 'data-testid': 'expected', autocomplete: 'off' });
      expectedField = el('div', { class: 'field' },
        el('label', { for: expectedId }, 'What should it have been?', el('span', { class: 'optional' }, ' (optional)')), this.expectedText);
    }

    const commentId = uid('fb-comment');
    const counterId = `${commentId}-count`;
    this.comment = el('textarea', { id: commentId, rows: 3, maxlength: FEEDBACK_LIMITS.comment, 'data-testid': 'comment', 'aria-describedby': counterId });
    const counter = el('span', { class: 'counter', id: counterId }, `0 / ${FEEDBACK_LIMITS.comment}`);
    this.comment.addEventListener('input', () => replaceChildren(counter, `${this.comment.value.length} / ${FEEDBACK_LIMITS.comment}`));

    const reviewerId = uid('fb-reviewer');
    this.reviewer = el('input', { id: reviewerId, type: 'text', maxlength: FEEDBACK_LIMITS.reviewer, 'data-testid': 'reviewer', autocomplete: 'name' });
    this.reviewer.value = judged.invitedAs ?? storage.get(REVIEWER_KEY) ?? '';
    const reviewerField = judged.invitedAs !== undefined
      ? el('p', { class: 'field note', 'data-testid': 'invited-as' }, `Sending as ${judged.invitedAs} (from your invitation link)`)
      : el('div', { class: 'field' }, el('label', { for: reviewerId }, 'Your name', el('span', { class: 'optional' }, ' (optional, remembered on this device)')), this.reviewer);

    this.send = el('button', { type: 'submit', class: 'button', 'data-testid': 'send-feedback' }, 'Send feedback');
    this.status = el('p', { class: 'feedback-status', role: 'status', 'data-testid': 'feedback-status' });

    this.fields = el('fieldset', { class: 'feedback-fields' },
      el('legend', { class: 'visually-hidden' }, 'Your feedback'),
      el('div', { class: 'thumbs', role: 'group', 'aria-labelledby': headingId }, this.up, this.down),
      this.reasonsField,
      expectedField,
      this.otherField,
      el('div', { class: 'field' }, el('label', { for: commentId }, 'Comment', el('span', { class: 'optional' }, ' (optional)')), this.comment, counter),
      reviewerField,
      el('div', { class: 'actions' }, this.send));
    this.element = el('form', { class: 'feedback', novalidate: true, 'data-testid': 'feedback-form', 'aria-labelledby': headingId },
      el('h3', { id: headingId }, 'Is this answer right?'),
      this.fields,
      this.status);
    this.element.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.unsubscribe = queue.onEvent((e) => this.onQueueEvent(e));
  }

  dispose(): void {
    this.unsubscribe();
  }

  private rate(rating: 'up' | 'down'): void {
    this.rating = rating;
    this.up.setAttribute('aria-pressed', String(rating === 'up'));
    this.down.setAttribute('aria-pressed', String(rating === 'down'));
    this.reasonsField.hidden = rating !== 'down';
    if (this.status.classList.contains('error')) this.setStatus('', '');
  }

  private expected(): string | undefined {
    const chosen = this.expectedSelect && this.expectedSelect.value !== OTHER ? this.expectedSelect.value : this.expectedText.value;
    const v = chosen.trim();
    return v === '' ? undefined : v;
  }

  private submit(): void {
    if (this.key) return; // already sent or queued
    if (!this.rating) {
      this.setStatus('Choose “Yes, right” or “No, wrong” first.', 'error');
      this.up.focus();
      return;
    }
    const expected = this.expected();
    const { predicted } = this.judged;
    if (this.rating === 'down' && expected !== undefined && predicted !== undefined && sameAnswer(expected, predicted)) {
      this.setStatus(`“${expected}” is what the model answered. Choose the right answer, or “Yes, right” if it is right.`, 'error');
      (this.expectedSelect ?? this.expectedText).focus();
      return;
    }
    const invited = this.judged.invitedAs !== undefined;
    const reviewer = invited ? '' : this.reviewer.value.trim();
    if (!invited) {
      if (reviewer) this.storage.set(REVIEWER_KEY, reviewer);
      else this.storage.remove(REVIEWER_KEY);
    }
    const comment = this.comment.value.trim();
    const reasons = this.rating === 'down' ? this.reasonChips.filter((c) => c.getAttribute('aria-pressed') === 'true').map((c) => c.dataset.reason!) : [];
    const submission: FeedbackSubmission = {
      predictionId: this.judged.predictionId,
      rating: this.rating,
      idempotencyKey: newIdempotencyKey((b) => crypto.getRandomValues(b)),
      ...(expected !== undefined ? { expected } : {}),
      ...(reasons.length > 0 ? { reasons } : {}),
      ...(comment ? { comment } : {}),
      ...(reviewer ? { reviewer } : {}),
      ...(this.judged.caseId !== undefined ? { caseId: this.judged.caseId } : {}),
    };
    this.key = submission.idempotencyKey;
    this.fields.disabled = true;
    this.setStatus('Sending…', 'pending');
    void this.queue.submit(submission);
  }

  private onQueueEvent(e: QueueEvent): void {
    if (e.key !== this.key) return;
    switch (e.status) {
      case 'sending':
        // A retry keeps the "not sent yet" text (no flicker); only the first attempt says "Sending…".
        if (this.status.dataset.state !== 'queued') this.setStatus('Sending…', 'pending');
        break;
      case 'saved':
        this.setStatus('Saved', 'ok');
        this.onSaved?.();
        break;
      case 'rejected':
        // The server will never take this one as it is: unlock the form so it can be corrected (a new key next time).
        this.key = undefined;
        this.fields.disabled = false;
        this.setStatus(`The server refused this feedback: ${e.message}. Correct it and send again.`, 'error');
        break;
      case 'waiting':
        this.setStatus(`Not sent yet (${e.message}). Your feedback is kept on this device and will be sent automatically as soon as the server takes it.`, 'queued');
        break;
    }
  }

  private setStatus(text: string, state: '' | 'ok' | 'pending' | 'queued' | 'error'): void {
    replaceChildren(this.status, text);
    this.status.className = `feedback-status${state ? ` ${state}` : ''}`;
    this.status.dataset.state = state || 'idle';
  }
}
