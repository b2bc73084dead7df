import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelPreviewExtension } from '../../../src/vscode/model-preview-extension';

/** Runs against the extension installed from the packaged VSIX (not the repository): what a user gets. */
describe('Model Preview installed from its linux-x64 VSIX', () => {
  it('is installed from the VSIX, activates, and its bundled server serves a model with the packaged onnxruntime', async () => {
    const extension = vscode.extensions.getExtension<ModelPreviewExtension>('model-preview.model-preview');
    assert.ok(extension, 'installed');
    assert.ok(!extension.extensionPath.startsWith(path.resolve(__dirname, '../../../..')), `installed copy, not the repository: ${extension.extensionPath}`);
    // code-server is a remote-style host: the extension runs beside the workspace, as in Remote-SSH, WSL or a Codespace
    assert.ok(vscode.env.remoteName, 'a remote-style window');
    assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace, 'runs in the workspace\'s extension host');
    const api = await extension.activate();
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const shareUrl = await vscode.commands.executeCommand<string>('modelPreview.publish', vscode.Uri.file(path.join(folder, 'iris', 'iris.onnx')));
    const token = new URL(shareUrl).searchParams.get('t')!;
    const res = await fetch(new URL('/api/predict', shareUrl), {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { features: [5.1, 3.5, 1.4, 0.2] } }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json() as { outputs: { logits: { shape: number[] } } };
    assert.deepEqual(body.outputs.logits.shape, [1, 3]);
    await api.previews.stopAll();
  });

  it('"How it works" opens the README the packager renamed (readme.md), and the walkthrough\'s link opens docs/sidecar.md', async () => {
    const extension = vscode.extensions.getExtension('model-preview.model-preview')!;
    for (const [args, name] of [[[], /^readme\.md$/i], [['docs/sidecar.md'], /^sidecar\.md$/]] as const) {
      const opened = await vscode.commands.executeCommand<vscode.Uri | undefined>('modelPreview.openDocs', ...args);
      assert.ok(opened, `modelPreview.openDocs ${args.join(' ')} opened a document`);
      assert.ok(opened.fsPath.startsWith(extension.extensionPath), opened.fsPath);
      assert.match(path.basename(opened.fsPath), name);
      assert.ok(existsSync(opened.fsPath), `${opened.fsPath} is in the installed extension`);
      assert.ok(await tabAppears((label) => label.includes(path.basename(opened.fsPath))), `a Markdown preview of ${path.basename(opened.fsPath)} is open`);
    }
  });
});

/** Polls the open tabs (the Markdown preview opens asynchronously) for up to 10 s. */
async function tabAppears(matches: (label: string) => boolean): Promise<boolean> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => matches(t.label)))) return true;
  }
  return false;
}
