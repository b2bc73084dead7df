import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelCatalog } from '../models/model-catalog';
import type { PreviewManager, PublishOptions } from '../previews/preview-manager';
import type { PublishedPreviews } from '../previews/published-previews';
import type { RunningPreview } from '../previews/running-preview';
import type { TunnelChoice } from '../previews/tunnel-choice';
import type { ExtensionSettings } from '../settings';
import { PreviewStartError, START_CANCELLED } from '../../client/preview-start-error';
import { fileOf, pickModel, pickRunningPreview } from './pick';
import { linkReach } from '../previews/serve-arguments';
import type { QrCodePanels } from '../views/qr-code-panel';

export interface PreviewCommandDeps {
  previews: PreviewManager;
  qrCodes: QrCodePanels;
  catalog: ModelCatalog;
  tunnels: TunnelChoice;
  settings(): ExtensionSettings;
  log: vscode.LogOutputChannel;
}

const COPY = 'Copy link';
const OPEN = 'Open';
const QR_CODE = 'QR code';
const SET_NGROK_AUTHTOKEN = 'Set ngrok authtoken';

/** Publish, stop and the share-link commands. Each returns something useful to a caller (tests, other extensions). */
export function registerPreviewCommands(deps: PreviewCommandDeps): vscode.Disposable[] {
  const { previews } = deps;
  const withPreview = (run: (p: RunningPreview) => unknown) => async (arg?: unknown) => {
    const preview = await pickRunningPreview(previews, arg);
    return preview ? run(preview) : undefined;
  };
  return [
    vscode.commands.registerCommand('modelPreview.publish', (arg?: unknown) => publish(deps, fileOf(arg))),
    vscode.commands.registerCommand('modelPreview.stop', withPreview(async (p) => {
      await previews.stop(p.file);
      void vscode.window.showInformationMessage(`Stopped the preview of ${p.model}. Its link no longer answers.`);
    })),
    vscode.commands.registerCommand('modelPreview.copyLink', withPreview(async (p) => {
      await vscode.env.clipboard.writeText(p.shareUrl);
      void vscode.window.setStatusBarMessage(`$(check) Share link of ${p.model} copied`, 3000);
      return p.shareUrl;
    })),
    vscode.commands.registerCommand('modelPreview.openPage', withPreview((p) => vscode.env.openExternal(vscode.Uri.parse(p.shareUrl)))),
    vscode.commands.registerCommand('modelPreview.showQrCode', withPreview((p) => deps.qrCodes.show(p))),
    vscode.commands.registerCommand('modelPreview.rotateLink', async (arg?: unknown) => {
      const p = await pickRunningPreview(previews, arg);
      if (!p) return undefined;
      // Programs (and tests) may pass { file, confirmed: true }; people are asked, since the old link dies at once.
      const confirmed = (arg as { confirmed?: unknown } | undefined)?.confirmed === true
        || await vscode.window.showWarningMessage(`Rotate the share link of ${p.model}? The current link stops working at once.`, { modal: true }, 'Rotate') === 'Rotate';
      if (!confirmed) return undefined;
      await p.rotateShareLink();
      void vscode.window.showInformationMessage(`New share link for ${p.model}. The old one no longer works.`, COPY).then((answer) => {
        if (answer === COPY) void vscode.env.clipboard.writeText(p.shareUrl);
      });
      return p.shareUrl;
    }),
    vscode.commands.registerCommand('modelPreview.linkActions', withPreview(async (p) => {
      const actions = [
        { label: '$(copy) Copy share link', command: 'modelPreview.copyLink' },
        { label: '$(link-external) Open preview page', command: 'modelPreview.openPage' },
        { label: '$(device-mobile) Show QR code', command: 'modelPreview.showQrCode' },
        { label: '$(refresh) Rotate share link', command: 'modelPreview.rotateLink' },
        { label: '$(debug-stop) Stop preview', command: 'modelPreview.stop' },
      ];
      const picked = await vscode.window.showQuickPick(actions, { title: `${p.model} · ${p.modelVersion}`, placeHolder: p.shareUrl });
      if (picked) await vscode.commands.executeCommand(picked.command, { file: p.file });
    })),
    vscode.commands.registerCommand('modelPreview.showLog', () => deps.log.show()),
    vscode.commands.registerCommand('modelPreview.setNgrokAuthtoken', async (token?: unknown) => {
      // Programs (and tests) may pass the token; people type it into a password box.
      const stored = await deps.tunnels.setNgrokAuthtoken(typeof token === 'string' ? token : undefined);
      if (stored) void vscode.window.showInformationMessage('Stored the ngrok authtoken in VS Code\'s SecretStorage: the next ngrok publish uses it.');
      return stored;
    }),
    vscode.commands.registerCommand('modelPreview.forgetSecrets', async () => {
      await deps.tunnels.forgetSecrets();
      void vscode.window.showInformationMessage('Forgot the ngrok authtoken, the ssh passphrase and the link password: the next publish asks again.');
    }),
    vscode.commands.registerCommand('modelPreview.refreshModels', () => deps.catalog.rescan()),
  ];
}

/**
 * Publish: the file from the explorer or the tree, or a quick pick of the detected models. Shows progress while the
 * server starts, then the link with Copy / Open. Resolves with the share URL (undefined when cancelled or failed).
 */
async function publish(deps: PreviewCommandDeps, file: string | undefined): Promise<string | undefined> {
  const { previews, catalog } = deps;
  file ??= await pickModel(catalog, 'Publish which model?');
  if (!file) return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
  const running = previews.get(file);
  if (running) {
    void offerLink(running, 'is already published');
    return running.shareUrl;
  }
  const tunnel = await deps.tunnels.resolve(deps.settings());
  if (!tunnel) return undefined;
  try {
    const preview = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `Publishing ${path.basename(file)}`, cancellable: true,
    }, async (progress, token) => {
      progress.report({ message: tunnel.tunnel === 'none' || tunnel.tunnel === 'vscode' ? 'starting the inference server…' : `starting the server and the ${tunnel.tunnel} tunnel…` });
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return startPreview(deps, file!, folder, { ...tunnel, signal: abort.signal });
    });
    void offerLink(preview, 'is published');
    return preview.shareUrl;
  } catch (err) {
    const message = (err as Error).message;
    deps.log.error(`publishing ${file} failed: ${message}`);
    if (err instanceof PreviewStartError && message === START_CANCELLED) return undefined;
    // A refused or missing ngrok authtoken: offer the command that replaces it, then publish again.
    const actions = tunnel.tunnel === 'ngrok' && /authtoken/i.test(message) ? [SET_NGROK_AUTHTOKEN, 'Show log'] : ['Show log', 'Retry'];
    const answer = await vscode.window.showErrorMessage(`Could not publish ${path.basename(file)}: ${message}`, ...actions);
    if (answer === SET_NGROK_AUTHTOKEN) return await vscode.commands.executeCommand('modelPreview.setNgrokAuthtoken') ? publish(deps, file) : undefined;
    if (answer === 'Show log') deps.log.show();
    if (answer === 'Retry') return publish(deps, file);
    return undefined;
  }
}

/** Starts (or attaches to) the preview of `file`, its link on the address people use for how it is shared. */
async function startPreview(deps: PreviewCommandDeps, file: string, folder: string, options: PublishOptions): Promise<RunningPreview> {
  const started = await deps.previews.publish(file, folder, options);
  if (options.tunnel === 'vscode') {
    started.forwardedBaseUrl = (await vscode.env.asExternalUri(vscode.Uri.parse(started.process.ready.localUrl))).toString(true);
  }
  if (options.tunnel === 'lan') shareOnNetwork(started, deps.log);
  return started;
}

/**
 * At activation: the models published in this workspace before the window went away (reload, close) are published
 * again the way they were shared, quietly — the same link, since the data folder keeps its port and token — or
 * attached to, when their server is still running (`keepRunning: untilStopped`, another window). Secrets come from
 * SecretStorage (asked for only if they were forgotten). A model file that is gone is forgotten.
 */
export async function restorePublished(deps: PreviewCommandDeps, memory: PublishedPreviews): Promise<void> {
  for (const { file, tunnel } of memory.all) {
    const uri = vscode.Uri.file(file);
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    if (!folder) continue; // another workspace's: not ours to start
    if (!(await vscode.workspace.fs.stat(uri).then(() => true, () => false))) {
      memory.forget(file);
      continue;
    }
    const settings = deps.settings();
    const resolved = await deps.tunnels.resolve({ ...settings, tunnel: { ...settings.tunnel, provider: tunnel } });
    if (!resolved) continue;
    try {
      const preview = await startPreview(deps, file, folder, resolved);
      deps.log.info(`${preview.model} is published again: ${preview.shareUrl.replace(/\?t=.*/, '?t=<share token>')}`);
    } catch (err) {
      deps.log.error(`publishing ${file} again failed: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(`Could not publish ${path.basename(file)} again: ${(err as Error).message}`, 'Show log', 'Retry').then((answer) => {
        if (answer === 'Show log') deps.log.show();
        if (answer === 'Retry') void vscode.commands.executeCommand('modelPreview.publish', uri);
      });
    }
  }
}

async function offerLink(preview: RunningPreview, what: string): Promise<string> {
  const reach = preview.publishedAs === 'lan' ? ` — ${linkReach('lan')}` : '';
  const answer = await vscode.window.showInformationMessage(`${preview.model} ${what}: ${preview.shareUrl}${reach}`, COPY, OPEN, QR_CODE);
  if (answer === COPY) await vscode.env.clipboard.writeText(preview.shareUrl);
  if (answer === OPEN) await vscode.env.openExternal(vscode.Uri.parse(preview.shareUrl));
  if (answer === QR_CODE) await vscode.commands.executeCommand('modelPreview.showQrCode', { file: preview.file });
  return preview.shareUrl;
}

/**
 * Share on this network: the server listens on every interface and says its link on each network address of this
 * computer (`lanUrls`); the link uses the first, the others are logged. With none (no network), the link stays local
 * and the owner is told why.
 */
function shareOnNetwork(preview: RunningPreview, log: vscode.LogOutputChannel): void {
  const [first, ...others] = preview.process.ready.lanUrls ?? [];
  if (!first) {
    void vscode.window.showWarningMessage(`This computer has no network address right now: the link of ${preview.model} works on this machine only until it has one (publish again then).`);
    return;
  }
  preview.forwardedBaseUrl = new URL('/', first).href;
  if (others.length) log.info(`${preview.model} is also reachable on ${others.map((u) => new URL('/', u).host).join(', ')}`);
}
