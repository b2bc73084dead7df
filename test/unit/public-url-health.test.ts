import * as assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { PublicUrlHealth, type ReachabilityChange } from '../../src/core/tunnel/public-url-health';

/**
 * The pace and threshold of the public URL's checks, on fake timers with a scripted check (each check's outcome is
 * chosen by the test; the real check through a real ssh tunnel and a refusing address is in
 * test/server/tunnel-health.test.ts).
 */
describe('PublicUrlHealth: checks of the public URL from outside (fake timers, scripted checks)', () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.uninstall());

  /** A check whose outcomes are scripted: true passes, a string fails with that reason, 'hang' never settles by itself. */
  function scripted(outcomes: Array<true | string | 'hang'>) {
    const at: number[] = [];
    const check = (_url: string, signal: AbortSignal) => {
      at.push(Date.now());
      const outcome = outcomes.shift() ?? true;
      if (outcome === true) return Promise.resolve();
      if (outcome === 'hang') return new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('timed out'))));
      return Promise.reject(new Error(outcome));
    };
    return { check, at };
  }

  it('first check 5 s after up, then every 60 s while it passes; nothing is reported while the link works', async () => {
    const { check, at } = scripted([]);
    const changes: ReachabilityChange[] = [];
    const start = Date.now();
    const health = new PublicUrlHealth('https://x.example/', (c) => changes.push(c), { check });
    await clock.tickAsync(4_999);
    assert.equal(at.length, 0);
    await clock.tickAsync(1);
    assert.deepEqual(at.map((t) => t - start), [5_000]);
    await clock.tickAsync(180_000);
    assert.deepEqual(at.map((t) => t - start), [5_000, 65_000, 125_000, 185_000]);
    assert.deepEqual(changes, []);
    health.stop();
  });

  it('unreachable only after 3 failed checks in a row (15 s apart), told once; reachable again at the first pass', async () => {
    const { check, at } = scripted(['refused', true, 'refused', 'refused', 'answered 502', 'refused', 'refused', true]);
    const changes: ReachabilityChange[] = [];
    const start = Date.now();
    const health = new PublicUrlHealth('https://x.example/', (c) => changes.push(c), { check });
    await clock.tickAsync(5_000 + 15_000); // fail, pass: a blip is not news
    assert.deepEqual(changes, []);
    await clock.tickAsync(60_000 + 15_000 + 15_000); // three failures in a row
    assert.deepEqual(changes, [{ type: 'unreachable', reason: 'answered 502', failures: 3 }]);
    await clock.tickAsync(15_000 + 15_000); // still failing: not told again
    assert.equal(changes.length, 1);
    await clock.tickAsync(15_000);
    assert.deepEqual(changes.at(-1), { type: 'reachable' });
    assert.deepEqual(at.map((t) => t - start), [5_000, 20_000, 80_000, 95_000, 110_000, 125_000, 140_000, 155_000]);
    health.stop();
  });

  it('a check that hangs is cut after 10 s and counts as a failure', async () => {
    const { check } = scripted(['hang', 'hang', 'hang']);
    const changes: ReachabilityChange[] = [];
    const health = new PublicUrlHealth('https://x.example/', (c) => changes.push(c), { check });
    await clock.tickAsync(5_000 + 3 * 10_000 + 2 * 15_000);
    assert.deepEqual(changes, [{ type: 'unreachable', reason: 'timed out', failures: 3 }]);
    health.stop();
  });

  it('stop() ends the checks, also one in progress', async () => {
    const { check, at } = scripted(['hang']);
    const changes: ReachabilityChange[] = [];
    const health = new PublicUrlHealth('https://x.example/', (c) => changes.push(c), { check, failuresBeforeUnreachable: 1 });
    await clock.tickAsync(5_000);
    health.stop();
    await clock.tickAsync(600_000);
    assert.equal(at.length, 1);
    assert.deepEqual(changes, []);
  });
});
