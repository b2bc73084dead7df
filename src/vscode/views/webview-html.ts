import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The page of one of the extension's webviews (the Feedback view, the feedback table): a strict CSP — nothing by
 * default, style sheets and fonts from the extension only, one script by a fresh nonce, images from the extension or
 * data: URLs — the codicons and media/webview.css, an empty `#root`, and the bundle `dist/webview/<script>.js`.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: { script: string; title: string }): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...segments: string[]) => escapeAttribute(webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString());
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('node_modules', '@vscode', 'codicons', 'dist', 'codicon.css')}">
<link rel="stylesheet" href="${asset('media', 'webview.css')}">
<title>${escapeAttribute(page.title)}</title>
</head>
<body>
<main id="root" aria-label="${escapeAttribute(page.title)}"></main>
<script nonce="${escapeAttribute(nonce)}" src="${asset('dist', 'webview', `${page.script}.js`)}"></script>
</body>
</html>`;
}

/** The folders a webview may load from: the bundles, media/ and the codicons. */
export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [
    vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
    vscode.Uri.joinPath(extensionUri, 'media'),
    vscode.Uri.joinPath(extensionUri, 'node_modules', '@vscode', 'codicons', 'dist'),
  ];
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
