import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { csvObjects, handRecord, newKey, parseCsv, predictIris, runCliBytes, sendFeedback, SETOSA, VIRGINICA } from '../helpers/feedback-kit';
import { IRIS_MODEL, startPreview } from '../helpers/preview';
import { CLI, REPO, startCli, type CliRun } from './cli-process';

const ESC_COMMENT = 'see \u001b[31mred\u001b[0m here';

describe('model-preview feedback (the built CLI, spawned)', function () {
  this.timeout(20_000);
  let dir: string;
  let dataDir: string;
  let version: string;
  const running: CliRun[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mp-feedback-cli-'));
    dataDir = path.join(dir, 'data');
    // Real feedback, stored by a real session in the data folder.
    const preview = await startPreview(IRIS_MODEL, { dataDir, workers: 1 });
    try {
      version = preview.session.card()!.version;
      const virginica = await predictIris(preview, VIRGINICA);
      const setosa = await predictIris(preview, SETOSA);
      for (const body of [
        { predictionId: virginica.predictionId, rating: 'down', expected: 'versicolor', comment: 'petals too short', reviewer: 'Dana' },
        { predictionId: setosa.predictionId, rating: 'up', comment: ESC_COMMENT },
      ]) {
        const res = await sendFeedback(preview, { ...body, idempotencyKey: newKey() });
        assert.equal(res.status, 201, res.text);
      }
    } finally {
      await preview.stop();
    }
  });
  afterEach(() => {
    for (const cli of running.splice(0)) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one line per record: rating, "predicted X → expected Y", the comment and the reviewer', async () => {
    const { code, stdout, stderr } = await runCliBytes(CLI, ['feedback', '--data-dir', dataDir], REPO);
    assert.equal(code, 0, stderr);
    const lines = stdout.toString('utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 2, stdout.toString('utf8'));
    const [down, up] = lines;
    assert.match(down, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}/);
    assert.ok(down.includes(version), down);
    assert.ok(down.includes('down'), down);
    assert.ok(down.includes('predicted virginica → expected versicolor'), down);
    assert.ok(down.includes('"petals too short"'), down);
    assert.ok(down.includes('Dana'), down);
    assert.ok(up.includes('up'), up);
    assert.ok(up.includes('predicted setosa'), up);
  });

  it('shows an ESC in a comment as visible \\u001b text, with no raw ESC byte in stdout', async () => {
    const { code, stdout, stderr } = await runCliBytes(CLI, ['feedback', '--data-dir', dataDir], REPO);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.indexOf(0x1b), -1, 'no raw ESC byte');
    assert.ok(stdout.toString('utf8').includes('"see \\u001b[31mred\\u001b[0m here"'), stdout.toString('utf8'));
  });

  it('--csv prints the CSV with the BOM and the header row', async () => {
    const { code, stdout, stderr } = await runCliBytes(CLI, ['feedback', '--data-dir', dataDir, '--csv'], REPO);
    assert.equal(code, 0, stderr);
    assert.deepEqual([...stdout.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(stdout.indexOf(0x1b), -1, 'no raw ESC byte');
    const rows = csvObjects(parseCsv(stdout.subarray(3).toString('utf8')));
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.map((r) => [r.rating, r.predicted, r.expected, r.reviewer]), [['down', 'virginica', 'versicolor', 'Dana'], ['up', 'setosa', '', '']]);
    assert.equal(rows[1].comment, 'see \\u001b[31mred\\u001b[0m here');
  });

  it('says so on stderr when there is no feedback yet', async () => {
    const empty = path.join(dir, 'empty');
    // A preview's folder (its tokens made, as a first serve would) that got no feedback yet.
    assert.equal((await runCliBytes(CLI, ['rotate-link', '--data-dir', empty, '--create'], REPO)).code, 0);
    const { code, stdout, stderr } = await runCliBytes(CLI, ['feedback', '--data-dir', empty], REPO);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.length, 0);
    assert.match(stderr, /no feedback yet in .*feedback\.jsonl/);
  });

  it('--follow prints the existing records, then a record appended after it started', async () => {
    const cli = startCli(['feedback', '--data-dir', dataDir, '--follow']);
    running.push(cli);
    await cli.nextEvent((e) => String(e.text).includes('petals too short'));
    await cli.nextEvent((e) => String(e.text).includes('see \\u001b[31mred'));
    const deadline = Date.now() + 5_000;
    while (!cli.stderr().includes('following') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(cli.stderr(), /following .*feedback\.jsonl/);
    const record = handRecord({ modelVersion: version, rating: 'down', predicted: 'setosa', expected: 'virginica', comment: 'appended by hand', reviewer: 'Lee' });
    await appendFile(path.join(dataDir, 'feedback.jsonl'), JSON.stringify(record) + '\n');
    const line = String((await cli.nextEvent((e) => String(e.text).includes('appended by hand'), 5_000)).text);
    assert.ok(line.includes('predicted setosa → expected virginica'), line);
    assert.ok(line.includes('Lee'), line);
    cli.child.kill('SIGTERM');
    await cli.exited;
  });

  it('--follow started before the data folder exists (before serve) waits, then prints the first record', async () => {
    const later = path.join(dir, 'created-later');
    const cli = startCli(['feedback', '--data-dir', later, '--follow']);
    running.push(cli);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(cli.child.exitCode, null, `it is still running; stderr: ${cli.stderr()}`);
    await mkdir(later, { recursive: true });
    await appendFile(path.join(later, 'feedback.jsonl'), JSON.stringify(handRecord({ comment: 'the very first one' })) + '\n');
    await cli.nextEvent((e) => String(e.text).includes('the very first one'), 5_000);
  });
});

describe('model-preview serve (human output) announces feedback', function () {
  this.timeout(20_000);
  let dir: string;
  let cli: CliRun | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mp-serve-feedback-'));
  });
  after(async () => {
    if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a "feedback:" line when feedback arrives, with terminal-safe text', async () => {
    cli = startCli(['serve', IRIS_MODEL, '--port', '0', '--data-dir', path.join(dir, 'data'), '--workers', '1', '--no-watch']);
    const shareLine = String((await cli.nextEvent((e) => String(e.text).startsWith('Share link:'))).text);
    const shareUrl = new URL(shareLine.replace(/^Share link:\s+/, ''));
    const token = shareUrl.searchParams.get('t')!;
    const post = async (urlPath: string, body: unknown) => {
      const res = await fetch(new URL(urlPath, shareUrl), { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      return { status: res.status, json: await res.json() as Record<string, string> };
    };
    const p = await post('/api/predict', { inputs: { features: VIRGINICA } });
    assert.equal(p.status, 200);
    const fb = await post('/api/feedback', {
      predictionId: p.json.predictionId, rating: 'down', expected: 'versicolor', comment: 'oops \u001b[2J', reviewer: 'Kim', idempotencyKey: newKey(),
    });
    assert.equal(fb.status, 201);
    const line = String((await cli.nextEvent((e) => String(e.text).startsWith('feedback:'))).text);
    assert.ok(line.includes('predicted virginica → expected versicolor'), line);
    assert.ok(line.includes('"oops \\u001b[2J"'), line);
    assert.ok(!line.includes('\u001b'), 'no raw ESC');
    assert.ok(line.includes('Kim'), line);
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
  });
});
