// The fake `vscode` module must be installed before the manager is loaded.
import '../webview/fake-vscode';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { StreamedEvent } from '../../src/shared/events';
import { PreviewManager } from '../../src/vscode/previews/preview-manager';
import { RunningPreview } from '../../src/vscode/previews/running-preview';
import { DEFAULT_SETTINGS } from '../../src/vscode/settings';
import type { PreviewServer } from '../../src/vscode/previews/preview-server';
import { CLI, REPO } from '../cli/cli-process';

/**
 * Where the extension keeps whole feedback records: in the previews (RunningPreview), looked up by id for a card the
 * Feedback view shows and for `modelPreview.openRecord` alike. The manager runs with a fake `vscode` module (only its
 * EventEmitter is used) and a real server child process (dist/cli.js).
 */
const silentLog = { trace() {}, debug() {}, info() {}, warn() {}, error() {} } as unknown as vscode.LogOutputChannel;

describe('feedback records live in the previews: one lookup for the view and the command', function () {
  this.timeout(30_000);
  let workspace: string;
  let manager: PreviewManager;
  before(() => {
    workspace = mkdtempSync(path.join(tmpdir(), 'mp-preview-records-'));
    copyFileSync(path.join(REPO, 'examples/iris/iris.onnx'), path.join(workspace, 'iris.onnx'));
    manager = new PreviewManager(CLI, silentLog, () => ({ ...DEFAULT_SETTINGS, workers: 1 }));
  });
  after(async () => {
    await manager.dispose();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('finds a record while its preview runs and after it stopped (the view keeps the card); an unknown id finds nothing', async () => {
    const file = path.join(workspace, 'iris.onnx');
    const preview = await manager.publish(file, workspace, { tunnel: 'none', env: {} });
    const arrived = new Promise<string>((resolve) => manager.onDidReceiveEvent(({ event }) => event.event === 'feedback' && resolve(event.record.id)));
    const link = new URL(preview.shareUrl);
    const post = async (urlPath: string, body: unknown) => (await fetch(new URL(urlPath, link), {
      method: 'POST', headers: { authorization: `Bearer ${link.searchParams.get('t')}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    })).json() as Promise<{ predictionId: string; id: string }>;
    const { predictionId } = await post('/api/predict', { inputs: { features: [6.7, 3.0, 5.2, 2.3] } });
    const { id } = await post('/api/feedback', { predictionId, rating: 'down', expected: 'versicolor', idempotencyKey: `key-${randomUUID()}` });
    assert.equal(await arrived, id);

    assert.deepEqual(manager.record(preview.id, id)?.inputs.features, { datatype: 'FP32', shape: [1, 4], data: [6.7, 3.0, 5.2, 2.3] }, 'the whole record, input included');
    assert.equal(manager.record('another preview id', id)?.id, id, 'a card re-sent under another preview id is found by its record id');
    await manager.stop(file);
    assert.equal(manager.get(file), undefined);
    assert.equal(manager.record(preview.id, id)?.id, id, 'still found after the preview stopped');
    assert.equal(manager.record(preview.id, 'no-such-record'), undefined);
  });
});

describe('RunningPreview: the link it gives follows the server', () => {
  const ready = {
    event: 'ready' as const, model: 'iris', modelVersion: 'v1', port: 8000, localUrl: 'http://127.0.0.1:8000/',
    shareUrl: 'http://127.0.0.1:8000/?t=first', tunnel: 'ssh', epoch: 'e', ownerToken: 'o',
  };
  const rotated = { shareUrl: 'http://127.0.0.1:8000/?t=rotated', localUrl: ready.localUrl, tunnel: { provider: 'ssh', state: 'up' as const }, expired: false, passwordRequired: false };
  const process = { ready, owner: { rotateShareLink: async () => rotated } } as unknown as PreviewServer;
  const event = (e: Record<string, unknown>, id: number) => ({ ...e, id }) as unknown as StreamedEvent;

  it('from ready, through tunnel and share-link events and a rotation, and on the forwarded URL when VS Code forwards the port', async () => {
    const preview = new RunningPreview('/ws/iris.onnx', '/ws/.model-preview/iris', process);
    assert.equal(preview.shareUrl, ready.shareUrl);
    assert.equal(preview.apply(event({ event: 'tunnel-up', provider: 'ssh', publicUrl: 'https://x.example/', shareUrl: 'https://x.example/?t=first' }, 1)), 'state');
    assert.equal(preview.shareUrl, 'https://x.example/?t=first');
    preview.apply(event({ event: 'tunnel-url-changed', provider: 'ssh', previousUrl: 'https://x.example/', publicUrl: 'https://y.example/', shareUrl: 'https://y.example/?t=first' }, 2));
    assert.equal(preview.shareUrl, 'https://y.example/?t=first');
    await preview.rotateShareLink();
    assert.equal(preview.shareUrl, rotated.shareUrl);
    preview.apply(event({ event: 'share-link-changed', reason: 'expired', shareUrl: 'https://y.example/?t=reissued' }, 3));
    assert.equal(preview.shareUrl, 'https://y.example/?t=reissued');
    preview.forwardedBaseUrl = 'https://forwarded.example/proxy/8000/';
    assert.equal(preview.shareUrl, 'https://forwarded.example/proxy/8000/?t=reissued');
  });
});
