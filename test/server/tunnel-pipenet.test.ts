import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import { PipenetTunnelProvider } from '../../src/core/tunnel/pipenet-tunnel';
import { TunnelError, type OpenTunnel, type TunnelTarget } from '../../src/core/tunnel/tunnel-provider';
import { collectGarbage } from '../helpers/collect-garbage';
import { startPipenetServer, type PipenetServer } from '../helpers/pipenet-server';
import { pollUntil, sleep } from '../helpers/preview';

/** A small real local server standing in for the preview: it echoes what it was sent. */
async function startEchoServer(): Promise<{ server: http.Server; target: TunnelTarget }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString('utf8') }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, target: { localHost: '127.0.0.1', localPort: (server.address() as net.AddressInfo).port } };
}

interface Echo { status: number; json: { method: string; url: string; body: string } }

/**
 * The Host of a tunnel URL. Not `new URL(url).host`: WHATWG URL parsing rejects "<id>.127.0.0.1" (a name whose last
 * label is a number must be an IPv4 address), a quirk of this test's domain only.
 */
const hostOf = (tunnelUrl: string): string => tunnelUrl.replace(/^https?:\/\//, '').replace(/\/$/, '');

/** A public visitor's request: sent to the pipenet server with the tunnel's Host header, as DNS would route it. */
function viaTunnel(pipenet: PipenetServer, tunnel: OpenTunnel, method: string, path: string, body?: string): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: pipenet.port, method, path, agent: false, timeout: 5_000,
      headers: { host: hostOf(tunnel.url), ...(body === undefined ? {} : { 'content-type': 'text/plain' }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode!, json: JSON.parse(text) });
        } catch {
          reject(new Error(`HTTP ${res.statusCode}: ${text}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer through the tunnel within 5 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** How many connections the pipenet server holds for this tunnel (its own status route); 'gone' once it forgot it. */
async function serverSideConnections(pipenet: PipenetServer, tunnel: OpenTunnel): Promise<number | 'gone'> {
  const res = await fetch(`${pipenet.url}/api/tunnels/${tunnel.hint!.subdomain}/status`);
  if (res.status === 404) return 'gone';
  return ((await res.json()) as { connectedSockets: number }).connectedSockets;
}

/** A TCP server that accepts and never answers: a tunnel server that hangs. */
async function startSilentServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('server: pipenet tunnel (real pipenet server)', function () {
  this.timeout(30_000);

  let pipenet: PipenetServer;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  const opened: OpenTunnel[] = [];

  before(async () => {
    [pipenet, echo] = await Promise.all([startPipenetServer(), startEchoServer()]);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.close()));
  });

  after(async () => {
    await pipenet?.stop();
    echo?.server.closeAllConnections();
    await new Promise((resolve) => echo?.server.close(resolve));
  });

  async function open(provider: PipenetTunnelProvider, hint?: OpenTunnel['hint']): Promise<OpenTunnel> {
    const tunnel = await provider.open(echo.target, AbortSignal.timeout(10_000), hint);
    opened.push(tunnel);
    return tunnel;
  }

  it('public requests (GET, POST with a body, several at once) reach the local server', async () => {
    const tunnel = await open(new PipenetTunnelProvider({ server: pipenet.url }));
    const subdomain = tunnel.hint!.subdomain as string;
    assert.equal(tunnel.url, `http://${subdomain}.127.0.0.1:${pipenet.port}/`);

    const get = await viaTunnel(pipenet, tunnel, 'GET', '/v2/health/ready?x=1');
    assert.deepEqual(get, { status: 200, json: { method: 'GET', url: '/v2/health/ready?x=1', body: '' } });

    const text = `feedback ✓ ${'x'.repeat(100_000)}`; // more than one TCP segment, and not only ASCII
    const post = await viaTunnel(pipenet, tunnel, 'POST', '/api/feedback', text);
    assert.equal(post.status, 200);
    assert.equal(post.json.method, 'POST');
    assert.equal(post.json.body, text);

    // the server told us to open 10 connections: requests in parallel do not wait for each other
    const many = await Promise.all(Array.from({ length: 8 }, (_, i) => viaTunnel(pipenet, tunnel, 'GET', `/n/${i}`)));
    assert.deepEqual(many.map((r) => r.json.url), Array.from({ length: 8 }, (_, i) => `/n/${i}`));
  });

  it('asks for the subdomain it is given, and the hint wins over the option', async () => {
    const byOption = await open(new PipenetTunnelProvider({ server: pipenet.url, subdomain: 'iris-preview' }));
    assert.equal(byOption.hint!.subdomain, 'iris-preview');
    const byHint = await open(new PipenetTunnelProvider({ server: pipenet.url, subdomain: 'iris-preview' }), { subdomain: 'iris-hinted' });
    assert.equal(byHint.hint!.subdomain, 'iris-hinted');
    assert.equal((await viaTunnel(pipenet, byHint, 'GET', '/hinted')).json.url, '/hinted');
  });

  it('a subdomain the server refuses is a permanent error', async () => {
    const provider = new PipenetTunnelProvider({ server: pipenet.url, subdomain: 'No_Such' });
    await assert.rejects(provider.open(echo.target, AbortSignal.timeout(10_000)), (err: unknown) => {
      assert.ok(err instanceof TunnelError);
      assert.equal(err.permanent, true);
      assert.match(err.message, /HTTP 403.*Invalid subdomain/);
      assert.ok(err.message.includes(pipenet.url), err.message);
      return true;
    });
  });

  it('a malformed server URL is a permanent error', async () => {
    await assert.rejects(new PipenetTunnelProvider({ server: 'pipenet.dev' }).open(echo.target, AbortSignal.timeout(1_000)),
      (err: unknown) => err instanceof TunnelError && err.permanent && /not a URL/.test(err.message));
  });

  it('survives a server restart: emits close once, and a re-open with the hint gets the same URL back', async () => {
    const provider = new PipenetTunnelProvider({ server: pipenet.url });
    const first = await open(provider);
    assert.equal((await viaTunnel(pipenet, first, 'GET', '/before')).status, 200);
    const reasons: string[] = [];
    first.on('close', (reason) => reasons.push(reason));

    const closed = once(first, 'close', { signal: AbortSignal.timeout(10_000) });
    const restartedAt = performance.now();
    await pipenet.restart();
    const [reason] = await closed as [string];
    // pipenet's client does not recover by itself: its connections go back to the old tunnel port and are refused
    assert.match(reason, /pipenet/);
    assert.ok(reason.includes(pipenet.url), reason);
    assert.ok(performance.now() - restartedAt < 6_000, 'the drop is noticed within seconds');

    const second = await open(provider, first.hint);
    assert.equal(second.url, first.url, 'the share link survives the restart');
    assert.deepEqual((await viaTunnel(pipenet, second, 'POST', '/after', 'still here')).json,
      { method: 'POST', url: '/after', body: 'still here' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(reasons, [reason], "'close' is emitted once");
  });

  it('an unreachable server: one attempt, rejected at once (pipenet itself would retry every second, forever)', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const started = performance.now();
    await assert.rejects(new PipenetTunnelProvider({ server }).open(echo.target, AbortSignal.timeout(10_000)), (err: unknown) => {
      assert.ok(err instanceof TunnelError);
      assert.equal(err.permanent, false);
      assert.ok(err.message.includes(server), err.message);
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
    assert.ok(performance.now() - started < 1_000);
  });

  it('abort during open (a server that never answers) rejects promptly, naming the server', async () => {
    const silent = await startSilentServer();
    try {
      const controller = new AbortController();
      const opening = new PipenetTunnelProvider({ server: silent.url }).open(echo.target, controller.signal);
      setTimeout(() => controller.abort(), 200);
      const started = performance.now();
      await assert.rejects(opening, (err: unknown) => err instanceof TunnelError && /cancelled/.test(err.message) && err.message.includes(silent.url));
      assert.ok(performance.now() - started < 1_000, 'rejected promptly after the abort');

      // the internal bound applies too, with no abort from the caller, even when a garbage collection runs meanwhile
      // (in Node 20 an AbortSignal.timeout inside AbortSignal.any is only weakly held: collected, it never fired, and
      // fetch waited for undici's 300 s header timeout with a socket that kept mocha alive — nodejs/node#57736)
      const timedOut = new PipenetTunnelProvider({ server: silent.url, openTimeoutMs: 300 }).open(echo.target, new AbortController().signal);
      setTimeout(collectGarbage, 50);
      let bound: NodeJS.Timeout | undefined;
      const err = await Promise.race([timedOut.then(() => 'opened', (e: unknown) => e), new Promise((_resolve, reject) => {
        bound = setTimeout(() => reject(new Error('no answer 3 s after the 0.3 s bound: the bound was lost')), 3_300);
      })]).finally(() => clearTimeout(bound));
      assert.ok(err instanceof TunnelError && /longer than 0.3 s/.test(err.message), String(err));

      // and an already aborted signal does nothing at all
      await assert.rejects(new PipenetTunnelProvider({ server: pipenet.url }).open(echo.target, AbortSignal.abort()), TunnelError);
    } finally {
      await silent.stop();
    }
  });

  it('stays up when nobody uses it: every connection pipenet drops after 30 s idle is replaced (takes 32 s)', async function () {
    this.timeout(60_000);
    const tunnel = await open(new PipenetTunnelProvider({ server: pipenet.url }));
    const reasons: string[] = [];
    tunnel.on('close', (reason) => reasons.push(reason));
    await pollUntil(async () => (await serverSideConnections(pipenet, tunnel)) === 10 || undefined, 5_000, 'ten connections');
    // pipenet gives each connection a 30 s idle timeout on both halves; when the local half's fires first, pipenet
    // itself drops the connection without replacing it (seen: 0 to 6 of the 10 left after one idle period)
    await sleep(31_500);
    await pollUntil(async () => (await serverSideConnections(pipenet, tunnel)) === 10 || undefined, 5_000, 'ten connections again');
    assert.deepEqual(reasons, []);
    assert.equal((await viaTunnel(pipenet, tunnel, 'GET', '/after-idle')).json.url, '/after-idle');
  });

  it('close() releases every connection, on our side and on the server; no close event', async () => {
    const tunnel = await open(new PipenetTunnelProvider({ server: pipenet.url }));
    assert.equal((await viaTunnel(pipenet, tunnel, 'GET', '/x')).status, 200);
    await pollUntil(async () => (await serverSideConnections(pipenet, tunnel)) === 10 || undefined, 5_000, 'ten connections');
    let emitted = false;
    tunnel.on('close', () => { emitted = true; });

    await tunnel.close();
    await tunnel.close(); // idempotent
    // with no connection left, the server forgets the tunnel (after its 1 s grace)
    await pollUntil(async () => (await serverSideConnections(pipenet, tunnel)) === 'gone' || undefined, 5_000, 'the server forgetting the tunnel');
    // the local halves end too: the echo server is left with no connection
    await pollUntil(async () => {
      const count = await new Promise<number>((resolve, reject) => echo.server.getConnections((err, n) => err ? reject(err) : resolve(n)));
      return count === 0 || undefined;
    }, 5_000, 'no connection left on the local server');
    assert.equal(emitted, false);
    assert.equal((await viaTunnel(pipenet, tunnel, 'GET', '/gone')).status, 404);
  });
});
