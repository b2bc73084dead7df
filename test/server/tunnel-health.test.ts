import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import { createTunnelProvider } from '../../src/core/tunnel/create-tunnel-provider';
import type { OpenTunnel, OpenTunnelEvents, TunnelProvider } from '../../src/core/tunnel/tunnel-provider';
import type { PreviewEvent, TunnelUnreachableEvent } from '../../src/shared/events';
import { IRIS_MODEL, pollUntil, startPreview, type Preview } from '../helpers/preview';
import { freePort, startThrowawaySshd, type ThrowawaySshd } from '../helpers/throwaway-sshd';

/** Quick checks for tests: the first at once, then often, unreachable after two failures in a row. */
const QUICK_HEALTH = { firstCheckMs: 50, intervalMs: 200, retryMs: 100, failuresBeforeUnreachable: 2, timeoutMs: 2_000 };

/**
 * A stand-in provider (no real relay can run here for this case): it "opens" at once and names a public URL that the
 * test controls — a port nobody listens on, or a small HTTP relay the test starts. The keeper's checks are real HTTP.
 */
class StandInProvider implements TunnelProvider {
  readonly name = 'stand-in';
  constructor(private readonly publicUrl: string) {}
  async open(): Promise<OpenTunnel> {
    const tunnel = Object.assign(new EventEmitter<OpenTunnelEvents>(), { url: this.publicUrl, close: async () => undefined });
    return tunnel;
  }
}

/** A relay on `port` that forwards to the preview (a tunnel's public side that works), or answers every request with `status`. */
async function startRelay(port: number, to: { port: number } | { status: number }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if ('status' in to) return void res.writeHead(to.status, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
    const forwarded = http.request({ host: '127.0.0.1', port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

const healthChecksServed = async (p: Preview): Promise<number> => {
  const metrics = await p.get('/metrics', p.ownerToken);
  return Number(/^model_preview_http_requests_total\{route="\/v2\/health\/live",method="GET",status="200"\} (\d+)$/m.exec(metrics.text)?.[1] ?? 0);
};

describe('server: the tunnel keeper checks the public URL from outside', function () {
  this.timeout(30_000);
  let p: Preview | undefined;
  let relay: http.Server | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
    relay?.closeAllConnections();
    await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
    relay = undefined;
  });

  describe('through a real ssh tunnel (throwaway sshd on loopback)', () => {
    let sshd: ThrowawaySshd;
    before(async () => {
      sshd = await startThrowawaySshd();
    });
    after(async () => sshd?.dispose());

    it('the checks travel the tunnel and pass: the state stays up, nothing is reported', async () => {
      const provider = await createTunnelProvider(
        { provider: 'ssh', host: sshd.host, port: sshd.port, user: sshd.username, identityFile: sshd.clientKeyPath, hostKey: sshd.hostKeyLine, remotePort: 0 },
        {},
      );
      p = await startPreview(IRIS_MODEL, { tunnel: provider, tunnelKeeper: { health: QUICK_HEALTH } });
      const preview = p;
      assert.notEqual(new URL(preview.session.shareLink().publicUrl!).port, String(preview.port), 'the public side is the ssh server\'s port');
      await pollUntil(async () => ((await healthChecksServed(preview)) >= 3 ? true : undefined), 10_000, 'three health checks to arrive through the tunnel');
      assert.equal(preview.session.shareLink().tunnel.state, 'up');
      assert.deepEqual(preview.events.filter((e) => e.event === 'tunnel-unreachable'), []);
    });
  });

  it('a public URL that refuses connections: "tunnel-unreachable" after the failures in a row, then "tunnel-up" once a relay answers for it', async () => {
    const port = await freePort();
    p = await startPreview(IRIS_MODEL, { tunnel: new StandInProvider(`http://127.0.0.1:${port}/`), tunnelKeeper: { health: QUICK_HEALTH } });
    const unreachable = await p.waitForEvent((e) => e.event === 'tunnel-unreachable', 10_000) as TunnelUnreachableEvent;
    assert.equal(unreachable.provider, 'stand-in');
    assert.equal(unreachable.publicUrl, `http://127.0.0.1:${port}/`);
    assert.equal(unreachable.failedChecks, 2);
    assert.match(unreachable.reason, /could not be reached \(ECONNREFUSED\)/);
    assert.equal(p.session.shareLink().tunnel.state, 'unreachable');

    relay = await startRelay(port, { port: p.port });
    const back = await p.waitForEvent((e) => e.event === 'tunnel-up' && p!.events.indexOf(e) > p!.events.indexOf(unreachable), 10_000);
    assert.deepEqual(back, { event: 'tunnel-up', provider: 'stand-in', publicUrl: `http://127.0.0.1:${port}/`, shareUrl: `http://127.0.0.1:${port}/?t=${p.shareToken}` });
    assert.equal(p.session.shareLink().tunnel.state, 'up');
    assert.equal(p.events.filter((e: PreviewEvent) => e.event === 'tunnel-unreachable').length, 1, 'told once');
  });

  it('a relay that answers 502 for the preview is unreachable too, and says so', async () => {
    const port = await freePort();
    relay = await startRelay(port, { status: 502 });
    p = await startPreview(IRIS_MODEL, { tunnel: new StandInProvider(`http://127.0.0.1:${port}/`), tunnelKeeper: { health: QUICK_HEALTH } });
    const unreachable = await p.waitForEvent((e) => e.event === 'tunnel-unreachable', 10_000) as TunnelUnreachableEvent;
    assert.equal(unreachable.reason, `http://127.0.0.1:${port} answered 502 instead of this preview`);
  });
});
