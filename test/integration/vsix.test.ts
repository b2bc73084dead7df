import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PackagedVsix } from '../../scripts/package-vsix';
import { vsixTarget } from '../../scripts/vsix-targets';
import { PACKAGING_TIMEOUT_MS, packagedVsix } from '../helpers/packaged-vsixes';
import { readVsixExtension } from '../helpers/vsix-archive';
import { runVsCodeSuite } from './run-in-code-server';

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * The linux-x64 VSIX as `npm run package` builds it (shared with test/package/vsix-contents.test.ts, which checks what
 * every platform's VSIX holds), installed with `--install-extension` into a fresh VS Code: it must activate, serve a
 * model and open its documentation with only what the VSIX holds.
 */
describe('the packaged linux-x64 VSIX', function () {
  this.timeout(180_000);
  const work = mkdtempSync(path.join(os.tmpdir(), 'mp-vsix-'));
  let vsix: PackagedVsix;
  before(async function () {
    this.timeout(PACKAGING_TIMEOUT_MS);
    vsix = await packagedVsix(vsixTarget('linux-x64'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('stays under 30 MB without sources or tests, and installs and runs in VS Code', async () => {
    console.log(`      VSIX: ${(vsix.bytes / 1024 / 1024).toFixed(1)} MB`);
    assert.ok(vsix.bytes < 30 * 1024 * 1024, `${vsix.bytes} bytes`);
    const files = [...(await readVsixExtension(vsix.file)).keys()];
    assert.deepEqual(files.filter((f) => /^(src|test|scripts|bench)\//.test(f)), [], 'no sources or tests');

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
      workspaceFolder, installVsix: [vsix.file], timeoutMs: 120_000,
      settings: { 'modelPreview.tunnel.provider': 'none' },
      log: (line) => output.push(line),
    });
    assert.equal(result.exitCode, 0, output.join('\n'));
  });
});
