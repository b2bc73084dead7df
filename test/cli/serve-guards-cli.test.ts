import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO, runCli, startCli, type CliRun } from './cli-process';

/**
 * The built CLI, spawned: `serve` tells its owner when someone guesses the link's password (a text line, or a
 * `password-lockout` event with --json), and takes the connection caps from flags and from --config.
 */
const IRIS = path.join(REPO, 'examples/iris/iris.onnx');
const PASSWORD = 'correct horse battery staple';

/** 30 wrong passwords, each from another X-Forwarded-For (as a visitor behind a plain ssh -R can send). */
async function guess(localUrl: string, token: string, times = 30): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const res = await fetch(new URL('api/card', localUrl), { headers: { authorization: `Bearer ${token}`, 'x-preview-password': `guess-${i}`, 'x-forwarded-for': `198.18.${i}.9` } });
    statuses.push(res.status);
  }
  return statuses;
}

/** Status codes of one request on each of `count` connections opened at once and kept open. */
async function statusesOnConnections(port: number, count: number, headers = ''): Promise<{ statuses: number[]; close(): void }> {
  const sockets = await Promise.all(Array.from({ length: count }, () => new Promise<net.Socket>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => undefined);
  })));
  const statuses = await Promise.all(sockets.map((socket) => new Promise<number>((resolve) => {
    socket.once('data', (d: Buffer) => resolve(Number(d.toString('latin1').slice(9, 12))));
    socket.write(`GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
  })));
  return { statuses, close: () => sockets.forEach((s) => s.destroy()) };
}

describe('model-preview serve: password guessing and connection caps (the built CLI, spawned)', function () {
  this.timeout(30_000);
  let dir: string;
  let cli: CliRun | undefined;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'mp-cli-guards-'))));
  afterEach(() => {
    if (cli?.child.exitCode === null) cli.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('--json: the per-preview budget spent gives one password-lockout event', async () => {
    cli = startCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', path.join(dir, 'data'), '--workers', '1', '--password', PASSWORD]);
    const ready = await cli.nextEvent((e) => e.event === 'ready');
    const statuses = await guess(String(ready.localUrl), new URL(String(ready.shareUrl)).searchParams.get('t')!, 31);
    assert.deepEqual(statuses, [...Array(30).fill(401), 429]);
    const event = await cli.nextEvent((e) => e.event === 'password-lockout');
    assert.equal(event.failedAttempts, 30);
    assert.equal(event.windowSeconds, 600);
    assert.ok(Date.parse(String(event.until)) > Date.now() + 500_000, String(event.until));
  });

  it('text: a line that says what happened, until when, and how to replace the link', async () => {
    cli = startCli(['serve', IRIS, '--port', '0', '--data-dir', path.join(dir, 'data'), '--workers', '1', '--password', PASSWORD]);
    const link = new URL(String((await cli.nextEvent((e) => typeof e.text === 'string' && e.text.startsWith('Share link:'))).text).slice('Share link:'.length).trim());
    await guess(link.origin + '/', link.searchParams.get('t')!);
    const line = String((await cli.nextEvent((e) => typeof e.text === 'string' && e.text.startsWith('password guessing:'))).text);
    assert.match(line, new RegExp(`^password guessing: 30 wrong passwords within 10 min; no password is accepted until \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(people who already unlocked keep access\\)\\. If the link leaked, replace it: model-preview rotate-link --data-dir ${path.join(dir, 'data').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('--max-connections and --max-connections-per-client cap open connections (503 beyond)', async () => {
    cli = startCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', path.join(dir, 'data'), '--workers', '1', '--max-connections', '3', '--max-connections-per-client', '2']);
    const { port } = await cli.nextEvent((e) => e.event === 'ready') as { port: number };
    const one = await statusesOnConnections(port, 3, 'X-Forwarded-For: 203.0.113.1\r\n');
    assert.deepEqual(one.statuses.sort(), [200, 200, 503], 'two per client');
    one.close();
    // The server learns of the closed connections a moment later: ask until they are gone (at most 2 s).
    let all = await statusesOnConnections(port, 5);
    for (let tries = 0; all.statuses.filter((s) => s === 503).length !== 2 && tries < 20; tries++) {
      all.close();
      await new Promise((r) => setTimeout(r, 100));
      all = await statusesOnConnections(port, 5);
    }
    assert.deepEqual(all.statuses.filter((s) => s === 503).length, 2, `three in all: ${all.statuses}`);
    all.close();
  });

  it('--config connectionLimits sets them too; a wrong value is refused naming the field', async () => {
    const config = path.join(dir, 'preview.json');
    writeFileSync(config, JSON.stringify({ connectionLimits: { perClient: 1 } }));
    cli = startCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', path.join(dir, 'data'), '--workers', '1', '--config', config]);
    const { port } = await cli.nextEvent((e) => e.event === 'ready') as { port: number };
    const held = await statusesOnConnections(port, 2, 'X-Forwarded-For: 203.0.113.2\r\n');
    assert.deepEqual(held.statuses.sort(), [200, 503]);
    held.close();

    writeFileSync(config, JSON.stringify({ connectionLimits: { total: -1 } }));
    const refused = await runCli(['serve', IRIS, '--port', '0', '--data-dir', path.join(dir, 'data2'), '--config', config]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /connectionLimits\.total: Too small/);
  });
});
