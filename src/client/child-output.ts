import type { ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { CliEvent, LogLevel, ReadyEvent } from '../shared/events';
import { SecretMask } from './secret-mask';
import { settlesWithin } from '../shared/settles-within';
import { parseCliLine } from './server-messages';

/** How the child process ended: its exit code, or the signal that killed it. */
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Where the child's lines go: the extension's log output channel, at the line's level. */
export type LeveledLog = (line: string, level: LogLevel) => void;

/** Enough stderr to hold a failure's reason (the CLI's is one line) plus what led to it. */
const STDERR_LINES_KEPT = 20;
/** The exit can be seen before the last output lines are read; wait that long for them (a grandchild may hold the pipes). */
const OUTPUT_DRAIN_MS = 1_000;

/**
 * The child's stdout and stderr, read line by line: every line to the log at its level with the tokens hidden, the
 * last stderr lines kept, and the first `ready` line parsed and checked. stdout events other than `ready` only go to
 * the log: the owner gets them once, from the events socket.
 */
export class ChildOutput {
  /** The first `ready` line, or undefined when stdout ended without one. */
  readonly ready: Promise<ReadyEvent | undefined>;
  /** The child's end, once its output was read (or after a short wait for it). */
  readonly ended: Promise<ChildEnd>;
  /** The tokens this child revealed: whatever else logs on its behalf hides them with this too. */
  readonly mask = new SecretMask();
  private readonly stderrTail: string[] = [];

  constructor(child: ChildProcess, private readonly log: LeveledLog) {
    const stdout = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    const stderr = createInterface({ input: child.stderr!, crlfDelay: Infinity });
    let readySeen = false;
    this.ready = new Promise((resolve) => {
      stdout.on('line', (line) => {
        const event = parseCliLine(line);
        if (event) this.mask.learnFrom(event); // before the line is logged: it may be the one that reveals a token
        if (event?.event === 'ready' && !readySeen) {
          readySeen = true;
          resolve(event);
        }
        const [text, level] = logLineOf(line, event);
        this.log(this.mask.hide(text), level);
      });
      stdout.on('close', () => resolve(undefined));
    });
    stderr.on('line', (line) => {
      const hidden = this.mask.hide(line);
      this.stderrTail.push(hidden);
      if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
      this.log(`stderr: ${hidden}`, 'warn');
    });
    const outputRead = Promise.all([closed(stdout), closed(stderr)]);
    this.ended = new Promise((resolve) => {
      child.once('exit', (code, signal) => void settlesWithin(outputRead, OUTPUT_DRAIN_MS).then(() => resolve({ code, signal })));
      // Only when the process could not be spawned at all (no 'exit' follows then).
      child.once('error', (err) => {
        if (child.pid !== undefined) return this.log(`preview server: ${err.message}`, 'error');
        this.stderrTail.push(err.message);
        resolve({ code: null, signal: null });
      });
    });
  }

  /** The last stderr lines, tokens hidden (they end up in notifications and error messages). */
  lastStderr(): string[] {
    return [...this.stderrTail];
  }
}

/**
 * A stdout line as the log shows it. The server's own log lines keep their level; an error event is an error; the
 * one line per prediction and per feedback is detail (debug), or a busy preview would bury everything else.
 */
function logLineOf(line: string, event: CliEvent | undefined): [string, LogLevel] {
  switch (event?.event) {
    case 'log':
      return [`${event.source}: ${event.message}`, event.level];
    case 'error':
      return [`error (${event.source}): ${event.message}`, 'error'];
    case 'prediction':
    case 'feedback':
      return [line, 'debug'];
    default:
      return [line, 'info'];
  }
}

export function describeEnd(end: ChildEnd): string {
  return end.signal ? `killed by ${end.signal}` : `exit code ${end.code}`;
}

const closed = (lines: Interface) => new Promise<void>((resolve) => lines.once('close', resolve));
