import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import type { PreviewEvent } from '../shared/events';
import type { ModelCard, ModelDescription } from '../shared/model-card';
import type { Sidecar } from '../shared/sidecar';
import { InferencePool } from './inference/inference-pool';
import type { JobKind } from './inference/worker-protocol';
import { FileWatcher } from './model/file-watcher';
import { readModelFile } from './model/model-file';
import { readSidecar, sidecarPathFor } from './model/sidecar-file';
import { AccessControl } from './server/access';
import { createApp } from './server/app';
import { GracefulServer } from './server/graceful-server';
import { withInferenceFastPath } from './server/inference-fast-path';
import { ServerMetrics } from './server/metrics';
import type { ModelBackend } from './server/model-backend';
import { loadOrCreateTokens } from './server/token-store';
import { JsonlAppendLog } from './store/jsonl-append-log';

export interface PreviewOptions {
  modelFile: string;
  host: string;
  port: number;
  /** Where tokens, predictions.jsonl and (later) feedback.jsonl live. */
  dataDir: string;
  workers: number;
  maxQueue: number;
  timeoutMs: number;
  bodyLimitBytes: number;
  /** Reload the model when its file is rewritten (default on). */
  watch?: boolean;
  log?(message: string): void;
}

/**
 * One published preview: a model served by a worker pool behind an HTTP server, its access tokens, its data folder
 * and its file watcher. `start()` resolves once the model is loaded and the port is bound; `stop()` is idempotent and
 * resolves once the port is free and every record is flushed.
 */
export class PreviewSession extends EventEmitter<{ event: [PreviewEvent] }> implements ModelBackend {
  private description?: ModelDescription;
  private sidecar?: Sidecar;
  private sidecarError?: string;
  private loadedAt = '';
  private cachedCard?: ModelCard;
  private watcher?: FileWatcher;
  private server?: GracefulServer;
  private stopping?: Promise<void>;
  private reloading: Promise<void> = Promise.resolve();
  readonly metrics: ServerMetrics;
  private readonly predictions: JsonlAppendLog;

  private constructor(
    private readonly options: PreviewOptions,
    private readonly pool: InferencePool,
    readonly access: AccessControl,
  ) {
    super();
    this.metrics = new ServerMetrics(() => pool.queueDepth, () => pool.inFlight);
    // fsync'd: feedback will refer to a prediction by id, so an answered prediction must survive a crash.
    this.predictions = new JsonlAppendLog(path.join(options.dataDir, 'predictions.jsonl'), { fsync: true });
    pool.on('worker-error', (err: Error) => this.emit('event', { event: 'error', source: 'worker', message: err.message }));
  }

  static async start(options: PreviewOptions): Promise<PreviewSession> {
    const [model, tokens] = await Promise.all([readModelFile(options.modelFile), loadOrCreateTokens(options.dataDir)]);
    const pool = new InferencePool({ size: options.workers, maxQueue: options.maxQueue, timeoutMs: options.timeoutMs });
    const session = new PreviewSession(options, pool, new AccessControl(tokens));
    try {
      const started = performance.now();
      const [description] = await Promise.all([pool.load(model), session.loadSidecar()]);
      session.adopt(description, performance.now() - started);
      const appOptions = {
        backend: session, access: session.access, metrics: session.metrics,
        bodyLimitBytes: options.bodyLimitBytes, log: (m: string) => session.log(m),
      };
      const handler = withInferenceFastPath(createApp(appOptions), appOptions);
      session.server = await GracefulServer.listen(handler, { host: options.host, port: options.port });
      if (options.watch !== false) session.watch();
      return session;
    } catch (err) {
      await pool.close();
      throw err;
    }
  }

  get port(): number {
    return this.server!.port;
  }

  get localUrl(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${this.port}/`;
  }

  /** The link to give stakeholders (until tunnels exist, the local URL) with the share token. */
  get shareUrl(): string {
    return `${this.localUrl}?t=${this.access.shareToken}`;
  }

  get workers(): number {
    return this.pool.size;
  }

  /** The card is read on every request (the fast path's routing): built once per change, not per call. */
  card(): ModelCard | undefined {
    if (!this.description) return undefined;
    this.cachedCard ??= { ...this.description, sidecar: this.sidecar, sidecarError: this.sidecarError, loadedAt: this.loadedAt };
    return this.cachedCard;
  }

  run(kind: JobKind, body: Uint8Array, receivedAt: number) {
    return this.pool.run(kind, body, receivedAt);
  }

  recordPrediction(record: string): Promise<void> {
    return this.predictions.append(record);
  }

  /** Loads the model file again and swaps it in if it changed; a file that does not load leaves the old one serving. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadNow());
    return this.reloading;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.watcher?.close();
      await this.server?.stop();
      await this.reloading;
      await this.pool.close();
      await this.predictions.close();
    })();
    return this.stopping;
  }

  private async reloadNow(): Promise<void> {
    if (this.stopping) return;
    const previous = this.description!;
    const started = performance.now();
    try {
      const description = await this.pool.load(await readModelFile(this.options.modelFile));
      if (description.sha256 === previous.sha256) return;
      const loadMs = performance.now() - started;
      this.adopt(description, loadMs);
      this.metrics.modelReloads.inc({ result: 'ok' });
      this.emit('event', { event: 'model-reloaded', model: description.name, modelVersion: description.version, previousVersion: previous.version, loadMs: Math.round(loadMs) });
    } catch (err) {
      this.metrics.modelReloads.inc({ result: 'failed' });
      this.emit('event', { event: 'error', source: 'model-reload', message: `${(err as Error).message} (still serving version ${previous.version})` });
    }
  }

  private adopt(description: ModelDescription, loadMs: number): void {
    this.description = description;
    this.loadedAt = new Date().toISOString();
    this.cachedCard = undefined;
    this.metrics.modelLoadSeconds.observe(loadMs / 1000);
    this.metrics.setModel(description.name, description.version);
  }

  private async loadSidecar(): Promise<void> {
    const { sidecar, error } = await readSidecar(this.options.modelFile);
    this.sidecar = sidecar;
    this.sidecarError = error;
    this.cachedCard = undefined;
    if (error) this.emit('event', { event: 'error', source: 'sidecar', message: error });
  }

  private watch(): void {
    const model = path.resolve(this.options.modelFile);
    this.watcher = new FileWatcher(
      [model, sidecarPathFor(model)],
      (file) => void (file === model ? this.reload() : this.loadSidecar()),
      (err) => this.log(`file watcher: ${err.message}`),
    );
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => process.stderr.write(m + '\n')))(message);
  }
}
