import { el, replaceChildren } from '../browser/dom';
import type { FeedbackQueue } from './logic/feedback-queue';

/**
 * The feedback queue on the page: sends what waits when it is due (and when the device comes back online, or another
 * tab changed the queue), and tells the person about earlier feedback still waiting — not the feedback for the result
 * on screen, which its own form reports — with a button to try now.
 */
export class QueueStatus {
  private readonly box: HTMLElement;
  private timer?: number;

  /** `currentPredictionId`: the prediction whose feedback form is on screen, if any. */
  constructor(before: HTMLElement, private readonly queue: FeedbackQueue, private readonly currentPredictionId: () => string | undefined) {
    this.box = el('div', { class: 'queue-status', role: 'status', 'data-testid': 'feedback-queue', hidden: true });
    before.before(this.box);
    queue.onEvent((e) => {
      this.update(e.status === 'saved');
      this.schedule();
    });
  }

  start(): void {
    this.update(false);
    window.addEventListener('online', () => {
      this.queue.retryAllNow();
      void this.queue.flush();
    });
    // Another tab may add or confirm entries.
    window.addEventListener('storage', () => {
      this.update(false);
      this.schedule();
    });
    this.queue.retryAllNow();
    void this.queue.flush();
    this.schedule();
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    const next = this.queue.nextAttemptAt();
    if (next === undefined) return;
    this.timer = window.setTimeout(() => void this.queue.flush(), Math.max(0, next - Date.now()) + 50);
  }

  private update(justSaved: boolean): void {
    const waiting = this.queue.list();
    const onScreen = this.currentPredictionId();
    const others = waiting.filter((e) => onScreen === undefined || e.submission.predictionId !== onScreen).length;
    if (others > 0) {
      const retry = el('button', { type: 'button', class: 'button secondary small' }, 'Try now');
      retry.addEventListener('click', () => {
        this.queue.retryAllNow();
        void this.queue.flush();
      });
      replaceChildren(this.box,
        el('span', {}, others === 1 ? '1 piece of earlier feedback is waiting to be sent.' : `${others} pieces of earlier feedback are waiting to be sent.`,
          ' It is kept on this device and sent automatically when the server can be reached. '), retry);
      this.box.hidden = false;
    } else if (justSaved && !this.box.hidden) {
      replaceChildren(this.box, 'Your earlier feedback was saved.');
      window.setTimeout(() => {
        if (this.queue.list().length === 0) this.box.hidden = true;
      }, 5000);
    } else {
      this.box.hidden = true;
    }
  }
}
