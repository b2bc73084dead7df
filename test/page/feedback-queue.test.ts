import assert from 'node:assert/strict';
import { MAX_COMMENT, MAX_EXPECTED, MAX_REVIEWER, type FeedbackSubmission } from '../../src/shared/feedback';
import {
  FEEDBACK_LIMITS, FEEDBACK_QUEUE_STORAGE_KEY, FeedbackQueue, newIdempotencyKey, outcomeOf,
  type KeyValueStorage, type QueueEvent, type SendOutcome,
} from '../../src/page/logic/feedback-queue';

class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

class FakeClock {
  t = 1_000_000;
  now() { return this.t; }
}

const submission = (key = 'fb-0123456789abcdef', extra: Partial<FeedbackSubmission> = {}): FeedbackSubmission =>
  ({ predictionId: 'pred-1', rating: 'down', expected: 'virginica', comment: 'no', idempotencyKey: key, ...extra });

/** A server double: answers from a script, records every submission it received. */
function scripted(...answers: Array<SendOutcome | Error>) {
  const received: FeedbackSubmission[] = [];
  const send = async (s: FeedbackSubmission): Promise<SendOutcome> => {
    received.push(s);
    const next = answers.shift() ?? { kind: 'saved', id: 'id-x', duplicate: false };
    if (next instanceof Error) throw next;
    return next;
  };
  return { send, received };
}

function setup(...answers: Array<SendOutcome | Error>) {
  const storage = new MemoryStorage();
  const clock = new FakeClock();
  const server = scripted(...answers);
  const events: QueueEvent[] = [];
  const queue = new FeedbackQueue({ storage, clock, send: server.send, random: () => 0.5 });
  queue.onEvent((e) => events.push(e));
  return { storage, clock, server, events, queue };
}

const offline: SendOutcome = { kind: 'retry', message: 'no connection to the server' };

describe('page: feedback queue (never lost, never stored twice)', () => {
  it('stores before sending, then forgets only what the server confirmed', async () => {
    const { storage, server, events, queue } = setup({ kind: 'saved', id: 'fb-1', duplicate: false });
    let storedWhenSent: string | undefined;
    const original = server.send;
    const spy = new FeedbackQueue({
      storage, clock: { now: () => 0 }, random: () => 0.5,
      send: async (s) => {
        storedWhenSent = storage.getItem(FEEDBACK_QUEUE_STORAGE_KEY) ?? undefined;
        return original(s);
      },
    });
    spy.onEvent((e) => events.push(e));
    await spy.submit(submission());
    assert.match(storedWhenSent ?? '', /fb-0123456789abcdef/, 'in storage before the first attempt');
    assert.equal(storage.getItem(FEEDBACK_QUEUE_STORAGE_KEY), null, 'removed once saved');
    assert.deepEqual(events.map((e) => e.status), ['sending', 'saved']);
    assert.deepEqual(events[1], { key: 'fb-0123456789abcdef', status: 'saved', id: 'fb-1', duplicate: false });
    assert.deepEqual(queue.list(), []);
  });

  it('a failed attempt waits with backoff and retries with the SAME key until confirmed', async () => {
    const { clock, server, events, queue } = setup(offline, new Error('fetch failed'), { kind: 'saved', id: 'fb-9', duplicate: true });
    await queue.submit(submission());
    assert.equal(queue.list()[0].attempts, 1);
    assert.equal(queue.nextAttemptAt(), clock.t + 1000, 'first retry after 1 s');
    const waiting = events.at(-1);
    assert.equal(waiting?.status, 'waiting');

    await queue.flush();
    assert.equal(server.received.length, 1, 'not due yet: nothing sent');

    clock.t += 1000;
    await queue.flush();
    assert.equal(server.received.length, 2);
    assert.equal(queue.list()[0].attempts, 2);
    assert.equal(queue.list()[0].lastError, 'fetch failed', 'a thrown send is a retry');
    assert.equal(queue.nextAttemptAt(), clock.t + 2000, 'then 2 s');

    clock.t += 2000;
    await queue.flush();
    assert.equal(server.received.length, 3);
    assert.deepEqual(new Set(server.received.map((s) => s.idempotencyKey)), new Set(['fb-0123456789abcdef']));
    assert.deepEqual(server.received[2], submission(), 'the same content every time');
    assert.deepEqual(queue.list(), []);
    assert.deepEqual(events.at(-1), { key: 'fb-0123456789abcdef', status: 'saved', id: 'fb-9', duplicate: true });
  });

  it('a page reload (a new queue over the same storage) picks up what was waiting', async () => {
    const { storage, clock, queue } = setup(offline);
    await queue.submit(submission());
    const server = scripted({ kind: 'saved', id: 'fb-2', duplicate: false });
    const reloaded = new FeedbackQueue({ storage, clock, send: server.send });
    assert.equal(reloaded.list().length, 1);
    await reloaded.flush();
    assert.equal(server.received.length, 0, 'still backing off');
    reloaded.retryAllNow(); // page load / `online` event
    await reloaded.flush();
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0].idempotencyKey, 'fb-0123456789abcdef');
    assert.deepEqual(reloaded.list(), []);
  });

  it('a refused submission (400) is dropped and reported, not retried forever', async () => {
    const { server, events, queue } = setup({ kind: 'rejected', message: 'comment: must be at most 4000 characters' });
    await queue.submit(submission());
    assert.deepEqual(queue.list(), []);
    assert.deepEqual(events.at(-1), { key: 'fb-0123456789abcdef', status: 'rejected', message: 'comment: must be at most 4000 characters' });
    await queue.flush();
    assert.equal(server.received.length, 1);
  });

  it('backoff doubles up to the cap, with jitter, and honours a longer Retry-After', () => {
    const { queue } = setup();
    assert.deepEqual([1, 2, 3, 4, 7, 8, 20].map((n) => queue.backoff(n)), [1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
    const low = new FeedbackQueue({ storage: new MemoryStorage(), clock: new FakeClock(), send: async () => offline, random: () => 0 });
    const high = new FeedbackQueue({ storage: new MemoryStorage(), clock: new FakeClock(), send: async () => offline, random: () => 1 });
    assert.equal(low.backoff(3), 3200);
    assert.equal(high.backoff(3), 4800);
  });

  it('waits for the server’s Retry-After when it is longer than the backoff', async () => {
    const { clock, queue } = setup({ kind: 'retry', message: 'busy', retryAfterMs: 30_000 });
    await queue.submit(submission());
    assert.equal(queue.nextAttemptAt(), clock.t + 30_000);
  });

  it('queues a key once, and concurrent flushes send it once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const received: string[] = [];
    const queue = new FeedbackQueue({
      storage: new MemoryStorage(), clock: new FakeClock(),
      send: async (s) => {
        received.push(s.idempotencyKey);
        await gate;
        return { kind: 'saved', id: 'x', duplicate: false };
      },
    });
    queue.enqueue(submission());
    queue.enqueue(submission());
    assert.equal(queue.list().length, 1);
    const a = queue.flush();
    const b = queue.flush();
    const c = queue.submit(submission('fb-second-key-0000'));
    release();
    await Promise.all([a, b, c]);
    assert.deepEqual(received, ['fb-0123456789abcdef', 'fb-second-key-0000']);
  });

  it('keeps working in memory when storage throws (private browsing, quota)', async () => {
    const broken: KeyValueStorage = {
      getItem: () => { throw new Error('SecurityError'); },
      setItem: () => { throw new Error('QuotaExceededError'); },
      removeItem: () => { throw new Error('SecurityError'); },
    };
    const server = scripted(offline, { kind: 'saved', id: 'ok', duplicate: false });
    const clock = new FakeClock();
    const queue = new FeedbackQueue({ storage: broken, clock, send: server.send });
    await queue.submit(submission());
    assert.equal(queue.list().length, 1);
    queue.retryAllNow();
    await queue.flush();
    assert.deepEqual(queue.list(), []);
    assert.equal(server.received.length, 2);
  });

  it('ignores garbage in storage', () => {
    const storage = new MemoryStorage();
    storage.setItem(FEEDBACK_QUEUE_STORAGE_KEY, '[{"submission":{"rating":"meh"}}, 3, null]');
    assert.deepEqual(new FeedbackQueue({ storage, clock: new FakeClock(), send: async () => offline }).list(), []);
    storage.setItem(FEEDBACK_QUEUE_STORAGE_KEY, '{not json');
    assert.deepEqual(new FeedbackQueue({ storage, clock: new FakeClock(), send: async () => offline }).list(), []);
  });

  it('maps HTTP answers: 200/201 saved, 400 refused, network/401/404/5xx retried', () => {
    assert.deepEqual(outcomeOf(201, { id: 'a' }), { kind: 'saved', id: 'a', duplicate: false });
    assert.deepEqual(outcomeOf(200, { id: 'a', duplicate: true }), { kind: 'saved', id: 'a', duplicate: true });
    assert.deepEqual(outcomeOf(400, { error: 'rating: must be "up" or "down"' }), { kind: 'rejected', message: 'rating: must be "up" or "down"' });
    assert.equal(outcomeOf(413, {}).kind, 'rejected');
    for (const status of [0, 401, 404, 408, 429, 500, 502, 503, 504]) assert.equal(outcomeOf(status, undefined).kind, 'retry', String(status));
    assert.equal(outcomeOf(200, {}).kind, 'retry', 'a 200 without an id is not a confirmation');
    assert.deepEqual(outcomeOf(503, { error: 'busy' }, '5'), { kind: 'retry', message: 'the server answered 503: busy', retryAfterMs: 5000 });
    assert.equal((outcomeOf(0, undefined) as { message: string }).message, 'no connection to the server');
  });

  it('a full disk on the server (507) keeps the feedback queued and says so in words, not as a status code', () => {
    const outcome = outcomeOf(507, { error: "the preview owner's disk is full, so nothing new can be saved right now; try again later (the owner has been told)" }, '30');
    assert.deepEqual(outcome, { kind: 'retry', message: "the model owner's computer has no room to save it right now; they have been told", retryAfterMs: 30_000 });
  });

  it('makes 128-bit hex idempotency keys the server accepts (8..100 characters)', () => {
    let n = 0;
    const key = newIdempotencyKey((b) => b.map(() => n++));
    assert.equal(key, 'fb-000102030405060708090a0b0c0d0e0f');
    assert.ok(key.length >= 8 && key.length <= 100);
  });

  it('the page’s field limits are the schema’s (src/shared/feedback.ts)', () => {
    assert.deepEqual(FEEDBACK_LIMITS, { comment: MAX_COMMENT, reviewer: MAX_REVIEWER, expected: MAX_EXPECTED });
  });
});
