import * as path from 'node:path';

/** Entry of the suite run against the installed VSIX (see index.ts for the development-folder suite). */
export function run(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '../../../..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(require.resolve('mocha', { paths: [repoRoot] })) as typeof import('mocha');
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'vsix.suite.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
