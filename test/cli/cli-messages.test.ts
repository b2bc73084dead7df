import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO, runCli } from './cli-process';

const IRIS = path.join(REPO, 'examples/iris/iris.onnx');
const MISSING_LOCALE = path.join(REPO, 'test/fixtures/models/missing-locale.onnx');
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'mp-messages-'));

/** The message is one line (no stack trace, no raw Node error text) and the process exits with `code`. */
function oneLine(result: { code: number | null; stderr: string }, code: number): string {
  assert.equal(result.code, code, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /\bat .*\(|E[A-Z]+: /, 'no stack trace and no raw errno text');
  return lines[0];
}

/**
 * A user that cannot write a folder. The tests run as root in CI, where folder modes do not apply: the CLI then runs
 * as `nobody`, which cannot write a folder root made; as any other user, a 0555 folder of its own is enough.
 */
const cannotWrite = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
function unwritableFolder(): string {
  const dir = path.join(tempDir(), 'read-only');
  mkdirSync(dir);
  chmodSync(path.dirname(dir), 0o755);
  chmodSync(dir, 0o555);
  return dir;
}

describe('CLI messages a newcomer can act on: what is wrong, with which flag or file, and what to do', function () {
  this.timeout(30_000);

  describe('serve --data-dir that cannot be used: exit 2 ("cannot serve"), naming --data-dir', () => {
    it('a folder under a file (ENOTDIR): names the file in the way', async () => {
      const file = path.join(tempDir(), 'notes.txt');
      writeFileSync(file, 'x');
      const line = oneLine(await runCli(['serve', IRIS, '--data-dir', path.join(file, 'data')]), 2);
      assert.match(line, /--data-dir .*notes\.txt\/data: .*notes\.txt is a file, not a folder — give --data-dir a folder/);
    });

    it('a file given as the folder (README.md)', async () => {
      const line = oneLine(await runCli(['serve', IRIS, '--data-dir', 'README.md']), 2);
      assert.match(line, /^model-preview: --data-dir README\.md \(.*README\.md\): .*README\.md is a file, not a folder/);
    });

    it('a folder it may not create (EACCES on mkdir)', async () => {
      const line = oneLine(await runCli(['serve', IRIS, '--data-dir', path.join(unwritableFolder(), 'data')], REPO, {}, cannotWrite), 2);
      assert.match(line, /--data-dir .*read-only\/data: permission denied writing .*read-only.* — give your user write access there, or choose another folder with --data-dir/);
    });

    it('an existing folder it may not write (EACCES on its first file)', async () => {
      const line = oneLine(await runCli(['serve', IRIS, '--data-dir', unwritableFolder()], REPO, {}, cannotWrite), 2);
      assert.match(line, /--data-dir .*read-only: permission denied writing .*read-only\/\S+ — give your user write access there/);
    });
  });

  it('--port out of range: names --port and the range (not Node\'s "options.port should be >= 0 and < 65536")', async () => {
    const result = await runCli(['serve', IRIS, '--port', '99999']);
    assert.equal(result.code, 1, 'a usage error');
    assert.match(result.stderr, /--port must be a whole number from 0 to 65535/);
    assert.doesNotMatch(result.stderr, /options\.port/);
  });

  describe('a folder with no preview in it is refused, not silently acted on', () => {
    it('rotate-link --data-dir <typo>: exit 2, and nothing is created there', async () => {
      const typo = path.join(tempDir(), 'model-preveiw');
      const line = oneLine(await runCli(['rotate-link', '--data-dir', typo]), 2);
      assert.match(line, /--data-dir .*model-preveiw does not exist — give the folder `model-preview serve` writes to .*--create/);
      assert.equal(existsSync(typo), false);
    });

    it('rotate-link on an existing folder that holds no preview: exit 2', async () => {
      const line = oneLine(await runCli(['rotate-link', '--data-dir', tempDir()]), 2);
      assert.match(line, /holds no preview \(no tokens\.json\)/);
    });

    it('rotate-link --create makes the tokens for the next serve', async () => {
      const dataDir = path.join(tempDir(), 'new');
      const { code, stdout } = await runCli(['rotate-link', '--data-dir', dataDir, '--create']);
      assert.equal(code, 0);
      assert.match(stdout, /the next `model-preview serve` uses a new share link/);
      assert.ok(JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')).shareToken);
    });

    it('feedback --data-dir <missing>: exit 2 (not "no feedback yet")', async () => {
      const line = oneLine(await runCli(['feedback', '--data-dir', path.join(tempDir(), 'nope')]), 2);
      assert.match(line, /--data-dir .*nope does not exist/);
    });
  });

  describe('the ssh host key is named as the user set it', () => {
    it('a preset without one: names --ssh-host-key, not the config key', async () => {
      const line = oneLine(await runCli(['serve', IRIS, '--data-dir', path.join(tempDir(), 'd'), '--tunnel', 'ssh', '--ssh-preset', 'localhost.run']), 2);
      assert.match(line, /give its output as --ssh-host-key, or --ssh-host-key "trust-on-first-use"/);
      assert.doesNotMatch(line, /hostKey/);
    });

    it('a malformed key from the flag names the flag; from --config, the file\'s key and the file', async () => {
      const common = ['serve', IRIS, '--data-dir', path.join(tempDir(), 'd')];
      const fromFlag = oneLine(await runCli([...common, '--tunnel', 'ssh', '--ssh-host', '127.0.0.1', '--ssh-user', 'ana', '--ssh-host-key', 'not-a-key']), 2);
      assert.match(fromFlag, /^model-preview: --ssh-host-key: "not-a-key" is neither an OpenSSH public key/);
      const config = path.join(tempDir(), 'preview.json');
      writeFileSync(config, JSON.stringify({ tunnel: { provider: 'ssh', host: '127.0.0.1', user: 'ana', hostKey: 'not-a-key' } }));
      const fromFile = oneLine(await runCli([...common, '--config', config]), 2);
      assert.ok(fromFile.startsWith(`model-preview: tunnel.hostKey in ${config}: "not-a-key" is neither`), fromFile);
    });
  });

  describe('a model onnxruntime cannot load: one line saying what is missing, onnxruntime\'s own log only with --verbose', () => {
    const localeMessage = /missing-locale\.onnx: onnxruntime cannot load it: its StringNormalizer needs the locale xx_XX\.UTF-8, which this machine does not have — install it/;

    it('inspect', async () => {
      const line = oneLine(await runCli(['inspect', MISSING_LOCALE]), 2);
      assert.match(line, localeMessage);
      assert.ok(!line.includes('\u001b['), 'no colour codes');
      assert.doesNotMatch(line, /string_normalizer\.cc/, 'no C++ source location');
    });

    it('serve', async () => {
      const line = oneLine(await runCli(['serve', MISSING_LOCALE, '--data-dir', path.join(tempDir(), 'd')]), 2);
      assert.match(line, localeMessage);
    });

    it('--verbose adds onnxruntime\'s log line (inspect and serve)', async () => {
      for (const args of [['inspect', MISSING_LOCALE, '--verbose'], ['serve', MISSING_LOCALE, '--verbose', '--data-dir', path.join(tempDir(), 'd')]]) {
        const { code, stderr } = await runCli(args);
        assert.equal(code, 2);
        assert.match(stderr, /\[E:onnxruntime:.*Failed to construct locale with name:xx_XX\.UTF-8/, stderr);
        assert.match(stderr, localeMessage);
      }
    });
  });
});
