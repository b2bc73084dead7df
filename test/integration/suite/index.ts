import * as path from 'node:path';

/**
 * The suite's entry, loaded by the extension host (extensionTestsPath) under either launcher (code-server here,
 * @vscode/test-electron where VS Code can be downloaded). Resolves when every test passed.
 */
export function run(): Promise<void> {
  // mocha is the repo's devDependency; resolved from the repo root (this file runs from out/test/integration/suite/).
  const repoRoot = path.resolve(__dirname, '../../../..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(require.resolve('mocha', { paths: [repoRoot] })) as typeof import('mocha');
  // bail: the steps build on each other (publish, then feedback, then stop): after a failure the rest would only time out.
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', bail: true });
  mocha.addFile(path.join(__dirname, 'extension.suite.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
