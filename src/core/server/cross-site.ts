import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error';
import { isLoopback } from './rate-limits';

/**
 * Cross-site request forgery. A browser attaches the share cookie (SameSite=Lax) to requests that other pages make it
 * send — a page on another port of the same host, or on a sibling subdomain of a tunnel's domain, is "same-site" —
 * and a `text/plain` or form POST needs no CORS preflight. So a state-changing request whose share token came from
 * the cookie must come from the page itself: its own origin, and a body type the page sends. A Bearer token is never
 * attached by a browser on its own, so programs (and Triton's client with binary bodies) are not restricted.
 */

/**
 * The body types the page itself sends with its cookie, by route: anything else with the cookie is refused with 415.
 * An explicit list: a route that starts taking another type from the page (a binary upload) is added here.
 */
const PAGE_BODY_TYPES: Readonly<Record<string, readonly string[]>> = {
  '/unlock': ['application/x-www-form-urlencoded'],
  // A picture's pixels after the JSON (shared/picture-upload.ts): not a CORS-safelisted type, so another site's
  // script cannot send it without a preflight, which this server does not answer.
  '/api/predict': ['application/json', 'application/octet-stream'],
};
const JSON_ONLY: readonly string[] = ['application/json'];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the browser says about where a request came from (`Sec-Fetch-Site`); `none` is the person typing the URL. */
const OWN_SITE = new Set(['same-origin', 'none']);

/** The media type of a Content-Type header, lower-cased, without parameters ('' when there is none). */
const mediaType = (header: string | undefined): string => (header ?? '').split(';', 1)[0].trim().toLowerCase();

/**
 * Why a cookie-authenticated request is refused, or undefined when it may go on. `path` is the route's path (without
 * a proxy's prefix); `publicOrigins` are the tunnel's public origins, which the request itself may not show: pipenet
 * rewrites the Host header of a connection's first request, and a reverse proxy may send its own.
 */
export function crossSiteRefusal(req: IncomingMessage, path: string, publicOrigins: () => readonly string[]): HttpError | undefined {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return undefined;
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if ((site !== undefined && !(typeof site === 'string' && OWN_SITE.has(site))) || (origin !== undefined && !isOwnOrigin(origin, req, publicOrigins))) {
    return new HttpError(403, 'this request came from another site: with the preview\'s cookie, only its own page may send it '
      + '(programs send the share token in Authorization: Bearer <token> instead)');
  }
  const allowed = PAGE_BODY_TYPES[path] ?? JSON_ONLY;
  if (!allowed.includes(mediaType(req.headers['content-type']))) {
    return new HttpError(415, `with the preview's cookie, ${req.method} ${path} takes ${allowed.join(' or ')} only `
      + '(programs send the share token in Authorization: Bearer <token> and any content type)');
  }
  return undefined;
}

/**
 * Whether an Origin header names the page's own origin: the host the browser addressed (Host), the one a proxy on
 * this machine says it forwarded (X-Forwarded-Host, trusted from loopback only, as the tunnels deliver from there),
 * or the tunnel's public URL. Host and port must match; `null` (an opaque origin) never does.
 */
function isOwnOrigin(origin: string, req: IncomingMessage, publicOrigins: () => readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const hosts = [req.headers.host];
  const forwarded = req.headers['x-forwarded-host'];
  if (forwarded !== undefined && isLoopback(req.socket.remoteAddress)) hosts.push(...[forwarded].flat().flatMap((h) => h.split(',')));
  return hosts.some((host) => host !== undefined && sameAuthority(url, host.trim()))
    || publicOrigins().some((publicUrl) => originOf(publicUrl) === url.origin);
}

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined; // a tunnel URL WHATWG cannot parse (pipenet on a bare IP domain) is no browser's origin either
  }
};

/** Host and port equal, the port defaulting by the origin's scheme (an https origin without a port is port 443). */
function sameAuthority(origin: URL, host: string): boolean {
  try {
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}
