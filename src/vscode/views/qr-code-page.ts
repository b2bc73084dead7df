import escapeHtml from 'escape-html';
import * as QRCode from 'qrcode';

export interface QrCodePageInput {
  /** The model's name, for the title. */
  model: string;
  shareUrl: string;
  /** Who can open the link, in words ("anyone with the link", "only this machine"). */
  reach: string;
  /** The page's style is allowed by this nonce only (the webview's CSP has `default-src 'none'`). */
  nonce: string;
}

/**
 * The QR code of a link as an SVG data URL (the QR panel and the model editor show it under a CSP that allows
 * `img-src data:`): dark on light whatever the theme, or cameras cannot read it.
 */
export async function qrCodeImage(link: string): Promise<string> {
  const svg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/**
 * The QR code panel's HTML: the share link as a QR image (a phone's camera opens it), the link as text and who can
 * open it. No script at all; the image is an SVG data URL, so the CSP allows `img-src data:` and nothing else. Dark on
 * light whatever the theme, or cameras cannot read it. Pure (no `vscode`), so it is unit-tested as is.
 */
export async function qrCodePage(input: QrCodePageInput): Promise<string> {
  const image = await qrCodeImage(input.shareUrl);
  const csp = `default-src 'none'; img-src data:; style-src 'nonce-${input.nonce}'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`Share link of ${input.model}`)}</title>
<style nonce="${escapeHtml(input.nonce)}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 16px; }
  .code { background: #fff; display: inline-block; padding: 8px; border-radius: 4px; }
  .code img { width: 280px; height: 280px; image-rendering: pixelated; display: block; }
  .link { font-family: var(--vscode-editor-font-family); word-break: break-all; user-select: all; }
</style>
</head>
<body>
<h2>${escapeHtml(input.model)}</h2>
<div class="code"><img data-testid="qr-code" src="${image}" alt="${escapeHtml(`QR code of the share link ${input.shareUrl}`)}"></div>
<p class="link" data-testid="qr-link">${escapeHtml(input.shareUrl)}</p>
<p data-testid="qr-reach">${escapeHtml(input.reach)}</p>
</body>
</html>`;
}
