import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { feedbackCsv } from '../../shared/feedback-csv';
import type { FeedbackRecord } from '../../shared/feedback-record';
import { parseJsonLines } from '../../shared/json-lines';
import type { PreviewManager } from '../previews/preview-manager';
import type { ExtensionSettings } from '../settings';
import { feedbackLoaderCell } from '../notebook/feedback-loader-cell';
import { insertCodeCells } from '../notebook/insert-cells';
import { fileOf } from './pick';
import { dataDirFor } from '../previews/data-dir';

export interface FeedbackCommandDeps {
  previews: PreviewManager;
  settings(): ExtensionSettings;
  log: vscode.LogOutputChannel;
}

/** Feedback out of the preview: its file, a CSV export, and a notebook cell that loads it with pandas. */
export function registerFeedbackCommands(deps: FeedbackCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('modelPreview.openFeedbackFile', async (arg?: unknown) => {
      const file = await pickFeedbackFile(deps, arg);
      if (file) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
      return file;
    }),
    vscode.commands.registerCommand('modelPreview.exportCsv', async (arg?: unknown) => {
      const file = await pickFeedbackFile(deps, arg);
      if (!file) return undefined;
      const records = parseJsonLines<FeedbackRecord>(await readFile(file, 'utf8'), { source: file, warn: (m) => deps.log.warn(m) });
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(path.dirname(file), 'feedback.csv')), filters: { CSV: ['csv'] }, title: 'Export feedback as CSV',
      });
      if (!target) return undefined;
      await writeFile(target.fsPath, feedbackCsv(records));
      void vscode.window.showInformationMessage(`Exported ${records.length} feedback record${records.length === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(target)}.`);
      return target.fsPath;
    }),
    vscode.commands.registerCommand('modelPreview.insertLoader', () => insertCodeCells([feedbackLoaderCell(deps.settings().dataFolder)], 'loader')),
  ];
}

/**
 * The running preview's feedback file; for a model named by the argument (the Models tree's context menu) that is not
 * running, its data folder's; with no model named and none running, the existing ones under the data folder.
 */
async function pickFeedbackFile(deps: FeedbackCommandDeps, arg: unknown): Promise<string | undefined> {
  const file = fileOf(arg);
  const running = file ? deps.previews.get(file) : deps.previews.all.length === 1 ? deps.previews.all[0] : undefined;
  if (running) {
    // The server creates the file with the first feedback.
    const file = path.join(running.dataDir, 'feedback.jsonl');
    if (existsSync(file)) return file;
    void vscode.window.showInformationMessage(`No feedback yet for ${running.model}: share its link, and feedback lands in ${vscode.workspace.asRelativePath(file)}.`);
    return undefined;
  }
  const folder = file && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  if (file && folder) {
    const own = path.join(dataDirFor(file, folder.uri.fsPath, deps.settings().dataFolder), 'feedback.jsonl');
    if (existsSync(own)) return own;
    void vscode.window.showInformationMessage(`No feedback yet for ${path.basename(file)}: publish it and share its link.`);
    return undefined;
  }
  const pattern = `${deps.settings().dataFolder}/**/feedback.jsonl`;
  const found = (await vscode.workspace.findFiles(pattern, undefined, 50)).map((u) => u.fsPath).filter(existsSync);
  if (found.length === 0) {
    void vscode.window.showInformationMessage('No feedback yet: publish a model and share its link.');
    return undefined;
  }
  if (found.length === 1) return found[0];
  const picked = await vscode.window.showQuickPick(found.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f })), { title: 'Which feedback file?' });
  return picked?.file;
}
