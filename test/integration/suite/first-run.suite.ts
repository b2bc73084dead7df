import * as assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelPreviewExtension } from '../../../src/vscode/model-preview-extension';
import { modelNodes } from '../../../src/vscode/models/model-tree';
import { HANDSHAKE_ENV, waitForStep, writeStep } from '../handshake';

/**
 * A data scientist's first run, in a real VS Code extension host: a workspace with no model yet (the extension must
 * already be active when the notebook exports one), then the link's life — Stop and Publish, a crash and Restart —
 * and the ways to hand it over (a QR code, this network). The launcher (test/integration/first-run.test.ts) reads
 * the workbench for the steps a person would see.
 */
const EXTENSION_ID = 'model-preview.model-preview';
const handshake = process.env[HANDSHAKE_ENV];
async function askPage<T>(step: string, request: unknown, timeoutMs = 30_000): Promise<T | undefined> {
  if (!handshake) return undefined;
  writeStep(handshake, step, 'request', request);
  return waitForStep<T>(handshake, step, 'answer', timeoutMs);
}

const until = async <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const serves = async (link: string) => (await fetch(new URL('/api/card', link), { headers: { authorization: `Bearer ${new URL(link).searchParams.get('t')}` } })).status === 200;

describe('Model Preview on a first run: no model yet, then the link\'s life', () => {
  let api: ModelPreviewExtension;
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const model = path.join(folder, 'notebooks', 'iris.onnx');
  let shareUrl: string;

  it('is active in a workspace with no model at all (activation at startup), and finds none', async () => {
    const extension = vscode.extensions.getExtension<ModelPreviewExtension>(EXTENSION_ID)!;
    api = await until('activation at startup', () => (extension.isActive ? extension.exports : undefined), 30_000);
    assert.deepEqual(api.catalog.models, []);
    console.log(`      activated in ${api.activationMs?.toFixed(1)} ms (the bench measures it in a 50,000-file workspace)`);
  });

  it('the notebook\'s first export gets the "exported — Publish preview?" offer, and its button publishes', async () => {
    await mkdir(path.dirname(model), { recursive: true });
    await copyFile(path.resolve(__dirname, '../../../../examples/iris/iris.onnx'), model);
    const offer = await askPage<{ text: string; buttons: string[] }>('export-offer', { text: 'iris.onnx was exported' }, 45_000);
    if (offer) {
      assert.match(offer.text, /iris\.onnx was exported — Publish preview\?/);
      assert.deepEqual(offer.buttons, ['Publish preview', 'Don\'t ask again']);
    } else {
      await until('the model in the catalog', () => api.catalog.get(model));
      await vscode.commands.executeCommand('modelPreview.publish', vscode.Uri.file(model)); // what the button runs
    }
    const preview = await until('the preview the button started', () => api.previews.get(model), 30_000);
    shareUrl = preview.shareUrl;
    assert.equal(await serves(shareUrl), true, 'its link serves the model');
  });

  it('"Show QR code" shows the share link as a QR image, the link as text and who can open it', async () => {
    assert.equal(await vscode.commands.executeCommand<string>('modelPreview.showQrCode', { file: model }), shareUrl);
    const shown = await askPage<{ link: string; reach: string; alt: string; width: number }>('qr-code', {});
    if (shown) {
      assert.equal(shown.link, shareUrl);
      assert.match(shown.reach, /Only this computer can open this link: a phone cannot/);
      assert.equal(shown.alt, `QR code of the share link ${shareUrl}`);
      assert.ok(shown.width >= 200, `the code is drawn large enough to scan (${shown.width} px)`);
    }
  });

  it('Stop, then Publish: the very same link, byte for byte, and it serves', async () => {
    await vscode.commands.executeCommand('modelPreview.stop', { file: model });
    const link = await vscode.commands.executeCommand<string>('modelPreview.publish', vscode.Uri.file(model));
    assert.equal(link, shareUrl);
    assert.equal(await serves(link), true);
  });

  it('a killed server: the notification says why (the signal), and its Restart brings back the very same link', async () => {
    const preview = api.previews.get(model)!;
    process.kill(preview.process.pid, 'SIGKILL');
    const toast = await askPage<{ text: string; buttons: string[] }>('server-died', { text: 'stopped unexpectedly' });
    if (toast) {
      assert.match(toast.text, /The preview of iris\.onnx stopped unexpectedly \(killed by SIGKILL/);
      assert.deepEqual(toast.buttons, ['Show log', 'Restart']);
    } else {
      await until('the death to be noticed', () => api.previews.get(model) === undefined);
      await vscode.commands.executeCommand('modelPreview.publish', vscode.Uri.file(model));
    }
    const restarted = await until('the restarted preview', () => (api.previews.get(model) !== preview ? api.previews.get(model) : undefined), 30_000);
    assert.equal(restarted.shareUrl, shareUrl);
    assert.equal(await serves(shareUrl), true);
  });

  it('"Share on this network": served on every interface, the link on this computer\'s network address, the tree says so', async () => {
    const config = () => vscode.workspace.getConfiguration('modelPreview');
    await vscode.commands.executeCommand('modelPreview.stop', { file: model });
    await config().update('tunnel.provider', 'lan', vscode.ConfigurationTarget.Global);
    try {
      const link = new URL(await vscode.commands.executeCommand<string>('modelPreview.publish', vscode.Uri.file(model)));
      const local = new URL(api.previews.get(model)!.process.ready.localUrl);
      assert.equal(link.port, local.port);
      assert.equal(link.searchParams.get('t'), new URL(shareUrl).searchParams.get('t'));
      // Only loopback is contacted here (no test traffic to network addresses): the server listens on all of them.
      assert.equal(await serves(`http://127.0.0.1:${local.port}/?t=${link.searchParams.get('t')}`), true);
      assert.notEqual(link.hostname, '127.0.0.1', 'the link is not the loopback one');
      const node = modelNodes(api.catalog.models.filter((m) => m.file === model))[0];
      assert.ok(node.children.some((c) => c.label === 'Share link' && c.description === 'on this network'));
    } finally {
      await vscode.commands.executeCommand('modelPreview.stop', { file: model });
      await config().update('tunnel.provider', 'none', vscode.ConfigurationTarget.Global);
    }
  });
});
