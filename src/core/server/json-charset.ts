import type { RequestHandler } from 'express';
import { HttpError } from './http-error';

/** `; charset=<value>` in a Content-Type, quoted or not. */
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * The charset a Content-Type declares when it is not UTF-8, else undefined. JSON bodies are UTF-8 (RFC 8259): one
 * that says otherwise (`charset=utf-16`) is refused with 415 on every JSON route, rather than read as UTF-8 anyway or
 * decoded on some routes and not others. Cheap enough for the inference fast path: a header without the word
 * "charset" is one regex test.
 */
export function foreignCharset(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/charset/i.test(contentType)) return undefined;
  const charset = CHARSET.exec(contentType)?.[1] ?? '';
  return /^utf-?8$/i.test(charset) ? undefined : charset;
}

export const unsupportedCharset = (charset: string | undefined): HttpError =>
  new HttpError(415, `unsupported charset${charset ? ` "${charset}"` : ''}: send the JSON body as UTF-8 (Content-Type: application/json, with charset=utf-8 or none)`);

/** Refuses a JSON route's body that declares a charset other than UTF-8 (415), before it is read. */
export const requireUtf8: RequestHandler = (req, _res, next) => {
  const charset = foreignCharset(req.headers['content-type']);
  next(charset === undefined ? undefined : unsupportedCharset(charset));
};
