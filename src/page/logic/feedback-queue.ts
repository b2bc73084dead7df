import { backoffDelay } from '../../shared/backoff';
import type { FeedbackSubmission } from '../../shared/feedback';

/**
 * Feedback must never be lost and never stored twice, over a tunnel that drops. Every submission gets an idempotency
 * key once, is written to (local) storage before the first attempt, and is re-sent with the SAME key until the server
 * confirms it (201, or 200 `duplicate` when an earlier attempt had in fact been stored). The state lives in storage, not
 * in this object, so a reload, a second tab or a restarted browser picks the queue up where it was.
 *
 * Per entry:  queued --send--> saved (removed)                      on 200/201
 *                         \--> rejected (removed, message shown)    on 400/413/422: the server will never take it
 *                          \-> waiting (attempts+1, backoff)         network failure, 5xx (507: the owner's disk is
 *                                                                    full), 404, 401, 429...: try later
 * Backoff: 1 s, 2 s, 4 s ... capped at 60 s, each +-20 % jitter, or the server's Retry-After when longer.
 * `retryAllNow()` (the browser's `online` event, page load) makes every waiting entry due at once.
 */

/** The subset of `localStorage` the queue uses (injectable for tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface Clock {
  now(): number;
}

export type SendOutcome =
  | { kind: 'saved'; id: string; duplicate: boolean }
  | { kind: 'rejected'; message: string }
  | { kind: 'retry'; message: string; retryAfterMs?: number };

export interface QueuedFeedback {
  submission: FeedbackSubmission;
  queuedAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
}

export type QueueEvent =
  | { key: string; status: 'sending' }
  | { key: string; status: 'saved'; id: string; duplicate: boolean }
  | { key: string; status: 'rejected'; message: string }
  | { key: string; status: 'waiting'; message: string; attempts: number; nextAttemptAt: number };

export interface FeedbackQueueOptions {
  storage: KeyValueStorage;
  clock: Clock;
  send(submission: FeedbackSubmission): Promise<SendOutcome>;
  /** 0..1; jitter spreads the retries of many pages after an outage. */
  random?: () => number;
  storageKey?: string;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export const FEEDBACK_QUEUE_STORAGE_KEY = 'model-preview.feedback-queue.v1';

export class FeedbackQueue {
  private readonly storage: KeyValueStorage;
  private readonly storageKey: string;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly listeners = new Set<(e: QueueEvent) => void>();
  /** Keys being sent right now by this page (not persisted: a reload sends them again, the key makes that safe). */
  private readonly inFlight = new Set<string>();
  /** Used when storage throws (private mode, quota): the queue still works for the life of the page. */
  private memory: QueuedFeedback[] | undefined;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;

  constructor(private readonly options: FeedbackQueueOptions) {
    this.storage = options.storage;
    this.storageKey = options.storageKey ?? FEEDBACK_QUEUE_STORAGE_KEY;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.random = options.random ?? Math.random;
  }

  onEvent(listener: (e: QueueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Everything not yet confirmed, oldest first. */
  list(): QueuedFeedback[] {
    if (this.memory) return this.memory.map((e) => ({ ...e }));
    let raw: string | null;
    try {
      raw = this.storage.getItem(this.storageKey);
    } catch {
      this.memory = [];
      return [];
    }
    if (!raw) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isQueuedFeedback) : [];
    } catch {
      return [];
    }
  }

  has(key: string): boolean {
    return this.list().some((e) => e.submission.idempotencyKey === key);
  }

  /** Stores a submission (before any network attempt); a key already queued is left as it is. */
  enqueue(submission: FeedbackSubmission): void {
    const entries = this.list();
    if (entries.some((e) => e.submission.idempotencyKey === submission.idempotencyKey)) return;
    const now = this.options.clock.now();
    entries.push({ submission, queuedAt: now, attempts: 0, nextAttemptAt: now });
    this.save(entries);
  }

  /** Enqueue, then try at once. */
  submit(submission: FeedbackSubmission): Promise<void> {
    this.enqueue(submission);
    return this.flush();
  }

  /** Makes every entry due now (the browser came back online, the page was loaded). */
  retryAllNow(): void {
    const now = this.options.clock.now();
    const entries = this.list();
    if (entries.length === 0) return;
    for (const e of entries) e.nextAttemptAt = Math.min(e.nextAttemptAt, now);
    this.save(entries);
  }

  /** When the next entry falls due (undefined when the queue is empty). */
  nextAttemptAt(): number | undefined {
    const entries = this.list().filter((e) => !this.inFlight.has(e.submission.idempotencyKey));
    return entries.length === 0 ? undefined : Math.min(...entries.map((e) => e.nextAttemptAt));
  }

  /** Sends every due entry, one at a time. Concurrent calls share one run (and cause one more pass after it). */
  flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await this.sendDue();
        } while (this.flushAgain);
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private async sendDue(): Promise<void> {
    const now = this.options.clock.now();
    const due = this.list().filter((e) => e.nextAttemptAt <= now && !this.inFlight.has(e.submission.idempotencyKey));
    for (const entry of due) {
      const key = entry.submission.idempotencyKey;
      this.inFlight.add(key);
      this.emit({ key, status: 'sending' });
      let outcome: SendOutcome;
      try {
        outcome = await this.options.send(entry.submission);
      } catch (err) {
        outcome = { kind: 'retry', message: err instanceof Error ? err.message : String(err) };
      } finally {
        this.inFlight.delete(key);
      }
      this.apply(key, outcome);
    }
  }

  private apply(key: string, outcome: SendOutcome): void {
    const entries = this.list();
    const index = entries.findIndex((e) => e.submission.idempotencyKey === key);
    if (outcome.kind === 'saved' || outcome.kind === 'rejected') {
      if (index >= 0) {
        entries.splice(index, 1);
        this.save(entries);
      }
      this.emit(outcome.kind === 'saved'
        ? { key, status: 'saved', id: outcome.id, duplicate: outcome.duplicate }
        : { key, status: 'rejected', message: outcome.message });
      return;
    }
    // Another tab may have confirmed and removed it meanwhile: then there is nothing left to retry.
    if (index < 0) return;
    const entry = entries[index];
    entry.attempts += 1;
    entry.lastError = outcome.message;
    entry.nextAttemptAt = this.options.clock.now() + Math.max(this.backoff(entry.attempts), outcome.retryAfterMs ?? 0);
    this.save(entries);
    this.emit({ key, status: 'waiting', message: outcome.message, attempts: entry.attempts, nextAttemptAt: entry.nextAttemptAt });
  }

  /** Delay before attempt n+1 after n failures: base * 2^(n-1), capped, +-20 % jitter. */
  backoff(attempts: number): number {
    const exp = backoffDelay(attempts - 1, { initialMs: this.baseDelayMs, maxMs: this.maxDelayMs });
    return Math.round(exp * (0.8 + 0.4 * this.random()));
  }

  private save(entries: QueuedFeedback[]): void {
    if (this.memory) {
      this.memory = entries;
      return;
    }
    try {
      if (entries.length === 0) this.storage.removeItem(this.storageKey);
      else this.storage.setItem(this.storageKey, JSON.stringify(entries));
    } catch {
      this.memory = entries;
    }
  }

  private emit(e: QueueEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch {
        // A broken listener must not stop the queue.
      }
    }
  }
}

function isQueuedFeedback(v: unknown): v is QueuedFeedback {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  const s = e.submission as Record<string, unknown> | undefined;
  return typeof s === 'object' && s !== null && typeof s.idempotencyKey === 'string' && typeof s.predictionId === 'string'
    && (s.rating === 'up' || s.rating === 'down')
    && typeof e.attempts === 'number' && typeof e.nextAttemptAt === 'number' && typeof e.queuedAt === 'number';
}

/**
 * What an HTTP answer to `POST /api/feedback` means for the queue. `status` 0 is a network failure (fetch threw).
 * 400/413/422 are final (the server named a field it will never accept); 2xx with an id is saved; everything else —
 * 401 (link rotated: the owner may share a new one), 404 (an older server without the route), 408, 429, 5xx (507: the
 * owner's disk is full; it is told and space will be freed) — waits and retries.
 */
export function outcomeOf(status: number, body: unknown, retryAfterHeader?: string | null): SendOutcome {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const error = typeof b.error === 'string' ? b.error : undefined;
  if ((status === 200 || status === 201) && typeof b.id === 'string') {
    return { kind: 'saved', id: b.id, duplicate: b.duplicate === true };
  }
  if (status === 400 || status === 413 || status === 422) {
    return { kind: 'rejected', message: error ?? `the server refused the feedback (${status})` };
  }
  const retryAfterSeconds = retryAfterHeader ? Number(retryAfterHeader) : NaN;
  const retryAfterMs = Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0 ? Math.min(retryAfterSeconds, 600) * 1000 : undefined;
  let message: string;
  if (status === 0) message = 'no connection to the server';
  else if (status === 401) message = 'the share link is no longer valid; open the newest link you were sent';
  else if (status === 404) message = 'this server does not take feedback yet';
  else if (status === 507) message = "the model owner's computer has no room to save it right now; they have been told";
  else if (status >= 200 && status < 300) message = 'the server answered without confirming';
  else message = `the server answered ${status}${error ? `: ${error}` : ''}`;
  return { kind: 'retry', message, retryAfterMs };
}

/** A fresh idempotency key: 128 random bits as hex (getRandomValues works on plain-http tunnels too, unlike randomUUID). */
export function newIdempotencyKey(fill: (bytes: Uint8Array) => Uint8Array): string {
  const bytes = fill(new Uint8Array(16));
  return `fb-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Limits of `FeedbackSubmission` (src/shared/feedback.ts) repeated here so the page does not bundle zod; a test keeps them equal. */
export const FEEDBACK_LIMITS = { comment: 4000, reviewer: 100, expected: 1000 } as const;
