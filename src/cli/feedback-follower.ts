import { watch } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { EventsClient } from '../client/events-client';
import type { OwnerApi } from '../client/owner-api';
import { loadOrCreateTokens } from '../core/server/token-store';
import { liveServerInfo as readServerInfo, type RunningServer } from '../client/running-server';

type ServerInfo = RunningServer['info'];
import { FEEDBACK_RECORD_LINES, type FeedbackRecord } from '../shared/feedback-record';
import { parseJsonLines } from '../shared/json-lines';

/** A running preview's two client parts: its events socket and its owner API. */
export interface PreviewConnection {
  events: EventsClient;
  owner: OwnerApi;
}

/** What a follower reads, how it reaches a running preview, and where it writes. */
export interface FollowOptions {
  dataDir: string;
  /** The client of the preview at `localUrl` (src/client/): the events socket starts at its `hello`. */
  connect(localUrl: string, ownerToken: string): PreviewConnection;
  /** Each record, once. */
  print(record: FeedbackRecord): void;
  /** A line for the person following (stderr): what is followed now, what went wrong. */
  say(line: string): void;
}

/** How often the file and server.json are looked at while no preview is followed live (file events can be missed). */
const POLL_MS = 2_000;

/**
 * The file part of a follower: the records appended to feedback.jsonl after what was read, whole lines only. A line
 * still being written is read next time; a file that shrank (replaced) is read again from its start.
 */
export class FeedbackFileReader {
  private offset = 0;
  private lines = 0;

  constructor(readonly file: string, private readonly warn: (message: string) => void) {}

  /** The records appended since the last read. */
  async next(): Promise<FeedbackRecord[]> {
    const { size } = await stat(this.file).catch(() => ({ size: this.offset }));
    if (size < this.offset) this.offset = this.lines = 0; // truncated or replaced: start again
    if (size <= this.offset) return [];
    const handle = await open(this.file, 'r');
    try {
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      const text = buffer.toString('utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      const records = parseJsonLines(complete, { source: this.file, warn: this.warn, check: FEEDBACK_RECORD_LINES, firstLine: this.lines + 1 });
      this.offset += Buffer.byteLength(complete);
      this.lines += complete.split('\n').length - 1;
      return records;
    } finally {
      await handle.close();
    }
  }
}

/**
 * `model-preview feedback --follow`: while a preview of the folder runs (its server.json), new feedback comes from its
 * events socket, the moment it is stored; while none runs, feedback.jsonl is tailed, and a preview that starts is
 * followed live from then on. Every record is printed once, whichever way it came and however often the follower
 * switches: records are told apart by id.
 */
export class FeedbackFollower {
  private readonly printed = new Set<string>();
  private readonly reader: FeedbackFileReader;
  private live?: { server: ServerInfo } & PreviewConnection;
  /** A server whose events socket could not be opened: not tried again (its server.json stays until it stops). */
  private refused?: string;
  /** One step at a time: the file read, a switch, a catch-up. */
  private work = Promise.resolve();

  constructor(private readonly options: FollowOptions) {
    this.reader = new FeedbackFileReader(path.join(options.dataDir, 'feedback.jsonl'), options.say);
  }

  /** Prints the records the file holds now; resolves with how many there were. */
  async printFile(): Promise<number> {
    const records = await this.reader.next();
    records.forEach((r) => this.printOnce(r));
    return records.length;
  }

  /** Follows until the process ends (Ctrl+C). */
  start(): void {
    // The folder may not exist yet (started before `serve`): then polling alone finds it once it appears.
    try {
      watch(this.options.dataDir, (_event, name) => name?.toString() === 'feedback.jsonl' && !this.live && this.step(() => this.readFile()));
    } catch {
      this.options.say(`${this.options.dataDir} does not exist yet; waiting for it`);
    }
    setInterval(() => this.step(() => this.look()), POLL_MS);
    this.step(() => this.look(true));
  }

  private step(work: () => Promise<void>): void {
    this.work = this.work.then(work).catch((err: Error) => this.options.say(`${err.message}; still following`));
  }

  private printOnce(record: FeedbackRecord): void {
    if (this.printed.has(record.id)) return;
    this.printed.add(record.id);
    this.options.print(record);
  }

  /** Live when a preview runs (and was not refused), else the file. */
  private async look(first = false): Promise<void> {
    if (this.live) return;
    const server = await readServerInfo(this.options.dataDir);
    if (server && keyOf(server) !== this.refused) return this.goLive(server);
    if (first) this.options.say(`following ${this.reader.file} (Ctrl+C to stop)`);
    await this.readFile();
  }

  private async readFile(): Promise<void> {
    (await this.reader.next()).forEach((r) => this.printOnce(r));
  }

  private async goLive(server: ServerInfo): Promise<void> {
    const { ownerToken } = await loadOrCreateTokens(this.options.dataDir);
    let connected = false;
    // Live events wait while the records stored before the socket opened are caught up with.
    let catchingUp: FeedbackRecord[] | undefined = [];
    const { events, owner } = this.options.connect(server.localUrl, ownerToken);
    this.live = { server, events, owner };
    const catchUp = async () => {
      catchingUp ??= [];
      try {
        (await owner.feedback(this.options.say)).forEach((r) => this.printOnce(r));
      } finally {
        const arrived = catchingUp;
        catchingUp = undefined;
        arrived.forEach((r) => this.printOnce(r));
      }
    };
    events.on('event', (e) => {
      if (e.event !== 'feedback') return;
      if (catchingUp) catchingUp.push(e.record);
      else this.printOnce(e.record);
    });
    events.on('connected', () => {
      if (!connected) this.options.say(`following the preview on port ${server.port}: feedback appears as it is sent (Ctrl+C to stop)`);
      connected = true;
      this.step(catchUp); // on a reconnect too: what was stored while the socket was down
    });
    events.on('reset', () => this.step(catchUp));
    events.on('disconnected', (reason) => this.step(() => this.dropped(server, connected, reason)));
  }

  /** The socket dropped: a preview that is gone (or replaced) is followed in the file; one still running, reconnected to. */
  private async dropped(server: ServerInfo, connected: boolean, reason: string): Promise<void> {
    if (this.live?.server !== server) return;
    const now = await readServerInfo(this.options.dataDir);
    const sameServer = now !== undefined && keyOf(now) === keyOf(server);
    if (sameServer && connected) return; // the events client reconnects by itself, and catches up then
    await this.live.events.close();
    this.live = undefined;
    if (sameServer) {
      this.refused = keyOf(server);
      this.options.say(`cannot follow the preview on port ${server.port} live (${reason}); following ${this.reader.file}`);
    } else {
      this.options.say(`the preview on port ${server.port} stopped; following ${this.reader.file}`);
    }
    await this.look();
  }
}

const keyOf = (server: ServerInfo) => `${server.pid}:${server.port}:${server.startedAt}`;
