import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startPipenetServer, type PipenetServer } from '../helpers/pipenet-server';
import { REPO, startCli, stopCleanly } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');

describe('model-preview serve --tunnel pipenet (the built CLI, a real pipenet server)', function () {
  this.timeout(40_000);
  let pipenet: PipenetServer;
  before(async () => (pipenet = await startPipenetServer()));
  after(() => pipenet?.stop());

  it('two serve runs on one data folder give the identical public link: the subdomain is remembered and asked for again', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'mp-pipenet-cli-')), 'data');
    const serveOnce = async () => {
      const cli = startCli(['serve', IRIS, '--json', '--data-dir', dataDir, '--workers', '1', '--tunnel', 'pipenet', '--pipenet-server', pipenet.url]);
      return { cli, ready: await cli.nextEvent((e) => e.event === 'ready', 20_000) };
    };
    const first = await serveOnce();
    await stopCleanly(first.cli);
    const second = await serveOnce();
    try {
      assert.equal(second.ready.tunnel, 'pipenet');
      assert.match(String(first.ready.shareUrl), /^http:\/\/[a-z0-9-]+\.127\.0\.0\.1:\d+\/\?t=/);
      assert.equal(second.ready.shareUrl, first.ready.shareUrl);
      assert.ok(!second.cli.lines().some((e) => e.event === 'tunnel-url-changed'), JSON.stringify(second.cli.lines()));
    } finally {
      await stopCleanly(second.cli);
    }
  });
});
