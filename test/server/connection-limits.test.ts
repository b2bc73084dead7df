import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { IRIS_MODEL, pollUntil, sleep, startPreview, type Preview } from '../helpers/preview';

/**
 * Caps on open connections, tested with real sockets: a client (its X-Forwarded-For behind loopback, as through a
 * tunnel) over its cap, every connection over the total cap, connections that never send a request, and a flood.
 * Over a cap a request gets 503 with Retry-After and the connection is closed; the server never crashes.
 */
interface Connection {
  socket: net.Socket;
  /** Sends one request and resolves with its status line, headers and body. */
  request(headers?: Record<string, string>, path?: string): Promise<{ status: number; headers: string; body: string }>;
  closed: Promise<void>;
}

function connect(port: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      socket.on('error', () => undefined); // a reset by the server shows as `closed`
      resolve({
        socket, closed,
        request: (headers = {}, path = '/v2/health/live') => new Promise((answered, failed) => {
          let text = '';
          const onData = (chunk: Buffer) => {
            text += chunk.toString('latin1');
            const end = text.indexOf('\r\n\r\n');
            if (end < 0) return;
            const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
            if (text.length < end + 4 + length) return;
            socket.off('data', onData);
            answered({ status: Number(text.slice(9, 12)), headers: text.slice(0, end), body: text.slice(end + 4, end + 4 + length) });
          };
          socket.on('data', onData);
          void closed.then(() => failed(new Error(`closed before an answer; got ${JSON.stringify(text)}`)));
          socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
        }),
      });
    });
  });
}

describe('server: caps on open connections (real sockets)', function () {
  this.timeout(30_000);
  let p: Preview;
  const open: Connection[] = [];
  const connectTracked = async () => {
    const c = await connect(p.port);
    open.push(c);
    return c;
  };
  beforeEach(async () => (p = await startPreview(IRIS_MODEL, { connectionLimits: { perClient: 3, total: 8 } })));
  afterEach(async () => {
    open.splice(0).forEach((c) => c.socket.destroy());
    await p?.stop();
  });

  it('a client over its cap gets 503 with Retry-After and the connection closes; other clients and the owner get in; a closed connection frees its place', async () => {
    const a = { 'x-forwarded-for': '198.51.100.1' };
    const held = [await connectTracked(), await connectTracked(), await connectTracked()];
    for (const c of held) assert.equal((await c.request(a)).status, 200);
    const fourth = await connectTracked();
    const refused = await fourth.request(a);
    assert.equal(refused.status, 503);
    assert.match(refused.headers, /\r\nretry-after: 5\r\n/i);
    assert.match(refused.headers, /\r\nconnection: close\r\n/i);
    assert.equal(JSON.parse(refused.body).error, 'too many open connections from this client (the limit is 3); close some, or try again in 5 s');
    await fourth.closed;
    // Keep-alive connections already let in keep working.
    assert.equal((await held[0].request(a)).status, 200);
    assert.equal((await (await connectTracked()).request({ 'x-forwarded-for': '198.51.100.2' })).status, 200, 'another client');
    const owner = await connectTracked();
    assert.equal((await owner.request({ ...a, authorization: `Bearer ${p.ownerToken}` }, '/api/card')).status, 200, 'the owner is never refused');
    for (const c of [owner, held[0]]) {
      c.socket.destroy();
      await c.closed;
    }
    await pollUntil(async () => ((await (await connectTracked()).request(a)).status === 200 ? true : undefined), 2_000, 'a free place for the client');
    assert.ok(p.logs.some((l) => l.startsWith('warn (server): a client holds more than 3 open connections')), p.logs.join('\n'));
  });

  it('over the total cap (every visitor behind a tunnel that adds no X-Forwarded-For is one client): 503 for a request, and a connection that sends nothing is cut', async () => {
    // Loopback without X-Forwarded-For is nobody in particular: only the total cap counts those.
    const held = await Promise.all(Array.from({ length: 8 }, () => connectTracked()));
    for (const c of held) assert.equal((await c.request()).status, 200);
    const asking = await connectTracked();
    const refused = await asking.request();
    assert.equal(refused.status, 503);
    assert.equal(JSON.parse(refused.body).error, 'the preview has too many open connections (the limit is 8); try again in 5 s');
    const silent = await connectTracked();
    const started = Date.now();
    await silent.closed;
    assert.ok(Date.now() - started < 4_000, `cut after ${Date.now() - started} ms, not held for the request timeout`);
    assert.equal((await (await connectTracked()).request({ authorization: `Bearer ${p.ownerToken}` }, '/metrics')).status, 200, 'the owner still gets in');
  });

  it('a flood of connections far over the cap: cut at once beyond twice the cap, no crash, and the server answers again when it ends', async () => {
    const flood = await Promise.all(Array.from({ length: 60 }, () => connectTracked()));
    const cut = await Promise.race([Promise.all(flood.slice(16).map((c) => c.closed)).then(() => true), sleep(1_000).then(() => false)]);
    assert.ok(cut, 'the connections beyond twice the cap were cut at once');
    flood.forEach((c) => c.socket.destroy());
    await Promise.all(flood.map((c) => c.closed));
    await pollUntil(async () => ((await (await connectTracked()).request()).status === 200 ? true : undefined), 3_000, 'the server to answer again');
    assert.equal((await p.post('/api/predict', { inputs: { features: [5.1, 3.5, 1.4, 0.2] } })).status, 200);
  });
});
