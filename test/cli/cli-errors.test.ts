import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO, runCli, startCli } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');

describe('model-preview inspect', () => {
  it('shows inputs, outputs, producer, opsets, metadata and the version id', async () => {
    const { code, stdout } = await runCli(['inspect', IRIS]);
    assert.equal(code, 0);
    assert.match(stdout, /^iris {2}version [0-9a-f]{12}/);
    assert.match(stdout, /features\s+FP32\s+\[batch, 4\]/);
    assert.match(stdout, /logits\s+FP32\s+\[batch, 3\]/);
    assert.match(stdout, /producer\s+pytorch 1\.13/);
    assert.match(stdout, /opsets ai\.onnx 17/);
    assert.match(stdout, /class_names\s+setosa,versicolor,virginica/);
  });

  it('--json gives the full description: a ZipMap served as probabilities, a sequence output flagged as not served', async () => {
    const zipmap = await runCli(['inspect', path.join(REPO, 'test/fixtures/models/zipmap-classifier.onnx'), '--json']);
    assert.equal(zipmap.code, 0);
    const d = JSON.parse(zipmap.stdout);
    assert.deepEqual(d.outputs.map((o: { name: string; datatype: string }) => `${o.name} ${o.datatype}`), ['label INT64', 'probabilities FP32']);
    assert.deepEqual(d.nonTensorOutputs, []);
    assert.equal(d.sha256.slice(0, 12), d.version);
    const sequence = JSON.parse((await runCli(['inspect', path.join(REPO, 'test/fixtures/models/sequence-output.onnx'), '--json'])).stdout);
    assert.equal(sequence.nonTensorOutputs[0].name, 'pieces');
    assert.match(sequence.nonTensorOutputs[0].note, /not a tensor/);
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'mp-bad-'));
  const truncated = path.join(dir, 'truncated.onnx');
  writeFileSync(truncated, readFileSync(IRIS).subarray(0, 700));
  const text = path.join(dir, 'notes.onnx');
  writeFileSync(text, 'just some text, not a model\n');
  for (const [what, file, reason] of [
    ['a missing file', path.join(dir, 'nope.onnx'), /no such file/],
    ['a truncated file', truncated, /truncated/],
    ['a file that is not ONNX', text, /not an ONNX model/],
  ] as const) {
    it(`${what}: one line naming the file and the reason, exit 2, no stack trace`, async () => {
      const { code, stderr } = await runCli(['inspect', file]);
      assert.equal(code, 2);
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.ok(lines[0].includes(file), lines[0]);
      assert.match(lines[0], reason);
      assert.doesNotMatch(stderr, /\n\s+at /);
    });
  }

  it('serve with a model that cannot load: one line, exit 2', async () => {
    const { code, stderr } = await runCli(['serve', truncated, '--data-dir', path.join(dir, 'data')]);
    assert.equal(code, 2);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /truncated/);
  });

  it('serve on a port already in use: one line saying so, exit 2', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runCli(['serve', IRIS, '--port', String(port), '--data-dir', path.join(dir, 'data')]);
      assert.equal(code, 2);
      assert.match(stderr, new RegExp(`port ${port} .*already in use`));
    } finally {
      blocker.close();
    }
  });

  it('rejects a bad flag value with a message naming the flag', async () => {
    const { code, stderr } = await runCli(['serve', IRIS, '--workers', 'many']);
    assert.notEqual(code, 0);
    assert.match(stderr, /--workers must be a whole number/);
  });
});

describe('model-preview serve (human output)', () => {
  it('prints the model summary and the share link, then stops on SIGINT with exit 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-human-'));
    const cli = startCli(['serve', IRIS, '--port', '0', '--data-dir', path.join(dir, 'data')]);
    const link = await cli.nextEvent((e) => typeof e.text === 'string' && e.text.startsWith('Share link:'));
    const url = String(link.text).replace('Share link:', '').trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?t=[A-Za-z0-9_-]{43}$/);
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 303, 'the link trades its token for a cookie');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 0);
  });
});
