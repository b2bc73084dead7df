// Mocha runner loaded inside the VS Code extension host (extensionTestsPath) by test/integration/run-in-code-server.ts
// or run-in-electron.ts; the tests are in ./smoke.test.js.
// The extension host calls `run()` and reads success/failure from the returned promise.
// Env knobs (the extension host inherits the server's environment; the launchers pass `env` through):
//   SMOKE_FAIL=1                  add a deliberately failing assertion (proves a failing suite exits 1)
//   SMOKE_WEBVIEW_HANDSHAKE=FILE  after opening the webview, wait (<= 60 s) until FILE exists, so a launcher
//                                 `onPage` callback can read the webview's DOM and screenshot it while the suite runs
'use strict';
const path = require('node:path');

// mocha is a devDependency of the repo: resolve it from the repo root, wherever this file is copied from.
const REPO_ROOT = path.resolve(__dirname, '../../..');
const Mocha = require(require.resolve('mocha', { paths: [REPO_ROOT, __dirname] }));

/** Entry point called by the extension host (extensionTestsPath): resolves when every test passed. */
function run() {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 20_000, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'smoke.test.js'));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}

module.exports = { run };
