import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { WebSocketServer } from 'ws';
import { handRecord, newKey, VIRGINICA } from '../helpers/feedback-kit';
import { IRIS_MODEL } from '../helpers/preview';
import { runCli, startCli, type CliRun } from './cli-process';
import { processStartIdentity } from '../../src/client/process-identity';

/*
 * The CLI as a client of a running preview (src/client/): `rotate-link` through the owner API, `feedback --follow`
 * through the events socket. Against the real server where the behaviour can be seen there; against a stand-in server
 * (named so in the test) where only a server that misbehaves, or that sends what no file holds, shows it.
 */

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'mp-owner-client-cli-'));

/** A stand-in preview server: answers the owner's calls with `answer`, and records what it was sent. */
async function standInServer(dataDir: string, answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const requests: Array<{ method?: string; url?: string; authorization?: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const localUrl = `http://127.0.0.1:${port}/`;
  // What `serve` writes while it runs; this test process stands in for the server's process (alive, and with its
  // own start identity: server.json is trusted only for the very process that wrote it).
  writeFileSync(path.join(dataDir, 'server.json'), JSON.stringify({
    pid: process.pid, startIdentity: await processStartIdentity(process.pid), instanceId: 'stand-in', version: '0.1.0', state: 'ready',
    port, host: '127.0.0.1', localUrl, startedAt: new Date().toISOString(),
  }));
  return { server, requests, port, localUrl, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('model-preview rotate-link: through the owner API', () => {
  it('a stand-in server that answers the rotation with no usable link: exit 1 naming what is wrong, no "New share link" line', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    try {
      assert.equal((await runCli(['rotate-link', '--data-dir', dataDir, '--create'])).code, 0);
      const { ownerToken } = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as { ownerToken: string };
      const stand = await standInServer(dataDir, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ shareUrl: 'javascript:alert(1)', expired: false }));
      });
      try {
        const { code, stdout, stderr } = await runCli(['rotate-link', '--data-dir', dataDir]);
        assert.equal(code, 1, stderr);
        assert.doesNotMatch(stdout, /New share link/);
        assert.match(stderr, /^model-preview: the preview on port \d+: rotating the share link \(POST \/api\/share-link\/rotate\) failed: the answer is not what this client expects \(shareUrl: must be an http\(s\) URL\)/);
        assert.deepEqual(stand.requests, [{ method: 'POST', url: '/api/share-link/rotate', authorization: `Bearer ${ownerToken}` }], 'one call, with the owner token');
      } finally {
        await stand.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stand-in server that refuses: the status and the server\'s own message, exit 1', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    try {
      await runCli(['rotate-link', '--data-dir', dataDir, '--create']);
      const stand = await standInServer(dataDir, (_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"the owner token is wrong"}'));
      try {
        const { code, stderr } = await runCli(['rotate-link', '--data-dir', dataDir]);
        assert.equal(code, 1);
        assert.match(stderr, /failed: the server answered 401: the owner token is wrong$/m);
      } finally {
        await stand.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model-preview feedback --follow: through the events socket while a preview runs', function () {
  this.timeout(30_000);
  const running: CliRun[] = [];
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(async () => {
    for (const cli of running.splice(0)) {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      await cli.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const start = (args: string[]) => {
    const cli = startCli(args);
    running.push(cli);
    return cli;
  };
  const stderrSays = async (cli: CliRun, pattern: RegExp, timeoutMs = 10_000) => {
    for (const deadline = Date.now() + timeoutMs; !pattern.test(cli.stderr());) {
      if (Date.now() > deadline) throw new Error(`stderr never matched ${pattern}: ${cli.stderr()}`);
      if (cli.child.exitCode !== null) throw new Error(`the CLI exited (${cli.child.exitCode}): ${cli.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('a stand-in server\'s feedback event is printed although no file holds it; a bad event is not', async () => {
    const dataDir = path.join(dir, 'data');
    await runCli(['rotate-link', '--data-dir', dataDir, '--create']);
    const { ownerToken } = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as { ownerToken: string };
    const stand = await standInServer(dataDir, (req, res) => {
      if (req.url?.startsWith('/api/feedback')) return void res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('');
      res.writeHead(404).end();
    });
    const sockets = new WebSocketServer({ server: stand.server, path: '/api/events' });
    const authorizations: Array<string | undefined> = [];
    sockets.on('connection', (ws, req) => {
      authorizations.push(req.headers.authorization);
      ws.send(JSON.stringify({ event: 'hello', epoch: 'stand-in', lastId: 0 }));
      setTimeout(() => {
        ws.send(JSON.stringify({ event: 'feedback', id: 1, record: { ...handRecord({ comment: 'only on the socket' }), rating: 'meh' } }));
        ws.send(JSON.stringify({ event: 'feedback', id: 2, record: handRecord({ comment: 'sent over the socket', reviewer: 'Sam' }) }));
      }, 300);
    });
    try {
      const cli = start(['feedback', '--data-dir', dataDir, '--follow']);
      const line = String((await cli.nextEvent((e) => String(e.text).includes('sent over the socket'))).text);
      assert.ok(line.includes('Sam'), line);
      assert.match(cli.stderr(), new RegExp(`following the preview on port ${stand.port}`));
      assert.deepEqual(authorizations, [`Bearer ${ownerToken}`]);
      assert.doesNotMatch(cli.stderr() + line, /only on the socket/, 'an event that is not a valid record is not printed');
    } finally {
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      await stand.close();
    }
  });

  it('the real server: live feedback once each; when the preview stops it follows the file, and a new preview is followed live again', async () => {
    const dataDir = path.join(dir, 'data');
    const serve = () => start(['serve', IRIS_MODEL, '--json', '--port', '0', '--workers', '1', '--no-watch', '--data-dir', dataDir]);
    const first = serve();
    const ready = await first.nextEvent((e) => e.event === 'ready');
    let shareUrl = new URL(String(ready.shareUrl));
    const token = shareUrl.searchParams.get('t')!;
    const post = async (urlPath: string, body: unknown) => {
      const res = await fetch(new URL(urlPath, shareUrl), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.ok(res.ok, `${urlPath}: ${res.status}`);
      return await res.json() as Record<string, string>;
    };
    const feedback = async (comment: string) => {
      const { predictionId } = await post('/api/predict', { inputs: { features: VIRGINICA } });
      await post('/api/feedback', { predictionId, rating: 'down', expected: 'versicolor', comment, idempotencyKey: newKey() });
    };
    await feedback('before following');

    const follow = start(['feedback', '--data-dir', dataDir, '--follow']);
    await follow.nextEvent((e) => String(e.text).includes('before following'));
    await stderrSays(follow, new RegExp(`following the preview on port ${ready.port}`));
    await feedback('while following, live');
    await follow.nextEvent((e) => String(e.text).includes('while following, live'));

    first.child.kill('SIGTERM'); // serve stops cleanly and removes server.json
    await first.exited;
    await stderrSays(follow, new RegExp(`the preview on port ${ready.port} stopped; following .*feedback\\.jsonl`));
    writeFileSync(path.join(dataDir, 'feedback.jsonl'), JSON.stringify(handRecord({ comment: 'appended while no preview runs' })) + '\n', { flag: 'a' });
    await follow.nextEvent((e) => String(e.text).includes('appended while no preview runs'));

    const second = serve();
    const again = await second.nextEvent((e) => e.event === 'ready');
    await stderrSays(follow, new RegExp(`following the preview on port ${again.port}`));
    shareUrl = new URL(String(again.shareUrl)); // the same token (tokens.json), another port
    // A positive signal first: feedback sent to the new preview arrives live. Anything printed twice came before it.
    await feedback('after the restart');
    await follow.nextEvent((e) => String(e.text).includes('after the restart'));
    const printed = follow.lines().map((e) => String(e.text));
    for (const comment of ['before following', 'while following, live', 'appended while no preview runs', 'after the restart']) {
      assert.equal(printed.filter((l) => l.includes(comment)).length, 1, `"${comment}" printed once: ${JSON.stringify(printed)}`);
    }
  });
});
