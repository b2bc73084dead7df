/**
 * Pictures the extension hands its webviews inline, as `data:` URLs (their CSP allows `img-src data:`; nothing is
 * fetched): a share link's QR code (SVG) and a feedback card's thumbnail (PNG). The webviews check with this guard that
 * what they put in an `<img src>` is one of those, base64, and not too big, before using it.
 */
const IMAGE_DATA_URL = /^data:image\/(?:png|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;

/** Longest data URL a webview accepts (a QR code of a long link is ~20 kB, a thumbnail a few kB). */
export const MAX_IMAGE_DATA_URL = 200_000;

export function isImageDataUrl(x: unknown, maxChars = MAX_IMAGE_DATA_URL): x is string {
  return typeof x === 'string' && x.length <= maxChars && IMAGE_DATA_URL.test(x);
}
