import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO, runCli, startCli, type CliRun } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');
const stop = async (cli: CliRun) => {
  cli.child.kill('SIGTERM');
  await cli.exited;
};
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'mp-link-cli-'));

describe('model-preview serve: link and tunnel flags', () => {
  it('a provider\'s flag without that --tunnel is refused, naming the flag and the fix', async () => {
    const { code, stderr } = await runCli(['serve', IRIS, '--ssh-host', 'example.com']);
    assert.equal(code, 1);
    assert.match(stderr, /--ssh-host is a ssh option, but the tunnel is none \(add --tunnel ssh\)/);
  });

  it('--tunnel ssh without a host says what is missing, exit 2', async () => {
    const { code, stderr } = await runCli(['serve', IRIS, '--tunnel', 'ssh', '--data-dir', path.join(tempDir(), 'd')]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /ssh.*host/i);
    assert.ok(!stderr.includes('    at '), 'no stack trace');
  });

  it('--expires without a unit, or an unknown --tunnel, is a usage error naming the flag', async () => {
    const expires = await runCli(['serve', IRIS, '--expires', '10']);
    assert.equal(expires.code, 1);
    assert.match(expires.stderr, /--expires: "10" is not a lifetime: write it like 30m, 2h or 7d, or "never"/);
    const tunnel = await runCli(['serve', IRIS, '--tunnel', 'carrier-pigeon']);
    assert.equal(tunnel.code, 1);
    assert.match(tunnel.stderr, /Allowed choices are none, ssh, pipenet, ngrok/);
  });

  it('a config file with a wrong field is refused with the file and the field named', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'preview.json');
    writeFileSync(config, JSON.stringify({ tunnel: { provider: 'ssh', host: 'h', port: 99999 }, expires: '2h' }));
    const { code, stderr } = await runCli(['serve', IRIS, '--config', config]);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`the config file ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid: tunnel.port: `));
  });

  it('--json ready says when the link expires and which tunnel it uses; the config file sets the lifetime', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'preview.json');
    writeFileSync(config, JSON.stringify({ expires: '2h', rateLimits: { predictionsPerMinute: 0 } }));
    const cli = startCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', path.join(dir, 'data'), '--config', config]);
    try {
      const ready = await cli.nextEvent((e) => e.event === 'ready');
      assert.equal(ready.tunnel, 'none');
      const lifetime = Date.parse(String(ready.expiresAt)) - Date.now();
      assert.ok(lifetime > 1.9 * 3600_000 && lifetime <= 2 * 3600_000, `expires in ${lifetime} ms`);
    } finally {
      await stop(cli);
    }
  });
});

describe('model-preview rotate-link', () => {
  it('asks the running preview of the folder for a new link: the old one gets 401 at once, the new one works', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const cli = startCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', dataDir]);
    try {
      const ready = await cli.nextEvent((e) => e.event === 'ready');
      const oldLink = new URL(String(ready.shareUrl));
      const rotated = await runCli(['rotate-link', '--data-dir', dataDir]);
      assert.equal(rotated.code, 0, rotated.stderr);
      const newLink = new URL(/New share link: (\S+)/.exec(rotated.stdout)![1]);
      assert.notEqual(newLink.searchParams.get('t'), oldLink.searchParams.get('t'));
      assert.match(rotated.stdout, /The old link no longer works/);
      const card = (token: string | null) => fetch(new URL('/api/card', oldLink), { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      assert.equal(await card(oldLink.searchParams.get('t')), 401);
      assert.equal(await card(newLink.searchParams.get('t')), 200);
      const event = await cli.nextEvent((e) => e.event === 'share-link-changed');
      assert.equal(event.shareUrl, newLink.href);
    } finally {
      await stop(cli);
    }
  });

  it('with no preview running, rotates tokens.json for the next serve', async () => {
    const dataDir = path.join(tempDir(), 'data');
    await runCli(['rotate-link', '--data-dir', dataDir, '--create']); // creates the tokens
    const before = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8'));
    const { code, stdout } = await runCli(['rotate-link', '--data-dir', dataDir]);
    assert.equal(code, 0);
    assert.match(stdout, /No preview of this folder is running: the next `model-preview serve` uses a new share link/);
    const after = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8'));
    assert.notEqual(after.shareToken, before.shareToken);
    assert.equal(after.ownerToken, before.ownerToken);
  });
});
