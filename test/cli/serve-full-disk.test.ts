import assert from 'node:assert/strict';
import * as path from 'node:path';
import { mountSmallDisk, SMALL_DISK_NOTE, type SmallDisk } from '../helpers/small-disk';
import { startCli, type CliRun } from './cli-process';

const IRIS = path.resolve(__dirname, '../../../examples/iris/iris.onnx');

/** What the owner reads in `serve`'s text output when the data disk fills up, and when it has room again. */
describe('cli: serve on a full disk', function () {
  this.timeout(60_000);
  const title = SMALL_DISK_NOTE ? ` (SKIPPED: ${SMALL_DISK_NOTE})` : ' (on a real 256 kB tmpfs)';
  let disk: SmallDisk | undefined;
  let cli: CliRun | undefined;
  after(async () => {
    if (cli && cli.child.exitCode === null) {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    disk?.unmount();
  });

  (SMALL_DISK_NOTE ? it.skip : it)(`says once on stderr that the disk is full, and once on stdout that it can write again${title}`, async () => {
    disk = mountSmallDisk(256);
    const dataDir = path.join(disk.dir, 'data');
    cli = startCli(['serve', IRIS, '--port', '0', '--workers', '1', '--no-watch', '--rate-limit-predictions', '0', '--data-dir', dataDir]);
    const linkLine = String((await cli.nextEvent((e) => /^Share link:/.test(String(e.text)), 20_000)).text);
    const shareUrl = new URL(linkLine.replace(/^Share link:\s+/, ''));
    const predict = () => fetch(new URL('api/predict', shareUrl), {
      method: 'POST', headers: { authorization: `Bearer ${shareUrl.searchParams.get('t')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: { features: [5.1, 3.5, 1.4, 0.2] } }),
    });
    let status = 200;
    for (let i = 0; i < 2000 && status === 200; i++) status = (await predict()).status;
    assert.equal(status, 507);
    for (let i = 0; i < 5; i++) assert.equal((await predict()).status, 507);
    const full = cli.stderr().split('\n').filter((l) => l.startsWith('storage:'));
    assert.deepEqual(full.length, 1, cli.stderr());
    assert.match(full[0], new RegExp(`^storage: cannot write predictions\\.jsonl in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the disk is full \\(ENOSPC\\)\\. New predictions and feedback are refused \\(HTTP 507\\)`));
    assert.doesNotMatch(cli.stderr(), /internal|ENOSPC:|\bat .*\.js/, 'no stack trace, no internal error');

    disk.resize(4096);
    const recovered = cli.nextEvent((e) => /^storage:/.test(String(e.text)), 20_000);
    let heard = false;
    void recovered.then(() => (heard = true), () => (heard = true));
    while (!heard) {
      assert.equal((await predict()).status, 200);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal((await recovered).text, `storage: the data folder ${dataDir} can be written again: predictions and feedback are saved as before`);
  });
});
