import * as vscode from 'vscode';

/**
 * Adds Python code cells to the active notebook, after the selected cell (or at the end). False, with a message,
 * when no notebook is open.
 */
export async function insertCodeCells(sources: string[], what: string): Promise<boolean> {
  const editor = vscode.window.activeNotebookEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(`Open a notebook first: the ${what} is added after the selected cell.`);
    return false;
  }
  const at = editor.selection.isEmpty ? editor.notebook.cellCount : editor.selection.end;
  const cells = sources.map((source) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, 'python'));
  const edit = new vscode.WorkspaceEdit();
  edit.set(editor.notebook.uri, [vscode.NotebookEdit.insertCells(at, cells)]);
  return vscode.workspace.applyEdit(edit);
}
