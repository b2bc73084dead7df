import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import type { LogEntry, LogLevel, LogSource, PreviewEvent } from '../shared/events';
import type { ModelCard, ModelDescription } from '../shared/model-card';
import type { Sidecar } from '../shared/sidecar';
import { resolvePageHints, sidecarFacts } from '../shared/model-facts';
import { InferencePool } from './inference/inference-pool';
import type { RequestBody } from './inference/request-body';
import type { JobKind } from './inference/worker-protocol';
import type { ReloadFit } from './inference/reload-memory';
import { FileWatcher } from './model/file-watcher';
import { hfFolderPaths } from './model/hf-folder';
import { IncompleteModelError, readModelFile } from './model/model-file';
import type { OrtLogOptions } from './onnx/ort-session';
import { readSidecar, sidecarPathFor } from './model/sidecar-file';
import { AccessControl } from './server/access';
import { createRequestListener } from './server/app';
import { ConnectionLimits, DEFAULT_CONNECTION_LIMITS, type ConnectionLimitSettings } from './server/connection-limits';
import { GracefulServer, ListenError, type ListenOptions } from './server/graceful-server';
import { lanBaseUrls } from './server/lan-addresses';
import type { RememberedAddress } from './server/remembered-address';
import type { ServerProcessBackend } from './server/routes/server-routes';
import type { ServerStatus } from '../shared/server-info';
import { MODEL_PREVIEW_VERSION } from '../shared/version';
import { ServerMetrics } from './server/metrics';
import type { ModelBackend } from './server/model-backend';
import { loadOrCreateTokens, saveTokens } from './server/token-store';
import { InviteBook } from './server/invite-book';
import { ReviewSets } from './review/review-sets';
import { reviewSignatureOf } from './review/review-file';
import { RegressionReplay, regressionCases } from './feedback/regression-replay';
import type { InviteBackend } from './server/routes/invite-routes';
import type { InviteCreated, InviteList, InviteRequest } from '../shared/invites';
import { writeDataGitignore } from './store/data-gitignore';
import type { PreparedBlob } from './store/blob-store';
import { DEFAULT_RATE_LIMITS, RateLimits, type RateLimitSettings } from './server/rate-limits';
import type { ShareLinkBackend } from './server/routes/share-link-routes';
import type { ShareLinkInfo } from '../shared/share-link';
import { TunnelKeeper, type TunnelKeeperOptions } from './tunnel/tunnel-keeper';
import type { TunnelHint, TunnelProvider } from './tunnel/tunnel-provider';
import { EventHub } from './events/event-hub';
import { releaseModelMemory } from './onnx/release-memory';
import { FeedbackService } from './feedback/feedback-service';
import { FeedbackStore } from './feedback/feedback-store';
import { PredictionLog } from './feedback/prediction-log';
import { attachEventsSocket } from './server/events-socket';
import { PageEvents } from './server/page-events';

export interface PreviewOptions {
  modelFile: string;
  host: string;
  port: number;
  /**
   * When `port` is taken by another program (or the OS refuses it): the ports to try instead, in order. `remembered`:
   * `port` is the one earlier runs served at, so moving away changes the link, and a `share-link-changed` event with
   * reason `port-changed` says so. Without this a taken port fails the start.
   */
  whenPortTaken?: { ports: Iterable<number>; remembered: boolean };
  /** What an earlier run's tunnel learnt (its hint) and the public URL it had: asked for again at the first open. */
  tunnelMemory?: RememberedAddress['tunnel'];
  /** This server run's id (server.json's `instanceId`); a random one when absent. */
  instanceId?: string;
  /** `POST /api/server/stop` calls this (the CLI stops the whole process); without it that route answers 409. */
  onStopRequest?: () => void;
  /** Where tokens, predictions.jsonl, feedback.jsonl and blobs/ live. */
  dataDir: string;
  workers: number;
  maxQueue: number;
  timeoutMs: number;
  bodyLimitBytes: number;
  /** WebSocket heartbeat period (default 30 s). */
  heartbeatMs?: number;
  /** How often the try-it page's event stream pings (default PAGE_EVENTS_PING_MS). */
  pageEventsPingMs?: number;
  /** Reload the model when its file is rewritten (default on). */
  watch?: boolean;
  /** Makes the share link public; none: the link is local only. */
  tunnel?: TunnelProvider;
  tunnelKeeper?: TunnelKeeperOptions;
  /** How long a share link lives after it is issued (undefined: for ever). An expired link is replaced at start. */
  expiresMs?: number;
  /** A password the share link also needs. */
  password?: string;
  /** The time in ms since the epoch (default Date.now): when links are issued and expire. Tests move it instead of waiting. */
  clock?: () => number;
  /** Let git see predictions, feedback and blobs (default: the data folder's .gitignore hides them). */
  keepFeedbackInGit?: boolean;
  /** Per-client budgets (default DEFAULT_RATE_LIMITS). */
  rateLimits?: RateLimitSettings;
  /** Caps on open connections, per client and in all (default DEFAULT_CONNECTION_LIMITS). */
  connectionLimits?: ConnectionLimitSettings;
  /** Take invited reviewers only: the general share link answers 401 (undefined: as last set, in invites.json). */
  inviteOnly?: boolean;
  /** Where log lines go (default: stderr, one line each). */
  log?(entry: LogEntry): void;
  /** onnxruntime's own log lines on stderr (default: quiet). */
  ortLog?: OrtLogOptions;
  /**
   * Tests only: the memory the process may still take, as a hot reload reads it (default: the real one, within a
   * container's limit), to make a reload not fit beside the old version without a real memory limit.
   */
  availableMemoryForTests?(): number;
}

/**
 * Listens on `options.port`, or, when that is taken (or refused, as Windows refuses its reserved ranges), on the first
 * of `fallbacks` that is free. Without fallbacks a taken port fails the start with the ListenError.
 */
async function listenOnFreePort(handler: Parameters<typeof GracefulServer.listen>[0], options: ListenOptions, fallbacks?: Iterable<number>): Promise<GracefulServer> {
  const taken = (err: unknown) => err instanceof ListenError && (err.code === 'EADDRINUSE' || err.code === 'EACCES');
  try {
    return await GracefulServer.listen(handler, options);
  } catch (err) {
    if (!fallbacks || !taken(err)) throw err;
    let last = err;
    for (const port of fallbacks) {
      try {
        return await GracefulServer.listen(handler, { ...options, port });
      } catch (next) {
        if (!taken(next)) throw next;
        last = next;
      }
    }
    throw last;
  }
}

const logToStderr = (entry: LogEntry): void => void process.stderr.write(`${entry.level} (${entry.source}): ${entry.message}\n`);

/**
 * One published preview: a model served by a worker pool behind an HTTP server, its access tokens, its data folder
 * and its file watcher. `start()` resolves once the model is loaded and the port is bound; `stop()` is idempotent and
 * resolves once the port is free and every record is flushed.
 */
export class PreviewSession extends EventEmitter<{ event: [PreviewEvent] }> implements ModelBackend, ShareLinkBackend, ServerProcessBackend, InviteBackend {
  /** This server run, as server.json and `GET /api/server` name it. */
  readonly instanceId: string;
  readonly startedAt = new Date().toISOString();
  private description?: ModelDescription;
  private sidecar?: Sidecar;
  private sidecarError?: string;
  private loadedAt = '';
  private cachedCard?: ModelCard;
  private watcher?: FileWatcher;
  private dataFiles: string[] = [];
  private server?: GracefulServer;
  private stopping?: Promise<void>;
  private reloading: Promise<void> = Promise.resolve();
  /** When the reload in progress unloaded the old version before loading the new one (no version served since). */
  private unservedSince?: number;
  /** The regression replay on the version loaded last, while it runs. */
  private replaying: Promise<void> = Promise.resolve();
  readonly metrics: ServerMetrics;
  /** Every event of this preview, numbered, for the events WebSocket and its resume. */
  readonly hub = new EventHub();
  readonly feedback: FeedbackService;
  /** The share visitors' event streams (the try-it page). */
  readonly pageEvents: PageEvents;
  private eventsSocket?: { close(): Promise<void> };
  private tunnel?: TunnelKeeper;
  private tunnelState: ShareLinkInfo['tunnel']['state'] = 'none';

  private constructor(
    private readonly options: PreviewOptions,
    private readonly pool: InferencePool,
    readonly access: AccessControl,
    private readonly predictions: PredictionLog,
    private readonly feedbackStore: FeedbackStore,
    private readonly inviteBook: InviteBook,
    readonly reviewSets: ReviewSets,
    readonly regressions: RegressionReplay,
  ) {
    super();
    this.instanceId = options.instanceId ?? randomUUID();
    this.metrics = new ServerMetrics(() => pool.queueDepth, () => pool.inFlight);
    this.feedback = new FeedbackService(predictions, feedbackStore, () => this.card(), (e) => this.publish(e), (key) => reviewSets.find(key));
    this.pageEvents = new PageEvents({ hub: this.hub, access, modelVersion: () => this.description?.version ?? '', pingMs: options.pageEventsPingMs });
    pool.on('worker-error', (err: Error) => this.publish({ event: 'error', source: 'worker', message: err.message }));
    pool.on('reload-without-overlap', ({ availableBytes, neededBytes }: ReloadFit) => {
      this.unservedSince = performance.now();
      this.publish({ event: 'reload-without-overlap', model: this.description!.name, previousVersion: this.description!.version, availableBytes, neededBytes });
    });
  }

  static async start(options: PreviewOptions): Promise<PreviewSession> {
    const warn = (message: string) => (options.log ?? logToStderr)({ level: 'warn', source: 'storage', message });
    await writeDataGitignore(options.dataDir, { keepFeedbackInGit: options.keepFeedbackInGit ?? false });
    const [model, tokens, predictions, feedbackStore, inviteBook, reviewSets] = await Promise.all([
      readModelFile(options.modelFile), loadOrCreateTokens(options.dataDir, options.clock),
      PredictionLog.open(options.dataDir, warn), FeedbackStore.open(options.dataDir, warn), InviteBook.open(options.dataDir, options.clock),
      ReviewSets.open(options.dataDir, warn),
    ]);
    const regressions = await RegressionReplay.open(options.dataDir, warn);
    if (options.inviteOnly !== undefined) await inviteBook.setInviteOnly(options.inviteOnly);
    const pool = new InferencePool({
      size: options.workers, maxQueue: options.maxQueue, timeoutMs: options.timeoutMs, ortLog: options.ortLog, readModel: readModelFile,
      availableMemory: options.availableMemoryForTests,
    });
    const access = new AccessControl(tokens, { expiresMs: options.expiresMs, password: options.password }, options.clock);
    access.adoptInvites(inviteBook.keys(), inviteBook.inviteOnly);
    // A link that expired while no server ran: people holding it get 401, and the owner gets a fresh link now.
    const reissued = access.expired;
    if (reissued) await saveTokens(options.dataDir, access.rotateShareToken());
    const session = new PreviewSession(options, pool, access, predictions, feedbackStore, inviteBook, reviewSets, regressions);
    try {
      const started = performance.now();
      const [description] = await Promise.all([pool.load(model), session.loadSidecar()]);
      session.adopt(description, performance.now() - started);
      const appOptions = {
        backend: session, feedback: session.feedback, access: session.access, metrics: session.metrics, shareLink: session,
        invites: session, reviewSets, regressions: () => regressions.all(), server: session, pageEvents: session.pageEvents,
        rateLimits: new RateLimits(options.rateLimits ?? DEFAULT_RATE_LIMITS, ({ failedAttempts, windowSeconds, until }) => {
          session.publish({ event: 'password-lockout', failedAttempts, windowSeconds, until: until.toISOString() });
        }),
        bodyLimitBytes: options.bodyLimitBytes, log: (m: string) => session.log('error', 'server', m),
      };
      const handler = createRequestListener(appOptions);
      const limits = new ConnectionLimits(options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS,
        (req) => access.levelOfCredentials(req.headers.authorization, undefined) === 'owner', (m) => session.log('warn', 'server', m));
      session.server = await listenOnFreePort(handler, {
        host: options.host, port: options.port, limits, onError: (err) => session.log('error', 'server', `the HTTP server: ${err.message}`),
      }, options.whenPortTaken?.ports);
      session.eventsSocket = attachEventsSocket(session.server.server, { hub: session.hub, access: session.access, heartbeatMs: options.heartbeatMs });
      if (options.tunnel) await session.openTunnel(options.tunnel);
      if (reissued) {
        const link = session.shareLink();
        session.publish({ event: 'share-link-changed', reason: 'expired', shareUrl: link.shareUrl, expiresAt: link.expiresAt });
      }
      if (options.whenPortTaken?.remembered && session.port !== options.port) {
        const link = session.shareLink();
        session.publish({
          event: 'share-link-changed', reason: 'port-changed', shareUrl: link.shareUrl, expiresAt: link.expiresAt,
          previousPort: options.port, port: session.port,
        });
      }
      if (options.watch !== false) session.watch(session.dataFilesOf(description));
      session.replaying = session.replayAtStart();
      return session;
    } catch (err) {
      // Nothing may outlive a failed start: not the tunnel, the port, the workers or an open file.
      await session.tunnel?.stop();
      session.pageEvents.close();
      await session.eventsSocket?.close();
      await session.server?.stop();
      await pool.close();
      await Promise.all([predictions.close(), feedbackStore.close(), reviewSets.close()]);
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

  /** The link to give stakeholders: the tunnel's public URL while it is up (else the local URL), with the share token. */
  get shareUrl(): string {
    return this.linkTo(this.tunnel?.url ?? this.localUrl);
  }

  shareLink(): ShareLinkInfo {
    const expiresAt = this.access.expiresAt;
    return {
      shareUrl: this.shareUrl, localUrl: this.localUrl, publicUrl: this.tunnel?.url,
      tunnel: { provider: this.tunnel?.providerName ?? 'none', state: this.tunnelState },
      expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt).toISOString(),
      expired: this.access.expired, passwordRequired: this.access.passwordRequired,
    };
  }

  async rotateShareLink(): Promise<ShareLinkInfo> {
    await saveTokens(this.options.dataDir, this.access.rotateShareToken());
    const link = this.shareLink();
    this.publish({ event: 'share-link-changed', reason: 'rotated', shareUrl: link.shareUrl, expiresAt: link.expiresAt });
    return link;
  }

  invites(): InviteList {
    const verified = new Map<string, number>();
    for (const r of this.feedback.records()) if (r.reviewerVerified && r.reviewer !== undefined) verified.set(r.reviewer, (verified.get(r.reviewer) ?? 0) + 1);
    return this.inviteBook.list((name) => verified.get(name) ?? 0, (name) => this.access.inviteLastSeen(name));
  }

  async createInvite(request: InviteRequest): Promise<InviteCreated> {
    const { token, expiresAt, ownPassword, rateLimits } = await this.inviteBook.create(request);
    this.access.adoptInvites(this.inviteBook.keys(), this.inviteBook.inviteOnly);
    if (request.password !== undefined) this.access.rememberInvitePassword(request.name, request.password);
    return {
      name: request.name, link: this.linkTo(this.tunnel?.url ?? this.localUrl, token), ...(expiresAt !== undefined ? { expiresAt } : {}),
      ownPassword, ...(rateLimits ? { rateLimits } : {}),
    };
  }

  /** Revoked in the file and in access control before this resolves: the next request through that link gets 401. */
  async revokeInvite(name: string): Promise<InviteList> {
    await this.inviteBook.revoke(name);
    this.access.adoptInvites(this.inviteBook.keys(), this.inviteBook.inviteOnly);
    this.pageEvents.recheck();
    return this.invites();
  }

  async setInviteOnly(inviteOnly: boolean): Promise<InviteList> {
    await this.inviteBook.setInviteOnly(inviteOnly);
    this.access.adoptInvites(this.inviteBook.keys(), this.inviteBook.inviteOnly);
    this.pageEvents.recheck();
    return this.invites();
  }

  /** With `--host 0.0.0.0` (or `::`): the share link on each network address of this machine. */
  lanUrls(): string[] {
    return lanBaseUrls(this.options.host, this.port).map((base) => this.linkTo(base));
  }

  /** What the next start needs to serve at the same links: the port and what the tunnel learnt. */
  rememberedAddress(): RememberedAddress {
    const tunnel = this.tunnel;
    return {
      port: this.port,
      ...(tunnel && { tunnel: { provider: tunnel.providerName, ...(tunnel.lastHint && { hint: { ...tunnel.lastHint } }), ...(tunnel.url && { publicUrl: tunnel.url }) } }),
    };
  }

  serverStatus(): ServerStatus {
    const card = this.card()!;
    const shareLink = this.shareLink();
    return {
      pid: process.pid, instanceId: this.instanceId, startedAt: this.startedAt, version: MODEL_PREVIEW_VERSION,
      model: card.name, modelVersion: card.version, port: this.port, host: this.options.host, localUrl: this.localUrl,
      shareUrl: shareLink.shareUrl, lanUrls: this.lanUrls(), shareLink,
    };
  }

  requestStop(): boolean {
    if (!this.options.onStopRequest) return false;
    // After the answer is on its way: the stop closes the connection it came on.
    setImmediate(this.options.onStopRequest);
    return true;
  }

  get workers(): number {
    return this.pool.size;
  }

  serving(): boolean {
    return this.pool.description !== undefined;
  }

  /** The card is read on every request (the fast path's routing): built once per change, not per call. */
  card(): ModelCard | undefined {
    if (!this.description) return undefined;
    this.cachedCard ??= {
      ...this.description, sidecar: this.sidecar, sidecarError: this.sidecarError, loadedAt: this.loadedAt,
      hints: resolvePageHints([...(this.sidecar ? sidecarFacts(this.sidecar, path.basename(sidecarPathFor(this.options.modelFile))) : []), ...this.description.facts]),
    };
    return this.cachedCard;
  }

  async run(kind: JobKind, body: RequestBody, receivedAt: number, jsonLength?: number) {
    const result = await this.pool.run(kind, body, receivedAt, jsonLength);
    if (result.internalError) this.log('error', 'worker', `internal error in an inference worker: ${result.internalError}`);
    return result;
  }

  recordPrediction(record: string, blobs?: readonly PreparedBlob[]): Promise<unknown> {
    return this.feedback.recordPrediction(record, blobs);
  }

  /** Loads the model file again and swaps it in if it changed; a file that does not load leaves the old one serving. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadNow());
    return this.reloading;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.watcher?.close();
      // Open pages hear "stopping" first, while the tunnel still carries it, so they say "offline" at once; what
      // they ask after that is told "stopping" too, not answered as if nothing happened.
      this.pageEvents.close();
      this.server?.refuseNewRequests();
      await this.tunnel?.stop();
      await Promise.all([this.eventsSocket?.close(), this.server?.stop()]);
      await this.reloading;
      await this.replaying;
      await this.pool.close();
      await this.regressions.close();
      await Promise.all([this.predictions.close(), this.feedbackStore.close(), this.reviewSets.close()]);
      // Kept for `model-preview invites` while no server runs.
      await this.inviteBook.recordLastSeen((name) => this.access.inviteLastSeen(name)).catch((err: Error) => this.log('warn', 'storage', `invites.json: ${err.message}`));
    })();
    return this.stopping;
  }

  private async reloadNow(): Promise<void> {
    if (this.stopping) return;
    const previous = this.description!;
    const started = performance.now();
    try {
      const model = await readModelFile(this.options.modelFile);
      // Compared with what the pool serves: after a reload that failed without overlap it serves nothing, and the
      // version it had unloaded, written back, must load again.
      if (model.sha256 === this.pool.description?.sha256) {
        this.metrics.modelReloads.inc({ result: 'unchanged' }); // touched, or an extra watch event: nothing to load
        return;
      }
      this.unservedSince = undefined;
      const description = await this.pool.load(model);
      const loadMs = performance.now() - started;
      this.adopt(description, loadMs);
      this.watchDataFiles(description);
      this.metrics.modelReloads.inc({ result: 'ok' });
      const unserved = this.unservedSince === undefined ? {} : { unavailableMs: Math.round(performance.now() - this.unservedSince) };
      this.publish({ event: 'model-reloaded', model: description.name, modelVersion: description.version, previousVersion: previous.version, loadMs: Math.round(loadMs), ...unserved });
      this.replaying = this.replaying.then(() => this.replayRegressions(previous.version));
    } catch (err) {
      // A data file still being written: its last write wakes the watcher again, and that reload sees it whole.
      if (err instanceof IncompleteModelError) {
        if (this.watcher && JSON.stringify(err.dataFiles) !== JSON.stringify(this.dataFiles)) this.watch(err.dataFiles);
        return this.log('info', 'watcher', `waiting for the model's files to be complete: ${err.reason}`);
      }
      this.metrics.modelReloads.inc({ result: 'failed' });
      const served = this.pool.description
        ? `still serving version ${this.pool.description.version}`
        : `no version is served: ${previous.version} was unloaded to make room for the new one; requests get 503 until a re-export loads`;
      this.publish({ event: 'error', source: 'model-reload', message: `${(err as Error).message} (${served})` });
    }
  }

  /**
   * "Is it fixed now?": replays every thumbs-down with a correction on the version just loaded, in the worker pool
   * (off the request path: the HTTP thread only reads the answers), and reports it as an event.
   */
  private async replayRegressions(previousVersion: string): Promise<void> {
    const card = this.card();
    if (!card || this.stopping) return;
    try {
      const cases = await this.regressionCases();
      if (cases.length === 0 || this.stopping) return;
      const report = await this.regressions.replay(cases, this.replayInfer, card, previousVersion);
      if (this.stopping) return;
      this.publish({
        event: 'regression-replayed', model: report.model, modelVersion: report.modelVersion, previousVersion, total: report.total,
        fixed: report.fixed, broke: report.broke.length, durationMs: report.durationMs,
      });
    } catch (err) {
      this.log('warn', 'storage', `regressions.jsonl: ${(err as Error).message}`);
    }
  }

  /**
   * At start, the version served may be new (re-exported while no server ran): it is replayed and reported as on a
   * reload. If it is the version served last, its answers to cases nothing recorded for it are learned now, so the
   * next re-export's "broke" is judged against them.
   */
  private async replayAtStart(): Promise<void> {
    const card = this.card();
    if (!card) return;
    const previous = this.regressions.lastServedVersion(this.predictions.newest);
    if (previous !== undefined && previous !== card.version) return this.replayRegressions(previous);
    try {
      const cases = await this.regressionCases();
      if (cases.length > 0 && !this.stopping) await this.regressions.baseline(cases, this.replayInfer, card);
    } catch (err) {
      this.log('warn', 'storage', `regression replay at start: ${(err as Error).message}`);
    }
  }

  private regressionCases() {
    return regressionCases(this.feedback.records(), this.regressions.blobs, (m) => this.log('warn', 'storage', m));
  }

  private readonly replayInfer = (body: Uint8Array) => (this.stopping ? Promise.reject(new Error('stopping'))
    : this.pool.run('v2', body.slice(), performance.timeOrigin + performance.now()));

  private adopt(description: ModelDescription, loadMs: number): void {
    this.description = description;
    this.loadedAt = new Date().toISOString();
    this.cachedCard = undefined;
    this.metrics.modelLoadSeconds.observe(loadMs / 1000);
    this.metrics.setModel(description.name, description.version);
    for (const { name, problem } of this.reviewSets.check(reviewSignatureOf(description))) {
      this.log('warn', 'storage', `review set "${name}" does not fit ${description.name} (version ${description.version}), so the page does not offer it: ${problem}. `
        + `Fix the file, then model-preview review remove "${name}" and review add it again`);
    }
    releaseModelMemory(); // what reading and inspecting the version left on this thread
  }

  /** Reads the sidecar; `changed` when the watcher saw it change (a good read then clears an earlier error for the owner). */
  private async loadSidecar(changed = false): Promise<void> {
    // By its absolute path, as the card's `file`: the share-visible card takes that folder out of the error.
    const { sidecar, error } = await readSidecar(path.resolve(this.options.modelFile));
    this.sidecar = sidecar;
    this.sidecarError = error;
    this.cachedCard = undefined;
    if (error) this.publish({ event: 'error', source: 'sidecar', message: error });
    else if (changed) this.publish({ event: 'sidecar-reloaded' });
  }

  private linkTo(baseUrl: string, token = this.access.shareToken): string {
    return `${baseUrl}?t=${token}`;
  }

  /**
   * Opens the tunnel (the first open must succeed) and reports its drops, re-opens and URL changes as events. The
   * first open is not an event: the start reports it (the CLI's `ready`, the share link).
   */
  private async openTunnel(provider: TunnelProvider): Promise<void> {
    const memory = this.options.tunnelMemory?.provider === provider.name ? this.options.tunnelMemory : undefined;
    // The public URL is checked from outside unless the caller says otherwise (health: its own timings).
    const keeper = new TunnelKeeper(provider, { localHost: new URL(this.localUrl).hostname.replace(/^\[|\]$/g, ''), localPort: this.port }, {
      health: {}, ...this.options.tunnelKeeper, hint: memory?.hint as TunnelHint | undefined,
    });
    this.tunnel = keeper;
    const url = await keeper.start();
    this.tunnelState = 'up';
    // The provider could not give the last run's public URL back: the link people hold is dead, and the owner must know.
    if (memory?.publicUrl && memory.publicUrl !== url) {
      this.publish({ event: 'tunnel-url-changed', provider: provider.name, previousUrl: memory.publicUrl, publicUrl: url, shareUrl: this.linkTo(url) });
    }
    keeper.on('change', (change) => {
      const name = provider.name;
      if (change.type === 'up' || change.type === 'reachable') {
        this.tunnelState = 'up';
        this.publish({ event: 'tunnel-up', provider: name, publicUrl: change.url, shareUrl: this.linkTo(change.url) });
      } else if (change.type === 'unreachable') {
        this.tunnelState = 'unreachable';
        this.publish({ event: 'tunnel-unreachable', provider: name, publicUrl: change.url, reason: change.reason, failedChecks: change.failures });
      } else if (change.type === 'down') {
        this.tunnelState = change.retryInMs === undefined ? 'down' : 'reconnecting';
        this.publish({ event: 'tunnel-down', provider: name, reason: change.reason, attempt: change.attempt, retryInMs: change.retryInMs });
      } else {
        this.publish({ event: 'tunnel-url-changed', provider: name, previousUrl: change.previousUrl, publicUrl: change.url, shareUrl: this.linkTo(change.url) });
      }
    });
  }

  /** Watches the model with its external data files (one group: a re-export reloads once) and the sidecar. */
  private watch(dataFiles: string[] = this.dataFiles): void {
    const model = path.resolve(this.options.modelFile);
    this.watcher?.close();
    this.dataFiles = dataFiles;
    this.watcher = new FileWatcher(
      // A Hugging Face folder's config.json, tokenizer.json... are part of the model's version: watched with it.
      [[model, ...dataFiles, ...hfFolderPaths(model)], [sidecarPathFor(model)]],
      (group) => void (group === 0 ? this.reload() : this.loadSidecar(true)),
      (err) => this.log('warn', 'watcher', `file watcher: ${err.message}`),
    );
  }

  /** A re-export may name other data files: watch those from now on. */
  private watchDataFiles(description: ModelDescription): void {
    const files = this.dataFilesOf(description);
    if (this.watcher && JSON.stringify(files) !== JSON.stringify(this.dataFiles)) this.watch(files);
  }

  private dataFilesOf(description: ModelDescription): string[] {
    const folder = path.dirname(path.resolve(this.options.modelFile));
    return (description.externalData ?? []).map((d) => path.resolve(folder, d.location));
  }

  /** Numbers the event for the events socket and tells in-process listeners (the CLI, tests). */
  private publish(event: PreviewEvent): void {
    this.hub.publish(event);
    this.emit('event', event);
  }

  private log(level: LogLevel, source: LogSource, message: string): void {
    (this.options.log ?? logToStderr)({ level, source, message });
  }
}
