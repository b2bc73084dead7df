import { readFile } from 'node:fs/promises';
import { EventsClient } from '../../client/events-client';
import { OwnerApi } from '../../client/owner-api';
import type { PreviewProcessExit } from '../../client/preview-process';
import { findRunningServer } from '../../client/running-server';
import { pidExists } from '../../client/process-identity';
import type { LogLevel } from '../../shared/events';
import type { PreviewServer, ServerReady } from './preview-server';

/** How often an attached server's process is checked for life (the events socket dropping checks at once too). */
const LIVENESS_POLL_MS = 2_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 20;

/**
 * A running server of a data folder that this window did not fork: found through its `server.json` (verified live
 * and ours by `findRunningServer`: a reused pid is never trusted), then talked to like any client. Plain Node (no
 * `vscode`), so the bench measures re-attaching as the extension does it.
 *
 * Its death is seen when the events socket drops and the process is gone (or by a slow poll of the pid); its reason is
 * the end of its log file (`server.log` of a detached server), since its exit code belongs to another parent.
 */
export class AttachedServer implements PreviewServer {
  readonly exited: Promise<PreviewProcessExit>;
  private stopRequested = false;
  private stopping?: Promise<void>;
  private released?: Promise<void>;
  private readonly poll: NodeJS.Timeout;
  private gone!: () => void;

  private constructor(
    readonly ready: ServerReady,
    readonly pid: number,
    readonly owner: OwnerApi,
    readonly events: EventsClient,
    private readonly logFile: string | undefined,
  ) {
    const goneSeen = new Promise<void>((resolve) => (this.gone = resolve));
    const check = () => !pidExists(pid) && this.gone();
    this.poll = setInterval(check, LIVENESS_POLL_MS);
    events.on('disconnected', check);
    this.exited = goneSeen.then(async () => {
      clearInterval(this.poll);
      void events.close();
      const lastStderr = await this.logTail();
      // Its exit code went to its own parent: what it said last in its log is the reason this window can give.
      const last = [...lastStderr].reverse().find((line) => line.trim() !== '');
      return { code: null, signal: null, expected: this.stopRequested, lastStderr, reason: last ? `its process is gone: ${last.trim()}` : 'its process is gone' };
    });
  }

  /**
   * The server serving `dataDir` now, attached: its events socket open (live events from now on; the caller loads the
   * feedback so far from the owner API), or undefined when no verified server runs there.
   */
  static async attach(dataDir: string, log: (line: string, level: LogLevel) => void): Promise<AttachedServer | undefined> {
    const lookup = await findRunningServer(dataDir);
    if (lookup.state !== 'running') {
      if (lookup.state === 'stale') log(`not attaching to the server named in ${dataDir}/server.json: ${lookup.reason}`, 'info');
      return undefined;
    }
    const { server } = lookup;
    const owner = new OwnerApi(server.owner);
    const status = await owner.server();
    const ready: ServerReady = {
      model: status.model, modelVersion: status.modelVersion, port: status.port, localUrl: status.localUrl, shareUrl: status.shareUrl,
      // The status names no provider: a link on another origin than the local one is a tunnel's.
      tunnel: new URL(status.shareUrl).origin === new URL(status.localUrl).origin ? 'none' : 'tunnel',
      ownerToken: server.owner.ownerToken, lanUrls: status.lanUrls,
    };
    const events = new EventsClient({ baseUrl: server.baseUrl, ownerToken: server.owner.ownerToken, log: (line) => log(line, 'info'), held: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the events socket of the server ${status.pid} did not open: ${events.lastError}`)), 5_000);
      events.once('connected', () => (clearTimeout(timer), resolve()));
    }).catch(async (err: Error) => {
      await events.close();
      throw err;
    });
    events.release();
    log(`attached to the running server of ${dataDir} (pid ${status.pid}, port ${status.port})`, 'info');
    return new AttachedServer(ready, status.pid, owner, events, server.info.logFile);
  }

  /** Asks the server to stop (owner API), waits until its process is gone; SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping ??= (async () => {
      this.stopRequested = true;
      await this.owner.stopServer().catch(() => undefined); // already gone: the wait below ends at once
      const deadline = Date.now() + graceMs;
      while (pidExists(this.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (pidExists(this.pid)) process.kill(this.pid, 'SIGKILL');
      while (pidExists(this.pid)) await new Promise((r) => setTimeout(r, 50));
      this.gone();
      await this.exited;
    })();
    return this.stopping;
  }

  /** Lets go: the server keeps serving for whoever attaches next. */
  release(): Promise<void> {
    this.released ??= (async () => {
      clearInterval(this.poll);
      await this.events.close();
    })();
    return this.released;
  }

  private async logTail(): Promise<string[]> {
    if (!this.logFile) return [];
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.trim().split('\n').slice(-LOG_TAIL_LINES);
  }
}
