import { FeedbackInputError } from '../feedback/feedback-input-error';
import { PoolRejection } from '../inference/inference-pool';
import { StorageError } from '../store/storage-error';
import { visibleLine } from '../../shared/visible-text';
import { bodyTooLargeMessage, HttpError } from './http-error';
import { unsupportedCharset } from './json-charset';

/** body-parser's error types, mapped to what the client did wrong. */
const BODY_ERRORS: Record<string, (err: { limit?: number; charset?: string }) => [number, string]> = {
  'entity.too.large': (e) => [413, bodyTooLargeMessage(e.limit)],
  'entity.parse.failed': () => [400, 'the request body is not valid JSON'],
  'encoding.unsupported': () => [415, 'unsupported content encoding'],
  'charset.unsupported': (e) => [415, unsupportedCharset(e.charset).message],
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
 * 500, and its details go to the log, not to the client. Transport-free: both fronts (express's error handler and the
 * inference fast path) write what this says, through the request pipeline.
 */
export interface ErrorAnswer {
  status: number;
  message: string;
  headers: Record<string, string>;
}

/**
 * What to answer for a failure: its status, the message the client sees, and headers such as Retry-After. Messages
 * often quote the client's own bytes (a model name from the URL, a prediction id): control and direction characters
 * in them are made visible, so the page, a terminal or a log shows what was sent instead of acting on it.
 */
export function errorAnswer(err: unknown, log: (message: string) => void): ErrorAnswer {
  const answer = classify(err, log);
  return { ...answer, message: visibleLine(answer.message) };
}

function classify(err: unknown, log: (message: string) => void): ErrorAnswer {
  // A full disk is the owner's condition, told to the owner once by the feedback service's StorageHealth: no log line
  // per request, and the client hears it is not their fault and to try later.
  if (err instanceof StorageError) return { status: err.status, message: err.clientMessage, headers: { 'Retry-After': '30' } };
  if (err instanceof HttpError) return { status: err.status, message: err.message, headers: err.headers };
  if (err instanceof FeedbackInputError) return { status: 400, message: err.message, headers: {} };
  if (err instanceof PoolRejection) {
    return { status: err.status, message: err.message, headers: err.retryAfterSeconds ? { 'Retry-After': String(err.retryAfterSeconds) } : {} };
  }
  const { type, status } = err as { type?: string; status?: unknown };
  const mapped = type ? BODY_ERRORS[type] : undefined;
  if (mapped) {
    const [code, message] = mapped(err as { limit?: number; charset?: string });
    return { status: code, message, headers: {} };
  }
  // Other client errors raised by express and body-parser (a malformed %-escape in the URL, a body that is not the
  // gzip it claims to be) carry a 4xx status of their own.
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, message: clientMessage(err as Error), headers: {} };
  log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
  return { status: 500, message: 'internal server error', headers: {} };
}
