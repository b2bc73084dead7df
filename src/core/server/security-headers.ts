/** Sent with every answer: no MIME sniffing, no token-bearing URL in a Referer, nothing cached by a proxy. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
