import * as path from 'node:path';
import { Router, urlencoded, type Request, type RequestHandler, type Response } from 'express';
import escapeHtml from 'escape-html';
import type { ModelCard } from '../../../shared/model-card';
import { PAGE_DATA_ID, type PageData } from '../../../shared/page-data';
import { jsonInHtml } from '../json-in-html';
import { pageHead } from '../../../shared/page-head';
import { PASSWORD_HEADER, type AccessControl } from '../access';
import type { Admission } from '../admission';
import { HttpError } from '../http-error';
import type { PasswordBudget } from '../rate-limits';
import type { ModelBackend } from '../model-backend';
import { methodNotAllowed } from './method-not-allowed';
import { assetCacheHeaders, assetVersion, pageAsset, pageAssetDir, type PageAsset } from './page-assets';
import { NOTICE_HEADERS, noticePage, sentence } from '../notice-page';

/**
 * The page's Content-Security-Policy: its own script and stylesheet only (no inline script or style, no eval),
 * pictures from the page itself (blob: for the uploaded-picture thumbnail, data: for the empty favicon), fetches to
 * its own origin, nothing framed, no forms posted anywhere, no <base> rewriting.
 */
export const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "media-src 'self' blob:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/**
 * The page's service worker (src/page/service-worker.ts), served beside the page so that its scope is the page's
 * folder: the offline explanation for a reloaded link while the preview is away. Its own CSP limits it to fetching
 * from this origin.
 */
const SERVICE_WORKER: PageAsset = { file: 'page-sw.js', type: 'text/javascript; charset=utf-8', hashedName: false };
const SERVICE_WORKER_CSP = "default-src 'none'; connect-src 'self'";

/** Sent with the page: the service worker leaves an origin whose page no longer says it is a preview's. */
export const PAGE_MARKER_HEADER = 'X-Model-Preview';

/**
 * The HTML shell. The script builds the page from the model card; the shell already names the model (escaped) so the
 * tab title is right and something useful shows while the script loads, or when it cannot run. It carries the card,
 * the review sets and who the visitor is as data (shared/page-data.ts), so the script asks for none of them first.
 * The script is last in the body, not deferred: it runs as the parser reaches it (the elements it needs are above it),
 * before the layout a review link's `#review=` fragment forces when parsing ends, so its first request leaves sooner.
 */
function shell(card: ModelCard | undefined, data: PageData | undefined): string {
  const dir = pageAssetDir();
  const versioned = (file: string) => {
    const version = dir && assetVersion(dir, file);
    return version ? `assets/${file}?v=${version}` : `assets/${file}`;
  };
  const title = card ? card.hints.title || card.name : 'Model Preview';
  const header = card
    ? `<p class="brand">Model Preview</p><h1>${escapeHtml(title)}</h1>
<p class="meta">Model <code>${escapeHtml(card.name)}</code> · version <code>${escapeHtml(card.version)}</code></p>`
    : '<p class="brand">Model Preview</p><h1>Model Preview</h1>';
  return `<!doctype html>
<html lang="en">
${pageHead(escapeHtml(title), versioned('page.css'))}
<body>
<header id="page-header" class="page-header">
${header}
</header>
<main id="app" class="layout" aria-busy="true">
<p class="loading">${card ? 'Loading the model…' : 'The model is still loading. This page updates by itself in a moment.'}</p>
<noscript><p class="loading">This page needs JavaScript to try the model.</p></noscript>
</main>
${data ? `<script type="application/json" id="${PAGE_DATA_ID}">${jsonInHtml(data)}</script>\n` : ''}<script src="${versioned('page.js')}"></script>
</body>
</html>
`;
}

function sendPasswordPage(res: Response, status: number, error?: string, headers: Record<string, string> = {}): void {
  res.status(status).set(headers).set(NOTICE_HEADERS).type('html')
    .send(noticePage({ title: 'This preview needs a password', message: 'Ask the person who shared the link for its password.', passwordForm: { error } }));
}

/** An asset's answer; `version`: the `?v=` it was asked for (page-assets.ts: kept for good when it is the current one). */
function sendAsset(name: string, res: Response, version?: unknown, fixed?: PageAsset): void {
  const dir = pageAssetDir();
  const asset = dir ? fixed ?? pageAsset(dir, name) : undefined;
  if (!asset || !dir) throw new HttpError(404, `no such asset: ${name}${dir ? '' : ' (the page is not built: run `npm run build`)'}`);
  res.type(asset.type).set(fixed ? {} : assetCacheHeaders(dir, asset, version))
    .sendFile(path.join(dir, asset.file), { dotfiles: 'deny', cacheControl: false, lastModified: false, etag: false });
}

/**
 * `GET /`: the share link's landing page, and `GET /assets/page.{js,css}`: its script and stylesheet, all behind the
 * share token. A link carries the share token as `?t=`; it is traded for an HttpOnly cookie and the browser is
 * redirected to the bare URL, so the token does not linger in the address bar, history or a Referer header.
 * Every URL the page uses is relative (`assets/...`, `api/...`, a `./` redirect): behind a path-prefixed proxy (VS
 * Code's port forwarding in a browser, `/proxy/<port>/`) the page still finds its own assets and API.
 * SameSite=Lax, not Strict: the link is usually opened from another site (mail, chat), and a Strict cookie would not
 * be sent on the redirect that follows.
 */
export function pageRoute(backend: ModelBackend, access: AccessControl, admission: Admission, passwords: PasswordBudget, share: RequestHandler, pageData: (req: Request) => PageData | undefined): Router {
  const router = Router();
  router.route('/').get((req, res, next) => {
    // Only a link's own token counts here (the share link's or an invite's): a wrong or truncated link must not replace a valid cookie.
    if (typeof req.query.t === 'string' && access.isLinkToken(req.query.t)) {
      res.cookie(access.cookieName, req.query.t, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
      return void res.redirect(303, './');
    }
    if (admission.credentials(req).verdict === 'locked') return void sendPasswordPage(res, 401);
    next();
  }, share, (req, res) => {
    res.set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store', [PAGE_MARKER_HEADER]: 'page' }).type('html').send(shell(backend.card(), pageData(req)));
  }).all(methodNotAllowed);
  // The password form posts here. The link's token must already be in the cookie: an invite with a password of its
  // own asks for that one, any other link for the preview's. Wrong passwords count against the guessing budgets, and
  // once those are spent the form says so (429) whatever was typed.
  router.route('/unlock').post(urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const credentials = admission.credentials(req);
    if (credentials.verdict !== 'locked' && credentials.verdict !== 'share') throw access.refusalOf(credentials, 'share');
    const password: unknown = req.body?.password;
    if (typeof password !== 'string' || password === '') return void sendPasswordPage(res, 401, 'Type the password.');
    try {
      // The budgets first: an invite's own password is a slow hash, not computed for a guesser whose budget is spent.
      await passwords.admit(req);
      const correct = await access.checkLinkPassword(credentials.invite, password);
      await passwords.settle(req, correct);
      if (!correct) return void sendPasswordPage(res, 401, 'That password is not right.');
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) return void sendPasswordPage(res, 429, sentence(err.message), err.headers);
      throw err;
    }
    res.cookie(access.unlockCookieName, access.unlockCookieValueFor(credentials.invite)!, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
    res.redirect(303, './');
  }).all(methodNotAllowed);
  // The page's "open on phone" QR code and its "Use via API" snippets need the link the visitor opened, whose token
  // the HttpOnly cookie hides from the page's script: it gets the token it was opened with (the current one: after a
  // rotation the cookie is refused), and the header a program sends the link's password in, if it has one. An invited
  // reviewer gets their own invite token: the general one would outlive a revoke of theirs (and invite-only mode).
  router.route('/api/page-link').get(share, (req, res) => {
    const { invite } = admission.credentials(req);
    const token = invite !== undefined ? access.presentedToken(req)! : access.shareToken;
    res.json({ token, ...(access.passwordRequiredFor(invite) ? { passwordHeader: PASSWORD_HEADER } : {}) });
  }).all(methodNotAllowed);
  router.route('/page-sw.js').get(share, (_req, res) => {
    res.set({ 'Content-Security-Policy': SERVICE_WORKER_CSP });
    sendAsset(SERVICE_WORKER.file, res, undefined, SERVICE_WORKER);
  }).all(methodNotAllowed);
  router.route('/assets/:name').get(share, (req, res) => {
    sendAsset(String(req.params.name), res, req.query.v);
  }).all(methodNotAllowed);
  return router;
}
