import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import WebSocket from 'ws';
import type { FeedbackRecord } from '../../src/shared/feedback-record';
import type { Preview, Reply } from './preview';

/** Shared by the feedback, events-socket and feedback CLI tests. */

export const SETOSA = [5.1, 3.5, 1.4, 0.2];
export const VIRGINICA = [6.7, 3.0, 5.2, 2.3];

/** A fresh idempotency key (the page makes one per piece of feedback). */
export const newKey = (): string => `key-${randomUUID()}`;

/** POST /api/predict with the share token; fails the test unless it answers 200. Returns the answer's body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function predict(preview: Preview, inputs: Record<string, unknown>): Promise<any> {
  const res = await preview.post('/api/predict', { inputs });
  if (res.status !== 200) throw new Error(`/api/predict answered ${res.status}: ${res.text}`);
  return res.json;
}

export const predictIris = (preview: Preview, features = VIRGINICA) => predict(preview, { features });

/** POST /api/feedback (share token unless told otherwise). */
export function sendFeedback(preview: Preview, body: unknown, token?: string | null, headers?: Record<string, string>): Promise<Reply> {
  return preview.post('/api/feedback', body, token, headers);
}

/** The lines of a JSON Lines file as text (without the final empty string after the last newline). */
export async function fileLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  return text.split('\n').filter((l) => l !== '');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function fileRecords(file: string): Promise<any[]> {
  return (await fileLines(file)).map((l, i) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new Error(`${file}:${i + 1} is not valid JSON: ${l.slice(0, 200)}`);
    }
  });
}

/** A POST on a connection of its own (agent: false): one separate client per call. */
export function postAsOwnClient(baseUrl: string, urlPath: string, body: unknown, token: string): Promise<{ status: number; json: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(baseUrl + urlPath, {
      method: 'POST', agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, json, text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A whole, valid feedback record (for files written by hand). */
export function handRecord(overrides: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return {
    schemaVersion: 1,
    id: randomUUID(),
    ts: new Date().toISOString(),
    model: 'iris',
    modelVersion: 'abcdef012345',
    predictionId: randomUUID(),
    predicted: 'virginica',
    inputs: { features: { datatype: 'FP32', shape: [1, 4], data: VIRGINICA } },
    outputs: { logits: { datatype: 'FP32', shape: [1, 3], data: [-1, 0.5, 2] } },
    rating: 'up',
    idempotencyKey: newKey(),
    ...overrides,
  };
}

/** RFC 4180: fields separated by commas, records by CRLF (or LF), quoted fields with "" for a quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (c === '"') {
      throw new Error(`a bare quote inside an unquoted field at offset ${i}`);
    } else if (c === ',') {
      row.push(field);
      field = '';
      fieldStarted = false;
      i++;
    } else if (c === '\r' || c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new Error('an unterminated quoted field');
  if (fieldStarted || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV rows as objects keyed by the header row. */
export function csvObjects(rows: string[][]): Array<Record<string, string>> {
  const [header, ...body] = rows;
  return body.map((r) => {
    if (r.length !== header.length) throw new Error(`a row of ${r.length} cells under a header of ${header.length}: ${JSON.stringify(r)}`);
    return Object.fromEntries(header.map((h, i) => [h, r[i]]));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The events WebSocket

export interface EventsClient {
  ws: WebSocket;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  messages: any[];
  /** The next message not read yet (in order), or a rejection after `timeoutMs`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  next(timeoutMs?: number): Promise<any>;
  /** Resolves with the close code and when it happened (performance.now()). */
  closed: Promise<{ code: number; reason: string; at: number }>;
}

export interface ConnectOptions {
  /** Bearer token for the Authorization header; null sends none. */
  token: string | null;
  origin?: string;
  query?: string;
  autoPong?: boolean;
}

export function eventsUrl(baseUrl: string, query = ''): string {
  return `${baseUrl.replace(/^http/, 'ws')}/api/events${query}`;
}

/** Opens the events socket. Resolves once open; rejects with an Error whose `status` is the HTTP status of a refusal. */
export function connectEvents(baseUrl: string, options: ConnectOptions): Promise<EventsClient> {
  const headers: Record<string, string> = {};
  if (options.token !== null) headers.authorization = `Bearer ${options.token}`;
  if (options.origin !== undefined) headers.origin = options.origin;
  const ws = new WebSocket(eventsUrl(baseUrl, options.query), { headers, autoPong: options.autoPong ?? true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const messages: any[] = [];
  const wakers: Array<() => void> = [];
  let cursor = 0;
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    wakers.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString(), at: performance.now() });
      wakers.splice(0).forEach((w) => w());
    });
  });
  const client: EventsClient = {
    ws, messages, closed,
    next(timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms; received so far: ${JSON.stringify(messages)}`)), timeoutMs);
        const check = () => {
          if (cursor < messages.length) {
            clearTimeout(timer);
            resolve(messages[cursor++]);
          } else if (ws.readyState === WebSocket.CLOSED) {
            clearTimeout(timer);
            reject(new Error(`the socket closed; received: ${JSON.stringify(messages)}`));
          } else wakers.push(check);
        };
        check();
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      const err = Object.assign(new Error(`the handshake was refused with ${res.statusCode}`), { status: res.statusCode });
      res.resume();
      ws.terminate();
      reject(err);
    });
    ws.once('error', (err) => reject(err));
  });
}

/** The HTTP status a handshake gets: 101 when it opens (then it is closed again), else the refusal's status. */
export async function handshakeStatus(baseUrl: string, options: ConnectOptions): Promise<number> {
  try {
    const client = await connectEvents(baseUrl, options);
    client.ws.close();
    await client.closed;
    return 101;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === undefined) throw err;
    return status;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI, with stdout kept as bytes (a BOM, a raw ESC byte must be seen as they are)

export function runCliBytes(cli: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
