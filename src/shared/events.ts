import * as z from 'zod/mini';
import { FeedbackRecordSchema } from './feedback-record';
import { count, httpUrl, nonEmptyString } from './wire';

/**
 * Events of one running preview: printed by `serve --json` (one JSON object per line) and streamed to the owner over
 * the events WebSocket. One schema per event, the types derived from them: the server builds these types, and every
 * client (src/client/) checks each line and message with these schemas before it trusts a field.
 */

/**
 * How many inference workers a preview runs and why: `--workers` when given, else one per core (`cores`), or fewer
 * when the model is large for the memory free at start (`memory`). `reason` says it in words, as plain `serve` does.
 */
export const WorkerChoiceSchema = z.object({
  count: z.int().check(z.minimum(1)),
  chosenBy: z.enum(['--workers', 'cores', 'memory']),
  reason: z.string(),
});
export type WorkerChoice = z.infer<typeof WorkerChoiceSchema>;

export const ReadyEventSchema = z.object({
  event: z.literal('ready'),
  model: z.string(),
  modelVersion: z.string(),
  port: z.int().check(z.minimum(1), z.maximum(65_535)),
  localUrl: httpUrl(),
  /** The link to give people: the tunnel's public URL when one is open, else the local URL; with the share token. */
  shareUrl: httpUrl(),
  /** When the share link expires (ISO 8601), absent when it never does. */
  expiresAt: z.optional(z.string()),
  /** The tunnel provider, or "none" for a local-only link. */
  tunnel: z.string(),
  /**
   * This server run, as the events socket's `hello` names it: `GET /api/events?since=0&epoch=<epoch>` replays every
   * event of the run, also those published while it started (before anyone could listen).
   */
  epoch: nonEmptyString(),
  ownerToken: nonEmptyString(),
  /** The server process (server.json names it too). */
  pid: z.optional(z.int()),
  /** With `--host 0.0.0.0` (or `::`): the share link on each network address of this machine (empty otherwise). */
  lanUrls: z.optional(z.array(httpUrl())),
  /** The inference workers and why that many (always sent by `serve`; optional for older servers). */
  workers: z.optional(WorkerChoiceSchema),
});
export type ReadyEvent = z.infer<typeof ReadyEventSchema>;

const ModelReloadedEventSchema = z.object({
  event: z.literal('model-reloaded'),
  model: z.string(),
  modelVersion: z.string(),
  previousVersion: z.string(),
  loadMs: z.number(),
  /**
   * Set when the reload went without overlap (a `reload-without-overlap` event before it): how long no version was
   * served, from the old version's unloading to the new one's first answer (requests got 503 meanwhile).
   */
  unavailableMs: z.optional(z.number()),
});
export type ModelReloadedEvent = z.infer<typeof ModelReloadedEventSchema>;

/**
 * A hot reload cannot create the new version beside the old one in the memory this process may still take (within a
 * container's memory limit, where running out kills the process without a word): the old version is unloaded first,
 * then the new one loaded. Requests get 503 (Retry-After) meanwhile; `model-reloaded` (with `unavailableMs`) or an
 * `error` (source `model-reload`: then no version is served until a re-export loads) follows.
 */
const ReloadWithoutOverlapEventSchema = z.object({
  event: z.literal('reload-without-overlap'),
  model: z.string(),
  /** The version being unloaded to make room. */
  previousVersion: z.string(),
  /** Bytes this process could still take when the reload started. */
  availableBytes: z.number(),
  /** Bytes creating the new version needs beside what is held, by estimate (about twice its files, and a margin). */
  neededBytes: z.number(),
});
export type ReloadWithoutOverlapEvent = z.infer<typeof ReloadWithoutOverlapEventSchema>;

const ErrorEventSchema = z.object({
  event: z.literal('error'),
  /** What failed: a re-exported model that would not load, an invalid sidecar, a crashed worker. */
  source: z.enum(['model-reload', 'sidecar', 'worker']),
  message: z.string(),
});
export type ErrorEvent = z.infer<typeof ErrorEventSchema>;

/** The sidecar file changed and was read without error (or was removed): the page shows it, and an earlier `sidecar` error no longer holds. */
const SidecarReloadedEventSchema = z.object({ event: z.literal('sidecar-reloaded') });
export type SidecarReloadedEvent = z.infer<typeof SidecarReloadedEventSchema>;

const StoppedEventSchema = z.object({ event: z.literal('stopped') });
export type StoppedEvent = z.infer<typeof StoppedEventSchema>;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** How much a log line matters: `debug` lines are for troubleshooting, `warn` and `error` for the owner's attention. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What wrote a log line: the HTTP layer, the data files, an inference worker, the file watcher. */
export type LogSource = 'server' | 'storage' | 'worker' | 'watcher';

/** A line of the server's log, with its level and source (not an `error` event: those are for the owner to act on). */
export interface LogEntry {
  level: LogLevel;
  source: LogSource;
  message: string;
}

/**
 * A log line as `serve --json` prints it (the extension copies the line into its log). Its source is any name to a
 * client: a newer server may log from a part this client does not know.
 */
const LogEventSchema = z.object({ event: z.literal('log'), level: z.enum(LOG_LEVELS), source: nonEmptyString(), message: z.string() });
export type LogEvent = z.infer<typeof LogEventSchema>;

/** One answered `/api/predict` (the V2 route is for programs and is not streamed). */
const PredictionEventSchema = z.object({
  event: z.literal('prediction'),
  ts: z.string(),
  predictionId: z.string(),
  model: z.string(),
  modelVersion: z.string(),
  /** The top answer in words (a class name when known). */
  predicted: z.optional(z.string()),
  inferenceMs: z.number(),
});
export type PredictionEvent = z.infer<typeof PredictionEventSchema>;

/** A piece of feedback, stored durably before this event is sent. */
const FeedbackEventSchema = z.object({ event: z.literal('feedback'), record: FeedbackRecordSchema });
export type FeedbackEvent = z.infer<typeof FeedbackEventSchema>;

/** The share link's tunnel is open: `shareUrl` is the public link with the share token. */
const TunnelUpEventSchema = z.object({ event: z.literal('tunnel-up'), provider: z.string(), publicUrl: httpUrl(), shareUrl: httpUrl() });
export type TunnelUpEvent = z.infer<typeof TunnelUpEventSchema>;

/**
 * The tunnel dropped or could not be opened. While `retryInMs` is set it is being re-opened ("reconnecting");
 * without it the keeper gave up and `reason` says why and what to do.
 */
const TunnelDownEventSchema = z.object({
  event: z.literal('tunnel-down'),
  provider: z.string(),
  reason: z.string(),
  attempt: count(),
  retryInMs: z.optional(z.number()),
});
export type TunnelDownEvent = z.infer<typeof TunnelDownEventSchema>;

/**
 * The tunnel is up by its provider's word, but the public URL does not reach this server from outside: the keeper's
 * checks (`GET <publicUrl>/v2/health/live` over the public address, every 60 s, 15 s after a failure) failed
 * `failedChecks` times in a row. Visitors probably get an error or someone else's page. A later `tunnel-up` for the
 * same URL means it is reachable again.
 */
const TunnelUnreachableEventSchema = z.object({
  event: z.literal('tunnel-unreachable'),
  provider: z.string(),
  publicUrl: httpUrl(),
  /** The last check's failure, in words (refused, timed out, answered 502, answered but not as this preview). */
  reason: z.string(),
  failedChecks: count(),
});
export type TunnelUnreachableEvent = z.infer<typeof TunnelUnreachableEventSchema>;

/**
 * The tunnel's public URL is not the one people were given: a re-opened tunnel got another one, or, at a start, the
 * provider could not give back the URL the data folder's last run had. The old link is dead.
 */
const TunnelUrlChangedEventSchema = z.object({
  event: z.literal('tunnel-url-changed'),
  provider: z.string(),
  previousUrl: z.string(),
  publicUrl: httpUrl(),
  shareUrl: httpUrl(),
});
export type TunnelUrlChangedEvent = z.infer<typeof TunnelUrlChangedEventSchema>;

/**
 * The share link changed: rotated by the owner (the old one answers 401), re-issued after it expired, or
 * `port-changed`: the port earlier runs of this data folder served at was taken by another program, so this run
 * serves at another one (`previousPort` -> `port`) and the local link is not the one people were given.
 */
const ShareLinkChangedEventSchema = z.object({
  event: z.literal('share-link-changed'),
  reason: z.enum(['rotated', 'expired', 'port-changed']),
  shareUrl: httpUrl(),
  /** When the new link expires (ISO 8601), absent when it never does. */
  expiresAt: z.optional(z.string()),
  /** `port-changed` only: the remembered port, and the one served at now. */
  previousPort: z.optional(z.int()),
  port: z.optional(z.int()),
});
export type ShareLinkChangedEvent = z.infer<typeof ShareLinkChangedEventSchema>;

/**
 * The data folder cannot be written (`failing`: a full disk, a quota, a read-only file system, an I/O error) or can be
 * again (`recovered`). Sent once per episode: predictions and feedback get 507 (503 for an I/O error) meanwhile, and
 * pages keep unsent feedback and retry, so nothing is lost once space is freed.
 */
const StorageEventSchema = z.object({
  event: z.literal('storage'),
  state: z.enum(['failing', 'recovered']),
  /** The OS error code for `failing`: ENOSPC, EDQUOT, EFBIG, EROFS or EIO. */
  code: z.optional(z.string()),
  /** The file that could not be written (absolute) — or, for `recovered`, the data folder. */
  path: z.string(),
  /** What happened and what it means, in one sentence for the owner. */
  message: z.string(),
});
export type StorageEvent = z.infer<typeof StorageEventSchema>;

/**
 * Too many wrong passwords for the share link, from all clients together: someone is probably guessing. Until `until`
 * every password attempt is refused (429), the right one too; people who already unlocked the page keep their access.
 */
const PasswordLockoutEventSchema = z.object({
  event: z.literal('password-lockout'),
  /** Wrong passwords counted within the window. */
  failedAttempts: count(),
  windowSeconds: count(),
  /** When passwords are checked again (ISO 8601). */
  until: z.string(),
});
export type PasswordLockoutEvent = z.infer<typeof PasswordLockoutEventSchema>;

/** The regression cases were replayed on a newly loaded version: how many it now answers as corrected, how many broke. */
const RegressionReplayedEventSchema = z.object({
  event: z.literal('regression-replayed'),
  model: z.string(),
  modelVersion: z.string(),
  previousVersion: z.string(),
  total: count(),
  fixed: count(),
  broke: count(),
  durationMs: z.number(),
});
export type RegressionReplayedEvent = z.infer<typeof RegressionReplayedEventSchema>;

/** Every event a running session emits, one schema each (a type added here is checked by every client at once). */
const PREVIEW_EVENT_SCHEMAS = [
  ModelReloadedEventSchema, ReloadWithoutOverlapEventSchema, ErrorEventSchema, SidecarReloadedEventSchema, PredictionEventSchema, FeedbackEventSchema,
  TunnelUpEventSchema, TunnelDownEventSchema, TunnelUrlChangedEventSchema, ShareLinkChangedEventSchema, StorageEventSchema,
  PasswordLockoutEventSchema, RegressionReplayedEventSchema, TunnelUnreachableEventSchema,
] as const;

export const PreviewEventSchema = z.discriminatedUnion('event', [...PREVIEW_EVENT_SCHEMAS]);
export type TunnelEvent = TunnelUpEvent | TunnelDownEvent | TunnelUrlChangedEvent | TunnelUnreachableEvent;
/** Events a running session emits (the CLI adds `ready`, which carries the owner token, to its own output only). */
export type PreviewEvent = z.infer<typeof PreviewEventSchema>;

/** A line of `serve --json`: `ready` first, then preview events and log lines, `stopped` last. */
export const CliEventSchema = z.discriminatedUnion('event', [ReadyEventSchema, ...PREVIEW_EVENT_SCHEMAS, LogEventSchema, StoppedEventSchema]);
export type CliEvent = z.infer<typeof CliEventSchema>;

/** Event ids count from 1 within a server run. */
const withId = <T extends (typeof PREVIEW_EVENT_SCHEMAS)[number]>(schema: T) => z.extend(schema, { id: z.int().check(z.minimum(1)) });

/**
 * Messages on the owner's WebSocket `GET /api/events[?since=<id>&epoch=<epoch>]`. The server sends `hello` first, then
 * every event it still holds after `since` (when `epoch` names this server run), then live events, each with an
 * increasing `id`. When it cannot replay (another server run, or the events were dropped from its buffer) it sends
 * `reset`: the client should reload what it shows (`GET /api/feedback`) and go on from the live events.
 */
export const StreamMessageSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('hello'), epoch: nonEmptyString(), lastId: count() }),
  z.object({ event: z.literal('reset'), reason: z.string() }),
  ...PREVIEW_EVENT_SCHEMAS.map(withId),
]);
export type StreamedEvent = PreviewEvent & { id: number };
export type StreamMessage = z.infer<typeof StreamMessageSchema>;
