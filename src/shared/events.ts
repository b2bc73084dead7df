/** Events of one running preview: printed by `serve --json` (one JSON object per line) and, later, streamed to the extension. */

export interface ReadyEvent {
  event: 'ready';
  model: string;
  modelVersion: string;
  port: number;
  localUrl: string;
  shareUrl: string;
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

export interface StoppedEvent {
  event: 'stopped';
}

/** Events a running session emits (the CLI adds `ready`, which carries the owner token, to its own output only). */
export type PreviewEvent = ModelReloadedEvent | ErrorEvent;
export type CliEvent = ReadyEvent | PreviewEvent | StoppedEvent;
