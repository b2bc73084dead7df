import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startThrowawaySshd, type ThrowawaySshd } from '../helpers/throwaway-sshd';
import { linkServes, REPO, runCli, startCli, stopCleanly } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');
const dataDir = () => path.join(mkdtempSync(path.join(tmpdir(), 'mp-tunnel-cli-')), 'data');

describe('model-preview serve --tunnel (the built CLI)', function () {
  this.timeout(30_000);
  let sshd: ThrowawaySshd;
  before(async () => (sshd = await startThrowawaySshd()));
  after(() => sshd?.dispose());

  it('--tunnel ssh prints the public share link and says so; the link answers through the tunnel', async () => {
    const cli = startCli(['serve', IRIS, '--port', '0', '--data-dir', dataDir(), '--tunnel', 'ssh', '--ssh-host', sshd.host,
      '--ssh-port', String(sshd.port), '--ssh-user', sshd.username, '--ssh-key', sshd.clientKeyPath, '--ssh-host-key', sshd.hostKeyLine]);
    try {
      assert.equal((await cli.nextEvent((e) => e.text === 'Opening the ssh tunnel...')).text, 'Opening the ssh tunnel...');
      const link = String((await cli.nextEvent((e) => String(e.text).startsWith('Share link:'))).text).replace('Share link:', '').trim();
      const about = String((await cli.nextEvent()).text);
      assert.match(about, /public through ssh, expires \d{4}-\d\d-\d\dT/);
      const url = new URL(link);
      const res = await fetch(new URL('/api/card', url), { headers: { authorization: `Bearer ${url.searchParams.get('t')}` } });
      assert.equal(res.status, 200);
      // Kill sshd: the CLI says the tunnel is reconnecting; start it again: the CLI says it is up.
      await sshd.stop();
      assert.match(String((await cli.nextEvent((e) => String(e.text).startsWith('tunnel down'))).text), /reconnecting in [\d.]+ s, attempt 1/);
      await sshd.start();
      assert.equal(String((await cli.nextEvent((e) => String(e.text).startsWith('tunnel up'), 15_000)).text), `tunnel up: ${link}`);
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
    }
  });

  it('--tunnel ssh with a config file: the file gives the server, the flags win', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-tunnel-config-'));
    const config = path.join(dir, 'preview.json');
    writeFileSync(config, JSON.stringify({ tunnel: { provider: 'ssh', host: sshd.host, port: sshd.port, user: 'nobody-here', identityFile: sshd.clientKeyPath, hostKey: sshd.hostKeyLine } }));
    const cli = startCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', path.join(dir, 'data'), '--config', config, '--ssh-user', sshd.username]);
    try {
      const ready = await cli.nextEvent((e) => e.event === 'ready');
      assert.equal(ready.tunnel, 'ssh');
      assert.notEqual(new URL(String(ready.shareUrl)).port, String(ready.port), 'the link is the forwarded port');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('a wrong pinned host key: one line naming the real fingerprint, exit 2', async () => {
    const { code, stderr } = await runCli(['serve', IRIS, '--port', '0', '--data-dir', dataDir(), '--tunnel', 'ssh', '--ssh-host', sshd.host,
      '--ssh-port', String(sshd.port), '--ssh-user', sshd.username, '--ssh-key', sshd.clientKeyPath,
      '--ssh-host-key', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']);
    assert.equal(code, 2);
    assert.ok(stderr.includes(sshd.hostKeyFingerprint), stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  });

  it('--ssh-host-key trust-on-first-use records the key met in <data-dir>/known_hosts', async () => {
    const dir = dataDir();
    const cli = startCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', dir, '--tunnel', 'ssh', '--ssh-host', sshd.host,
      '--ssh-port', String(sshd.port), '--ssh-user', sshd.username, '--ssh-key', sshd.clientKeyPath, '--ssh-host-key', 'trust-on-first-use']);
    try {
      assert.equal((await cli.nextEvent((e) => e.event === 'ready')).tunnel, 'ssh');
      const knownHosts = readFileSync(path.join(dir, 'known_hosts'), 'utf8');
      assert.ok(knownHosts.includes(sshd.hostKeyLine.split(' ')[1]), knownHosts);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  describe('the public link survives a restart', () => {
    const sshFlags = () => ['--tunnel', 'ssh', '--ssh-host', sshd.host, '--ssh-port', String(sshd.port), '--ssh-user', sshd.username,
      '--ssh-key', sshd.clientKeyPath, '--ssh-host-key', sshd.hostKeyLine];
    const serveOnce = async (dir: string) => {
      const cli = startCli(['serve', IRIS, '--json', '--data-dir', dir, '--workers', '1', ...sshFlags()]);
      const ready = await cli.nextEvent((e) => e.event === 'ready', 20_000);
      return { cli, ready };
    };

    it('two serve runs on one data folder through a real sshd give the identical public link (the same remote port is asked for again)', async () => {
      const dir = dataDir();
      const first = await serveOnce(dir);
      await stopCleanly(first.cli);
      const second = await serveOnce(dir);
      try {
        assert.equal(second.ready.shareUrl, first.ready.shareUrl);
        assert.notEqual(new URL(String(second.ready.shareUrl)).port, String(second.ready.port), 'the link is the forwarded port, not the local one');
        assert.equal(await linkServes(first.ready.shareUrl), 200, 'the public link of the first run reaches the second run through the tunnel');
        assert.ok(!second.cli.lines().some((e) => e.event === 'tunnel-url-changed'));
      } finally {
        await stopCleanly(second.cli);
      }
    });

    it('the remembered remote port is taken on the ssh server: a new public link, a tunnel-url-changed event and a loud CLI line', async () => {
      const dir = dataDir();
      const first = await serveOnce(dir);
      await stopCleanly(first.cli);
      const remembered = readFileSync(path.join(dir, 'address.json'), 'utf8');
      const remotePort = Number(new URL(String(first.ready.shareUrl)).port);
      // The throwaway sshd forwards on this machine's loopback ("localhost": 127.0.0.1 and ::1, and it is content with
      // either): another program listening on both holds the port.
      const hold = (host: string) => new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer((socket) => socket.destroy()).once('error', reject).listen(remotePort, host, () => resolve(server));
      });
      const squatters = [await hold('127.0.0.1'), await hold('::1')];
      const squatter = { close: () => squatters.forEach((server) => server.close()) };
      try {
        const json = await serveOnce(dir);
        const changed = await json.cli.nextEvent((e) => e.event === 'tunnel-url-changed');
        await stopCleanly(json.cli);
        assert.notEqual(json.ready.shareUrl, first.ready.shareUrl);
        assert.equal(changed.previousUrl, new URL('/', String(first.ready.shareUrl)).href);
        assert.equal(changed.shareUrl, json.ready.shareUrl);

        // That run remembered its new remote port; the text run is to meet the taken one again.
        writeFileSync(path.join(dir, 'address.json'), remembered);
        const text = startCli(['serve', IRIS, '--data-dir', dir, '--workers', '1', ...sshFlags()]);
        await text.nextEvent((e) => String(e.text).startsWith('Watching'), 20_000);
        await stopCleanly(text);
        assert.match(text.stderr(), /LINK CHANGED: the ssh tunnel's public URL is not http:\/\/127\.0\.0\.1:\d+\/ any more; links given out before are dead\. New share link: http/);
      } finally {
        squatter.close();
      }
    });
  });

  it('a password shorter than 8 characters is refused before anything starts', async () => {
    const { code, stderr } = await runCli(['serve', IRIS, '--password', 'short']);
    assert.equal(code, 1);
    assert.match(stderr, /--password \(or MODEL_PREVIEW_PASSWORD\) must be at least 8 characters/);
  });

  it('--tunnel ngrok without NGROK_AUTHTOKEN says what to set, exit 2', async () => {
    const { code, stderr } = await runCli(['serve', IRIS, '--port', '0', '--data-dir', dataDir(), '--tunnel', 'ngrok'], REPO, { NGROK_AUTHTOKEN: '' });
    assert.equal(code, 2);
    assert.match(stderr, /NGROK_AUTHTOKEN/);
  });

  it('--tunnel ngrok with no network: a clear error well within 10 s, exit 2, no hang', async () => {
    const started = Date.now();
    const { code, stderr } = await runCli(['serve', IRIS, '--port', '0', '--data-dir', dataDir(), '--tunnel', 'ngrok'], REPO, { NGROK_AUTHTOKEN: 'not-a-real-token' });
    assert.equal(code, 2, stderr);
    assert.match(stderr, /ngrok/i);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});
