import type * as http from 'node:http';
import { SECURITY_HEADERS } from './security-headers';

/**
 * A 503 written before a request reaches routing (the connection caps, a stopping server): `{"error": ...}` with the
 * security headers every answer has, Retry-After, and the connection closed so the client's next try comes fresh.
 */
export function refuseBeforeRouting(res: http.ServerResponse, error: string, retryAfterSeconds: number): void {
  const body = JSON.stringify({ error });
  res.writeHead(503, {
    ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)),
    'Retry-After': String(retryAfterSeconds), Connection: 'close',
  });
  res.end(body);
}
