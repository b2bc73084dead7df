import { Router, type RequestHandler } from 'express';
import escapeHtml from 'escape-html';
import type { ModelCard } from '../../../shared/model-card';
import type { AccessControl } from '../access';
import type { ModelBackend } from '../model-backend';
import { formatShape } from '../../inference/codec';
import { methodNotAllowed } from './method-not-allowed';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function renderCard(card: ModelCard | undefined): string {
  if (!card) return '<p>The model is still loading. Reload this page in a moment.</p>';
  const row = (kind: string) => (s: { name: string; datatype: string; shape: Array<string | number> }) =>
    `<tr><td>${kind}</td><td><code>${escapeHtml(s.name)}</code></td><td>${s.datatype}</td><td><code>${escapeHtml(formatShape(s.shape))}</code></td></tr>`;
  const title = card.sidecar?.title ?? card.name;
  const description = card.sidecar?.description ?? card.docString ?? '';
  return `<h1>${escapeHtml(title)}</h1>
<p class="meta">Model <code>${escapeHtml(card.name)}</code>, version <code>${card.version}</code>, loaded ${escapeHtml(card.loadedAt)}</p>
${description ? `<p>${escapeHtml(description)}</p>` : ''}
<table><thead><tr><th></th><th>name</th><th>datatype</th><th>shape</th></tr></thead><tbody>
${card.inputs.map(row('input')).join('\n')}
${card.outputs.map(row('output')).join('\n')}
</tbody></table>
<p>Programs can call this model with the Open Inference Protocol (V2): <code>POST /v2/models/${escapeHtml(card.name)}/infer</code>,
or with <code>POST /api/predict</code> and a body such as <code>{"inputs": {"${escapeHtml(card.inputs[0]?.name ?? 'x')}": [...]}}</code>,
sending the share token as <code>Authorization: Bearer &lt;token&gt;</code>.</p>`;
}

/**
 * `GET /`: the share link's landing page. A link carries the share token as `?t=`; it is traded for an HttpOnly
 * cookie and the browser is redirected to the bare URL, so the token does not linger in the address bar, history or
 * a Referer header. SameSite=Lax, not Strict: the link is usually opened from another site (mail, chat), and a Strict
 * cookie would not be sent on the redirect that follows.
 */
export function pageRoute(backend: ModelBackend, access: AccessControl, share: RequestHandler): Router {
  const router = Router();
  router.route('/').get((req, res, next) => {
    if (typeof req.query.t === 'string' && access.levelOf(req) === 'share') {
      res.cookie(access.cookieName, req.query.t, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
      return void res.redirect(303, '/');
    }
    next();
  }, share, (_req, res) => {
    res.set({ 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' }).type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Model Preview</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1b1b1f}
table{border-collapse:collapse}td,th{padding:.25rem .75rem;border-bottom:1px solid #ddd;text-align:left}.meta{color:#555}</style>
</head><body>${renderCard(backend.card())}</body></html>`);
  }).all(methodNotAllowed);
  return router;
}
