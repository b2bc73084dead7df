import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localServingProblem } from '../../src/vscode/platform-support';
import { onPlatform } from '../helpers/stub-platform';

/** What the extension says at activation on each kind of machine (process.platform/arch stubbed). */
describe('platform support at activation (process.platform and process.arch stubbed)', () => {
  let extension: string;
  /** An installed extension holding onnxruntime's binary for one platform, as its VSIX does. */
  const installedFor = (platform: string, arch: string) => {
    const dir = path.join(extension, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', platform, arch);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'onnxruntime_binding.node'), '');
  };
  beforeEach(() => (extension = mkdtempSync(path.join(os.tmpdir(), 'mp-ext-'))));
  afterEach(() => rmSync(extension, { recursive: true, force: true }));

  it('says nothing where the VSIX holds this platform\'s onnxruntime (Windows on arm64 here)', async () => {
    installedFor('win32', 'arm64');
    assert.equal(await onPlatform('win32', 'arm64', () => localServingProblem(extension)), undefined);
  });

  it('tells an Intel Mac user that local serving is not available there, and what to do instead', async () => {
    installedFor('darwin', 'arm64'); // the only macOS VSIX there is
    const problem = await onPlatform('darwin', 'x64', () => localServingProblem(extension));
    assert.match(problem ?? '', /cannot serve models on an Intel Mac/);
    assert.match(problem ?? '', /Reopen in Container.*Remote-SSH.*Codespaces/);
  });

  it('names the VSIX to install when one for another platform was installed', async () => {
    installedFor('linux', 'x64');
    const problem = await onPlatform('win32', 'x64', () => localServingProblem(extension));
    assert.match(problem ?? '', /no onnxruntime binary for win32-x64.*Install model-preview-win32-x64\.vsix/);
  });

  it('lists the supported platforms on one onnxruntime has no build for', async () => {
    installedFor('linux', 'x64');
    const problem = await onPlatform('linux', 'arm', () => localServingProblem(extension));
    assert.match(problem ?? '', /cannot serve models on linux-arm.*Supported: linux-x64, linux-arm64, darwin-arm64, win32-x64, win32-arm64/);
  });

  it('finds this checkout\'s own onnxruntime on this machine', async () => {
    assert.equal(await localServingProblem(path.resolve(__dirname, '../../..')), undefined);
  });
});
