import * as path from 'node:path';
import * as vscode from 'vscode';
import { findExtensionFile, isShippedDoc } from './extension-docs';

/**
 * Opens one of the extension's own documents in the Markdown preview (its relative links to other docs then work).
 * Resolves with the file opened, or undefined after telling the user why nothing opened.
 */
export async function openExtensionDoc(extension: Pick<vscode.ExtensionContext, 'extensionPath' | 'extensionUri'>, doc: unknown): Promise<vscode.Uri | undefined> {
  if (!isShippedDoc(doc)) {
    void vscode.window.showErrorMessage(`Model Preview: "${String(doc)}" is not one of its documents (README.md or docs/<name>.md).`);
    return undefined;
  }
  const { extensionPath, extensionUri } = extension;
  const file = await findExtensionFile(extensionPath, doc);
  if (!file) {
    void vscode.window.showErrorMessage(`Model Preview: ${doc} is missing from the installed extension (${extensionPath}); reinstall it.`);
    return undefined;
  }
  // The extension's own URI (file: here, vscode-remote: as the window sees it in a remote workspace), at the name found.
  const uri = vscode.Uri.joinPath(extensionUri, ...path.relative(extensionPath, file).split(path.sep));
  await vscode.commands.executeCommand('markdown.showPreview', uri);
  return uri;
}
