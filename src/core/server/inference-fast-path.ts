import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type express from 'express';
import type { JobKind } from '../inference/worker-protocol';
import { nowAbsoluteMs } from '../inference/worker-protocol';
import { levelOf, PASSWORD_HEADER, type AccessControl } from './access';
import { crossSiteRefusal } from './cross-site';
import type { RateLimits } from './rate-limits';
import { publicOriginsOf, type ShareLinkBackend } from './routes/share-link-routes';
import { errorAnswer } from './error-handler';
import { foreignCharset } from './json-charset';
import { bodyTooLargeMessage, HttpError } from './http-error';
import type { ServerMetrics } from './metrics';
import type { ModelBackend } from './model-backend';
import { runInference } from './run-inference';
import { SECURITY_HEADERS } from './security-headers';

/** The owner's requests skip the rate limits: one settled promise shared by all of them. */
const OWNER_BUDGET = Promise.resolve();

export interface FastPathOptions {
  backend: ModelBackend;
  access: AccessControl;
  metrics: ServerMetrics;
  rateLimits: RateLimits;
  shareLink: ShareLinkBackend;
  bodyLimitBytes: number;
  log(message: string): void;
}

/**
 * The inference routes' hot path, in front of express. Measured on 2 cores, express's own routing and middleware
 * cost ~60 µs of HTTP-thread time per request — more than parsing, validation and onnxruntime together (which run on
 * the workers). So a plain, authorised inference call (POST to the served model's exact infer path or /api/predict,
 * a Bearer token or the page's cookie, no query string, no Content-Encoding, no charset but UTF-8) is answered here;
 * anything else — including every request that would be refused before its body is read (a wrong password, which
 * express counts; a cookie-authenticated request from another site) — goes to express, which owns the errors. A right
 * password is settled here against the guessing budgets exactly as express's admission does (admission.ts).
 */
export function withInferenceFastPath(app: express.Express, options: FastPathOptions): RequestListener {
  const { backend, access, metrics, rateLimits, bodyLimitBytes } = options;
  const publicOrigins = () => publicOriginsOf(options.shareLink);
  let pathsFor: { version: string; routes: Map<string, [JobKind, string]> } | undefined;

  const routeOf = (url: string): [JobKind, string] | undefined => {
    const card = backend.card();
    if (!card) return undefined;
    if (pathsFor?.version !== card.version) {
      const base = `/v2/models/${encodeURIComponent(card.name)}`;
      pathsFor = {
        version: card.version,
        routes: new Map([
          [`${base}/infer`, ['v2', '/v2/models/:name/infer']],
          [`${base}/versions/${card.version}/infer`, ['v2', '/v2/models/:name/versions/:version/infer']],
          ['/api/predict', ['predict', '/api/predict']],
        ]),
      };
    }
    return pathsFor.routes.get(url);
  };

  // prom-client hashes a label object on every call; labelled children looked up once per (route, status) do not.
  const counters = new Map<string, { inc(): void }>();
  const counted = (route: string, status: number) => {
    const key = `${route} ${status}`;
    let child = counters.get(key);
    if (!child) counters.set(key, (child = metrics.requests.labels(route, 'POST', String(status))));
    return child;
  };
  const histograms = new Map<string, { observe(seconds: number): void }>();
  const timed = (route: string) => {
    let child = histograms.get(route);
    if (!child) histograms.set(route, (child = metrics.requestSeconds.labels(route)));
    return child;
  };
  // A flat [name, value, ...] list for writeHead: cheaper than a setHeader call per header.
  const baseHeaders = Object.entries({ ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' }).flat();

  const answer = (res: ServerResponse, route: string, startedAt: number, status: number, body: string, headers: Record<string, string> = {}) => {
    if (!res.headersSent) {
      res.writeHead(status, [...baseHeaders, ...Object.entries(headers).flat(), 'Content-Length', String(Buffer.byteLength(body))]);
      res.end(body);
    }
    counted(route, status).inc();
    timed(route).observe((performance.now() - startedAt) / 1000);
  };

  const handle = (kind: JobKind, route: string, req: IncomingMessage, res: ServerResponse, budget: Promise<void>): void => {
    const receivedAt = nowAbsoluteMs();
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: unknown) => {
      const { status, message, headers } = errorAnswer(err, options.log);
      answer(res, route, started, status, JSON.stringify({ error: message }), headers);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > bodyLimitBytes) {
        req.removeAllListeners('data').resume();
        fail(new HttpError(413, bodyTooLargeMessage(bodyLimitBytes)));
      } else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (size > bodyLimitBytes) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      budget.then(() => runInference(kind, body, receivedAt, backend, metrics)).then((result) => answer(res, route, started, result.status, result.body), fail);
    });
  };

  return (req, res) => {
    const encoding = req.headers['content-encoding'];
    const declared = Number(req.headers['content-length'] ?? 0);
    const route = req.method === 'POST' && !req.url!.includes('?') && (!encoding || encoding === 'identity') && !(declared > bodyLimitBytes)
      && foreignCharset(req.headers['content-type']) === undefined
      ? routeOf(req.url!) : undefined;
    const credentials = route && access.inspect(req.headers.authorization, req.headers.cookie, undefined, req.headers[PASSWORD_HEADER]);
    const level = credentials && levelOf(credentials);
    if (!route || !level || (credentials.source === 'cookie' && crossSiteRefusal(req, req.url!, publicOrigins))) return void app(req, res);
    // The owner is never rate-limited; anyone else spends a prediction from their per-client budget (429 beyond), and
    // a right password is refused too while the password budgets are spent (429).
    const budget = level === 'owner' ? OWNER_BUDGET
      : credentials.password ? rateLimits.passwords.admit(req).then(() => rateLimits.consume('prediction', req)) : rateLimits.consume('prediction', req);
    budget.catch(() => undefined); // answered through `fail` once the body is read
    handle(route[0], route[1], req, res, budget);
  };
}
