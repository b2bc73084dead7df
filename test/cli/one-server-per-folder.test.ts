import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO, linkServes, runCli, startCli, stopCleanly } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');
const newDataDir = () => path.join(mkdtempSync(path.join(tmpdir(), 'mp-one-server-')), 'data');

describe('one data folder, one server (the built CLI)', function () {
  this.timeout(30_000);

  it('a second serve on a held data folder exits 2 naming the running one\'s pid, port and link; after kill -9 of the holder the next serve starts', async () => {
    const dataDir = newDataDir();
    const holder = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1']);
    const ready = await holder.nextEvent((e) => e.event === 'ready');
    const second = await runCli(['serve', IRIS, '--json', '--port', '0', '--data-dir', dataDir, '--workers', '1']);
    assert.equal(second.code, 2, second.stderr);
    assert.ok(second.stderr.includes(`pid ${holder.child.pid}`), second.stderr);
    assert.ok(second.stderr.includes(`port ${ready.port}`), second.stderr);
    assert.ok(second.stderr.includes(String(ready.shareUrl)), second.stderr);
    assert.equal(second.stdout, '', 'nothing started: no ready line');
    assert.equal(await linkServes(ready.shareUrl), 200, 'the holder is untouched');

    holder.child.kill('SIGKILL');
    await holder.exited;
    const next = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1']);
    try {
      const again = await next.nextEvent((e) => e.event === 'ready');
      assert.equal(again.shareUrl, ready.shareUrl, 'the same link after the crash');
      assert.equal(JSON.parse(readFileSync(path.join(dataDir, 'server.json'), 'utf8')).pid, next.child.pid);
    } finally {
      await stopCleanly(next);
    }
  });

  it('a stale server.json naming a live unrelated process (a reused pid) is not trusted: status says not running, stop signals nothing, serve starts', async () => {
    const dataDir = newDataDir();
    mkdirSync(dataDir, { recursive: true });
    // A live process that is not a preview server: what a crashed server's pid may belong to after the OS reuses it.
    const unrelated = spawn('sleep', ['60']);
    try {
      writeFileSync(path.join(dataDir, 'server.json'), JSON.stringify({
        pid: unrelated.pid, startIdentity: 'linux:some-boot:12345', instanceId: 'a-crashed-run', startedAt: new Date(Date.now() - 3_600_000).toISOString(),
        version: '0.1.0', state: 'ready', port: 29_999, host: '127.0.0.1', localUrl: 'http://127.0.0.1:29999/',
      }));
      const status = await runCli(['status', '--json', '--data-dir', dataDir]);
      assert.equal(status.code, 3, status.stderr);
      assert.equal(JSON.parse(status.stdout).running, false);
      const stopped = await runCli(['stop', '--data-dir', dataDir]);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /No preview of .* is running \(pid \d+ now belongs to another process/);
      assert.equal(unrelated.exitCode, null);
      assert.equal(unrelated.signalCode, null, 'the unrelated process was not signalled');

      const serve = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1']);
      try {
        await serve.nextEvent((e) => e.event === 'ready');
        assert.equal(JSON.parse(readFileSync(path.join(dataDir, 'server.json'), 'utf8')).pid, serve.child.pid, 'the stale file was replaced');
      } finally {
        await stopCleanly(serve);
      }
      assert.equal(unrelated.signalCode, null);
    } finally {
      unrelated.kill();
    }
  });

  it('status of a folder with no server: running false, exit 3', async () => {
    const status = await runCli(['status', '--json', '--data-dir', newDataDir()]);
    assert.equal(status.code, 3);
    assert.deepEqual(
      (({ running, pid, port, shareUrl, model, modelVersion }) => ({ running, pid, port, shareUrl, model, modelVersion }))(JSON.parse(status.stdout)),
      { running: false, pid: null, port: null, shareUrl: null, model: null, modelVersion: null },
    );
  });
});
