import type { NextFunction, Request, Response } from 'express';
import { PoolRejection } from '../inference/inference-pool';
import { HttpError } from './http-error';

/** body-parser's error types, mapped to what the client did wrong. */
const BODY_ERRORS: Record<string, (err: { limit?: number }) => [number, string]> = {
  'entity.too.large': (e) => [413, `the request body is larger than the limit of ${e.limit} bytes`],
  'entity.parse.failed': () => [400, 'the request body is not valid JSON'],
  'encoding.unsupported': () => [415, 'unsupported content encoding'],
  'charset.unsupported': () => [415, 'unsupported charset; send UTF-8'],
  'request.aborted': () => [400, 'the request was aborted by the client'],
  'request.size.invalid': () => [400, 'the request body is shorter than its Content-Length'],
};

function clientMessage(err: Error): string {
  if (err instanceof URIError) return 'the URL holds a malformed %-escape';
  if ((err as { code?: string }).code?.startsWith('Z_')) return 'the request body does not match its Content-Encoding';
  return err.message;
}

/**
 * Every failure becomes JSON `{"error": "..."}` with a status that says whose fault it was. Only a bug of ours is a
 * 500, and its details go to the log, not to the client.
 */
export function errorHandler(log: (message: string) => void) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    let status = 500;
    let message = 'internal server error';
    let headers: Record<string, string> = {};
    if (err instanceof HttpError) {
      ({ status, message, headers } = err);
    } else if (err instanceof PoolRejection) {
      status = err.status;
      message = err.message;
      if (err.retryAfterSeconds) headers = { 'Retry-After': String(err.retryAfterSeconds) };
    } else {
      const { type, status: claimed } = err as { type?: string; status?: unknown };
      const mapped = type ? BODY_ERRORS[type] : undefined;
      if (mapped) [status, message] = mapped(err as { limit?: number });
      // Other client errors raised by express and body-parser (a malformed %-escape in the URL, a body that is not
      // the gzip it claims to be) carry a 4xx status of their own.
      else if (typeof claimed === 'number' && claimed >= 400 && claimed < 500) [status, message] = [claimed, clientMessage(err as Error)];
      else log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
    }
    if (res.headersSent) return void res.destroy();
    res.status(status).set(headers).json({ error: message });
  };
}
