// The smoke tests (mocha `tdd` UI globals), loaded by ./index.js inside the VS Code extension host.
'use strict';
const fs = require('node:fs');
const assert = require('node:assert/strict');
const vscode = require('vscode');

const EXTENSION_ID = 'model-preview-test.smoke';

suite('smoke: the harness runs a suite in a real extension host', () => {
  test('VS Code is 1.100.x and a workspace folder is open', () => {
    assert.match(vscode.version, /^1\.100\./);
    assert.ok(vscode.workspace.workspaceFolders?.length, 'no workspace folder');
  });

  test('the extension under development activated', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.equal(api.activations(), 1);
  });

  test('vscode.commands.executeCommand reaches the extension and built-in commands', async () => {
    assert.deepEqual(await vscode.commands.executeCommand('modelPreviewSmoke.ping', 42), { pong: 42, activations: 1 });
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('modelPreviewSmoke.ping'));
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    assert.ok(vscode.window.activeTextEditor, 'no editor after newUntitledFile');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a webview opens (and stays open while a launcher screenshots it)', async function () {
    this.timeout(90_000);
    assert.equal(await vscode.commands.executeCommand('modelPreviewSmoke.showWebview', 'hello from the smoke webview'), true);
    const handshake = process.env.SMOKE_WEBVIEW_HANDSHAKE;
    if (!handshake) return;
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(handshake)) {
      assert.ok(Date.now() < deadline, `launcher never wrote ${handshake}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(fs.readFileSync(handshake, 'utf8').trim(), 'hello from the smoke webview');
  });

  if (process.env.SMOKE_FAIL === '1') {
    test('a deliberately failing assertion (SMOKE_FAIL=1)', () => {
      assert.equal(1 + 1, 3);
    });
  }
});
