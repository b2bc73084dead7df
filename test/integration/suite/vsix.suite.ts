import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelPreviewExtension } from '../../../src/vscode/model-preview-extension';

/** Runs against the extension installed from the packaged VSIX (not the repository): what a user gets. */
describe('Model Preview installed from its linux-x64 VSIX', () => {
  it('is installed from the VSIX, activates, and its bundled server serves a model with the packaged onnxruntime', async () => {
    const extension = vscode.extensions.getExtension<ModelPreviewExtension>('model-preview.model-preview');
    assert.ok(extension, 'installed');
    assert.ok(!extension.extensionPath.startsWith(path.resolve(__dirname, '../../../..')), `installed copy, not the repository: ${extension.extensionPath}`);
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
});
