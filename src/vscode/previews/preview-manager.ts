import * as path from 'node:path';
import * as vscode from 'vscode';
import { PreviewProcess, type PreviewProcessExit } from '../../client/preview-process';
import type { LogLevel, StreamedEvent } from '../../shared/events';
import { AttachedServer } from './attached-server';
import { startDetachedServer } from './detached-start';
import { ownedChild, type PreviewServer } from './preview-server';
import type { PublishedPreviews } from './published-previews';
import type { FeedbackRecord } from '../../shared/feedback-record';
import type { ExtensionSettings } from '../settings';
import { dataDirFor } from './data-dir';
import { PathMap } from '../models/path-key';
import { RunningPreview } from './running-preview';
import { serveArguments, type PublishTunnel } from './serve-arguments';

export interface PreviewManagerEvents {
  /** A preview's server sent an event (the Feedback view and notifications follow these). */
  event: { preview: RunningPreview; event: StreamedEvent };
  /** A server died without being asked to. */
  died: { file: string; exit: PreviewProcessExit };
}

export interface PublishOptions {
  tunnel: PublishTunnel;
  /** Secrets for the child's environment (NGROK_AUTHTOKEN, MODEL_PREVIEW_SSH_PASSPHRASE). */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** How often the counts (predictions, thumbs) reach the UI at most: a V2 client can send hundreds a second. */
const COUNTS_THROTTLE_MS = 250;
/** On deactivate VS Code waits a few seconds at most: servers get less time to finish before they are killed. */
const DISPOSE_GRACE_MS = 2_000;

/**
 * The running previews, one server child process per published model (several can run at once). Owns their
 * lifecycle: start (waiting for `ready`), stop, and what happens when one dies. `dispose()` cancels starts, stops every
 * server and resolves when every child is gone, so a window reload or deactivate leaves no process and no port behind.
 *
 * Each server's events come from its one stream (`process.events`) and reach the rest of the extension here, with the
 * preview they belong to.
 */
export class PreviewManager implements vscode.Disposable {
  private readonly previews = new PathMap<RunningPreview>();
  /**
   * The last run of each model that stopped, kept for its records until the model is published again: the Feedback
   * view keeps showing their cards, and a card can still be opened.
   */
  private readonly lastRuns = new PathMap<RunningPreview>();
  private readonly starting = new PathMap<Promise<RunningPreview>>();
  /** Previews asked to stop whose process has not exited yet: a publish of the same file waits for them. */
  private readonly stopping = new PathMap<Promise<void>>();
  private readonly disposed = new AbortController();
  private countsTimer?: NodeJS.Timeout;
  private readonly emitters = {
    changed: new vscode.EventEmitter<RunningPreview | undefined>(),
    counts: new vscode.EventEmitter<void>(),
    event: new vscode.EventEmitter<PreviewManagerEvents['event']>(),
    reloaded: new vscode.EventEmitter<RunningPreview>(),
    died: new vscode.EventEmitter<PreviewManagerEvents['died']>(),
  };
  /** A preview started or stopped, or changed its version, link or tunnel state (not its counts). */
  readonly onDidChange = this.emitters.changed.event;
  /** Counts changed (throttled). */
  readonly onDidChangeCounts = this.emitters.counts.event;
  readonly onDidReceiveEvent = this.emitters.event.event;
  /** A preview's feedback was (re)loaded whole: at start, and after the server could not replay missed events. */
  readonly onDidReload = this.emitters.reloaded.event;
  readonly onDidDie = this.emitters.died.event;

  constructor(
    private readonly cliPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly settings: () => ExtensionSettings,
    /** Which models are published, kept for the next activation (workspace state). */
    private readonly memory?: PublishedPreviews,
  ) {}

  get all(): RunningPreview[] {
    return [...this.previews.values()];
  }

  get(file: string): RunningPreview | undefined {
    return this.previews.get(file);
  }

  /**
   * A whole feedback record, for a card the Feedback view shows or a caller of `modelPreview.openRecord`: from the
   * preview the card names, running or stopped; else from any preview that holds that id (a restarted preview sends
   * the records it stored before again).
   */
  record(previewId: string, id: string): FeedbackRecord | undefined {
    return this.recordIn(previewId, id)?.record;
  }

  /** The same record, with the data folder of the preview that holds it (where its large tensors are, in blobs/). */
  recordIn(previewId: string, id: string): { record: FeedbackRecord; dataDir: string } | undefined {
    const named = this.previews.get(previewId) ?? this.lastRuns.get(previewId);
    for (const preview of [named, ...this.previews.values(), ...this.lastRuns.values()]) {
      const record = preview?.record(id);
      if (preview && record) return { record, dataDir: preview.dataDir };
    }
    return undefined;
  }

  /** Starts a preview of `file` (or returns the running one). Rejects with the server's own reason when it cannot. */
  publish(file: string, workspaceFolder: string, options: PublishOptions): Promise<RunningPreview> {
    if (this.disposed.signal.aborted) return Promise.reject(new Error('Model Preview is shutting down'));
    const running = this.previews.get(file);
    if (running) return Promise.resolve(running);
    let pending = this.starting.get(file);
    if (!pending) {
      pending = this.start(file, workspaceFolder, options).finally(() => this.starting.delete(file));
      this.starting.set(file, pending);
    }
    return pending;
  }

  /** Stops the preview's server (also one this window attached to): its link no longer answers, and it is not published again at the next activation. */
  stop(file: string, graceMs?: number): Promise<void> {
    this.memory?.forget(file);
    return this.letGo(file, (server) => server.stop(graceMs));
  }

  private letGo(file: string, how: (server: PreviewServer) => Promise<void>): Promise<void> {
    const preview = this.previews.get(file);
    if (!preview) return this.stopping.get(file) ?? Promise.resolve();
    this.previews.delete(file);
    this.lastRuns.set(file, preview);
    const stopped = how(preview.process).finally(() => this.stopping.delete(file));
    this.stopping.set(file, stopped);
    this.emitters.changed.fire(undefined);
    return stopped;
  }

  /** Stops every preview, as Stop does for each. */
  async stopAll(graceMs?: number): Promise<void> {
    await Promise.all([...this.starting.values()].map((p) => p.catch(() => undefined)));
    await Promise.all([...this.all.map((p) => this.stop(p.file, graceMs)), ...this.stopping.values()]);
  }

  /**
   * The window is going (reload, close, deactivate): servers it forked stop; servers meant to outlive it (detached,
   * or another window's) are let go and keep serving. Either way the previews are remembered for the next activation.
   */
  private async releaseAll(): Promise<void> {
    await Promise.all([...this.starting.values()].map((p) => p.catch(() => undefined)));
    await Promise.all([...this.all.map((p) => this.letGo(p.file, (server) => server.release(DISPOSE_GRACE_MS))), ...this.stopping.values()]);
  }

  /** Idempotent: cancels starts in progress, stops (or lets go of) every server, and resolves when this window holds none. */
  async dispose(): Promise<void> {
    if (this.disposed.signal.aborted) return this.releaseAll();
    this.disposed.abort();
    clearTimeout(this.countsTimer);
    await this.releaseAll();
    Object.values(this.emitters).forEach((e) => e.dispose());
  }

  private async start(file: string, workspaceFolder: string, options: PublishOptions): Promise<RunningPreview> {
    await this.stopping.get(file); // a stop still finishing holds the data folder (and maybe the port)
    const settings = this.settings();
    const dataDir = dataDirFor(file, workspaceFolder, settings.dataFolder);
    const name = path.basename(file);
    const log = (line: string, level: LogLevel) => this.log[level](`[${name}] ${line}`);
    const signal = options.signal ? AbortSignal.any([options.signal, this.disposed.signal]) : this.disposed.signal;
    const serve = {
      cliPath: this.cliPath, modelFile: file, dataDir, port: settings.port || undefined, workers: settings.workers || undefined,
      extraArgs: serveArguments(settings, options.tunnel), env: options.env, signal,
    };
    // A server already holds the data folder (another window, the CLI, a detached one of ours): share it.
    let server: PreviewServer | undefined = await AttachedServer.attach(dataDir, log);
    if (!server && settings.keepRunning === 'untilStopped') {
      this.log.info(`publishing ${file} as a process of its own (data in ${dataDir})`);
      await startDetachedServer(serve);
      server = await AttachedServer.attach(dataDir, log);
      if (!server) throw new Error(`the detached server of ${name} said it serves, but ${dataDir}/server.json names no running server`);
    }
    if (!server) {
      this.log.info(`publishing ${file} (data in ${dataDir})`);
      server = ownedChild(await PreviewProcess.start({ ...serve, log }));
    }
    return this.follow(file, dataDir, server, options.tunnel);
  }

  /** Makes `server` the running preview of `file`: its events, its end, its feedback. */
  private async follow(file: string, dataDir: string, server: PreviewServer, tunnel: PublishTunnel): Promise<RunningPreview> {
    const preview = new RunningPreview(file, dataDir, server, tunnel);
    this.previews.set(file, preview);
    this.lastRuns.delete(file); // the new run loads every record again
    // Right after start resolved, before any await: the events it held (this run's first) come next.
    server.events.on('event', (event) => {
      const change = preview.apply(event);
      if (change === 'state') this.emitters.changed.fire(preview);
      if (change === 'counts') this.countsChanged();
      this.emitters.event.fire({ preview, event });
      if (event.event === 'regression-replayed') void this.loadRegressions(preview);
    });
    server.events.on('reset', () => void this.reload(preview));
    void server.exited.then((exit) => {
      if (this.previews.get(file) !== preview) return; // stopped on purpose
      this.previews.delete(file);
      this.lastRuns.set(file, preview);
      this.emitters.changed.fire(undefined);
      if (!exit.expected) this.emitters.died.fire({ file, exit });
    });
    this.memory?.remember(file, tunnel);
    await Promise.all([this.reload(preview), this.loadRegressions(preview)]);
    this.emitters.changed.fire(preview);
    return preview;
  }

  /** The per-version "is it fixed now?" table of a preview, from its server; a failure is logged and leaves the last one. */
  private async loadRegressions(preview: RunningPreview): Promise<void> {
    try {
      await preview.loadRegressions();
      if (this.previews.get(preview.file) === preview) this.emitters.changed.fire(preview);
    } catch (err) {
      this.log.warn(`could not read the regression replays of ${preview.model}: ${(err as Error).message}`);
    }
  }

  private countsChanged(): void {
    this.countsTimer ??= setTimeout(() => {
      this.countsTimer = undefined;
      this.emitters.counts.fire();
    }, COUNTS_THROTTLE_MS);
  }

  private async reload(preview: RunningPreview): Promise<void> {
    const generation = preview.beginReload();
    try {
      const records = await preview.process.owner.feedback((warning) => this.log.warn(`[${path.basename(preview.file)}] ${warning}`));
      if (!preview.finishReload(generation, records)) return; // a newer reload won
      this.emitters.reloaded.fire(preview);
      this.countsChanged();
    } catch (err) {
      this.log.warn(`could not load the feedback of ${preview.model}: ${(err as Error).message}`);
    }
  }
}
