import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO, linkServes, startCli, stopCleanly } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');

const newDataDir = () => path.join(mkdtempSync(path.join(tmpdir(), 'mp-address-')), 'data');

/** Listens on `port` of 127.0.0.1 as "another program" would. */
function holdPort(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy()).once('error', reject).listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('serve remembers its address per data folder (the built CLI)', function () {
  this.timeout(30_000);

  it('two serve runs on one data folder give the identical share link, on a port of 20000-29999 that the folder records', async () => {
    const dataDir = newDataDir();
    const first = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1']);
    const ready1 = await first.nextEvent((e) => e.event === 'ready');
    await stopCleanly(first);
    const port = Number(ready1.port);
    assert.ok(port >= 20_000 && port <= 29_999, `port ${port} is outside the fixed range`);
    assert.equal(JSON.parse(readFileSync(path.join(dataDir, 'address.json'), 'utf8')).port, port);

    const second = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1']);
    const ready2 = await second.nextEvent((e) => e.event === 'ready');
    try {
      assert.equal(ready2.shareUrl, ready1.shareUrl, 'the link is byte-for-byte the same');
      assert.equal(await linkServes(ready1.shareUrl), 200, 'the link given out by the first run reaches the second');
    } finally {
      await stopCleanly(second);
    }
  });

  it('--port N wins over the remembered port, and is not remembered', async () => {
    const dataDir = newDataDir();
    const first = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1']);
    const remembered = Number((await first.nextEvent((e) => e.event === 'ready')).port);
    await stopCleanly(first);
    const explicit = startCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', dataDir, '--workers', '1']);
    const ready = await explicit.nextEvent((e) => e.event === 'ready');
    await stopCleanly(explicit);
    assert.notEqual(Number(ready.port), remembered);
    assert.equal(JSON.parse(readFileSync(path.join(dataDir, 'address.json'), 'utf8')).port, remembered);
  });

  it('a remembered port held by another program: another port, a share-link-changed event (port-changed), and a loud line', async () => {
    const dataDir = newDataDir();
    const first = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1']);
    const port = Number((await first.nextEvent((e) => e.event === 'ready')).port);
    await stopCleanly(first);
    const squatter = await holdPort(port);
    try {
      const json = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1']);
      const ready = await json.nextEvent((e) => e.event === 'ready');
      const changed = await json.nextEvent((e) => e.event === 'share-link-changed');
      await stopCleanly(json);
      assert.notEqual(ready.port, port);
      assert.equal(changed.reason, 'port-changed');
      assert.equal(changed.previousPort, port);
      assert.equal(changed.port, ready.port);
      assert.equal(changed.shareUrl, ready.shareUrl);
      // The folder keeps its own port: once the other program lets go, the old link works again.
      assert.equal(JSON.parse(readFileSync(path.join(dataDir, 'address.json'), 'utf8')).port, port);

      const text = startCli(['serve', IRIS, '--data-dir', dataDir, '--workers', '1']);
      await text.nextEvent((e) => String(e.text).startsWith('Watching'));
      await stopCleanly(text);
      assert.match(text.stderr(), new RegExp(`LINK CHANGED: port ${port} \\(this data folder's remembered port\\) is taken by another program, so this preview serves on port \\d+`));
    } finally {
      squatter.close();
    }
    const again = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1']);
    const back = await again.nextEvent((e) => e.event === 'ready');
    await stopCleanly(again);
    assert.equal(back.port, port, 'the remembered port again once it is free');
  });

  it('--host 0.0.0.0: the LAN links with the token, "anyone on your network", and a QR code of the link', async () => {
    const dataDir = newDataDir();
    const json = startCli(['serve', IRIS, '--json', '--host', '0.0.0.0', '--data-dir', dataDir, '--workers', '1']);
    const ready = await json.nextEvent((e) => e.event === 'ready');
    await stopCleanly(json);
    const lanUrls = ready.lanUrls as string[];
    const addresses = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => a!.address);
    assert.ok(addresses.length > 0, 'this test needs a machine with a network address');
    assert.deepEqual(lanUrls.map((url) => new URL(url).hostname), addresses);
    const token = new URL(String(ready.shareUrl)).searchParams.get('t');
    for (const url of lanUrls) {
      assert.equal(new URL(url).searchParams.get('t'), token);
      assert.equal(new URL(url).port, String(ready.port));
      assert.doesNotMatch(new URL(url).hostname, /^127\./);
    }
    const text = startCli(['serve', IRIS, '--host', '0.0.0.0', '--data-dir', dataDir, '--workers', '1']);
    await text.nextEvent((e) => String(e.text).startsWith('Watching'));
    const lines = text.lines().map((l) => String(l.text));
    try {
      assert.ok(lines.includes(`Share link:  ${lanUrls[0]}`), lines.join('\n'));
      assert.ok(lines.some((l) => l.includes('anyone on your network with the link')), lines.join('\n'));
      assert.ok(!lines.some((l) => l.includes('on this machine only')), lines.join('\n'));
      assert.ok(lines.some((l) => /[▀▄█]/.test(l)), 'a terminal QR code is printed');
      assert.equal(await linkServes(lanUrls[0]), 200, 'the LAN link reaches the preview');
    } finally {
      await stopCleanly(text);
    }
  });
});
