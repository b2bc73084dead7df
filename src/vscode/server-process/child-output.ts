import type { ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { ReadyEvent } from '../../shared/events';
import { settlesWithin } from './settles-within';
import { isReadyEvent, parseCliLine } from './stream-guards';

/** How the child process ended: its exit code, or the signal that killed it. */
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Enough stderr to hold a failure's reason (the CLI's is one line) plus what led to it. */
const STDERR_LINES_KEPT = 20;
/** The exit can be seen before the last output lines are read; wait that long for them (a grandchild may hold the pipes). */
const OUTPUT_DRAIN_MS = 1_000;

/**
 * The child's stdout and stderr, read line by line: every line to the log (the owner token hidden), the last stderr
 * lines kept, and the first `ready` line parsed and checked. stdout events other than `ready` only go to the log: the
 * owner gets them once, from the events socket.
 */
export class ChildOutput {
  /** The first `ready` line, or undefined when stdout ended without one. */
  readonly ready: Promise<ReadyEvent | undefined>;
  /** The child's end, once its output was read (or after a short wait for it). */
  readonly ended: Promise<ChildEnd>;
  private readonly stderrTail: string[] = [];
  private ownerToken?: string;

  constructor(child: ChildProcess, private readonly log: (line: string) => void) {
    const stdout = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    const stderr = createInterface({ input: child.stderr!, crlfDelay: Infinity });
    this.ready = new Promise((resolve) => {
      stdout.on('line', (line) => {
        const event = parseCliLine(line);
        if (event && isReadyEvent(event) && this.ownerToken === undefined) {
          this.ownerToken = event.ownerToken;
          resolve(event);
        }
        this.log(this.hideToken(line));
      });
      stdout.on('close', () => resolve(undefined));
    });
    stderr.on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
      this.log(`stderr: ${this.hideToken(line)}`);
    });
    const outputRead = Promise.all([closed(stdout), closed(stderr)]);
    this.ended = new Promise((resolve) => {
      child.once('exit', (code, signal) => void settlesWithin(outputRead, OUTPUT_DRAIN_MS).then(() => resolve({ code, signal })));
      // Only when the process could not be spawned at all (no 'exit' follows then).
      child.once('error', (err) => {
        if (child.pid !== undefined) return this.log(`preview server: ${err.message}`);
        this.stderrTail.push(err.message);
        resolve({ code: null, signal: null });
      });
    });
  }

  lastStderr(): string[] {
    return [...this.stderrTail];
  }

  /** The owner token opens everything: it must not land in a log someone pastes into an issue. */
  private hideToken(line: string): string {
    return this.ownerToken ? line.split(this.ownerToken).join('<owner token>') : line;
  }
}

export function describeEnd(end: ChildEnd): string {
  return end.signal ? `killed by ${end.signal}` : `exit code ${end.code}`;
}

const closed = (lines: Interface) => new Promise<void>((resolve) => lines.once('close', resolve));
