import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelCatalog } from '../models/model-catalog';
import { onnxPathsIn } from '../notebook/exported-models';
import { pickModel } from './pick';

/**
 * The notebook toolbar's "Publish model preview": publishes the model this notebook exported last — of the `.onnx`
 * files its code names that exist, the one written most recently — or, when it names none, asks which model.
 */
export function registerNotebookCommands(catalog: ModelCatalog): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('modelPreview.publishFromNotebook', async (arg?: unknown) => {
      const notebook = notebookOf(arg) ?? vscode.window.activeNotebookEditor?.notebook;
      const model = (notebook && lastExported(notebook)) ?? await pickModel(catalog, 'Publish which model?');
      if (!model) return undefined;
      return vscode.commands.executeCommand<string>('modelPreview.publish', vscode.Uri.file(model));
    }),
  ];
}

/** The notebook a toolbar action was run on (VS Code passes `{ notebookEditor: { notebookUri } }` or a Uri). */
function notebookOf(arg: unknown): vscode.NotebookDocument | undefined {
  const uri = arg instanceof vscode.Uri ? arg
    : (arg as { notebookEditor?: { notebookUri?: unknown } } | undefined)?.notebookEditor?.notebookUri;
  return uri instanceof vscode.Uri ? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString()) : undefined;
}

function lastExported(notebook: vscode.NotebookDocument): string | undefined {
  const folder = path.dirname(notebook.uri.fsPath);
  const sources = notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code).map((c) => c.document.getText());
  let newest: { file: string; mtime: number } | undefined;
  for (const named of onnxPathsIn(sources)) {
    const file = path.resolve(folder, named);
    const mtime = modifiedAt(file);
    if (mtime !== undefined && (!newest || mtime >= newest.mtime)) newest = { file, mtime };
  }
  return newest?.file;
}

function modifiedAt(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
