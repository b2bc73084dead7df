import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { MODEL_PREVIEW_VERSION } from '../../src/shared/version';
import { REPO } from './cli-process';

const run = promisify(execFile);

/**
 * The command as a user gets it: `npm pack` of this repository (after `npm run build`), installed from the tarball into
 * a throwaway prefix the way `npm install -g` does, and run through the `model-preview` bin npm links — not
 * `node dist/cli.js`. The registry is reached for the bundle's few runtime dependencies (npm's cache first).
 */
describe('the installed model-preview command (npm pack, then npm install -g of the tarball)', function () {
  this.timeout(300_000);
  const work = mkdtempSync(path.join(tmpdir(), 'mp-install-'));
  const prefix = path.join(work, 'prefix');
  const bin = path.join(prefix, 'bin', 'model-preview');
  // onnxruntime-node's postinstall would fetch CUDA files; the CPU binaries ship in the package.
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_update_notifier: 'false' };
  let packed: string[] = [];

  before(async () => {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO, env, maxBuffer: 64 * 1024 * 1024 });
    const [result] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packed = result.files.map((f) => f.path);
    await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(work, result.filename)], { cwd: work, env });
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('the tarball holds the bundled CLI and its worker, and no sources, tests or source maps', () => {
    for (const file of ['dist/cli.js', 'dist/inference-worker.js', 'dist/page/page.js', 'dist/page/page.css', 'package.json', 'README.md']) {
      assert.ok(packed.includes(file), `${file} is missing from the tarball: ${packed.join(', ')}`);
    }
    const extra = packed.filter((f) => /^(src|test|out|examples|scripts|bench)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'));
    assert.deepEqual(extra, []);
  });

  it('dist/cli.js starts with a node shebang and is executable', () => {
    const installed = path.join(prefix, 'lib', 'node_modules', 'model-preview', 'dist', 'cli.js');
    assert.equal(readFileSync(installed, 'utf8').split('\n', 1)[0], '#!/usr/bin/env node');
    assert.ok(statSync(installed).mode & 0o111, 'executable bits');
    assert.ok(statSync(path.join(REPO, 'dist', 'cli.js')).mode & 0o100, 'the build output is executable too');
  });

  it('model-preview --version', async () => {
    const { stdout } = await run(bin, ['--version'], { env });
    assert.equal(stdout.trim(), MODEL_PREVIEW_VERSION);
  });

  it('model-preview inspect examples/iris/iris.onnx', async () => {
    const { stdout, stderr } = await run(bin, ['inspect', 'examples/iris/iris.onnx'], { cwd: REPO, env });
    assert.match(stdout, /^iris {2}version [0-9a-f]{12}/);
    assert.match(stdout, /features\s+FP32\s+\[batch, 4\]/);
    assert.equal(stderr, '');
  });
});
