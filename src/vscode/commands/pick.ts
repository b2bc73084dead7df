import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelCatalog } from '../models/model-catalog';
import type { PreviewManager } from '../previews/preview-manager';
import type { RunningPreview } from '../previews/running-preview';

/**
 * The preview a command acts on: the one named by its argument (a tree node or an explorer URI), the only one running,
 * or the one the user picks. Undefined when none runs or the pick was dismissed.
 */
export async function pickRunningPreview(previews: PreviewManager, arg?: unknown): Promise<RunningPreview | undefined> {
  const file = fileOf(arg);
  if (file) return previews.get(file);
  const all = previews.all;
  if (all.length <= 1) {
    if (all.length === 0) void vscode.window.showInformationMessage('No model preview is running. Publish one first.');
    return all[0];
  }
  const picked = await vscode.window.showQuickPick(all.map((p) => ({ label: p.model, description: p.modelVersion, detail: p.shareUrl, preview: p })), { title: 'Which preview?' });
  return picked?.preview;
}

/** A file path from a command argument: an explorer `Uri`, or a Models-tree node (`{ file }`). */
export function fileOf(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { file?: unknown }).file === 'string') return (arg as { file: string }).file;
  return undefined;
}

/** A model of the workspace: the only one, or the one the user picks. Undefined when there is none or the pick was dismissed. */
export async function pickModel(catalog: ModelCatalog, title: string): Promise<string | undefined> {
  const models = catalog.models;
  if (models.length === 0) {
    void vscode.window.showInformationMessage('No ONNX model found in this workspace. Export one from your notebook, or right-click an .onnx file.');
    return undefined;
  }
  if (models.length === 1) return models[0].file;
  const picked = await vscode.window.showQuickPick(models.map((m) => ({
    label: m.description?.name ?? path.basename(m.file), description: m.relativePath, detail: m.published ? 'published' : m.error, file: m.file,
  })), { title });
  return picked?.file;
}
