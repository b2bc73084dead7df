import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Backoff } from '../shared/backoff';
import type { LogLevel, ReadyEvent } from '../shared/events';
import { STOP_REQUEST } from '../shared/server-control';
import { settlesWithin } from '../shared/settles-within';
import { ChildOutput, describeEnd } from './child-output';
import { EventsClient } from './events-client';
import { OwnerApi } from './owner-api';
import { asStartError, PreviewStartError, START_CANCELLED, stderrSuffix } from './preview-start-error';
import { untilFirst } from './until-first';

export interface PreviewProcessOptions {
  /** The bundled CLI (`dist/cli.js`): the very program `model-preview serve` runs. */
  cliPath: string;
  modelFile: string;
  /** The preview's data folder (`.model-preview/` of the workspace). */
  dataDir: string;
  /**
   * Port to listen on; absent: the CLI's default, the port this data folder had last time (remembered in its
   * address.json), so the link stays the same across restarts. 0: any free port (a new link each start).
   */
  port?: number;
  /** Inference worker threads; the CLI's default (the number of cores) when absent. */
  workers?: number;
  /** More `serve` flags, built by the caller: `--tunnel ...`, `--expires ...`. */
  extraArgs?: string[];
  /** Added to this process's environment for the child: secrets such as NGROK_AUTHTOKEN (never put in arguments). */
  env?: NodeJS.ProcessEnv;
  /** The child must say `ready` (and the events socket must open) within this time (default 20 s). */
  readyTimeoutMs?: number;
  /** HTTP requests to the server give up after this (default 10 s). */
  requestTimeoutMs?: number;
  /** Reconnect delays of the events socket (default 250 ms doubling to 5 s). */
  eventsBackoff?: Backoff;
  /**
   * Every line the child prints and what this supervisor does, at its level (the server's log lines keep theirs; one
   * line per prediction and feedback is `debug`). The owner and share tokens are hidden, also after a rotation.
   */
  log(line: string, level: LogLevel): void;
  /** Aborting gives up the start: the child is killed and `start` rejects. */
  signal?: AbortSignal;
}

/** How the child ended. */
export interface PreviewProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when `stop()` asked for it; false when the server died or was killed from outside. */
  expected: boolean;
  /** Its last stderr lines: the reason, when it failed (tokens hidden). */
  lastStderr: string[];
  /**
   * Why it ended, in one line for a notification: the exit code or signal and the last stderr line, e.g.
   * "exit code 1: model-preview: ..." or "killed by SIGKILL" (tokens hidden).
   */
  reason: string;
}

const DEFAULT_READY_TIMEOUT_MS = 20_000;
/** Asked to stop, the server finishes requests in flight and flushes its files; past this it is killed. */
const STOP_GRACE_MS = 5_000;

/**
 * The preview server as a child process of its owner (the extension): `model-preview serve --json` forked from the bundled CLI,
 * supervised, and talked to like any client: its `events` (the events WebSocket) and its `owner` API (HTTP), both with
 * the owner token from its `ready` line. Plain Node, no `vscode`: the extension layer wraps it.
 *
 * Why fork: it runs the child with the same runtime as the extension host (no `node` on PATH needed), which in VS Code
 * desktop is Electron run as Node and in code-server plain Node; `execArgv: []` keeps the host's --inspect flags out
 * of the child.
 */
export class PreviewProcess {
  /** Resolves once the child has exited (and its output was read), however that happened. Never rejects. */
  readonly exited: Promise<PreviewProcessExit>;
  /**
   * The preview's events, each once and in order, from the first of this server run (what the server published while
   * it started, before anyone could listen) on: listen right after `start` resolves, before awaiting anything else.
   */
  readonly events: EventsClient;
  /** The owner's HTTP calls (feedback, stats, share link). */
  readonly owner: OwnerApi;
  private stopRequested = false;
  private stopping?: Promise<void>;
  /** `options.log` with the tokens this child revealed hidden. */
  private readonly log: (line: string, level?: LogLevel) => void;

  private constructor(
    private readonly child: ChildProcess,
    /** The child's `ready` line: port, URLs, tunnel, owner token. `shareUrl` here is the first link (events say the next). */
    readonly ready: ReadyEvent,
    output: ChildOutput,
    options: PreviewProcessOptions,
  ) {
    this.log = (line, level = 'info') => options.log(output.mask.hide(line), level);
    // From the first event of this server run, held until `start` returns: what it published while starting reaches
    // the owner too.
    this.events = new EventsClient({
      baseUrl: ready.localUrl, ownerToken: ready.ownerToken, epoch: ready.epoch, log: (line) => this.log(line),
      backoff: options.eventsBackoff, held: true,
    });
    this.owner = new OwnerApi({ baseUrl: ready.localUrl, ownerToken: ready.ownerToken, requestTimeoutMs: options.requestTimeoutMs });
    this.exited = output.ended.then((end) => {
      const lastStderr = output.lastStderr();
      const exit: PreviewProcessExit = { ...end, expected: this.stopRequested, lastStderr, reason: exitReason(end, lastStderr) };
      this.log(`preview server exited (${describeEnd(end)})${exit.expected ? '' : ' unexpectedly'}`, exit.expected ? 'info' : 'error');
      void this.events.close(); // nothing left to reconnect to
      return exit;
    });
  }

  /**
   * Forks `serve --json`, waits for its `ready` line and for the events socket to open. Every event of the server run
   * is emitted once by `events`, from the first (what the server published while it started) on: attach its listeners
   * right after this resolves, before awaiting anything else. Rejects with a
   * `PreviewStartError` (the child killed and gone) when the child exits first (the message carries its last stderr
   * lines, e.g. the CLI's one-line reason), on the timeout, or on abort.
   */
  static async start(options: PreviewProcessOptions): Promise<PreviewProcess> {
    if (options.signal?.aborted) throw new PreviewStartError(START_CANCELLED, [], { cause: options.signal.reason });
    const args = ['serve', '--json', '--data-dir', path.resolve(options.dataDir)];
    if (options.port !== undefined) args.push('--port', String(options.port));
    if (options.workers !== undefined) args.push('--workers', String(options.workers));
    args.push(...(options.extraArgs ?? []));
    // After `--` the model path is never read as a flag, even if the file name starts with "-".
    args.push('--', path.resolve(options.modelFile));
    const child = fork(path.resolve(options.cliPath), args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
      // fork runs process.execPath: in VS Code desktop that is Electron, which acts as Node only with this set (fork
      // sets it by itself only when no env is given; plain Node ignores it).
      env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    options.log(`preview server starting (pid ${child.pid ?? '?'}): ${path.basename(options.cliPath)} ${args.join(' ')}`, 'info');
    const output = new ChildOutput(child, options.log);
    const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;

    const kill = async (error: PreviewStartError): Promise<never> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await output.ended;
      throw error;
    };

    const ready = await untilFirst<ReadyEvent>(timeoutMs, options.signal, (settle) => {
      void output.ready.then((r) => r && settle.resolve(r));
      void output.ended.then((end) => settle.reject(new PreviewStartError(
        `the preview server exited (${describeEnd(end)}) before it was ready${stderrSuffix(output.lastStderr())}`,
        output.lastStderr())));
      return () => new PreviewStartError(`the preview server did not say it was ready within ${timeoutMs} ms${stderrSuffix(output.lastStderr())}`, output.lastStderr());
    }).catch((err: Error) => kill(asStartError(err, output)));

    const preview = new PreviewProcess(child, ready, output, options);
    // start() means "live": the events socket is open and replays this run from its first event.
    const remaining = Math.max(deadline - Date.now(), 2_000);
    try {
      await untilFirst<void>(remaining, options.signal, (settle) => {
        preview.events.once('connected', () => settle.resolve());
        void preview.exited.then((exit) => settle.reject(new PreviewStartError(
          `the preview server exited (${describeEnd(exit)}) right after it was ready${stderrSuffix(exit.lastStderr)}`, exit.lastStderr)));
        return () => new PreviewStartError(`the preview server's events socket did not open within ${remaining} ms` +
          (preview.events.lastError ? `: ${preview.events.lastError}` : ''), output.lastStderr());
      });
    } catch (err) {
      await preview.stop();
      throw asStartError(err as Error, output);
    }
    preview.events.release();
    return preview;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * Stops the server: asks it over the IPC channel (it finishes requests in flight, flushes its files, frees its port
   * and exits 0), then SIGKILL if it is still there after `graceMs` (default 5 s). Idempotent. When it resolves the
   * child is gone and its port is free.
   */
  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping ??= this.stopNow(graceMs);
    return this.stopping;
  }

  private async stopNow(graceMs: number): Promise<void> {
    this.stopRequested = true;
    const eventsClosed = this.events.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.askToStop();
      if (!(await settlesWithin(this.exited, graceMs))) {
        this.log(`preview server did not stop within ${graceMs} ms of being asked to: killing it`, 'warn');
        this.child.kill('SIGKILL');
      }
    }
    await this.exited;
    await eventsClosed;
  }

  /**
   * Over the IPC channel, the one graceful way on every platform (on Windows SIGTERM is a hard kill: the JSONL files
   * could lose a write in progress). SIGTERM only when the channel is gone, where a POSIX server still handles it.
   */
  private askToStop(): void {
    if (!this.child.connected) {
      this.child.kill('SIGTERM');
      return;
    }
    this.child.send(STOP_REQUEST, (err) => err && this.child.kill('SIGTERM'));
  }
}

/** The exit as one line: how it ended, and its last stderr line when there is one. */
function exitReason(end: { code: number | null; signal: NodeJS.Signals | null }, lastStderr: string[]): string {
  const last = [...lastStderr].reverse().find((line) => line.trim() !== '');
  return last ? `${describeEnd(end)}: ${last.trim()}` : describeEnd(end);
}
