// Throwaway extension for the integration harness (test/integration/README.md). Plain JS: nothing to compile.
'use strict';
const vscode = require('vscode');

let activations = 0;

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  activations += 1;
  console.log('[smoke-extension] activated');
  context.subscriptions.push(
    vscode.commands.registerCommand('modelPreviewSmoke.ping', (arg) => ({ pong: arg ?? null, activations })),
    vscode.commands.registerCommand('modelPreviewSmoke.showWebview', (text) => {
      const panel = vscode.window.createWebviewPanel('modelPreviewSmoke', 'Smoke webview', vscode.ViewColumn.One, {});
      panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';"></head>
<body><h1 id="smoke-title" style="color: var(--vscode-foreground)">${String(text ?? 'hello from the smoke webview')
        .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</h1></body></html>`;
      context.subscriptions.push(panel);
      return true;
    }),
  );
  // What the suite reads through vscode.extensions.getExtension(...).exports.
  return { activations: () => activations };
}

function deactivate() {}

module.exports = { activate, deactivate };
