import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type express from 'express';
import { BodyChunks } from '../inference/request-body';
import { nowAbsoluteMs } from '../inference/worker-protocol';
import { levelOf } from './access';
import { foreignCharset } from './json-charset';
import { bodyTooLargeMessage, HttpError } from './http-error';
import type { ModelBackend } from './model-backend';
import { INFERENCE_ROUTES, inferencePath, type InferenceRoute, type RequestPipeline } from './request-pipeline';

export interface FastPathOptions {
  pipeline: RequestPipeline;
  backend: ModelBackend;
  bodyLimitBytes: number;
}

/**
 * The inference routes' hot path, in front of express. Measured on 2 cores, express's own routing and middleware
 * cost ~60 µs of HTTP-thread time per request — more than parsing, validation and onnxruntime together (which run on
 * the workers). So a plain, authorised inference call (POST to one of INFERENCE_ROUTES for the served model and
 * version exactly, no query string, no Content-Encoding, no charset but UTF-8, admitted by the request pipeline with
 * a share or owner level) is answered here; anything else — including every request that would be refused before its
 * body is read (a wrong password, which express counts; a cookie-authenticated request from another site) — goes to
 * express, which owns the error pages. Admission, rate limits, inference, metrics, error answers and the security
 * headers are the pipeline's, as for express: only reading the body and writing the answer are done here.
 */
export function withInferenceFastPath(app: express.Express, options: FastPathOptions): RequestListener {
  const { backend, pipeline, bodyLimitBytes } = options;
  let routesFor: { version: string; routes: Map<string, InferenceRoute> } | undefined;

  const routeOf = (url: string): InferenceRoute | undefined => {
    const card = backend.card();
    if (!card) return undefined;
    if (routesFor?.version !== card.version) {
      routesFor = { version: card.version, routes: new Map(INFERENCE_ROUTES.map((route) => [inferencePath(route, card), route])) };
    }
    return routesFor.routes.get(url);
  };

  // A flat [name, value, ...] list for writeHead: cheaper than a setHeader call per header.
  const baseHeaders = Object.entries(pipeline.securityHeaders).flat();
  const jsonHeaders = Object.entries(pipeline.answerHeaders({ status: 200, body: '' }));

  const answer = (res: ServerResponse, route: string, startedAt: number, status: number, body: string | Uint8Array, headers: ReadonlyArray<[string, string]>) => {
    if (!res.headersSent) {
      res.writeHead(status, [...baseHeaders, ...headers.flat(), 'Content-Length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength)]);
      res.end(body);
    }
    pipeline.count(route, 'POST', status, startedAt);
  };

  const handle = (route: InferenceRoute, req: IncomingMessage, res: ServerResponse, budget: Promise<unknown>): void => {
    const receivedAt = nowAbsoluteMs();
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: unknown) => {
      const { status, message, headers } = pipeline.failure(err);
      answer(res, route.pattern, started, status, JSON.stringify({ error: message }), [...jsonHeaders, ...Object.entries(headers ?? {})]);
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
      const body = chunks.length === 1 ? chunks[0] : new BodyChunks(chunks, size);
      budget.then(() => pipeline.infer(route.kind, req, body, receivedAt))
        .then((result) => answer(res, route.pattern, started, result.status, result.body,
          result.jsonLength === undefined ? jsonHeaders : Object.entries(pipeline.answerHeaders(result))), fail);
    });
  };

  return (req, res) => {
    const url = req.url!;
    const encoding = req.headers['content-encoding'];
    const declared = Number(req.headers['content-length'] ?? 0);
    const route = req.method === 'POST' && !url.includes('?') && (!encoding || encoding === 'identity') && !(declared > bodyLimitBytes)
      && foreignCharset(req.headers['content-type']) === undefined
      ? routeOf(url) : undefined;
    if (!route) return void app(req, res);
    const credentials = pipeline.admit(req, url);
    if (credentials instanceof HttpError || !levelOf(credentials)) return void app(req, res);
    // A wrong password has no level (it went to express above); a right one is settled against the guessing budgets
    // as express's admission does, then the client spends a prediction from their budget (the owner is not limited).
    const settling = pipeline.settlePassword(req, credentials, url);
    const budget = settling ? settling.then(() => pipeline.spend('prediction', credentials, req)) : pipeline.spend('prediction', credentials, req);
    budget.catch(() => undefined); // answered through `fail` once the body is read
    handle(route, req, res, budget);
  };
}
