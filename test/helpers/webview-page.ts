import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * A webview page as VS Code serves it, outside VS Code: the bundle VS Code loads (dist/webview/table.js for the
 * feedback table, model.js for the .onnx editor), media/webview.css and the codicons, under the webview's CSP (sent as
 * a header), with `acquireVsCodeApi` stubbed to record what the page posts in `window.posted`. For the pages' Chromium
 * tests and the table's bench (a webview's timing and DOM cannot be read from the extension host). Run `npm run build`
 * first.
 */
export async function serveWebviewPage(bundle: 'table' | 'model'): Promise<{ url: string; close(): Promise<void> }> {
  const nonce = randomBytes(16).toString('base64');
  const files: Record<string, [string, string]> = {
    '/page.js': [path.join(repoRoot, `dist/webview/${bundle}.js`), 'text/javascript'],
    '/webview.css': [path.join(repoRoot, 'media/webview.css'), 'text/css'],
    '/codicon.css': [path.join(repoRoot, 'node_modules/@vscode/codicons/dist/codicon.css'), 'text/css'],
  };
  const page = `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/codicon.css"><link rel="stylesheet" href="/webview.css"></head>
<body><main id="root"></main>
<script nonce="${nonce}">window.posted = []; window.acquireVsCodeApi = () => ({ postMessage(m) { window.posted.push(m); }, getState() { return undefined; }, setState() {} });</script>
<script nonce="${nonce}" src="/page.js"></script></body></html>`;
  const csp = `default-src 'none'; style-src http://127.0.0.1:*; font-src http://127.0.0.1:*; script-src 'nonce-${nonce}'; img-src http://127.0.0.1:* data:`;
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (file) res.writeHead(200, { 'content-type': file[1] }).end(readFileSync(file[0]));
    else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end(page);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
