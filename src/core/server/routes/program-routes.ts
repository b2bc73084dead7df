import { Router, type RequestHandler } from 'express';
import type { AccessControl } from '../access';
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
export function programRoutes(backend: ModelBackend, access: AccessControl, share: RequestHandler): Router {
  const router = Router();
  router.route('/openapi.json').get(share, (req, res) => {
    // The link the request came through: an invite with its own password needs the header even when the preview has none.
    res.json(openApiDocument(servedModel(backend, req), access.passwordRequiredFor(access.credentialsOf(req).invite)));
  }).all(methodNotAllowed);
  return router;
}
