import { Router, type RequestHandler } from 'express';
import type { ShareLinkInfo } from '../../../shared/share-link';
import { methodNotAllowed } from './method-not-allowed';

/** What the share-link routes need from the preview (implemented by the session). */
export interface ShareLinkBackend {
  shareLink(): ShareLinkInfo;
  /** A new share token: the old link answers 401 at once; the new one starts a fresh expiry. */
  rotateShareLink(): Promise<ShareLinkInfo>;
}

/** The tunnel's public origin while it is up: the page's own origin as its visitors' browsers name it. */
export function publicOriginsOf(backend: ShareLinkBackend): string[] {
  const url = backend.shareLink().publicUrl;
  return url ? [url] : [];
}

/** The owner's view of the link (`GET /api/share-link`) and its rotation (`POST /api/share-link/rotate`). */
export function shareLinkRoutes(backend: ShareLinkBackend, owner: RequestHandler): Router {
  const router = Router();
  router.route('/api/share-link').get(owner, (_req, res) => void res.json(backend.shareLink())).all(methodNotAllowed);
  router.route('/api/share-link/rotate').post(owner, async (_req, res) => void res.json(await backend.rotateShareLink())).all(methodNotAllowed);
  return router;
}
