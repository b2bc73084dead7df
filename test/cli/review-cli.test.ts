import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IRIS_MODEL } from '../helpers/preview';
import { runCli, startCli } from './cli-process';

const JSONL = '{"id":"a","inputs":{"features":[5.1,3.5,1.4,0.2]},"tags":["typical"]}\n{"id":"b","inputs":{"features":[6.7,3.0,5.2,2.3]}}\n';
const CSV = 'id,features[0],features[1],features[2],features[3],expected\r\nr1,5.1,3.5,1.4,0.2,setosa\r\n';

/** `model-preview review add|list|remove`: with the preview running (through its owner API) and with none. */
describe('model-preview review add, list, remove', function () {
  this.timeout(60_000);
  let dir: string;
  let dataDir: string;
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mp-review-cli-'));
    dataDir = path.join(dir, 'data');
    assert.equal((await runCli(['rotate-link', '--data-dir', dataDir, '--create'])).code, 0);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('with no preview running: adds a JSONL set (named after the file) and a CSV one (--name), lists and removes them; serve then offers them', async () => {
    const added = await runCli(['review', 'add', file('launch.jsonl', JSONL), '--data-dir', dataDir]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^Added the review set launch \(2 cases\)\. No preview of this folder is running/);
    assert.equal((await runCli(['review', 'add', file('sheet.csv', CSV), '--name', 'from the sheet', '--data-dir', dataDir])).code, 0);
    const list = await runCli(['review', 'list', '--data-dir', dataDir]);
    assert.match(list.stdout, /^from the sheet {2}1 case {2}added \S+\nlaunch {2}2 cases {2}added \S+\n$/);
    assert.equal((await runCli(['review', 'remove', 'from the sheet', '--data-dir', dataDir])).code, 0);
    assert.deepEqual(readdirSync(path.join(dataDir, 'review-sets')), ['launch.jsonl']);

    const cli = startCli(['serve', IRIS_MODEL, '--json', '--port', '0', '--data-dir', dataDir]);
    try {
      const ready = await cli.nextEvent((e) => e.event === 'ready');
      const sets = await fetch(new URL('api/review-sets', String(ready.localUrl)), { headers: { authorization: `Bearer ${new URL(String(ready.shareUrl)).searchParams.get('t')}` } }).then((r) => r.json() as Promise<{ sets: Array<{ name: string; cases: number }> }>);
      assert.deepEqual(sets.sets.map((s) => [s.name, s.cases]), [['launch', 2]]);

      // Running: through the owner API, checked against the served model's inputs.
      const wrong = await runCli(['review', 'add', file('petals.jsonl', '{"inputs":{"petals":[1,2]}}\n'), '--data-dir', dataDir]);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /^model-preview: the preview on port \d+: adding the review set "petals" .* failed: the server answered 400: line 1: the model has no input "petals" \(its inputs: features\)\n$/);
      const viaServer = await runCli(['review', 'add', file('sheet.csv', CSV), '--data-dir', dataDir]);
      assert.equal(viaServer.code, 0, viaServer.stderr);
      assert.match(viaServer.stdout, /^Added the review set sheet \(1 case\): reviewers find it/);
      assert.match((await runCli(['review', 'list', '--data-dir', dataDir])).stdout, /^launch {2}2 cases.*\nsheet {2}1 case /);
      // A file far over the limit is refused by its size, before it is read or sent (the preview would answer 413).
      const huge = await runCli(['review', 'add', file('huge.jsonl', `{"inputs":{"features":[1,2,3,4]},"expected":"${'x'.repeat(41 * 1024 * 1024)}"}\n`), '--data-dir', dataDir]);
      assert.equal(huge.code, 1);
      assert.match(huge.stderr, /^model-preview: \S*huge\.jsonl: the file is larger than 20 MB; split it into several review sets — nothing was added\n$/);

      // The owner's own link to the page: the share link with the owner token in the fragment, which no server sees.
      const ownerLink = await runCli(['review', 'owner-link', '--data-dir', dataDir]);
      assert.equal(ownerLink.code, 0, ownerLink.stderr);
      const [link, advice] = ownerLink.stdout.trim().split('\n');
      const ownerToken = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')).ownerToken as string;
      assert.equal(link, `${String(ready.shareUrl)}#owner=${ownerToken}`);
      assert.match(advice, /do not share it; give people the share link\.$/);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('bad files: a formula cell, an unknown field, a wrong extension, an unknown set — one clear line, exit 1, nothing stored', async () => {
    const formula = await runCli(['review', 'add', file('evil.csv', 'features[0],features[1],features[2],features[3],expected\r\n1,2,3,4,=cmd|calc\r\n'), '--data-dir', dataDir]);
    assert.equal(formula.code, 1);
    assert.match(formula.stderr, /^model-preview: .*evil\.csv: row 2, column "expected": the cell starts with "=", as a spreadsheet formula does .* — nothing was added\n$/);
    const field = await runCli(['review', 'add', file('extra.jsonl', '{"inputs":{"features":[1,2,3,4]},"answer":"x"}\n'), '--data-dir', dataDir]);
    assert.equal(field.code, 1);
    assert.match(field.stderr, /extra\.jsonl: line 1: unknown field\(s\) answer/);
    const ext = await runCli(['review', 'add', file('cases.txt', JSONL), '--data-dir', dataDir]);
    assert.equal(ext.code, 1);
    assert.match(ext.stderr, /cases\.txt: a review file is \.jsonl .* or \.csv .*, not \.txt/);
    const notRunning = await runCli(['review', 'owner-link', '--data-dir', dataDir]);
    assert.equal(notRunning.code, 1);
    assert.match(notRunning.stderr, /no preview of .* is running: start it with `model-preview serve`, then ask again\n$/);
    const unknown = await runCli(['review', 'remove', 'nothing', '--data-dir', dataDir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no review set named "nothing" \(there are none\)/);
    assert.equal(existsSync(path.join(dataDir, 'review-sets')) ? readdirSync(path.join(dataDir, 'review-sets')).length : 0, 0, 'nothing stored');
  });

  it('a set added with no preview running that the model cannot answer: serve says which and why, the page is not offered it, review list marks it', async () => {
    // With no model at hand the CLI checks the file on its own; these fit each other but not iris (no "petals"; three measurements).
    assert.equal((await runCli(['review', 'add', file('petals.jsonl', '{"id":"p1","inputs":{"petals":[1,2]}}\n'), '--data-dir', dataDir])).code, 0);
    assert.equal((await runCli(['review', 'add', file('short.jsonl', '{"id":"s1","inputs":{"features":[1,2,3]}}\n'), '--data-dir', dataDir])).code, 0);
    assert.equal((await runCli(['review', 'add', file('launch.jsonl', JSONL), '--data-dir', dataDir])).code, 0);
    const cli = startCli(['serve', IRIS_MODEL, '--json', '--port', '0', '--data-dir', dataDir]);
    try {
      const ready = await cli.nextEvent((e) => e.event === 'ready');
      const warned = [await cli.nextEvent((e) => e.event === 'log' && /review set/.test(String(e.message))), await cli.nextEvent((e) => e.event === 'log' && /review set/.test(String(e.message)))];
      assert.deepEqual(warned.map((e) => [e.level, e.source]), [['warn', 'storage'], ['warn', 'storage']]);
      assert.match(String(warned[0].message), /^review set "petals" does not fit iris \(version c19ee04a8f90\), so the page does not offer it: case "p1": the model has no input "petals" \(its inputs: features\)\. Fix the file/);
      assert.match(String(warned[1].message), /^review set "short" does not fit iris .*: case "s1": input 'features': expected shape \[batch, 4\] \(rank 2\), got \[3\]/);
      const sets = await fetch(new URL('api/review-sets', String(ready.localUrl)), { headers: { authorization: `Bearer ${new URL(String(ready.shareUrl)).searchParams.get('t')}` } })
        .then((r) => r.json() as Promise<{ sets: Array<{ name: string; problem?: string }> }>);
      assert.deepEqual(sets.sets.map((s) => [s.name, s.problem !== undefined]), [['launch', false], ['petals', true], ['short', true]]);
      const list = await runCli(['review', 'list', '--data-dir', dataDir]);
      assert.match(list.stdout, /^launch {2}2 cases {2}added \S+\npetals {2}1 case {2}added \S+ {2}NOT OFFERED, it does not fit the model: case "p1": the model has no input "petals"/);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});
