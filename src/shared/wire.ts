import * as z from 'zod/mini';

/**
 * Building blocks of the schemas of what the server sends its clients (the events, the owner's HTTP answers): checked
 * by the client before it trusts a field. They use zod/mini, whose functions bundle only what is used: the extension
 * carries these schemas, and zod's chainable API would weigh more than the extension itself.
 *
 * Objects strip fields they do not know, so an older client still reads a newer server's messages; a value of the
 * wrong type, or an unknown event type, is refused.
 */

/** A whole number from 0 on (a count, an attempt, an id that may be 0). */
export const count = () => z.int().check(z.nonnegative());
export const nonEmptyString = () => z.string().check(z.minLength(1));

/**
 * An http(s) URL. Links from the server end up in "open in browser" and "copy link" actions: a `command:` or `file:`
 * URL there would be an action, not a link.
 */
function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export const httpUrl = () => z.string().check(z.refine(isHttpUrl, 'must be an http(s) URL'));
