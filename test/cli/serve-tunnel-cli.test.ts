import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startThrowawaySshd, type ThrowawaySshd } from '../helpers/throwaway-sshd';
import { REPO, runCli, startCli } from './cli-process';

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
