import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO, linkServes, runCli } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');


function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (a detached server's parent is gone; init reaps it) is not running either.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !/^Z/.test(stat.slice(stat.lastIndexOf(')') + 2));
}

describe('serve --detach, status and stop (the built CLI)', function () {
  this.timeout(40_000);

  it('serve --detach returns after ready, status finds it, the link serves, stop frees the port and leaves no process', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'mp-detach-')), 'data');
    const started = await runCli(['serve', IRIS, '--detach', '--json', '--data-dir', dataDir, '--workers', '1']);
    assert.equal(started.code, 0, started.stderr);
    const detached = JSON.parse(started.stdout);
    assert.equal(detached.running, true);
    assert.equal(detached.logFile, path.join(dataDir, 'server.log'));
    // Returned after ready: the link answers at once.
    assert.equal(await linkServes(detached.shareUrl), 200);

    const status = await runCli(['status', '--json', '--data-dir', dataDir]);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    assert.deepEqual(
      { running: s.running, pid: s.pid, port: s.port, shareUrl: s.shareUrl, model: s.model, modelVersion: typeof s.modelVersion },
      { running: true, pid: detached.pid, port: detached.port, shareUrl: detached.shareUrl, model: 'iris', modelVersion: 'string' },
    );
    assert.ok(processExists(s.pid));
    assert.match(readFileSync(detached.logFile, 'utf8'), /Share link: {2}http:\/\/127\.0\.0\.1:\d+\/\?t=/);

    const stopped = await runCli(['stop', '--data-dir', dataDir]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.ok(await portIsFree(s.port), 'the port is free when stop exits');
    assert.ok(!processExists(s.pid), 'no server process is left');
    assert.ok(!existsSync(path.join(dataDir, 'server.json')), 'the server removed its server.json');
    assert.match(readFileSync(detached.logFile, 'utf8'), /Stopping: finishing requests in progress/, 'it stopped gracefully');
    const after = await runCli(['status', '--json', '--data-dir', dataDir]);
    assert.equal(after.code, 3);
  });

  it('serve --detach on a held folder exits 2 with the running one named; a model that does not load: its reason and exit 2', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'mp-detach-')), 'data');
    const first = await runCli(['serve', IRIS, '--detach', '--data-dir', dataDir, '--workers', '1']);
    assert.equal(first.code, 0, first.stderr);
    try {
      const second = await runCli(['serve', IRIS, '--detach', '--data-dir', dataDir, '--workers', '1']);
      assert.equal(second.code, 2, second.stderr);
      assert.match(second.stderr, /already served by model-preview \(pid \d+, port \d+\): http:\/\/127\.0\.0\.1:\d+\/\?t=/);
    } finally {
      assert.equal((await runCli(['stop', '--data-dir', dataDir])).code, 0);
    }
    const broken = await runCli(['serve', path.join(REPO, 'package.json'), '--detach', '--data-dir', dataDir]);
    assert.equal(broken.code, 2, broken.stderr);
    assert.match(broken.stderr, /package\.json/);
  });
});
