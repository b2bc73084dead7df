import type { IncomingMessage } from 'node:http';
import { Router, type RequestHandler } from 'express';
import type { AccessControl } from '../access';
import { PASSWORD_HEADER } from '../access';
import type { ModelBackend } from '../model-backend';
import { openApiDocument } from '../openapi';
import { methodNotAllowed } from './method-not-allowed';
import { servedModel } from './v2-routes';

/**
 * What a program needs to call this model: its OpenAPI document, and for the page's "Use via API" panel the token its
 * snippets carry. Both behind the share token, like the routes they describe: whoever gets an answer already holds
 * the link (the page's cookie is that token, which the page's script cannot read otherwise). No CORS headers: another
 * site's script cannot read either answer.
 */
export function programRoutes(backend: ModelBackend, access: AccessControl, share: RequestHandler, inviteOf: (req: IncomingMessage) => string | undefined): Router {
  const router = Router();
  router.route('/openapi.json').get(share, (req, res) => {
    res.json(openApiDocument(servedModel(backend, req), access.passwordRequired));
  }).all(methodNotAllowed);
  router.route('/api/program-access').get(share, (req, res) => {
    servedModel(backend, req);
    // An invited reviewer's snippets carry their own token: the general one would outlive a revoke of theirs.
    const token = inviteOf(req) !== undefined ? access.presentedToken(req)! : access.shareToken;
    res.json({ token, ...(access.passwordRequired ? { passwordHeader: PASSWORD_HEADER } : {}) });
  }).all(methodNotAllowed);
  return router;
}
