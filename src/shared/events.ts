import type { FeedbackRecord } from './feedback';

/** Events of one running preview: printed by `serve --json` (one JSON object per line) and, later, streamed to the extension. */

export interface ReadyEvent {
  event: 'ready';
  model: string;
  modelVersion: string;
  port: number;
  localUrl: string;
  /** The link to give people: the tunnel's public URL when one is open, else the local URL; with the share token. */
  shareUrl: string;
  /** When the share link expires (ISO 8601), absent when it never does. */
  expiresAt?: string;
  /** The tunnel provider, or "none" for a local-only link. */
  tunnel: string;
  /**
   * This server run, as the events socket's `hello` names it: `GET /api/events?since=0&epoch=<epoch>` replays every
   * event of the run, also those published while it started (before anyone could listen).
   */
  epoch: string;
  ownerToken: string;
}

export interface ModelReloadedEvent {
  event: 'model-reloaded';
  model: string;
  modelVersion: string;
  previousVersion: string;
  loadMs: number;
}

export interface ErrorEvent {
  event: 'error';
  /** What failed: a re-exported model that would not load, an invalid sidecar, a crashed worker. */
  source: 'model-reload' | 'sidecar' | 'worker';
  message: string;
}

/** The sidecar file changed and was read without error (or was removed): the page shows it, and an earlier `sidecar` error no longer holds. */
export interface SidecarReloadedEvent {
  event: 'sidecar-reloaded';
}

export interface StoppedEvent {
  event: 'stopped';
}

/** How much a log line matters: `debug` lines are for troubleshooting, `warn` and `error` for the owner's attention. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What wrote a log line: the HTTP layer, the data files, an inference worker, the file watcher. */
export type LogSource = 'server' | 'storage' | 'worker' | 'watcher';

/** A line of the server's log, with its level and source (not an `error` event: those are for the owner to act on). */
export interface LogEntry {
  level: LogLevel;
  source: LogSource;
  message: string;
}

/** A log line as `serve --json` prints it (the extension copies the line into its log). */
export interface LogEvent extends LogEntry {
  event: 'log';
}

/** One answered `/api/predict` (the V2 route is for programs and is not streamed). */
export interface PredictionEvent {
  event: 'prediction';
  ts: string;
  predictionId: string;
  model: string;
  modelVersion: string;
  /** The top answer in words (a class name when known). */
  predicted?: string;
  inferenceMs: number;
}

/** A piece of feedback, stored durably before this event is sent. */
export interface FeedbackEvent {
  event: 'feedback';
  record: FeedbackRecord;
}

/** The share link's tunnel is open: `shareUrl` is the public link with the share token. */
export interface TunnelUpEvent {
  event: 'tunnel-up';
  provider: string;
  publicUrl: string;
  shareUrl: string;
}

/**
 * The tunnel dropped or could not be opened. While `retryInMs` is set it is being re-opened ("reconnecting");
 * without it the keeper gave up and `reason` says why and what to do.
 */
export interface TunnelDownEvent {
  event: 'tunnel-down';
  provider: string;
  reason: string;
  attempt: number;
  retryInMs?: number;
}

/** A re-opened tunnel got another public URL (the provider could not keep the old one): the old link is dead. */
export interface TunnelUrlChangedEvent {
  event: 'tunnel-url-changed';
  provider: string;
  previousUrl: string;
  publicUrl: string;
  shareUrl: string;
}

/** The share link changed: rotated by the owner (the old one answers 401) or re-issued after it expired. */
export interface ShareLinkChangedEvent {
  event: 'share-link-changed';
  reason: 'rotated' | 'expired';
  shareUrl: string;
  /** When the new link expires (ISO 8601), absent when it never does. */
  expiresAt?: string;
}

/**
 * The data folder cannot be written (`failing`: a full disk, a quota, a read-only file system, an I/O error) or can be
 * again (`recovered`). Sent once per episode: predictions and feedback get 507 (503 for an I/O error) meanwhile, and
 * pages keep unsent feedback and retry, so nothing is lost once space is freed.
 */
export interface StorageEvent {
  event: 'storage';
  state: 'failing' | 'recovered';
  /** The OS error code for `failing`: ENOSPC, EDQUOT, EFBIG, EROFS or EIO. */
  code?: string;
  /** The file that could not be written (absolute) — or, for `recovered`, the data folder. */
  path: string;
  /** What happened and what it means, in one sentence for the owner. */
  message: string;
}

/**
 * Too many wrong passwords for the share link, from all clients together: someone is probably guessing. Until `until`
 * every password attempt is refused (429), the right one too; people who already unlocked the page keep their access.
 */
export interface PasswordLockoutEvent {
  event: 'password-lockout';
  /** Wrong passwords counted within the window. */
  failedAttempts: number;
  windowSeconds: number;
  /** When passwords are checked again (ISO 8601). */
  until: string;
}

export type TunnelEvent = TunnelUpEvent | TunnelDownEvent | TunnelUrlChangedEvent;

/** Events a running session emits (the CLI adds `ready`, which carries the owner token, to its own output only). */
export type PreviewEvent = ModelReloadedEvent | ErrorEvent | SidecarReloadedEvent | PredictionEvent | FeedbackEvent | TunnelEvent | ShareLinkChangedEvent
  | StorageEvent | PasswordLockoutEvent;
export type CliEvent = ReadyEvent | PreviewEvent | StoppedEvent | LogEvent;

/**
 * Messages on the owner's WebSocket `GET /api/events[?since=<id>&epoch=<epoch>]`. The server sends `hello` first, then
 * every event it still holds after `since` (when `epoch` names this server run), then live events, each with an
 * increasing `id`. When it cannot replay (another server run, or the events were dropped from its buffer) it sends
 * `reset`: the client should reload what it shows (`GET /api/feedback`) and go on from the live events.
 */
export type StreamedEvent = PreviewEvent & { id: number };
export type StreamMessage =
  | { event: 'hello'; epoch: string; lastId: number }
  | { event: 'reset'; reason: string }
  | StreamedEvent;
