import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isFromModelEditor, type ModelEditorAction, type ModelEditorState, type ToModelEditor } from '../../shared/model-editor-messages';
import type { ModelDescription } from '../../shared/model-card';
import { compareNewestFirst } from '../../shared/webview-messages';
import { cardOf } from '../feedback-relay';
import type { ModelCatalog } from '../models/model-catalog';
import type { ModelInspector } from '../models/model-inspector';
import { shapeText } from '../models/model-tree';
import type { PreviewManager } from '../previews/preview-manager';
import { qrCodeImage } from '../views/qr-code-page';
import { webviewHtml, webviewResourceRoots } from '../views/webview-html';

/** How many of the newest feedback records the editor lists. */
const LATEST_FEEDBACK = 5;

/** One open editor: its panel, whether its page said `ready`, and what was inspected for a file the catalog lacks. */
interface OpenEditor {
  file: string;
  panel: vscode.WebviewPanel;
  ready: boolean;
  described?: ModelDescription;
  error?: string;
  /** The QR code of the link shown last (made again only when the link changes: a rotation, a new tunnel). */
  qrCode?: { link: string; image: string };
}

/** A model file opened in the editor: nothing to load here, the state comes from the catalog and the previews. */
class ModelDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // Nothing held.
  }
}

/**
 * Opening a `.onnx` file shows the model, not VS Code's "binary file" placeholder: its signature, metadata, size and
 * version, whether it has a sidecar, whether it is published (with the link and its QR code, for a phone's camera) and
 * its newest feedback, with Publish /
 * Stop, Copy link, Open page and Customize page buttons. The signature comes from the CLI's `inspect --json` in a child
 * process (the catalog's, or asked for here when the file is not listed): the extension never loads onnxruntime, and
 * the file's weights are not read into the extension host.
 */
export class ModelEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument>, vscode.Disposable {
  static readonly viewType = 'modelPreview.modelEditor';
  private readonly panels = new Set<OpenEditor>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly catalog: ModelCatalog,
    private readonly inspector: ModelInspector,
    private readonly previews: PreviewManager,
  ) {
    const refresh = () => this.panels.forEach((p) => this.post(p));
    this.subscriptions = [
      catalog.onDidChange(refresh),
      previews.onDidChange(refresh),
      previews.onDidReload(refresh),
      previews.onDidReceiveEvent(({ event }) => event.event === 'feedback' && refresh()),
    ];
  }

  openCustomDocument(uri: vscode.Uri): ModelDocument {
    return new ModelDocument(uri);
  }

  resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): void {
    const entry: OpenEditor = { file: document.uri.fsPath, panel, ready: false };
    this.panels.add(entry);
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(this.extensionUri) };
    const listeners = [
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (!isFromModelEditor(message)) return; // not from our editor's script
        if (message.type === 'ready') {
          entry.ready = true;
          this.post(entry);
        } else if (message.type === 'action') {
          void this.run(message.action, document.uri);
        } else {
          void vscode.commands.executeCommand('modelPreview.openRecord', { previewId: message.previewId, id: message.id });
        }
      }),
    ];
    panel.onDidDispose(() => {
      listeners.forEach((l) => l.dispose());
      this.panels.delete(entry);
    });
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { script: 'model', title: path.basename(document.uri.fsPath) });
    // A file the catalog does not list (outside the include globs) is inspected here, once.
    if (!this.catalog.get(entry.file)?.description) {
      this.inspector.describe(entry.file).then((d) => (entry.described = d), (err: Error) => (entry.error = err.message)).finally(() => this.post(entry));
    }
  }

  private run(action: ModelEditorAction, uri: vscode.Uri): Thenable<unknown> {
    const node = { file: uri.fsPath };
    switch (action) {
      case 'publish': return vscode.commands.executeCommand('modelPreview.publish', uri);
      case 'stop': return vscode.commands.executeCommand('modelPreview.stop', node);
      case 'copy-link': return vscode.commands.executeCommand('modelPreview.copyLink', node);
      case 'open-page': return vscode.commands.executeCommand('modelPreview.openPage', node);
      case 'customize': return vscode.commands.executeCommand('modelPreview.customizePage', uri);
      case 'open-table': return vscode.commands.executeCommand('modelPreview.openFeedbackTable');
    }
  }

  private post(entry: OpenEditor): void {
    if (!entry.ready) return;
    const model = this.state(entry.file, entry.described, entry.error);
    const send = () => {
      const message: ToModelEditor = { type: 'model', model };
      entry.panel.webview.postMessage(message).then(undefined, () => undefined);
    };
    const link = model.published?.shareUrl;
    if (!model.published || !link) return send();
    if (entry.qrCode?.link === link) {
      model.published.qrCode = entry.qrCode.image;
      return send();
    }
    qrCodeImage(link).then((image) => {
      entry.qrCode = { link, image };
      if (model.published) model.published.qrCode = image;
    }, () => undefined).finally(send); // no QR code (a link too long to encode) still shows the link
  }

  /** What the editor of `file` shows now. */
  state(file: string, described?: ModelDescription, error?: string): ModelEditorState {
    const listed = this.catalog.get(file);
    const d = listed?.description ?? described;
    const running = this.previews.get(file);
    const sidecarFile = file.replace(/\.onnx$/i, '.preview.json');
    const sidecarProblem = listed?.published?.problems?.sidecar;
    const rows = (tensors: ModelDescription['inputs']) => tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: shapeText(t.shape) }));
    const details: Array<[string, string]> = [];
    if (d?.producer) details.push(['producer', `${d.producer.name} ${d.producer.version}`.trim()]);
    if (d?.irVersion !== undefined) details.push(['IR version', String(d.irVersion)]);
    if (d && d.opsets.length > 0) details.push(['opsets', d.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')]);
    if (d?.docString) details.push(['doc string', d.docString]);
    for (const [key, value] of Object.entries(d?.metadataProps ?? {})) details.push([key, value]);
    for (const note of d?.adaptations ?? []) details.push(['served as', note]);
    const feedback = running ? running.feedback.map((r) => cardOf(running.id, r)).sort(compareNewestFirst).slice(0, LATEST_FEEDBACK) : [];
    return {
      name: d?.name ?? path.basename(file).replace(/\.onnx$/i, ''),
      relativePath: vscode.workspace.asRelativePath(file),
      ...(d ? { fileSize: d.fileSize, version: d.version } : {}),
      inputs: d ? rows(d.inputs) : [],
      outputs: d ? rows(d.outputs) : [],
      details,
      sidecar: {
        state: sidecarProblem !== undefined ? 'ignored' : existsSync(sidecarFile) ? 'present' : 'missing',
        file: path.basename(sidecarFile),
        ...(sidecarProblem !== undefined ? { problem: sidecarProblem } : {}),
      },
      ...(running ? { published: { shareUrl: running.shareUrl, modelVersion: running.modelVersion, tunnel: running.tunnel } } : {}),
      feedback,
      ...(!d && (listed?.error ?? error) ? { error: listed?.error ?? error } : {}),
    };
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.panels.clear();
  }
}
