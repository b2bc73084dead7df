import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO, startCli, type CliRun } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');
const SETOSA = [5.1, 3.5, 1.4, 0.2];

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('model-preview serve --json (the built CLI, spawned)', () => {
  let dir: string;
  let model: string;
  let cli: CliRun;
  let ready: Record<string, unknown>;
  const token = () => new URL(String(ready.shareUrl)).searchParams.get('t')!;
  const predict = (features: number[]) => fetch(new URL('api/predict', String(ready.localUrl)), {
    method: 'POST', headers: { authorization: `Bearer ${token()}` }, body: JSON.stringify({ inputs: { features } }),
  });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mp-cli-'));
    model = path.join(dir, 'iris.onnx');
    copyFileSync(IRIS, model);
    cli = startCli(['serve', model, '--json', '--port', '0', '--data-dir', path.join(dir, 'data'), '--workers', '1']);
    ready = await cli.nextEvent((e) => e.event === 'ready');
  });

  after(() => {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  });

  it('prints a ready event first, with the model, its version, the port and both tokens kept apart', () => {
    assert.equal(ready.model, 'iris');
    assert.match(String(ready.modelVersion), /^[0-9a-f]{12}$/);
    assert.equal(typeof ready.port, 'number');
    assert.equal(ready.localUrl, `http://127.0.0.1:${ready.port}/`);
    assert.ok(String(ready.shareUrl).startsWith(String(ready.localUrl)));
    assert.ok(!String(ready.shareUrl).includes(String(ready.ownerToken)), 'the owner token must never be in the share link');
  });

  it('says in the ready event how many workers serve and why: --workers 1 wins', () => {
    assert.deepEqual(ready.workers, { count: 1, chosenBy: '--workers', reason: 'set by --workers' });
  });

  it('answers a prediction through the share token and records it in predictions.jsonl', async () => {
    const res = await predict(SETOSA);
    assert.equal(res.status, 200);
    const body = await res.json() as { predictionId: string; outputs: { logits: { data: number[] } } };
    const scores = body.outputs.logits.data;
    assert.equal(scores.indexOf(Math.max(...scores)), 0, 'setosa');
    const records = readFileSync(path.join(dir, 'data', 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(records.some((r) => r.predictionId === body.predictionId));
  });

  it('reloads the model when the file is rewritten, and says so with a model-reloaded event', async () => {
    const before = ready.modelVersion;
    // A different valid model under the same file name: the notebook "exported again".
    writeFileSync(model, readFileSync(path.join(REPO, 'test/fixtures/models/fixed-shape.onnx')));
    const reloaded = await cli.nextEvent((e) => e.event === 'model-reloaded');
    assert.equal(reloaded.previousVersion, before);
    assert.notEqual(reloaded.modelVersion, before);
    const meta = await (await fetch(new URL('v2/models/iris', String(ready.localUrl)), { headers: { authorization: `Bearer ${token()}` } })).json() as { versions: string[]; inputs: Array<{ name: string }> };
    assert.deepEqual(meta.versions, [reloaded.modelVersion]);
    assert.equal(meta.inputs[0].name, 'grid');
  });

  it('keeps serving the last good version when a broken file is written, and reports an error event', async () => {
    writeFileSync(model, Buffer.from('this is not an onnx model'));
    const error = await cli.nextEvent((e) => e.event === 'error');
    assert.equal(error.source, 'model-reload');
    assert.match(String(error.message), /not an ONNX model|cannot load/);
    assert.match(String(error.message), /still serving version/);
    const ready2 = await fetch(new URL('v2/health/ready', String(ready.localUrl)));
    assert.equal(ready2.status, 200);
  });

  it('on SIGTERM stops cleanly: exit code 0 and the port is free', async () => {
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
    assert.equal(await portIsFree(Number(ready.port)), true);
  });
});
