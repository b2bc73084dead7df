import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import FakeTimers from '@sinonjs/fake-timers';
import { TunnelKeeper, type TunnelChange } from '../../src/core/tunnel/tunnel-keeper';
import { TunnelError, type OpenTunnel, type OpenTunnelEvents, type TunnelHint, type TunnelProvider } from '../../src/core/tunnel/tunnel-provider';

/**
 * The keeper's reconnect policy, driven by a scripted provider (the real providers are tested against real servers in
 * test/server/tunnel-*.test.ts; here each open's outcome is chosen by the test) on fake timers: the test moves the
 * clock, so delays and timeouts are exact and nothing waits for real time.
 */
class ScriptedTunnel extends EventEmitter<OpenTunnelEvents> implements OpenTunnel {
  closed = false;
  constructor(readonly url: string, readonly hint?: TunnelHint) {
    super();
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  drop(reason: string): void {
    this.emit('close', reason);
  }
}

type Outcome = { url: string; hint?: TunnelHint } | Error | 'hang';

class ScriptedProvider implements TunnelProvider {
  readonly name = 'scripted';
  readonly opened: ScriptedTunnel[] = [];
  readonly hints: Array<TunnelHint | undefined> = [];
  readonly signals: AbortSignal[] = [];
  constructor(private readonly outcomes: Outcome[]) {}
  async open(_target: unknown, signal: AbortSignal, hint?: TunnelHint): Promise<OpenTunnel> {
    this.hints.push(hint);
    this.signals.push(signal);
    const outcome = this.outcomes.shift() ?? new TunnelError('no more scripted outcomes');
    if (outcome === 'hang') return new Promise<never>(() => undefined); // ignores the signal on purpose
    if (outcome instanceof Error) throw outcome;
    const tunnel = new ScriptedTunnel(outcome.url, outcome.hint);
    this.opened.push(tunnel);
    return tunnel;
  }
}

const target = { localHost: '127.0.0.1', localPort: 1 };
const fast = { initialDelayMs: 5, maxDelayMs: 20, openTimeoutMs: 200 };

function changes(keeper: TunnelKeeper): TunnelChange[] {
  const seen: TunnelChange[] = [];
  keeper.on('change', (c) => seen.push(c));
  return seen;
}

let clock: ReturnType<typeof FakeTimers.install>;
/** For the tests of the describe block it is called in (a hook outside one would fake the timers of every test file). */
function useFakeTimers(): void {
  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.uninstall());
}

describe('TunnelKeeper (scripted provider)', () => {
  useFakeTimers();

  it('opens, and after a drop re-opens with the hint of the last tunnel so the URL can stay the same', async () => {
    const provider = new ScriptedProvider([{ url: 'https://a.example/', hint: { remotePort: 4242 } }, { url: 'https://a.example/' }]);
    const keeper = new TunnelKeeper(provider, target, fast);
    const seen = changes(keeper);
    assert.equal(await keeper.start(), 'https://a.example/');
    provider.opened[0].drop('connection reset');
    await clock.tickAsync(4);
    assert.deepEqual(seen.map((c) => c.type), ['up', 'down'], 'not before the initial delay');
    await clock.tickAsync(1);
    assert.deepEqual(provider.hints, [undefined, { remotePort: 4242 }]);
    assert.deepEqual(seen.map((c) => c.type), ['up', 'down', 'up']);
    const down = seen[1] as Extract<TunnelChange, { type: 'down' }>;
    assert.equal(down.reason, 'connection reset');
    assert.equal(down.retryInMs, 5, 'first retry after the initial delay');
    assert.equal(keeper.url, 'https://a.example/');
    await keeper.stop();
  });

  it('reports a changed URL when the provider could not keep the old one', async () => {
    const provider = new ScriptedProvider([{ url: 'https://a.example/' }, { url: 'https://b.example/' }]);
    const keeper = new TunnelKeeper(provider, target, fast);
    const seen = changes(keeper);
    await keeper.start();
    provider.opened[0].drop('gone');
    await clock.tickAsync(5);
    assert.deepEqual(seen.find((c) => c.type === 'url-changed'), { type: 'url-changed', previousUrl: 'https://a.example/', url: 'https://b.example/' });
    await keeper.stop();
  });

  it('backs off exponentially between failed re-opens and gives up after maxAttempts, saying why', async () => {
    const failures = Array.from({ length: 3 }, (_, i) => new TunnelError(`refused ${i + 1}`));
    const provider = new ScriptedProvider([{ url: 'https://a.example/' }, ...failures]);
    const keeper = new TunnelKeeper(provider, target, { ...fast, maxAttempts: 3, maxDelayMs: 1000 });
    const seen = changes(keeper);
    await keeper.start();
    provider.opened[0].drop('dropped');
    await clock.tickAsync(5 + 10 + 20);
    const downs = seen.filter((c): c is Extract<TunnelChange, { type: 'down' }> => c.type === 'down');
    assert.deepEqual(downs.map((d) => d.retryInMs), [5, 10, 20, undefined]);
    assert.deepEqual(downs.map((d) => d.attempt), [1, 2, 3, 4]);
    assert.match(downs[3].reason, /refused 3 \(gave up after 3 attempts\)/);
    assert.equal(keeper.url, undefined);
    await keeper.stop();
  });

  it('does not retry a permanent failure (a refused host key)', async () => {
    const provider = new ScriptedProvider([{ url: 'https://a.example/' }, new TunnelError('host key changed', true), { url: 'https://never.example/' }]);
    const keeper = new TunnelKeeper(provider, target, fast);
    const seen = changes(keeper);
    await keeper.start();
    provider.opened[0].drop('dropped');
    await clock.tickAsync(5);
    assert.equal(seen.at(-1)?.type, 'down');
    assert.equal(clock.countTimers(), 0, 'no retry is scheduled');
    await clock.tickAsync(60_000);
    assert.equal(provider.hints.length, 2, 'no third open after a permanent failure');
    assert.equal((seen.at(-1) as { reason: string }).reason, 'host key changed');
    await keeper.stop();
  });

  it('bounds an open that never answers, and aborts the provider\'s signal', async () => {
    const provider = new ScriptedProvider(['hang']);
    const keeper = new TunnelKeeper(provider, target, { ...fast, openTimeoutMs: 100 });
    const started = Date.now();
    const rejected = assert.rejects(keeper.start(), (err: Error) => err instanceof TunnelError && /did not open within 0.1 s/.test(err.message));
    await clock.tickAsync(99);
    assert.equal(provider.signals[0].aborted, false);
    await clock.tickAsync(1);
    await rejected;
    assert.equal(Date.now() - started, 100, 'given up exactly at the open timeout');
    assert.equal(provider.signals[0].aborted, true);
  });

  it('stop() during a pending re-open cancels it and closes nothing twice', async () => {
    const provider = new ScriptedProvider([{ url: 'https://a.example/' }, 'hang']);
    const keeper = new TunnelKeeper(provider, target, { ...fast, openTimeoutMs: 10_000 });
    const seen = changes(keeper);
    await keeper.start();
    provider.opened[0].drop('dropped');
    await clock.tickAsync(5);
    assert.equal(provider.signals.length, 2);
    await keeper.stop();
    assert.equal(provider.signals[1].aborted, true, 'the pending open was told to stop');
    await clock.tickAsync(60_000);
    assert.deepEqual(seen.map((c) => c.type), ['up', 'down']);
    assert.equal(provider.signals.length, 2, 'and nothing re-opened it');
  });

  it('closes a tunnel that opened after the keeper gave up waiting for it', async () => {
    let resolveLate!: (t: OpenTunnel) => void;
    const late = new ScriptedTunnel('https://late.example/');
    const provider: TunnelProvider = { name: 'late', open: () => new Promise((resolve) => (resolveLate = resolve)) };
    const keeper = new TunnelKeeper(provider, target, { ...fast, openTimeoutMs: 50 });
    const rejected = assert.rejects(keeper.start(), /did not open/);
    await clock.tickAsync(50);
    await rejected;
    resolveLate(late);
    await clock.tickAsync(0);
    assert.equal(late.closed, true);
  });
});

describe('TunnelKeeper: a provider\'s minimum re-open delay', () => {
  useFakeTimers();

  it('waits at least the provider\'s reopenDelayMs before the first re-open (pipenet needs a second to give the URL back)', async () => {
    const provider = Object.assign(new ScriptedProvider([{ url: 'https://a.example/' }, { url: 'https://a.example/' }]), { reopenDelayMs: 120 });
    const keeper = new TunnelKeeper(provider, target, fast);
    const seen = changes(keeper);
    await keeper.start();
    provider.opened[0].drop('idle');
    assert.equal((seen[1] as { retryInMs?: number }).retryInMs, 120);
    await clock.tickAsync(119);
    assert.equal(provider.hints.length, 1, 'not re-opened before the provider\'s delay (the keeper\'s own is 5 ms)');
    await clock.tickAsync(1);
    assert.deepEqual(seen.map((c) => c.type), ['up', 'down', 'up']);
    await keeper.stop();
  });
});

describe('TunnelKeeper: checks of the public URL from outside (scripted provider and checks, fake timers)', () => {
  useFakeTimers();

  it('checks each opened tunnel\'s URL, reports unreachable and reachable for the tunnel that is up, and stops with a drop', async () => {
    const provider = new ScriptedProvider([{ url: 'https://a.example/' }, { url: 'https://b.example/' }]);
    const checked: string[] = [];
    let failing = true;
    const check = async (url: string) => {
      checked.push(url);
      if (failing) throw new Error('refused');
    };
    const keeper = new TunnelKeeper(provider, target, { ...fast, health: { firstCheckMs: 10, retryMs: 10, intervalMs: 50, failuresBeforeUnreachable: 2, check } });
    const seen = changes(keeper);
    await keeper.start();
    await clock.tickAsync(20);
    assert.deepEqual(seen, [{ type: 'up', url: 'https://a.example/' }, { type: 'unreachable', url: 'https://a.example/', reason: 'refused', failures: 2 }]);
    failing = false;
    await clock.tickAsync(10);
    assert.deepEqual(seen.at(-1), { type: 'reachable', url: 'https://a.example/' });

    provider.opened[0].drop('gone');
    const before = checked.length;
    await clock.tickAsync(5); // re-opened as b
    assert.equal(checked.length, before, 'no check of a dropped tunnel');
    await clock.tickAsync(10);
    assert.equal(checked.at(-1), 'https://b.example/', 'the new tunnel is checked from its own first check');
    await keeper.stop();
    const stopped = checked.length;
    await clock.tickAsync(1_000);
    assert.equal(checked.length, stopped, 'nothing after stop()');
  });
});
