import type { EventsClient } from '../../client/events-client';
import type { OwnerApi } from '../../client/owner-api';
import type { PreviewProcess, PreviewProcessExit } from '../../client/preview-process';
import type { ReadyEvent } from '../../shared/events';

/** What the extension knows of a server when it starts serving: its `ready` line, or what an attached one answers. */
export type ServerReady = Pick<ReadyEvent, 'model' | 'modelVersion' | 'port' | 'localUrl' | 'shareUrl' | 'tunnel' | 'ownerToken' | 'lanUrls'>;

/**
 * A preview server as the extension drives it, whichever way it runs: a child process of this window
 * (`PreviewProcess`, forked) or a server it attached to (detached with `keepRunning: untilStopped`, or started by
 * another window or the CLI on the same data folder). Both are talked to like any client: events and owner API.
 */
export interface PreviewServer {
  readonly ready: ServerReady;
  readonly events: EventsClient;
  readonly owner: OwnerApi;
  readonly pid: number;
  /** Resolves once the server is gone, however that happened. Never rejects. */
  readonly exited: Promise<PreviewProcessExit>;
  /** Stops the server itself; resolves when it is gone and its port is free. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /**
   * Lets go of the server without stopping it (a window closing while the server is meant to outlive it), or stops
   * it when this window owns its life (a forked child). Resolves when the window holds nothing of it any more.
   */
  release(graceMs?: number): Promise<void>;
}

/** A server forked by this window: its life is the window's, so letting go of it stops it. */
export function ownedChild(child: PreviewProcess): PreviewServer {
  return {
    ready: child.ready, events: child.events, owner: child.owner, pid: child.pid, exited: child.exited,
    stop: (graceMs) => child.stop(graceMs),
    release: (graceMs) => child.stop(graceMs),
  };
}
