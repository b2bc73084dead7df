import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { GracefulServer } from '../../src/core/server/graceful-server';
import { pollUntil } from '../helpers/preview';

/**
 * The stop of the HTTP server itself, on a raw socket so the keep-alive connection is exactly the one a browser reuses:
 * a page's event stream sent its headers long before the stop, ends during it, and the page asks its next question
 * down the same connection at once.
 */
describe('server: GracefulServer while stopping', function () {
  this.timeout(15_000);

  it('a request down a kept-alive connection after the stop began is told 503 "stopping" (or finds the connection closed), never answered as usual, and stop() does not wait out the grace for that connection', async () => {
    let endStream: (() => void) | undefined;
    const answered: string[] = [];
    const server = await GracefulServer.listen((req, res) => {
      answered.push(req.url ?? '');
      if (req.url === '/stream') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write('event: hello\n\n');
        endStream = () => res.end('event: stopping\n\n');
        return;
      }
      res.end('{"fine":true}');
    }, { host: '127.0.0.1', port: 0 });
    const socket = net.connect(server.port, '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      let received = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
      socket.on('error', () => undefined); // a reset after the server closed it counts as closed
      const ask = (target: string) => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
      ask('/stream');
      await pollUntil(async () => received.includes('event: hello') || undefined, 5_000, 'the stream\'s first event', 5);

      const started = performance.now();
      const stopping = server.stop();
      endStream!();
      await pollUntil(async () => received.includes('\r\n0\r\n\r\n') || undefined, 5_000, 'the stream\'s last chunk', 2);
      const afterStream = received.length;
      if (!socket.destroyed) ask('/card');
      await pollUntil(async () => socket.destroyed || received.length > afterStream || undefined, 5_000, 'an answer or the connection closed', 5);
      const answer = received.slice(afterStream);
      assert.deepEqual(answered, ['/stream'], `the handler answered a request that came after the stop began:\n${answer}`);
      if (answer) {
        assert.match(answer, /^HTTP\/1\.1 503 /);
        assert.match(answer, /stopping/);
        assert.match(answer, /Connection: close/i);
      }
      await stopping;
      const took = performance.now() - started;
      assert.ok(took < 1_500, `stop() took ${took.toFixed(0)} ms: the kept-alive connection held it to the 3 s grace`);
    } finally {
      socket.destroy();
      await server.stop();
    }
  });
});
