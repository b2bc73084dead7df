import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runVsCodeSuite } from './run-in-code-server';

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * `vsce package --target linux-x64` (what `npm run package` runs after the build), then the VSIX installed with
 * `--install-extension` into a fresh VS Code: it must activate and serve a model with only what the VSIX holds.
 */
describe('the packaged linux-x64 VSIX', function () {
  this.timeout(180_000);
  const work = mkdtempSync(path.join(os.tmpdir(), 'mp-vsix-'));
  const vsix = path.join(work, 'model-preview-linux-x64.vsix');
  after(() => rmSync(work, { recursive: true, force: true }));

  it('holds only this platform\'s onnxruntime, stays under 30 MB, and installs and runs in VS Code', async () => {
    execFileSync(path.join(repoRoot, 'node_modules/.bin/vsce'), ['package', '--target', 'linux-x64', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', vsix], { cwd: repoRoot, stdio: 'pipe' });
    const size = statSync(vsix).size;
    console.log(`      VSIX: ${(size / 1024 / 1024).toFixed(1)} MB`);
    assert.ok(size < 30 * 1024 * 1024, `${size} bytes`);
    const listing = execFileSync('unzip', ['-l', vsix], { encoding: 'utf8' });
    assert.match(listing, /onnxruntime-node\/bin\/napi-v6\/linux\/x64\/libonnxruntime\.so\.1/);
    assert.doesNotMatch(listing, /onnxruntime-node\/bin\/napi-v6\/(darwin|win32|linux\/arm64)/, 'no other platform\'s binaries');
    assert.doesNotMatch(listing, /extension\/(src|test)\//, 'no sources or tests');

    const workspaceFolder = path.join(work, 'workspace');
    mkdirSync(path.join(workspaceFolder, 'iris'), { recursive: true });
    for (const file of ['iris.onnx', 'iris.preview.json']) copyFileSync(path.join(repoRoot, 'examples/iris', file), path.join(workspaceFolder, 'iris', file));
    // The launcher needs a development extension; an empty one, so the installed VSIX is what runs.
    const placeholder = path.join(work, 'placeholder-extension');
    mkdirSync(placeholder);
    writeFileSync(path.join(placeholder, 'package.json'), JSON.stringify({ name: 'placeholder', publisher: 'test', version: '0.0.0', engines: { vscode: '^1.100.0' } }));
    const output: string[] = [];
    const result = await runVsCodeSuite({
      extensionDevelopmentPath: placeholder,
      extensionTestsPath: path.join(repoRoot, 'out/test/integration/suite/vsix-index.js'),
      workspaceFolder, installVsix: [vsix], timeoutMs: 120_000,
      settings: { 'modelPreview.tunnel.provider': 'none' },
      log: (line) => output.push(line),
    });
    assert.equal(result.exitCode, 0, output.join('\n'));
  });
});
