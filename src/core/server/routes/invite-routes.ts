import { json, Router, type RequestHandler } from 'express';
import type { IncomingMessage } from 'node:http';
import type { InviteCreated, InviteList, InviteRequest } from '../../../shared/invites';
import { inviteRateLimitsProblem, type InviteRateLimits } from '../../../shared/link-policy';
import { InviteError } from '../invite-book';
import { HttpError } from '../http-error';
import { requireUtf8 } from '../json-charset';
import { methodNotAllowed } from './method-not-allowed';

/** What the invite routes need from the preview (implemented by the session). */
export interface InviteBackend {
  invites(): InviteList;
  createInvite(request: InviteRequest): Promise<InviteCreated>;
  /** Withdraws an invite: its link answers 401 from the next request on, before this resolves. */
  revokeInvite(name: string): Promise<InviteList>;
  setInviteOnly(inviteOnly: boolean): Promise<InviteList>;
}

const STATUS: Record<InviteError['kind'], number> = { invalid: 400, unknown: 404, taken: 409 };

/** An InviteError as the HTTP answer that names what was wrong. */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InviteError) throw new HttpError(STATUS[err.kind], err.message);
    throw err;
  }
}

const FIELDS = ['name', 'expiresInMs', 'password', 'rateLimits'];
const SHAPE = '{"name": "<reviewer>", "expiresInMs"?: <number>, "password"?: "<password>", "rateLimits"?: {"predictionsPerMinute"?: <n>, "feedbackPerMinute"?: <n>}}';

/** The body's shape; its values (a password's length, a budget's range) are the invite book's to check. */
function inviteRequest(body: unknown): InviteRequest {
  const b = body as Record<string, unknown> | null;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new HttpError(400, `the request body: must be ${SHAPE}`);
  const unknown = Object.keys(b).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) throw new HttpError(400, `unknown field(s): ${unknown.join(', ')}`);
  if (typeof b.name !== 'string') throw new HttpError(400, 'name: required, the reviewer\'s name');
  if (b.expiresInMs !== undefined && typeof b.expiresInMs !== 'number') throw new HttpError(400, 'expiresInMs: must be a number of milliseconds');
  if (b.password !== undefined && typeof b.password !== 'string') throw new HttpError(400, 'password: must be a string, the link\'s own password');
  const limitsProblem = b.rateLimits === undefined ? null : inviteRateLimitsProblem(b.rateLimits);
  if (limitsProblem) throw new HttpError(400, limitsProblem);
  return {
    name: b.name, ...(b.expiresInMs !== undefined ? { expiresInMs: b.expiresInMs as number } : {}),
    ...(b.password !== undefined ? { password: b.password as string } : {}), ...(b.rateLimits !== undefined ? { rateLimits: b.rateLimits as InviteRateLimits } : {}),
  };
}

/**
 * Named reviewers (owner token): list, invite, revoke, and the invite-only mode. `GET /api/reviewer` (share token)
 * tells the page who its visitor is when they came through an invite.
 */
export function inviteRoutes(backend: InviteBackend, share: RequestHandler, owner: RequestHandler, inviteOf: (req: IncomingMessage) => string | undefined): Router {
  const router = Router();
  const body = [requireUtf8, json({ limit: '4kb', type: () => true })];
  router.route('/api/invites')
    .get(owner, (_req, res) => void res.json(backend.invites()))
    .post(owner, ...body, async (req, res) => void res.status(201).json(await answering(() => backend.createInvite(inviteRequest(req.body)))))
    .all(methodNotAllowed);
  router.route('/api/invites/:name/revoke')
    .post(owner, async (req, res) => void res.json(await answering(() => backend.revokeInvite(String(req.params.name)))))
    .all(methodNotAllowed);
  router.route('/api/invite-only')
    .post(owner, ...body, async (req, res) => {
      const value: unknown = (req.body as Record<string, unknown> | null)?.inviteOnly;
      if (typeof value !== 'boolean') throw new HttpError(400, 'inviteOnly: must be true or false');
      res.json(await backend.setInviteOnly(value));
    })
    .all(methodNotAllowed);
  router.route('/api/reviewer').get(share, (req, res) => {
    const invitedAs = inviteOf(req);
    res.json(invitedAs === undefined ? {} : { invitedAs });
  }).all(methodNotAllowed);
  return router;
}
