import { pageHead } from '../shared/page-head';
import { OFFLINE_TEXT } from './logic/link-state';

/**
 * The try-it page's service worker (served as `page-sw.js` beside the page, so its scope is the page's folder). One
 * job: a visitor who reloads or re-opens the link while the preview is away gets the page's own explanation instead of
 * the browser's "This site can't be reached" or a tunnel relay's bare 502/504. It handles navigations only, always
 * asks the network first, and changes nothing about an answer the server gave; everything else (the API, the event
 * stream, the script) is not touched. It caches only the stylesheet, for its offline page — no model data, no
 * predictions, no feedback (those wait in localStorage, kept by the page's feedback queue).
 *
 * What it cannot cover: a first visit (no worker yet), a browser that allows no service workers (plain-http tunnel
 * addresses are not a secure context), a relay that answers something other than 502/504 for a dead tunnel (ngrok's
 * and pipenet's "tunnel not found" pages are 404s), and a link whose token changed (the server answers that itself).
 */

interface FetchEvent extends Event {
  readonly request: Request;
  /** The navigation's answer the browser asked for while this worker started (navigation preload), if it did. */
  readonly preloadResponse?: Promise<Response | undefined>;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
const worker = self as unknown as {
  location: Location;
  registration: { unregister(): Promise<boolean>; navigationPreload?: { enable(): Promise<void> } };
  clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
};

const CACHE = 'model-preview-offline-v1';
const STYLESHEET = new URL('assets/page.css', worker.location.href).href;
/** The page's own address (the worker's scope). */
const PAGE = new URL('./', worker.location.href).pathname;
/** The page's answer carries it (PAGE_MARKER_HEADER): a 2xx page without it means another program now has the origin. */
const MARKER = 'x-model-preview';

/** Answers of a tunnel relay whose tunnel is gone (the server itself never sends these for its page). */
const RELAY_DOWN = new Set([502, 504]);

worker.addEventListener('install', (e) => {
  e.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.add(new Request(STYLESHEET, { credentials: 'same-origin' })).catch(() => undefined);
    await worker.skipWaiting();
  })());
});

// Navigation preload: the browser asks for the page while it starts this worker, instead of after (the worker only
// looks at the answer); without it every visit of a returning reviewer waited for the worker to start first.
worker.addEventListener('activate', (e) => e.waitUntil(Promise.all([worker.clients.claim(), worker.registration.navigationPreload?.enable().catch(() => undefined)])));

worker.addEventListener('fetch', (e) => {
  const { request } = e;
  if (request.mode === 'navigate') return e.respondWith(navigate(request, e.preloadResponse));
  if (request.url === STYLESHEET) e.respondWith(stylesheet(request));
});

/** The network's stylesheet when it gives one, else the cached copy (for the offline page, when a relay answers 502). */
async function stylesheet(request: Request): Promise<Response> {
  const fresh = await fetch(request).catch(() => undefined);
  if (fresh?.ok) return fresh;
  return (await caches.match(STYLESHEET)) ?? fresh ?? Response.error();
}

async function navigate(request: Request, preloaded: Promise<Response | undefined> | undefined): Promise<Response> {
  let response: Response;
  try {
    response = (await preloaded) ?? await fetch(request);
  } catch {
    return offlinePage('no answer');
  }
  if (RELAY_DOWN.has(response.status)) return offlinePage(`the link's relay answered ${response.status}`);
  if (response.ok && new URL(request.url).pathname === PAGE && !response.headers.has(MARKER)) void worker.registration.unregister();
  return response;
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function offlinePage(why: string): Response {
  const html = `<!doctype html>
<html lang="en">
${pageHead('Offline', escape(STYLESHEET), '<meta http-equiv="refresh" content="20">\n')}
<body>
<header class="page-header"><p class="brand">Model Preview</p><h1>Offline right now</h1></header>
<main class="layout">
<section class="panel" data-testid="offline-page">
<p data-testid="offline"><strong>${escape(OFFLINE_TEXT)}</strong></p>
<p>The person who shared it may have stopped it, or their computer may be asleep. This page tries again by itself every 20 seconds; the same link works again as soon as the preview is back.</p>
<p class="note">(${escape(why)})</p>
<p><a class="button primary" href="">Try again now</a></p>
</section>
</main>
</body>
</html>
`;
  return new Response(html, {
    status: 503,
    headers: {
      'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}
