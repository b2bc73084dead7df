import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerFeedbackCommands } from './commands/feedback-commands';
import { registerPageCommands } from './commands/page-commands';
import { registerInviteCommands } from './commands/invite-commands';
import { registerReviewCommands } from './commands/review-commands';
import { registerPreviewCommands, restorePublished } from './commands/preview-commands';
import { registerFeedbackViewCommands } from './commands/feedback-view-commands';
import { registerNotebookCommands } from './commands/notebook-commands';
import { openExtensionDoc } from './docs/open-extension-doc';
import { README } from './docs/extension-docs';
import { FeedbackRelay } from './feedback-relay';
import { FeedbackThumbnails } from './feedback-thumbnails';
import { ExportNotifier } from './models/export-notifier';
import { ModelCatalog } from './models/model-catalog';
import { ModelInspector } from './models/model-inspector';
import { PreviewManager } from './previews/preview-manager';
import { PreviewNotifications } from './previews/preview-notifications';
import { PublishedPreviews } from './previews/published-previews';
import { TunnelChoice } from './previews/tunnel-choice';
import type { ExtensionSettings } from './settings';
import { SettingsSource } from './settings-source';
import { FeedbackViewProvider } from './views/feedback-view-provider';
import { FeedbackTablePanel } from './views/feedback-table-panel';
import { ModelEditorProvider } from './editors/model-editor-provider';
import { ModelsTreeProvider } from './views/models-tree-provider';
import { PreviewStatusBar } from './views/status-bar';
import { localServingProblem } from './platform-support';
import { QrCodePanels } from './views/qr-code-panel';
import { RecordDocuments } from './views/record-documents';
import type { RecordRef } from '../shared/webview-messages';
import { WalkthroughProgress } from './walkthrough/walkthrough-progress';

/**
 * The extension's composition root: builds every service once, wires them through constructors, and owns them.
 * `dispose()` (deactivate, window reload) stops every preview server and resolves when they are gone.
 */
export class ModelPreviewExtension implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly previews: PreviewManager;
  readonly catalog: ModelCatalog;
  readonly feedbackView: FeedbackViewProvider;
  readonly feedbackTable: FeedbackTablePanel;
  /** How long `activate` took (also in the log): the budget is 50 ms. */
  activationMs?: number;
  /** Settles once the previews published before the window went away are published again (or attached to). */
  readonly restored: Promise<void>;

  constructor(readonly context: vscode.ExtensionContext, readonly log: vscode.LogOutputChannel) {
    const own = <T extends vscode.Disposable>(d: T): T => (this.disposables.push(d), d);
    const settings = own(new SettingsSource());
    const current = () => settings.settings;
    const cliPath = path.join(context.extensionPath, 'dist', 'cli.js');

    const inspector = own(new ModelInspector(cliPath));
    this.catalog = own(new ModelCatalog(inspector, current()));
    const published = new PublishedPreviews(context.workspaceState);
    this.previews = new PreviewManager(cliPath, log, current, published);
    const records = own(new RecordDocuments());
    // One lookup for a card clicked in the view and for the command: the records live in the previews.
    const openRecord = (ref: RecordRef) => {
      const record = this.previews.record(ref.previewId, ref.id);
      return record ? records.open(record) : vscode.window.showInformationMessage('That feedback record is not loaded: open it from the Feedback view.');
    };
    const thumbnails = new FeedbackThumbnails(this.previews);
    this.feedbackView = own(new FeedbackViewProvider(context.extensionUri, (ref) => void openRecord(ref), {
      log: (line) => log.info(line), thumbnailOf: (ref) => thumbnails.of(ref), seenState: context.workspaceState,
    }));
    own(vscode.commands.registerCommand('modelPreview.openRecord', openRecord));
    this.feedbackTable = own(new FeedbackTablePanel(context.extensionUri, this.previews, () => current().dataFolder, (record) => records.open(record), log));
    own(vscode.commands.registerCommand('modelPreview.openFeedbackTable', () => this.feedbackTable.show().then(() => undefined)));
    own(new FeedbackRelay(this.previews, this.feedbackView));
    const openHelp = (topic: 'docs' | 'walkthrough') => topic === 'docs'
      ? openExtensionDoc(context, README)
      : vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#firstPublish`, false);
    own(this.feedbackView.onDidRequestHelp(openHelp));
    own(vscode.commands.registerCommand('modelPreview.openDocs', (doc?: unknown) => openExtensionDoc(context, doc ?? README)));
    own(new PreviewStatusBar(this.previews));
    own(new ExportNotifier(this.catalog, current, (file) => this.previews.get(file) !== undefined));
    const tree = own(new ModelsTreeProvider(this.catalog));
    const treeView = own(vscode.window.createTreeView(ModelsTreeProvider.viewId, { treeDataProvider: tree }));
    this.feedbackView.setBadgeFallback(treeView);
    own(vscode.window.registerWebviewViewProvider(FeedbackViewProvider.viewType, this.feedbackView));
    own(new WalkthroughProgress(this.catalog, this.previews));
    const modelEditor = own(new ModelEditorProvider(context.extensionUri, this.catalog, inspector, this.previews));
    own(vscode.window.registerCustomEditorProvider(ModelEditorProvider.viewType, modelEditor));
    const tunnels = new TunnelChoice(context.secrets);
    const qrCodes = own(new QrCodePanels(this.previews));
    const previewDeps = { previews: this.previews, catalog: this.catalog, qrCodes, tunnels, settings: current, log };
    for (const command of [
      ...registerPreviewCommands(previewDeps),
      ...registerFeedbackCommands({ previews: this.previews, settings: current, log }),
      ...registerFeedbackViewCommands(this.feedbackView, context.workspaceState),
      ...registerNotebookCommands(this.catalog),
      ...registerPageCommands({ catalog: this.catalog, cliPath, exportHelperPath: path.join(context.extensionPath, 'python', 'model_preview_export.py'), log }),
      ...registerInviteCommands(this.previews),
      ...registerReviewCommands(this.previews, log),
    ]) own(command);

    // The tree shows which models are published: when a preview changes, and when the catalog (re)lists a model that
    // a preview started or attached at activation already serves.
    const showPublished = () => {
      for (const entry of this.catalog.models) {
        const running = this.previews.get(entry.file);
        this.catalog.setPublished(entry.file, running && {
          modelVersion: running.modelVersion, shareUrl: running.shareUrl, tunnel: running.linkKind, problems: { ...running.problems },
        });
      }
    };
    own(this.previews.onDidChange(() => {
      void vscode.commands.executeCommand('setContext', 'modelPreview.running', this.previews.all.length > 0);
      showPublished();
    }));
    own(this.catalog.onDidChange(showPublished));
    own(new PreviewNotifications(this.previews, log));
    const findModels = (s?: ExtensionSettings) => this.catalog.start(s).catch((err: Error) => log.error(`finding models failed: ${err.message}`));
    let globs = JSON.stringify([current().modelInclude, current().modelExclude]);
    own(settings.onDidChange((s) => {
      // Only the globs change what is found; other settings (a tunnel choice) must not rebuild the watchers.
      const changed = JSON.stringify([s.modelInclude, s.modelExclude]);
      if (changed !== globs) void findModels(s);
      globs = changed;
    }));
    void findModels();
    this.restored = restorePublished(previewDeps, published).catch((err: Error) => log.error(`publishing the previews again failed: ${err.message}`));
    void localServingProblem(context.extensionPath).then((problem) => problem && warnOnce(problem, log, () => openHelp('docs')));
  }

  /**
   * Idempotent: stops every preview server (resolving when they are gone), then disposes the rest once, the log last:
   * stopping servers log as they go, and a write to a closed channel throws ("Channel has been closed").
   */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      await this.previews.dispose();
      this.disposables.splice(0).reverse().forEach((d) => d.dispose());
      this.log.dispose();
    })();
    return this.disposing;
  }

  private disposing?: Promise<void>;
}

/** A platform that cannot serve models: said once per window, in the log and as a warning that links the README. */
function warnOnce(problem: string, log: vscode.LogOutputChannel, openDocs: () => unknown): void {
  log.warn(problem);
  void vscode.window.showWarningMessage(problem, 'Open documentation').then((choice) => choice && openDocs());
}
