import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StreamedEvent } from '../../shared/events';
import { PreviewProcess, type PreviewProcessExit } from '../server-process/preview-process';
import type { ExtensionSettings } from '../settings';
import { RunningPreview } from './running-preview';
import { serveArguments, type PublishTunnel } from './serve-arguments';

export interface PreviewManagerEvents {
  /** A preview started, stopped, or changed what is shown of it (version, counts, link state). */
  changed: RunningPreview | undefined;
  /** A preview's server sent an event (the Feedback view and notifications follow these). */
  event: { preview: RunningPreview; event: StreamedEvent };
  /** Events were lost (server restart, buffer overrun): the preview's feedback was fetched again. */
  reloaded: RunningPreview;
  /** A server died without being asked to. */
  died: { file: string; exit: PreviewProcessExit };
}

export interface PublishOptions {
  tunnel: PublishTunnel;
  /** Secrets for the child's environment (NGROK_AUTHTOKEN, MODEL_PREVIEW_SSH_PASSPHRASE). */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * The running previews, one server child process per published model (several can run at once). Owns their
 * lifecycle: start (waiting for `ready`), stop, and what happens when one dies. `dispose()` stops them all and
 * resolves when every child is gone, so a window reload or deactivate leaves no process and no port behind.
 */
export class PreviewManager implements vscode.Disposable {
  private readonly previews = new Map<string, RunningPreview>();
  private readonly starting = new Map<string, Promise<RunningPreview>>();
  private readonly emitters = {
    changed: new vscode.EventEmitter<RunningPreview | undefined>(),
    event: new vscode.EventEmitter<PreviewManagerEvents['event']>(),
    reloaded: new vscode.EventEmitter<RunningPreview>(),
    died: new vscode.EventEmitter<PreviewManagerEvents['died']>(),
  };
  readonly onDidChange = this.emitters.changed.event;
  readonly onDidReceiveEvent = this.emitters.event.event;
  readonly onDidReload = this.emitters.reloaded.event;
  readonly onDidDie = this.emitters.died.event;

  constructor(
    private readonly cliPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly settings: () => ExtensionSettings,
  ) {}

  get all(): RunningPreview[] {
    return [...this.previews.values()];
  }

  get(file: string): RunningPreview | undefined {
    return this.previews.get(file);
  }

  /** Starts a preview of `file` (or returns the running one). Rejects with the server's own reason when it cannot. */
  publish(file: string, workspaceFolder: string, options: PublishOptions): Promise<RunningPreview> {
    const running = this.previews.get(file);
    if (running) return Promise.resolve(running);
    let pending = this.starting.get(file);
    if (!pending) {
      pending = this.start(file, workspaceFolder, options).finally(() => this.starting.delete(file));
      this.starting.set(file, pending);
    }
    return pending;
  }

  async stop(file: string): Promise<void> {
    const preview = this.previews.get(file);
    if (!preview) return;
    this.previews.delete(file);
    await preview.process.stop();
    this.emitters.changed.fire(undefined);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.starting.values()].map((p) => p.catch(() => undefined)));
    await Promise.all(this.all.map((p) => this.stop(p.file)));
  }

  async dispose(): Promise<void> {
    await this.stopAll();
    Object.values(this.emitters).forEach((e) => e.dispose());
  }

  /** The data folder of a model: `<workspace>/<dataFolder>/<model name>/`, so each preview has its own tokens and files. */
  dataDirFor(file: string, workspaceFolder: string): string {
    return path.join(workspaceFolder, this.settings().dataFolder, path.basename(file, path.extname(file)));
  }

  private async start(file: string, workspaceFolder: string, options: PublishOptions): Promise<RunningPreview> {
    const settings = this.settings();
    const dataDir = this.dataDirFor(file, workspaceFolder);
    const name = path.basename(file);
    this.log.info(`publishing ${file} (data in ${dataDir})`);
    const process = await PreviewProcess.start({
      cliPath: this.cliPath, modelFile: file, dataDir,
      port: settings.port || undefined, workers: settings.workers || undefined,
      extraArgs: serveArguments(settings, options.tunnel), env: options.env, signal: options.signal,
      log: (line) => this.log.info(`[${name}] ${line}`),
    });
    const preview = new RunningPreview(file, dataDir, process);
    this.previews.set(file, preview);
    process.on('event', (event) => {
      const counted = event.event === 'feedback' && preview.addFeedback(event.record) !== undefined;
      if (preview.apply(event) || counted) this.emitters.changed.fire(preview);
      this.emitters.event.fire({ preview, event });
    });
    process.on('reset', () => void this.reload(preview));
    process.on('exit', (exit) => {
      if (this.previews.get(file) !== preview) return; // stopped on purpose
      this.previews.delete(file);
      this.emitters.changed.fire(undefined);
      if (!exit.expected) this.emitters.died.fire({ file, exit });
    });
    await this.reload(preview);
    this.emitters.changed.fire(preview);
    return preview;
  }

  private async reload(preview: RunningPreview): Promise<void> {
    try {
      preview.setFeedback(await preview.process.fetchFeedback());
      this.emitters.reloaded.fire(preview);
      this.emitters.changed.fire(preview);
    } catch (err) {
      this.log.warn(`could not load the feedback of ${preview.model}: ${(err as Error).message}`);
    }
  }
}
