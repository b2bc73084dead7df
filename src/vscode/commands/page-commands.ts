import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelCatalog } from '../models/model-catalog';
import { ensurePageSettings } from '../models/page-settings';
import { exportCells } from '../notebook/export-cells';
import { insertCodeCells } from '../notebook/insert-cells';
import { fileOf, pickModel } from './pick';

export interface PageCommandDeps {
  catalog: ModelCatalog;
  /** The bundled CLI (dist/cli.js), which writes page settings without loading onnxruntime into the extension host. */
  cliPath: string;
  /** The export helper shipped with the extension (python/model_preview_export.py). */
  exportHelperPath: string;
  log: vscode.LogOutputChannel;
}

/** What a stakeholder's page shows: the notebook's export cell, and the page settings file beside a model. */
export function registerPageCommands(deps: PageCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('modelPreview.insertExportCell', async () =>
      insertCodeCells(exportCells(await readFile(deps.exportHelperPath, 'utf8')), 'export cell')),
    vscode.commands.registerCommand('modelPreview.customizePage', async (arg?: unknown) => {
      const model = fileOf(arg) ?? await pickModel(deps.catalog, 'Customize the page of which model?');
      if (!model) return undefined;
      try {
        const { file, created } = await ensurePageSettings(deps.cliPath, model);
        await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
        if (created) {
          void vscode.window.showInformationMessage(`Wrote ${path.basename(file)} with what ${path.basename(model)} says about itself. Edit it: a running preview's page shows each save.`);
        }
        return file;
      } catch (err) {
        deps.log.error(`customize page: ${(err as Error).message}`);
        void vscode.window.showErrorMessage(`Could not write the page settings of ${path.basename(model)}: ${(err as Error).message}`);
        return undefined;
      }
    }),
  ];
}
