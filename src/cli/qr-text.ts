import QRCode from 'qrcode';

/**
 * A QR code of `url` for the terminal: half-block characters, two modules per character cell. qrcode sets the
 * colours itself (black on white), so it scans on dark and light terminal themes alike.
 */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true });
}
