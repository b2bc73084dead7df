import type { CliEvent, LogEvent, PreviewEvent, ReadyEvent, StreamMessage } from '../../shared/events';
import type { FeedbackRecord, FeedbackStats, StoredTensor } from '../../shared/feedback';
import type { ModelDescription } from '../../shared/model-card';
import type { ShareLinkInfo } from '../../shared/share-link';

/**
 * Runtime guards for everything the extension reads from the server process: its stdout lines (`serve --json`), the
 * events WebSocket's messages and the owner's HTTP answers. Each is checked against the types in `src/shared/` before
 * anything trusts a field of it (a newer or broken server, a truncated line, a stray `console.log` in the child).
 * Extra fields are allowed, so an older extension still reads a newer server's messages; unknown event types are not.
 *
 * Plain functions over `unknown`: no `vscode`, no zod (it would add its weight to the extension bundle for a few shapes).
 */

/** A check of one field's value. */
type Check = (value: unknown) => boolean;
/** One check per field of `T` except the `event` tag: a field added to a shared type must be added here too. */
type FieldChecks<T> = { [K in Exclude<keyof T, 'event'>]-?: Check };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const optional = (check: Check): Check => (value) => value === undefined || check(value);
const oneOf = (...allowed: string[]): Check => (value) => typeof value === 'string' && allowed.includes(value);
const arrayOf = (check: Check): Check => (value) => Array.isArray(value) && value.every(check);
const recordOf = (check: Check): Check => (value) => isObject(value) && Object.values(value).every(check);

/**
 * An http(s) URL. Links from the server end up in "open in browser" and "copy link" actions: a `command:` or `file:`
 * URL there would be an action, not a link.
 */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function hasFields(value: Record<string, unknown>, checks: Record<string, Check>): boolean {
  return Object.entries(checks).every(([field, check]) => check(value[field]));
}

/** Checks an object against one check per field: `matches(v, checks)` with `checks` written against the type. */
const matches = <T>(value: unknown, checks: FieldChecks<T>): value is T =>
  isObject(value) && hasFields(value, checks as Record<string, Check>);

// ---------------------------------------------------------------------------------------------------------------
// Feedback records and stats (the feedback export, the `feedback` event, `GET /api/stats`)

const inlineTensorChecks: FieldChecks<Extract<StoredTensor, { data: unknown[] }>> = {
  datatype: isNonEmptyString, shape: arrayOf(isCount), data: Array.isArray,
};
const blobTensorChecks: FieldChecks<Extract<StoredTensor, { blob: string }>> = {
  datatype: isNonEmptyString, shape: arrayOf(isCount), blob: isNonEmptyString,
};

export function isStoredTensor(value: unknown): value is StoredTensor {
  return matches(value, inlineTensorChecks) || matches(value, blobTensorChecks);
}

/** The record schema this extension reads; a record of another version is refused rather than misread. */
const SCHEMA_VERSION: FeedbackRecord['schemaVersion'] = 1;

const feedbackRecordChecks: FieldChecks<FeedbackRecord> = {
  schemaVersion: (v) => v === SCHEMA_VERSION,
  id: isNonEmptyString,
  ts: isString,
  model: isString,
  modelVersion: isString,
  predictionId: isNonEmptyString,
  predicted: optional(isString),
  inputs: recordOf(isStoredTensor),
  outputs: recordOf(isStoredTensor),
  rating: oneOf('up', 'down'),
  expected: optional(isString),
  comment: optional(isString),
  reviewer: optional(isString),
  userAgent: optional(isString),
  idempotencyKey: isString,
};

export function isFeedbackRecord(value: unknown): value is FeedbackRecord {
  return matches(value, feedbackRecordChecks);
}

type VersionStats = FeedbackStats['versions'][number];
const correctionChecks: FieldChecks<VersionStats['topCorrections'][number]> = { predicted: isString, expected: isString, count: isCount };
const versionStatsChecks: FieldChecks<VersionStats> = {
  model: isString, modelVersion: isString, count: isCount, up: isCount, down: isCount, upShare: isNumber,
  topCorrections: arrayOf((v) => matches(v, correctionChecks)),
};
const feedbackStatsChecks: FieldChecks<FeedbackStats> = { total: isCount, versions: arrayOf((v) => matches(v, versionStatsChecks)) };

export function isFeedbackStats(value: unknown): value is FeedbackStats {
  return matches(value, feedbackStatsChecks);
}

// ---------------------------------------------------------------------------------------------------------------
// The share link (`GET /api/share-link`, `POST /api/share-link/rotate`)

const tunnelStateChecks: FieldChecks<ShareLinkInfo['tunnel']> = { provider: isString, state: oneOf('none', 'up', 'reconnecting', 'down') };
const shareLinkChecks: FieldChecks<ShareLinkInfo> = {
  shareUrl: isHttpUrl, localUrl: isHttpUrl, publicUrl: optional(isHttpUrl),
  tunnel: (v) => matches(v, tunnelStateChecks),
  expiresAt: optional(isString), expired: isBoolean, passwordRequired: isBoolean,
};

export function isShareLinkInfo(value: unknown): value is ShareLinkInfo {
  return matches(value, shareLinkChecks);
}

// ---------------------------------------------------------------------------------------------------------------
// Events: the `serve --json` lines and the events WebSocket

/** One entry per event type, so a type added to `PreviewEvent` does not compile until it is checked here. */
const previewEventChecks: { [E in PreviewEvent as E['event']]: FieldChecks<E> } = {
  'model-reloaded': { model: isString, modelVersion: isString, previousVersion: isString, loadMs: isNumber },
  error: { source: oneOf('model-reload', 'sidecar', 'worker'), message: isString },
  'sidecar-reloaded': {},
  prediction: {
    ts: isString, predictionId: isString, model: isString, modelVersion: isString, predicted: optional(isString), inferenceMs: isNumber,
  },
  feedback: { record: isFeedbackRecord },
  'tunnel-up': { provider: isString, publicUrl: isHttpUrl, shareUrl: isHttpUrl },
  'tunnel-down': { provider: isString, reason: isString, attempt: isCount, retryInMs: optional(isNumber) },
  'tunnel-url-changed': { provider: isString, previousUrl: isString, publicUrl: isHttpUrl, shareUrl: isHttpUrl },
  'share-link-changed': { reason: oneOf('rotated', 'expired'), shareUrl: isHttpUrl, expiresAt: optional(isString) },
  storage: { state: oneOf('failing', 'recovered'), code: optional(isString), path: isString, message: isString },
  'password-lockout': { failedAttempts: isCount, windowSeconds: isCount, until: isString },
};

const hasOwn = <T extends object>(table: T, key: string): key is Extract<keyof T, string> => Object.prototype.hasOwnProperty.call(table, key);

export function isPreviewEvent(value: unknown): value is PreviewEvent {
  if (!isObject(value) || !isString(value.event) || !hasOwn(previewEventChecks, value.event)) return false;
  return hasFields(value, previewEventChecks[value.event] as Record<string, Check>);
}

const readyChecks: FieldChecks<ReadyEvent> = {
  model: isString, modelVersion: isString,
  port: (v) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 65_535,
  localUrl: isHttpUrl, shareUrl: isHttpUrl, expiresAt: optional(isString), tunnel: isString,
  epoch: isNonEmptyString, ownerToken: isNonEmptyString,
};

export function isReadyEvent(value: unknown): value is ReadyEvent {
  return isObject(value) && value.event === 'ready' && matches(value, readyChecks);
}

/** The source is any name: a newer server may log from a part this extension does not know. */
const logEventChecks: FieldChecks<LogEvent> = { level: oneOf('debug', 'info', 'warn', 'error'), source: isNonEmptyString, message: isString };

export function isLogEvent(value: unknown): value is LogEvent {
  return isObject(value) && value.event === 'log' && matches(value, logEventChecks);
}

/** A line of `serve --json`: `ready` first, then preview events and log lines, `stopped` last. */
export function isCliEvent(value: unknown): value is CliEvent {
  return isReadyEvent(value) || isPreviewEvent(value) || isLogEvent(value) || (isObject(value) && value.event === 'stopped');
}

/** A message of the events WebSocket: `hello`, `reset`, or a preview event numbered with an `id` (from 1). */
export function isStreamMessage(value: unknown): value is StreamMessage {
  if (!isObject(value)) return false;
  if (value.event === 'hello') return isNonEmptyString(value.epoch) && isCount(value.lastId);
  if (value.event === 'reset') return isString(value.reason);
  return Number.isSafeInteger(value.id) && (value.id as number) >= 1 && isPreviewEvent(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Text in, checked value out

/** JSON.parse that says "not JSON" with `undefined` instead of throwing (never a valid message: JSON has no undefined). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A `serve --json` stdout line as an event, or undefined when it is not one (the caller logs it as text). */
export function parseCliLine(line: string): CliEvent | undefined {
  const value = parseJson(line);
  return isCliEvent(value) ? value : undefined;
}

/** One events WebSocket frame as a message, or undefined when it is not one. */
export function parseStreamMessage(text: string): StreamMessage | undefined {
  const value = parseJson(text);
  return isStreamMessage(value) ? value : undefined;
}

const isTensorSpec = (value: unknown): boolean =>
  isObject(value) && isNonEmptyString(value.name) && isNonEmptyString(value.datatype) && arrayOf((d) => isCount(d) || isString(d))(value.shape);

/**
 * What `model-preview inspect --json` prints, as far as the Models tree reads it. (The tree runs the bundled CLI, but a
 * stray line or a mismatched build must give one broken entry, not a tree that fails to load.)
 */
export function isModelDescription(value: unknown): value is ModelDescription {
  return isObject(value) && isNonEmptyString(value.name) && isNonEmptyString(value.version) && isNonEmptyString(value.sha256)
    && arrayOf(isTensorSpec)(value.inputs) && arrayOf(isTensorSpec)(value.outputs)
    && arrayOf((o) => isObject(o) && isNonEmptyString(o.name) && isString(o.note))(value.nonTensorOutputs)
    && optional((p) => isObject(p) && isString(p.name) && isString(p.version))(value.producer);
}
