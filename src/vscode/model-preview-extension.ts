import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerFeedbackCommands } from './commands/feedback-commands';
import { registerPreviewCommands } from './commands/preview-commands';
import { FeedbackRelay } from './feedback-relay';
import { ExportNotifier } from './models/export-notifier';
import { ModelCatalog } from './models/model-catalog';
import { ModelInspector } from './models/model-inspector';
import { PreviewManager } from './previews/preview-manager';
import { TunnelChoice } from './previews/tunnel-choice';
import { SettingsSource } from './settings-source';
import { FeedbackViewProvider } from './views/feedback-view-provider';
import { ModelsTreeProvider } from './views/models-tree-provider';
import { PreviewStatusBar } from './views/status-bar';
import { RecordDocuments } from './views/record-documents';

/**
 * The extension's composition root: builds every service once, wires them through constructors, and owns them.
 * `dispose()` (deactivate, window reload) stops every preview server and resolves when they are gone.
 */
export class ModelPreviewExtension implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly previews: PreviewManager;
  readonly catalog: ModelCatalog;
  readonly feedbackView: FeedbackViewProvider;
  /** How long `activate` took (also in the log): the budget is 50 ms. */
  activationMs?: number;

  constructor(context: vscode.ExtensionContext, readonly log: vscode.LogOutputChannel) {
    const own = <T extends vscode.Disposable>(d: T): T => (this.disposables.push(d), d);
    const settings = own(new SettingsSource());
    const current = () => settings.settings;
    const cliPath = path.join(context.extensionPath, 'dist', 'cli.js');

    this.catalog = own(new ModelCatalog(new ModelInspector(cliPath), current()));
    this.previews = new PreviewManager(cliPath, log, current);
    const records = own(new RecordDocuments());
    const openRecord = (where: { previewId: string; id: string }) => {
      const record = this.previews.get(where.previewId)?.record(where.id);
      if (!record) return void vscode.window.showInformationMessage('That feedback record is no longer loaded (its preview was stopped).');
      return records.open(record);
    };
    this.feedbackView = own(new FeedbackViewProvider(context.extensionUri, (card) => void openRecord(card)));
    own(vscode.commands.registerCommand('modelPreview.openRecord', openRecord));
    own(new FeedbackRelay(this.previews, this.feedbackView));
    own(new PreviewStatusBar(this.previews));
    own(new ExportNotifier(this.catalog, current, (file) => this.previews.get(file) !== undefined));
    const tree = own(new ModelsTreeProvider(this.catalog));
    own(vscode.window.registerTreeDataProvider(ModelsTreeProvider.viewId, tree));
    own(vscode.window.registerWebviewViewProvider(FeedbackViewProvider.viewType, this.feedbackView));
    const tunnels = new TunnelChoice(context.secrets);
    for (const command of [
      ...registerPreviewCommands({ previews: this.previews, catalog: this.catalog, tunnels, settings: current, log }),
      ...registerFeedbackCommands({ previews: this.previews, settings: current, log }),
    ]) own(command);

    own(this.previews.onDidChange(() => {
      void vscode.commands.executeCommand('setContext', 'modelPreview.running', this.previews.all.length > 0);
      for (const entry of this.catalog.models) {
        const running = this.previews.get(entry.file);
        this.catalog.setPublished(entry.file, running && { modelVersion: running.modelVersion, shareUrl: running.shareUrl, tunnel: running.tunnel });
      }
    }));
    own(this.previews.onDidDie(({ file, exit }) => void this.reportDeath(file, exit.lastStderr)));
    own(settings.onDidChange((s) => void this.catalog.start(s)));
    void this.catalog.start().catch((err: Error) => log.error(`finding models failed: ${err.message}`));
  }

  private async reportDeath(file: string, lastStderr: string[]): Promise<void> {
    const reason = lastStderr.at(-1) ?? 'no message';
    this.log.error(`the preview server of ${file} stopped unexpectedly: ${lastStderr.join('\n')}`);
    const answer = await vscode.window.showErrorMessage(`The preview of ${path.basename(file)} stopped: ${reason}`, 'Show log', 'Restart');
    if (answer === 'Show log') this.log.show();
    if (answer === 'Restart') await vscode.commands.executeCommand('modelPreview.publish', vscode.Uri.file(file));
  }

  async dispose(): Promise<void> {
    await this.previews.dispose();
    this.disposables.reverse().forEach((d) => d.dispose());
  }
}
