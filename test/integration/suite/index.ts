import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { HANDSHAKE_ENV, RESULTS_FILE, SUITE_ENV, type StepResult } from '../handshake';

/**
 * The suite's entry, loaded by the extension host (extensionTestsPath) under either launcher (code-server here,
 * @vscode/test-electron where VS Code can be downloaded). Resolves when every test passed. With a handshake folder
 * (code-server), each test's outcome is also written there as it ends, so the launcher reports every step as a test
 * of its own (and knows which ones ran when the run is cut short).
 */
export function run(): Promise<void> {
  // mocha is the repo's devDependency; resolved from the repo root (this file runs from out/test/integration/suite/).
  const repoRoot = path.resolve(__dirname, '../../../..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(require.resolve('mocha', { paths: [repoRoot] })) as typeof import('mocha');
  // bail: the steps build on each other (publish, then feedback, then stop): after a failure the rest would only time out.
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', bail: true });
  // Which suite: the launcher names one (a first-run workspace needs a window of its own); extension.suite.js by default.
  mocha.addFile(path.join(__dirname, process.env[SUITE_ENV] ?? 'extension.suite.js'));
  const handshake = process.env[HANDSHAKE_ENV];
  const record = (result: StepResult) => handshake && appendFileSync(path.join(handshake, RESULTS_FILE), JSON.stringify(result) + '\n');
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    runner.on('pass', (test) => record({ title: test.title, state: 'passed', ms: test.duration ?? 0 }));
    runner.on('fail', (test, err: Error) => record({ title: test.title, state: 'failed', ms: test.duration ?? 0, error: err.stack ?? err.message }));
  });
}
