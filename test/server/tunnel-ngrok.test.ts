import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { NgrokTunnelProvider } from '../../src/core/tunnel/ngrok-tunnel';
import { TunnelError, type TunnelTarget } from '../../src/core/tunnel/tunnel-provider';
import { collectGarbage } from '../helpers/collect-garbage';
import { sleep } from '../helpers/preview';

/*
 * The real @ngrok/ngrok agent, with no ngrok service to talk to: these tests are about failing well. Nothing listens
 * on the target: no test gets as far as forwarding.
 */
const TARGET: TunnelTarget = { localHost: '127.0.0.1', localPort: 9 };

/** A TCP server that accepts and never answers: an ngrok service that hangs (the TLS handshake never completes). */
async function startSilentServer(): Promise<{ addr: string; accepted(): number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    addr: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    accepted: () => accepted,
    async stop() {
      for (const s of sockets) s.destroy(); // the abandoned native connect fails now: its rejection must be caught
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Collects unhandled rejections while a test runs. */
function watchUnhandled(): { seen: unknown[]; stop(): void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  return { seen, stop: () => process.off('unhandledRejection', listener) };
}

describe('server: ngrok tunnel (real agent, no ngrok service)', function () {
  this.timeout(20_000);

  it('no authtoken: a permanent error that names NGROK_AUTHTOKEN, before loading anything', async () => {
    for (const authtoken of [undefined, '', '   ']) {
      await assert.rejects(new NgrokTunnelProvider({ authtoken }).open(TARGET, new AbortController().signal), (err: unknown) => {
        assert.ok(err instanceof TunnelError);
        assert.equal(err.permanent, true);
        assert.match(err.message, /NGROK_AUTHTOKEN/);
        assert.match(err.message, /secret/);
        return true;
      });
    }
  });

  it('a basic-auth entry that is not "user:password" is a permanent error', async () => {
    for (const entry of ['alice', ':secret', 'alice:']) {
      await assert.rejects(new NgrokTunnelProvider({ authtoken: 'token', basicAuth: [entry] }).open(TARGET, new AbortController().signal),
        (err: unknown) => err instanceof TunnelError && err.permanent && /user:password/.test(err.message));
    }
  });

  it('no network: rejects with a TunnelError within 10 s, and nothing rejects unhandled afterwards', async () => {
    const unhandled = watchUnhandled();
    try {
      const started = performance.now();
      // Offline, the agent fails to connect at once; on a machine with internet the service refuses this authtoken
      // (ERR_NGROK_105, permanent). Either way: a TunnelError saying it is ngrok's, quickly.
      await assert.rejects(new NgrokTunnelProvider({ authtoken: 'not-a-real-token' }).open(TARGET, AbortSignal.timeout(10_000)),
        (err: unknown) => {
          assert.ok(err instanceof TunnelError, String(err));
          assert.match(err.message, /^ngrok: /);
          assert.doesNotMatch(err.message, /cancelled|did not answer/, 'the agent failed by itself, not by our bound');
          return true;
        });
      assert.ok(performance.now() - started < 10_000);
      await sleep(2_000);
      assert.deepEqual(unhandled.seen, []);
    } finally {
      unhandled.stop();
    }
  });

  it('a server that never answers: the caller\'s abort ends the wait at once; the abandoned connect is caught', async () => {
    const silent = await startSilentServer();
    const unhandled = watchUnhandled();
    try {
      const provider = new NgrokTunnelProvider({ authtoken: 'token', serverAddr: silent.addr });
      const controller = new AbortController();
      const opening = provider.open(TARGET, controller.signal);
      const abortAfter = 500;
      setTimeout(() => controller.abort(), abortAfter);
      const started = performance.now();
      await assert.rejects(opening, (err: unknown) => {
        assert.ok(err instanceof TunnelError);
        assert.equal(err.permanent, false);
        assert.match(err.message, /cancelled/);
        assert.ok(err.message.includes(silent.addr), err.message);
        return true;
      });
      const waited = performance.now() - started;
      assert.ok(waited >= abortAfter - 50 && waited < abortAfter + 500, `rejected ${waited.toFixed(0)} ms after open`);
      assert.equal(silent.accepted(), 1, 'the agent did reach the silent server');

      await silent.stop(); // the native connect now fails, long after we stopped waiting for it
      await sleep(2_000);
      assert.deepEqual(unhandled.seen, []);
    } finally {
      unhandled.stop();
      await silent.stop();
    }
  });

  it('a server that never answers: our own timeout ends the wait when the caller never aborts', async () => {
    const silent = await startSilentServer();
    const unhandled = watchUnhandled();
    try {
      const provider = new NgrokTunnelProvider({ authtoken: 'token', serverAddr: silent.addr, openTimeoutMs: 700 });
      const started = performance.now();
      // A garbage collection meanwhile must not lose the bound (Node 20 lost an AbortSignal.timeout inside
      // AbortSignal.any that nothing else held: nodejs/node#57736).
      setTimeout(collectGarbage, 100);
      let bound: NodeJS.Timeout | undefined;
      const opening = Promise.race([provider.open(TARGET, new AbortController().signal), new Promise<never>((_resolve, reject) => {
        bound = setTimeout(() => reject(new Error('no answer 3 s after the 0.7 s bound: the bound was lost')), 3_700);
      })]).finally(() => clearTimeout(bound));
      await assert.rejects(opening, (err: unknown) => {
        assert.ok(err instanceof TunnelError);
        assert.match(err.message, /did not answer within 0.7 s/);
        return true;
      });
      const waited = performance.now() - started;
      // Under a CI run's load the rejection came 2.5 s after open: the bound held (the race above tells a lost one).
      assert.ok(waited >= 650 && waited < 3_500, `rejected after ${waited.toFixed(0)} ms`);
      await silent.stop();
      await sleep(2_000);
      assert.deepEqual(unhandled.seen, []);
    } finally {
      unhandled.stop();
      await silent.stop();
    }
  });

  it('an already aborted signal: rejected without starting anything', async () => {
    const silent = await startSilentServer();
    try {
      await assert.rejects(new NgrokTunnelProvider({ authtoken: 'token', serverAddr: silent.addr }).open(TARGET, AbortSignal.abort()), TunnelError);
      await sleep(100);
      assert.equal(silent.accepted(), 0);
    } finally {
      await silent.stop();
    }
  });
});
