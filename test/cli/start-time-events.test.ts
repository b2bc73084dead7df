import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startCli, type CliRun } from './cli-process';
import { OLD_SHARE_TOKEN, previewWithStartTimeProblems } from './start-time-fixture';

describe('serve: what happened while it started reaches its output', function () {
  this.timeout(30_000);
  const running: CliRun[] = [];
  afterEach(async () => {
    for (const cli of running.splice(0)) {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('--json: right after ready, in order, the invalid sidecar\'s error and the replaced expired link', async () => {
    const { model, dataDir } = previewWithStartTimeProblems();
    const cli = startCli(['serve', model, '--json', '--port', '0', '--workers', '1', '--expires', '1h', '--data-dir', dataDir]);
    running.push(cli);
    const ready = await cli.nextEvent();
    assert.equal(ready.event, 'ready', 'ready is still the first line');
    assert.equal(new URL(String(ready.shareUrl)).searchParams.has('t'), true);
    assert.notEqual(new URL(String(ready.shareUrl)).searchParams.get('t'), OLD_SHARE_TOKEN, 'ready has the new link');
    const sidecar = await cli.nextEvent();
    assert.equal(sidecar.event, 'error');
    assert.equal(sidecar.source, 'sidecar');
    assert.match(String(sidecar.message), /iris\.preview\.json: title/);
    const changed = await cli.nextEvent();
    assert.deepEqual(changed, { event: 'share-link-changed', reason: 'expired', shareUrl: ready.shareUrl, expiresAt: ready.expiresAt });
    // Nothing else was waiting: the next line is a live event.
    const res = await fetch(new URL('api/predict', String(ready.localUrl)), {
      method: 'POST', headers: { authorization: `Bearer ${new URL(String(ready.shareUrl)).searchParams.get('t')}` }, body: JSON.stringify({ inputs: { features: [5.1, 3.5, 1.4, 0.2] } }),
    });
    assert.equal(res.status, 200);
    assert.equal((await cli.nextEvent()).event, 'prediction');
  });

  it('--json: a log line written while starting (a bad line in feedback.jsonl) comes after ready, as a storage warning', async () => {
    const { model, dataDir } = previewWithStartTimeProblems();
    writeFileSync(path.join(dataDir, 'feedback.jsonl'), 'not json\n');
    const cli = startCli(['serve', model, '--json', '--port', '0', '--workers', '1', '--data-dir', dataDir]);
    running.push(cli);
    assert.equal((await cli.nextEvent()).event, 'ready', 'ready is still the first line');
    const log = await cli.nextEvent((e) => e.event === 'log');
    assert.equal(log.level, 'warn');
    assert.equal(log.source, 'storage');
    assert.match(String(log.message), /feedback\.jsonl:1: skipped a line that is not valid JSON/);
  });

  it('text: the banner, then a line saying the old link had expired and which link replaces it', async () => {
    const { model, dataDir } = previewWithStartTimeProblems();
    const cli = startCli(['serve', model, '--port', '0', '--workers', '1', '--expires', '1h', '--data-dir', dataDir]);
    running.push(cli);
    const link = String((await cli.nextEvent((e) => String(e.text).startsWith('Share link:'))).text).replace('Share link:', '').trim();
    await cli.nextEvent((e) => String(e.text).endsWith('Press Ctrl+C to stop.'));
    const line = await cli.nextEvent();
    assert.equal(line.text, `the share link had expired while no preview ran; new share link: ${link}`);
    assert.match(cli.stderr(), /^$/, 'the sidecar problem is in the banner (sidecar ignored: ...), not repeated on stderr');
  });
});
