import type { IncomingMessage } from 'node:http';
import type { RequestBody } from '../inference/request-body';
import type { JobKind, JobResult } from '../inference/worker-protocol';
import { PASSWORD_HEADER, type AccessControl, type Credentials } from './access';
import { crossSiteRefusal } from './cross-site';
import { errorAnswer, type ErrorAnswer } from './error-answer';
import { HttpError } from './http-error';
import type { ServerMetrics } from './metrics';
import type { ModelBackend } from './model-backend';
import type { RateLimitedAction, RateLimits } from './rate-limits';
import { SECURITY_HEADERS } from './security-headers';

/*
 * The transport chores of every request, in one place that knows nothing of express or of how an answer is written
 * (kserve's DataPlane beside its REST server). Two fronts call it: the express app, through thin middleware
 * (app.ts, admission.ts), and the inference fast path in front of it (inference-fast-path.ts), which writes its
 * answers itself. Both take their routes' inference calls from INFERENCE_ROUTES. So a header, an admission rule, a
 * rate limit, a metric or an error mapping is one edit here, and an inference route one entry there.
 */

/** An inference route: its pattern (the metrics label, express's path) and the job it runs. */
export interface InferenceRoute {
  pattern: string;
  kind: JobKind;
}

/** Every route that runs an inference, whichever front answers it. */
export const INFERENCE_ROUTES: readonly InferenceRoute[] = [
  { pattern: '/v2/models/:name/infer', kind: 'v2' },
  { pattern: '/v2/models/:name/versions/:version/infer', kind: 'v2' },
  { pattern: '/api/predict', kind: 'predict' },
];

/** The exact path of a route for the model being served (`:name` and `:version` filled in). */
export function inferencePath(route: InferenceRoute, model: { name: string; version: string }): string {
  return route.pattern.replace(':name', encodeURIComponent(model.name)).replace(':version', encodeURIComponent(model.version));
}

/** Public: no token, no password, nothing counted. */
export const isHealthCheck = (path: string): boolean => path.startsWith('/v2/health/');

/** The header of Triton's binary tensor data extension: how many bytes of the body are JSON (binary tensors follow). */
export const JSON_LENGTH_HEADER = 'inference-header-content-length';

const JSON_ANSWER = Object.freeze({ 'Content-Type': 'application/json; charset=utf-8' });

/**
 * The request's Inference-Header-Content-Length, checked against its body: undefined when absent. Digits only —
 * Triton reads it with atoi, which takes "abc" as 0 (a raw request); a typo here is answered instead.
 */
function readJsonLength(value: string | string[] | undefined, bodyLength: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new HttpError(400, `Inference-Header-Content-Length must be a number of bytes (the length of the JSON that begins the body), got ${JSON.stringify(String(value))}`);
  }
  const length = Number(value);
  if (length > bodyLength) throw new HttpError(400, `Inference-Header-Content-Length is ${value}, but the body has only ${bodyLength} bytes`);
  return length;
}

/** For `infer` on a body the server wrote (a review case's answer): plain JSON, no client header read. */
export const NO_CLIENT_HEADERS: Pick<IncomingMessage, 'headers'> = Object.freeze({ headers: Object.freeze({}) });

/** The owner's requests skip the rate limits: one settled promise shared by all of them. */
const UNLIMITED = Promise.resolve();

const NONE: Credentials = Object.freeze({ verdict: 'none' });

/** One counter and one histogram child per (route, method, status): prom-client hashes a label object on every call. */
interface Meter {
  observe(seconds: number): void;
}

export interface PipelineOptions {
  backend: ModelBackend;
  access: AccessControl;
  metrics: ServerMetrics;
  rateLimits: RateLimits;
  /** The tunnel's public origins: a request's own headers may not show them (see cross-site.ts). */
  publicOrigins(): readonly string[];
  log(message: string): void;
}

export class RequestPipeline {
  /** Sent with every answer: set by express's first middleware, and written by the fast path with its own. */
  readonly securityHeaders = SECURITY_HEADERS;

  private readonly counters = new Map<string, { inc(): void }>();
  private readonly timers = new Map<string, Meter>();

  constructor(private readonly options: PipelineOptions) {}

  /**
   * What a request is let in as, decided once before any route, or the refusal it gets: an expired link 410; a
   * request whose share token came from the cookie and that another site made the browser send 403 or 415 (see
   * cross-site.ts). `path` is the route's path without a query or a proxy's prefix; `queryToken` the link's `?t=`.
   * A password the credentials carry is not settled yet: see `checkInvitePassword` and `settlePassword`.
   */
  admit(req: IncomingMessage, path: string, queryToken?: string): Credentials | HttpError {
    if (isHealthCheck(path)) return NONE;
    const { access } = this.options;
    const credentials = access.inspect(req.headers.authorization, req.headers.cookie, queryToken, req.headers[PASSWORD_HEADER]);
    if (credentials.verdict === 'expired') return access.refusal('expired', 'share');
    if (credentials.source === 'cookie') return crossSiteRefusal(req, path, this.options.publicOrigins) ?? credentials;
    return credentials;
  }

  /**
   * Settles a password the request carried against the guessing budgets: a wrong one is counted, and once a budget is
   * spent every password attempt is refused with 429, the right one too. Undefined when there is nothing to settle —
   * including a stale unlock cookie on POST /unlock, which is itself a password attempt (the form's, counted there).
   */
  settlePassword(req: IncomingMessage, credentials: Credentials, path: string): Promise<boolean> | undefined {
    const { password } = credentials;
    if (!password || (password.carrier === 'cookie' && path === '/unlock')) return undefined;
    return this.options.rateLimits.passwords.settle(req, password.correct);
  }

  /**
   * An invite's own password in a header, not seen right before (`Credentials.uncheckedPassword`): checked with its
   * slow hash off the event loop, but only while the guessing budgets allow a password attempt (else 429, before any
   * hashing: a guesser cannot make the server hash for them beyond the budgets). Undefined when there is none.
   */
  checkInvitePassword(req: IncomingMessage, credentials: Credentials): Promise<Credentials> | undefined {
    if (credentials.uncheckedPassword === undefined) return undefined;
    return this.options.rateLimits.passwords.admit(req).then(() => this.options.access.checkInvitePassword(credentials));
  }

  /** The client's (or the invite's) budget for an action: resolves, or rejects with 429 and Retry-After. The owner is never limited. */
  spend(action: RateLimitedAction, credentials: Credentials, req: IncomingMessage): Promise<void> {
    return credentials.verdict === 'owner' ? UNLIMITED : this.options.rateLimits.consume(action, req, credentials.invite, credentials.inviteLimits);
  }

  /**
   * One inference: hands the raw body to a worker, counts the inference time, and keeps the prediction record before
   * the answer goes out. `req` gives the binary tensor data header, checked here before the body goes to a worker
   * (none for a body the server made itself: see `NO_CLIENT_HEADERS`).
   */
  async infer(kind: JobKind, req: Pick<IncomingMessage, 'headers'>, body: RequestBody, receivedAt: number): Promise<JobResult> {
    if (body.length === 0) throw new HttpError(400, 'the request body is empty; send a JSON object');
    const jsonLength = readJsonLength(req.headers[JSON_LENGTH_HEADER], body.length);
    const { backend, metrics } = this.options;
    const result = await backend.run(kind, body, receivedAt, jsonLength);
    if (result.inferenceMs !== undefined) metrics.inferenceSeconds.observe(result.inferenceMs / 1000);
    if (result.predictionRecord) await backend.recordPrediction(result.predictionRecord, result.predictionBlobs);
    return result;
  }

  /** The headers of an inference answer: JSON, or JSON followed by binary outputs (binary tensor data). */
  answerHeaders(result: JobResult): Readonly<Record<string, string>> {
    if (result.jsonLength === undefined) return JSON_ANSWER;
    return { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(result.jsonLength) };
  }

  /** The answer to a failure, as data: status, the client's message, headers such as Retry-After (see error-handler.ts). */
  failure(err: unknown): ErrorAnswer {
    return errorAnswer(err, this.options.log);
  }

  /**
   * Counts an answer by the route pattern it matched (not the raw URL, which would explode the label set), and the
   * time since `startedAt` (`performance.now()`).
   */
  count(route: string, method: string, status: number, startedAt: number): void {
    const key = `${route} ${method} ${status}`;
    let counter = this.counters.get(key);
    if (!counter) this.counters.set(key, (counter = this.options.metrics.requests.labels(route, method, String(status))));
    counter.inc();
    let timer = this.timers.get(route);
    if (!timer) this.timers.set(route, (timer = this.options.metrics.requestSeconds.labels(route)));
    timer.observe((performance.now() - startedAt) / 1000);
  }
}
