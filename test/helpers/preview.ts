import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PreviewSession, type PreviewOptions } from '../../src/core/session';
import type { PreviewEvent } from '../../src/shared/events';

/** Repository root (this file runs from out/test/helpers/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'models');
export const IRIS_MODEL = path.join(REPO_ROOT, 'examples', 'iris', 'iris.onnx');

export const fixtureModel = (name: string): string => path.join(FIXTURE_DIR, `${name}.onnx`);

export interface Reply {
  status: number;
  headers: Headers;
  /** The raw body text: the only exact source for INT64 beyond 2^53. */
  text: string;
  /** The body parsed with JSON.parse (undefined when it is not JSON). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** `undefined` sends the share token, `null` sends none, a string is sent as is (Authorization: Bearer). */
export type TokenChoice = string | null | undefined;

export interface Preview {
  session: PreviewSession;
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  baseUrl: string;
  port: number;
  shareToken: string;
  ownerToken: string;
  dataDir: string;
  modelFile: string;
  /** Every event the session emitted, in order. */
  events: PreviewEvent[];
  /** Everything the session logged. */
  /** Log lines, as `<level> (<source>): <message>`. */
  logs: string[];
  post(urlPath: string, body: unknown, token?: TokenChoice, headers?: Record<string, string>): Promise<Reply>;
  get(urlPath: string, token?: TokenChoice, headers?: Record<string, string>): Promise<Reply>;
  /** `streamUntil`: for an answer that does not end by itself (an event stream), the body is read until it matches. */
  request(method: string, urlPath: string, options?: { body?: unknown; token?: TokenChoice; headers?: Record<string, string>; redirect?: 'manual' | 'follow' | 'error'; streamUntil?: RegExp }): Promise<Reply>;
  waitForEvent(predicate: (e: PreviewEvent) => boolean, timeoutMs?: number): Promise<PreviewEvent>;
  /** Stops the session and removes its data folder. Idempotent. */
  stop(): Promise<void>;
}

export type PreviewOverrides = Partial<Omit<PreviewOptions, 'modelFile'>> & { keepDataDir?: boolean };

/** Starts a real session (real HTTP on a free port, real workers) on a model file, with a fresh data folder. */
export async function startPreview(modelFile: string, overrides: PreviewOverrides = {}): Promise<Preview> {
  const { keepDataDir, ...options } = overrides;
  const dataDir = options.dataDir ?? await mkdtemp(path.join(os.tmpdir(), 'mp-server-test-'));
  const logs: string[] = [];
  const session = await PreviewSession.start({
    modelFile, host: '127.0.0.1', port: 0, dataDir, workers: 2, maxQueue: 64, timeoutMs: 10_000,
    bodyLimitBytes: 32 * 1024 * 1024, log: (e) => logs.push(`${e.level} (${e.source}): ${e.message}`),
    // Tests send many requests from one client; the limits are tested where a test turns them on.
    rateLimits: { predictionsPerMinute: 0, feedbackPerMinute: 0 }, ...options,
  });
  const events: PreviewEvent[] = [];
  const waiters: Array<{ predicate: (e: PreviewEvent) => boolean; resolve(e: PreviewEvent): void }> = [];
  session.on('event', (e) => {
    events.push(e);
    for (const w of waiters.slice()) {
      if (w.predicate(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  const baseUrl = `http://127.0.0.1:${session.port}`;
  const shareToken = session.access.shareToken;
  const ownerToken = session.access.ownerToken;

  const request: Preview['request'] = async (method, urlPath, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? shareToken : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | Buffer | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const send = () => fetch(baseUrl + urlPath, { method, headers, body, redirect: opts.redirect ?? 'manual' });
    // A kept-alive connection the server closed after its 5 s idle timeout, reused by undici at that very moment (its
    // idle timer fired late on a loaded CI machine), fails with ECONNRESET before the request was read: sent again
    // once, as browsers do. A server that died fails the second attempt too.
    const res = await send().catch((err: Error & { cause?: { code?: string } }) => {
      if (err.cause?.code === 'ECONNRESET') return send();
      throw err;
    });
    const text = opts.streamUntil ? await readUntil(res, opts.streamUntil) : await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };

  let stopped: Promise<void> | undefined;
  return {
    session, baseUrl, port: session.port, shareToken, ownerToken, dataDir, modelFile, events, logs,
    request,
    post: (urlPath, body, token, headers) => request('POST', urlPath, { body, token, headers }),
    get: (urlPath, token, headers) => request('GET', urlPath, { token, headers }),
    waitForEvent(predicate, timeoutMs = 5_000) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve: (e: PreviewEvent) => { clearTimeout(timer); resolve(e); } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching event within ${timeoutMs} ms; events so far: ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    stop() {
      stopped ??= (async () => {
        await session.stop();
        if (!keepDataDir && !overrides.dataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** A body read until `pattern` matches it (or it ends), then the stream is let go. */
async function readUntil(res: Response, pattern: RegExp): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (pattern.test(text)) {
      await reader.cancel();
      return text;
    }
  }
}

export interface ExpectedTensor {
  datatype: string;
  shape: number[];
  data: unknown[];
}

export interface ExpectedCase {
  inputs: Record<string, ExpectedTensor>;
  outputs: Record<string, ExpectedTensor>;
}

export interface ExpectedFile {
  model: string;
  cases: ExpectedCase[];
  timing?: { batch: number; medianMs: number };
}

export function loadExpected(name: string): ExpectedFile {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(FIXTURE_DIR, `${name}.expected.json`)) as ExpectedFile;
}

/** The V2 request body for a case's inputs. */
export function v2Body(inputs: Record<string, ExpectedTensor>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, inputs: Object.entries(inputs).map(([name, t]) => ({ name, shape: t.shape, datatype: t.datatype, data: t.data })) };
}

/** Row-major flat data to nested arrays of the given shape (a person's way of writing a tensor). */
export function nest(flat: unknown[], shape: number[]): unknown {
  if (shape.length <= 1) return flat.slice();
  const inner = shape.slice(1).reduce((p, d) => p * d, 1);
  const out: unknown[] = [];
  for (let i = 0; i < shape[0]; i++) out.push(nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
  return out;
}

const INT64_TYPES = new Set(['INT64', 'UINT64']);

/**
 * JSON.parse that keeps integers too large for a double exact: bare integer literals with 16+ digits become decimal
 * strings before parsing. Only meaningful for INT64/UINT64 data (an FP64 such as 1.5e16 is also written as digits):
 * use `v2Outputs` to read an infer answer.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseExact(text: string): any {
  return JSON.parse(text.replace(/([[,:]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
}

export interface OutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

/** The outputs of a V2 infer answer, with INT64/UINT64 data read losslessly from the raw text. */
export function v2Outputs(text: string): OutputTensor[] {
  const plain = JSON.parse(text).outputs as OutputTensor[];
  const exact = parseExact(text).outputs as OutputTensor[];
  return plain.map((o, i) => (INT64_TYPES.has(o.datatype) ? exact[i] : o));
}

const isUnsafeIntString = (v: unknown): v is string => typeof v === 'string' && /^-?\d+$/.test(v) && !Number.isSafeInteger(Number(v));

/** The INT64/UINT64 values of an expected tensor that only a decimal string can carry. */
export function unsafeDigits(t: ExpectedTensor): string[] {
  return INT64_TYPES.has(t.datatype) ? t.data.filter(isUnsafeIntString) : [];
}

/**
 * Compares a served tensor to the expected one. Integers (incl. INT64 as number or decimal string), bools, strings
 * and FP64 exactly; FP32/FP16 within 1e-5 relative (or 1e-6 absolute near 0), unless `exact`.
 */
export function assertTensor(actual: { datatype: string; shape: number[]; data: unknown[] }, expected: ExpectedTensor, where: string, exact = false): void {
  assert.equal(actual.datatype, expected.datatype, `${where}: datatype`);
  assert.deepEqual(actual.shape, expected.shape, `${where}: shape`);
  assert.equal(actual.data.length, expected.data.length, `${where}: element count`);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    const at = `${where}: element ${i} is ${JSON.stringify(a)}, expected ${JSON.stringify(e)}`;
    if (INT64_TYPES.has(expected.datatype)) {
      assert.ok(typeof a === 'number' || typeof a === 'string', at);
      if (typeof a === 'number') assert.ok(Number.isSafeInteger(a), `${at} (a number beyond 2^53 is not exact)`);
      assert.equal(BigInt(a as number | string), BigInt(e as number | string), at);
    } else if ((expected.datatype === 'FP32' || expected.datatype === 'FP16') && !exact) {
      assert.equal(typeof a, 'number', at);
      const diff = Math.abs((a as number) - (e as number));
      assert.ok(diff <= 1e-5 * Math.abs(e as number) || diff <= 1e-6, at);
    } else {
      assert.deepEqual(a, e, at);
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs`. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
