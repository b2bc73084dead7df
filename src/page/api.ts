import type { FeedbackSubmission } from '../shared/feedback';
import type { ModelCard } from '../shared/model-card';
import type { ReviewCase, ReviewCasePage, ReviewProgressUpdate, ReviewSetList } from '../shared/review-set';
import { outcomeOf, type SendOutcome } from './logic/feedback-queue';
import { isPredictResponse, type PredictResponse } from './logic/output-plan';
import { predictBody } from './logic/text-input';
import { predictRequest, readBinaryAnswer, type PredictRequest } from './logic/compact-predict';
import { isModelCard } from './logic/page-data';

/** The page's calls to its own server. Same origin, the share cookie goes along (credentials: same-origin). */

export class ApiError extends Error {
  /** `details`: more for the model's author (onnxruntime's own words), shown collapsed under the message. */
  constructor(readonly status: number, message: string, readonly details?: string) {
    super(message);
  }
}

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

/**
 * A request with pictures, gzipped where the browser can (CompressionStream): a picture's pixels often shrink by half
 * or more (plain backgrounds, scans), and the server inflates the body before anything reads it. JSON requests stay
 * as they are: small, and readable in the browser's network tab.
 */
async function compressed(request: PredictRequest): Promise<{ headers: Record<string, string>; body: BodyInit }> {
  if (request.headers['Content-Type'] !== 'application/octet-stream' || typeof CompressionStream !== 'function') return request;
  try {
    const gzip = new Blob([request.body]).stream().pipeThrough(new CompressionStream('gzip'));
    return { headers: { ...request.headers, 'Content-Encoding': 'gzip' }, body: await new Response(gzip).arrayBuffer() };
  } catch {
    return request;
  }
}

/** An answer whose large outputs follow its JSON as bytes. */
async function readBinary(res: Response, jsonLength: number): Promise<unknown> {
  try {
    return readBinaryAnswer(new Uint8Array(await res.arrayBuffer()), jsonLength);
  } catch {
    return undefined;
  }
}

const errorText = (body: unknown, status: number): string => {
  const e = (body as { error?: unknown } | undefined)?.error;
  return typeof e === 'string' ? e : `the server answered ${status}`;
};

const errorDetails = (body: unknown): string | undefined => {
  const d = (body as { details?: unknown } | undefined)?.details;
  return typeof d === 'string' && d !== '' ? d : undefined;
};

/** A card read gives up after this long: a relay can hold a request to a dead server open, and the link watcher must not wait on it. */
const CARD_TIMEOUT_MS = 15_000;

export async function fetchCard(): Promise<ModelCard> {
  const res = await fetch('api/card', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(CARD_TIMEOUT_MS) });
  const body = await readJson(res);
  if (!res.ok) throw new ApiError(res.status, errorText(body, res.status));
  if (!isModelCard(body)) throw new ApiError(res.status, 'the server sent a model card this page does not understand');
  return body;
}

/**
 * The token this page was opened with (and the password header, if any): what the "Use via API" snippets carry and
 * the "Open on phone" link holds. GET /api/page-link.
 */
export async function fetchPageLink(): Promise<{ token: string; passwordHeader?: string }> {
  const res = await fetch('api/page-link', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
  const body = await readJson(res) as { token?: unknown; passwordHeader?: unknown } | undefined;
  if (!res.ok) throw new ApiError(res.status, errorText(body, res.status));
  if (typeof body?.token !== 'string') throw new ApiError(res.status, 'the server sent an answer this page does not understand');
  return { token: body.token, ...(typeof body.passwordHeader === 'string' ? { passwordHeader: body.passwordHeader } : {}) };
}

/** Who the visitor is when their link is an invite (`GET /api/reviewer`); nobody in particular when it cannot tell. */
export async function fetchReviewer(): Promise<string | undefined> {
  try {
    const res = await fetch('api/reviewer', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = (await readJson(res)) as { invitedAs?: unknown } | undefined;
    return res.ok && typeof body?.invitedAs === 'string' ? body.invitedAs : undefined;
  } catch {
    return undefined;
  }
}

/** The owner's review sets (`GET /api/review-sets`); none when the server has none or cannot say. */
export async function fetchReviewSets(): Promise<ReviewSetList['sets']> {
  try {
    const res = await fetch('api/review-sets', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = (await readJson(res)) as ReviewSetList | undefined;
    return res.ok && Array.isArray(body?.sets) ? body.sets : [];
  } catch {
    return [];
  }
}

/** One case of a review set, how many there are and where it is (`GET /api/review-sets/<name>/cases?offset=i&limit=1`). */
export async function fetchReviewCase(set: string, offset: number): Promise<ReviewCaseAt> {
  let res: Response;
  try {
    res = await fetch(`api/review-sets/${encodeURIComponent(set)}/cases?offset=${offset}&limit=1`, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'Could not reach the model server. Check your connection and try again.');
  }
  return caseAt(res, await readJson(res));
}

/**
 * A review link's first case, at the reviewer's place as the server keeps it (under their invite, else under the
 * name they typed), `offset` (the place this browser kept) when it keeps none, and the model's answer for it, in one
 * request: `POST /api/review-sets/<name>/open`. No answer past the set's end.
 */
export async function openReviewSet(set: string, offset: number, reviewer?: string): Promise<ReviewCaseAt & { answer?: PredictResponse }> {
  let res: Response;
  try {
    res = await fetch(`api/review-sets/${encodeURIComponent(set)}/open`, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ offset, ...(reviewer ? { reviewer } : {}) }),
    });
  } catch {
    throw new ApiError(0, 'Could not reach the model server. Check your connection and try again.');
  }
  const body = await readJson(res);
  if (!res.ok) throw new ApiError(res.status, errorText(body, res.status), errorDetails(body));
  const at = caseAt(res, body);
  const answer = (body as { answer?: unknown }).answer;
  if (at.case && !isPredictResponse(answer)) throw new ApiError(res.status, 'the server sent an answer this page does not understand');
  return { ...at, ...(at.case ? { answer: answer as PredictResponse } : {}) };
}

type ReviewCaseAt = { total: number; offset: number; case?: ReviewCase };

/** A case page's answer, read. */
function caseAt(res: Response, json: unknown): ReviewCaseAt {
  const body = json as ReviewCasePage | undefined;
  if (!res.ok) throw new ApiError(res.status, errorText(body, res.status));
  if (typeof body?.total !== 'number' || typeof body.offset !== 'number' || !Array.isArray(body.cases)) throw new ApiError(res.status, 'the server sent a review case this page does not understand');
  return { total: body.total, offset: body.offset, case: body.cases[0] };
}

const progressUrl = (set: string) => `api/review-sets/${encodeURIComponent(set)}/progress`;

/** Keeps the reviewer's place on the server (`PUT .../progress`); false when it could not (offline): this browser still has it. */
export async function saveReviewProgress(set: string, update: ReviewProgressUpdate): Promise<boolean> {
  try {
    const res = await fetch(progressUrl(set), {
      method: 'PUT', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(update),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** The inputs' values as the views collect them: data, or a PictureUpload, which goes up as its pixels. */
export async function predict(inputs: Record<string, unknown>): Promise<PredictResponse> {
  let res: Response;
  const request = await compressed(predictRequest(predictBody(inputs)));
  try {
    res = await fetch('api/predict', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { ...request.headers, Accept: 'application/json, application/octet-stream' },
      body: request.body,
    });
  } catch {
    throw new ApiError(0, 'The preview did not answer: it may be offline right now. Try again in a moment.');
  }
  const jsonLength = res.headers.get('Inference-Header-Content-Length');
  const body = res.ok && jsonLength !== null ? await readBinary(res, Number(jsonLength)) : await readJson(res);
  if (!res.ok) throw new ApiError(res.status, errorText(body, res.status), errorDetails(body));
  if (!isPredictResponse(body)) throw new ApiError(res.status, 'the server sent an answer this page does not understand');
  return body;
}

export async function sendFeedback(submission: FeedbackSubmission): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetch('api/feedback', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(submission),
    });
  } catch {
    return outcomeOf(0, undefined);
  }
  return outcomeOf(res.status, await readJson(res), res.headers.get('Retry-After'));
}
