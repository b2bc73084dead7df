/**
 * A QR code of `url` for the terminal: half-block characters, two modules per character cell. qrcode sets the
 * colours itself (black on white), so it scans on dark and light terminal themes alike. Loaded when first needed: most
 * starts print no QR code, and the CLI's start time counts.
 */
export async function terminalQr(url: string): Promise<string> {
  const QRCode = await import('qrcode');
  return QRCode.toString(url, { type: 'terminal', small: true });
}
