import type { IncomingMessage } from 'node:http';
import { json, Router, type Request, type RequestHandler } from 'express';
import { REVIEW_LIMITS, reviewCaseBody, ReviewOpenRequestSchema, ReviewProgressUpdateSchema, type ReviewProgress, type ReviewSetList } from '../../../shared/review-set';
import { nowAbsoluteMs, type JobResult } from '../../inference/worker-protocol';
import type { ProgressReviewer } from '../../review/review-progress';
import type { ModelBackend } from '../model-backend';
import { parseReviewFile, ReviewFileError, reviewSignatureOf } from '../../review/review-file';
import type { ReviewSets } from '../../review/review-sets';
import { HttpError } from '../http-error';
import { requireUtf8 } from '../json-charset';
import { methodNotAllowed } from './method-not-allowed';

/** Cases per page at most: the page asks for one or a few at a time. */
const MAX_PAGE = 100;

async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ReviewFileError) throw new HttpError(400, err.message);
    throw err;
  }
}

function count(value: unknown, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n > max) throw new HttpError(400, `${name}: must be a whole number from 0 to ${max}`);
  return n;
}

/** The set a route names, or a 404 naming it. */
function sizeOf(sets: ReviewSets, req: Request): { name: string; size: number } {
  const name = String(req.params.name);
  const size = sets.size(name);
  if (size === undefined) throw new HttpError(404, `no review set named ${JSON.stringify(name)}`);
  return { name, size };
}

/** Whose place it is: the invite the link names (verified), else the name the reviewer typed. */
function reviewerOf(invitedAs: string | undefined, typed: string | undefined): ProgressReviewer {
  if (invitedAs !== undefined) return { name: invitedAs, verified: true };
  if (typed === undefined) throw new HttpError(400, 'reviewer: your name is needed to keep your place (the name you give with your feedback), or open your invitation link');
  return { name: typed, verified: false };
}

/** Where a reviewer resumes: their kept place (under their invite, else the name they typed) if any, else `offset`; at most the set's end. */
function resumeAt(sets: ReviewSets, set: { name: string; size: number }, offset: number, invitedAs: string | undefined, typed: string | undefined): number {
  const kept = invitedAs !== undefined || typed !== undefined ? sets.progress.get(set.name, reviewerOf(invitedAs, typed)) : undefined;
  return Math.min(kept ?? offset, set.size);
}

/** A request body's first problem, as a 400 (zod's issue in words). */
function badBody(issue: { code: string; path: PropertyKey[]; message: string }, shape: string): HttpError {
  return new HttpError(400, issue.code === 'unrecognized_keys' ? `unknown field(s): ${(issue as unknown as { keys: string[] }).keys.join(', ')} (send ${shape})`
    : `${issue.path.join('.') || 'the request body'}: ${issue.message}`);
}

/**
 * How the `open` route gets a case's answer: the same prediction budget (middleware) and the same inference as
 * `/api/predict` (the request pipeline's: its checks, metrics and prediction record), not a copy of them.
 */
export interface CaseAnswering {
  limit: RequestHandler;
  predict(body: Uint8Array, receivedAt: number): Promise<JobResult>;
}

/** The name a reviewer typed (`?reviewer=`), if any. */
const typedReviewer = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * Review sets: the page lists them and steps through their cases (share token); the owner adds and removes them
 * (owner token). A set is checked against the model's inputs when it is added, and stored whole or not at all.
 */
export function reviewRoutes(sets: ReviewSets, backend: ModelBackend, share: RequestHandler, owner: RequestHandler, inviteOf: (req: IncomingMessage) => string | undefined, answers: CaseAnswering): Router {
  const router = Router();
  router.route('/api/review-sets')
    .get(share, (_req, res) => void res.json(sets.list()))
    // The file travels as text inside JSON: its own limit, plus room for the escaping.
    .post(owner, requireUtf8, json({ limit: REVIEW_LIMITS.bytes * 2, type: () => true }), async (req, res) => {
      const body = req.body as Record<string, unknown> | null;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the request body: must be {"name", "format": "jsonl"|"csv", "text"}');
      const unknown = Object.keys(body).filter((k) => !['name', 'format', 'text'].includes(k));
      if (unknown.length > 0) throw new HttpError(400, `unknown field(s): ${unknown.join(', ')}`);
      const { name, format, text } = body;
      if (typeof name !== 'string') throw new HttpError(400, 'name: required, the review set\'s name');
      if (format !== 'jsonl' && format !== 'csv') throw new HttpError(400, 'format: must be "jsonl" or "csv"');
      if (typeof text !== 'string') throw new HttpError(400, 'text: required, the file\'s contents');
      const card = backend.card();
      if (!card) throw new HttpError(503, 'the model is still loading; try again in a moment');
      const list = await answering(async () => {
        const cases = parseReviewFile(text, format, reviewSignatureOf(card));
        await sets.add(name, cases);
        return sets.list();
      });
      res.status(201).json(list satisfies ReviewSetList);
    })
    .all(methodNotAllowed);
  // `resume=1`: from the reviewer's kept place (their invite's, else the `reviewer` named) when there is one, else from
  // `offset` (the place the browser kept): the page opens a review link with one request, not two in a row.
  router.route('/api/review-sets/:name/cases').get(share, (req, res) => {
    const limit = count(req.query.limit, 'limit', 1, MAX_PAGE);
    let offset = count(req.query.offset, 'offset', 0);
    if (req.query.resume === '1') offset = resumeAt(sets, sizeOf(sets, req), offset, inviteOf(req), typedReviewer(req.query.reviewer));
    const page = sets.page(String(req.params.name), offset, limit);
    if (!page) throw new HttpError(404, `no review set named ${JSON.stringify(String(req.params.name))}`);
    res.json(page);
  }).all(methodNotAllowed);
  // A review link's first case and the model's answer for it in one request (the page's first screen waits on one
  // round trip, not two in a row): the case at the reviewer's place, then a prediction spent, made and recorded as
  // /api/predict does (`answers`). Past the set's end there is no case and nothing is predicted.
  router.route('/api/review-sets/:name/open').post(share, answers.limit, requireUtf8, json({ limit: '4kb', type: () => true }), async (req, res) => {
    const receivedAt = nowAbsoluteMs();
    const set = sizeOf(sets, req);
    const parsed = ReviewOpenRequestSchema.safeParse(req.body);
    if (!parsed.success) throw badBody(parsed.error.issues[0], '{"offset", "reviewer"?}');
    const page = sets.page(set.name, resumeAt(sets, set, parsed.data.offset, inviteOf(req), parsed.data.reviewer), 1);
    if (!page) throw new HttpError(404, `no review set named ${JSON.stringify(set.name)}`);
    const [reviewCase] = page.cases;
    if (!reviewCase) return void res.json(page);
    const card = backend.card();
    if (!card) throw new HttpError(503, 'the model is still loading; try again in a moment');
    const answer = await answers.predict(new TextEncoder().encode(JSON.stringify(reviewCaseBody(card, reviewCase.inputs))), receivedAt);
    // A refused or failed prediction is answered as /api/predict answers it (its status and message).
    if (answer.status !== 200) return void res.status(answer.status).type('json').send(answer.body);
    // The body asked for no binary outputs, so the answer is JSON text: spliced in, not parsed and written again.
    if (typeof answer.body !== 'string') throw new Error('a prediction asked for as JSON came back with binary outputs');
    res.type('json').send(`${JSON.stringify(page).slice(0, -1)},"answer":${answer.body}}`);
  }).all(methodNotAllowed);
  // A reviewer's place, kept on the server so another browser or phone resumes at the same case.
  router.route('/api/review-sets/:name/progress')
    .get(share, (req, res) => {
      const { name } = sizeOf(sets, req);
      res.json({ position: sets.progress.get(name, reviewerOf(inviteOf(req), typedReviewer(req.query.reviewer))) ?? null } satisfies ReviewProgress);
    })
    .put(share, requireUtf8, json({ limit: '4kb', type: () => true }), async (req, res) => {
      const { name, size } = sizeOf(sets, req);
      const parsed = ReviewProgressUpdateSchema.safeParse(req.body);
      if (!parsed.success) throw badBody(parsed.error.issues[0], '{"position", "reviewer"?}');
      const { position, reviewer } = parsed.data;
      if (position > size) throw new HttpError(400, `position: the set ${JSON.stringify(name)} has ${size} cases, so a place is 0 to ${size}`);
      await sets.progress.set(name, reviewerOf(inviteOf(req), reviewer), position);
      res.json({ position } satisfies ReviewProgress);
    })
    .all(methodNotAllowed);
  router.route('/api/review-sets/:name/remove').post(owner, async (req, res) => {
    const name = String(req.params.name);
    if (!sets.has(name)) throw new HttpError(404, `no review set named ${JSON.stringify(name)}`);
    await answering(() => sets.remove(name));
    res.json(sets.list());
  }).all(methodNotAllowed);
  return router;
}
